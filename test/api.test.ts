/** The programmatic API (src/index.ts): what the CLI's run is built on, and its errors. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, loadScenario, parseScenario, rehearse, version } from '../src/index.js';

const root = new URL('..', import.meta.url).pathname;

describe('programmatic API', () => {
  it('rehearse gives the document rehearse run --json writes, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-api-'));
    const out = join(dir, 'r.json');
    execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), 'run', 'scenarios/gate-tuning.yaml', '--case', 'defective', '--seed', '3', '--json', out, '-q'], { cwd: root });
    const result = rehearse('scenarios/gate-tuning.yaml', { case: 'defective', seed: 3 });
    expect(result.scenario).toEqual({ name: 'gate-tuning', seed: 3, case: 'defective' });
    expect(result.version).toBe(version);
    expect(`${JSON.stringify(result, null, 2)}\n`).toBe(readFileSync(out, 'utf8'));
  });

  it('throws InputError naming the file, line and path', () => {
    let err: unknown;
    try {
      loadScenario('test/fixtures/broken.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).lines[0]).toMatch(/^test\/fixtures\/broken\.yaml:10:17: services\.frontend/);
    expect(() => parseScenario('name: x\ntraffic: { rate: 5 }\n', { name: 'inline.yaml' })).toThrow(/^inline\.yaml:2:\d+: traffic\.rate: a rate needs a unit/m);
    expect(() => rehearse(loadScenario('scenarios/gate-tuning.yaml'), { case: 'healthy' })).toThrow(InputError);
  });
});
