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
// The file holds the CommonJS wrapper and only ASCII (scripts/bundle.mjs): read as latin1, it is the one string
// V8 compiles, kept outside V8's heap.
const script = new Script(readFileSync(file, 'latin1'), { filename: file, cachedData });
// Commands that read files and answer, whose start-up is most of their time: each megabyte a process touches
// first costs some 3 ms here (page faults), and V8 doubles its young generation when most of what is allocated
// survives, as at start-up (what a command builds to run: schemas, the parsed file), so that start-up kept
// touching new memory to copy what lives on. For these the young generation keeps its first size; a command that
// simulates keeps V8's growth, which its long run needs. Set once the cache is accepted (V8 refuses a cache made
// under other flags) and put back before one is written.
const BRIEF = new Set(['validate', 'lint', 'schema', 'import', 'flags', 'init']);
const brief = BRIEF.has(process.argv[2]);
if (brief) require('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
if (cacheOut) {
  process.once('beforeExit', () => {
    if (brief) require('node:v8').setFlagsFromString('--semi-space-growth-factor=2');
    writeFileSync(cacheOut, script.createCachedData());
  });
}
