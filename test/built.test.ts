/**
 * Workers started from the sources load the build when it is at least as new as every source (src/files/built.ts):
 * an edit since the build, a file added to src/, a package.json rewritten, or no build, and they load the sources.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freshBuilt } from '../src/files/built.js';

describe('the build a worker started from the sources loads', () => {
  const root = mkdtempSync(join(tmpdir(), 'rehearse-built-'));
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
  const put = (path: string, seconds: number) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    at(path, seconds);
  };
  const module = pathToFileURL(join(root, 'src', 'sweep', 'pool.ts')).href;
  const built = join(root, 'dist', 'sweep', 'worker.cjs');
  put(join(root, 'package.json'), 1000);
  put(join(root, 'src', 'sweep', 'pool.ts'), 1000);
  put(join(root, 'src', 'model', 'calls.ts'), 1000);
  for (const d of ['src', 'src/sweep', 'src/model']) at(join(root, d), 1000);

  it('is none before a build, the build once it is as new as every source, none once a source is newer', () => {
    expect(freshBuilt(module, 'worker.cjs')).toBeNull();
    put(built, 2000);
    expect(freshBuilt(module, 'worker.cjs')).toBe(built);
    // An edit deep in src/, then a build after it.
    at(join(root, 'src', 'model', 'calls.ts'), 3000);
    expect(freshBuilt(module, 'worker.cjs')).toBeNull();
    at(built, 3000);
    expect(freshBuilt(module, 'worker.cjs')).toBe(built);
    // A file added (its folder changes too), and package.json (the version the build holds).
    put(join(root, 'src', 'model', 'new.ts'), 1000);
    at(join(root, 'src', 'model'), 4000);
    expect(freshBuilt(module, 'worker.cjs')).toBeNull();
    at(built, 5000);
    expect(freshBuilt(module, 'worker.cjs')).toBe(built);
    at(join(root, 'package.json'), 6000);
    expect(freshBuilt(module, 'worker.cjs')).toBeNull();
  });

  it('is none for a module outside a src/ folder', () => {
    expect(freshBuilt(pathToFileURL(join(root, 'other', 'pool.ts')).href, 'worker.cjs')).toBeNull();
  });
});
