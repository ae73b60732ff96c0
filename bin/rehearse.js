#!/usr/bin/env node
// The command line in one file, dist/cli/rehearse.cjs (scripts/bundle.mjs builds it), compiled with the V8 code
// cache made beside it at build time (dist/cli/rehearse.cache) when this Node's V8 accepts it: start-up then
// skips compiling what `validate` and the other commands' start run. With REHEARSE_CODE_CACHE set (the build
// does it), the cache of what ran is written there at exit.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('../dist/cli/rehearse.cjs', import.meta.url));
const cacheOut = process.env.REHEARSE_CODE_CACHE;
let cachedData;
if (!cacheOut) {
  try {
    cachedData = readFileSync(file.replace(/\.cjs$/, '.cache'));
  } catch {
    // No cache (a build without one): compiled as usual.
  }
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, { filename: file, cachedData });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
if (cacheOut) process.once('beforeExit', () => writeFileSync(cacheOut, script.createCachedData()));
