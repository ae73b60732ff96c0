#!/usr/bin/env node
// The command line in one file, dist/cli/rehearse.cjs (scripts/bundle.mjs builds it), compiled with the V8 code
// cache made beside it at build time (dist/cli/rehearse.cache) when this Node's V8 accepts it: start-up then
// skips compiling what `validate` and the other commands' start run. With REHEARSE_CODE_CACHE set (the build
// does it), the cache of what ran is written there at exit.
// A CommonJS script (bin/package.json), so that Node starts it without setting up its ES module loader.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, '..', 'dist', 'cli', 'rehearse.cjs');
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
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
if (cacheOut) process.once('beforeExit', () => writeFileSync(cacheOut, script.createCachedData()));
