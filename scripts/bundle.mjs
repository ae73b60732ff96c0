// The command line in one file: esbuild bundles src/cli/bin.ts and what it imports into dist/cli/rehearse.cjs,
// which bin/rehearse.js loads. Node then reads one file instead of resolving and compiling some two hundred
// modules at start-up. Commands still load their code when they run: a module reached through import() is
// kept in the bundle behind a lazy initializer, so `--version` and `validate` run only what they use.
//
// The bundle is a script (CommonJS), so that bin/rehearse.js can compile it with V8's code cache: this script
// then runs `rehearse validate` on a scenario once and keeps the compiled code of what ran in
// dist/cli/rehearse.cache. A Node whose V8 does not accept that cache (another version, other flags) compiles
// the bundle as usual; the cache only saves the compiling.
//
// Each bundled module keeps the location of its compiled twin in dist/: `import.meta.url` in src/x/y.ts becomes
// the URL of dist/x/y.js, so that workers (dist/sweep/worker.js, dist/live/debrief-worker.js), package files
// (../package.json, templates/, schema/) and packages resolved with createRequire are found as from tsc's output.
//
// Packages that the start-up path reads (commander, yaml, zod, the PromQL grammar) are bundled; the heavy ones
// that only some commands load (charts, faker, the worker pool, the vendors' SDKs, the HTTP server) stay
// packages of the installation, required when the module that imports them first runs.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const out = join(root, 'dist', 'cli', 'rehearse.cjs');
const cache = out.replace(/\.cjs$/, '.cache');
const BUNDLED = ['commander', 'yaml', 'zod', 'murmurhash3js-revisited', 'seedrandom', '@lezer/', '@prometheus-io/lezer-promql'];
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.some((b) => d === b || d.startsWith(b)));

/**
 * A package left out of the bundle is required when the module that imports it first runs (inside that module's
 * lazy initializer), not at start-up.
 */
const lateExternals = {
  name: 'late-externals',
  setup(b) {
    const names = new RegExp(`^(${external.map((d) => d.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(/|$)`);
    // The shim's own require() is the installed package's.
    b.onResolve({ filter: names }, (args) => (args.kind === 'require-call' ? { path: args.path, external: true } : { path: args.path, namespace: 'late-external' }));
    b.onLoad({ filter: /.*/, namespace: 'late-external' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/**
 * zod's `z.locales` holds the error messages of some fifty languages (about 450 KB of the bundle, read at every
 * start); rehearse writes its messages in English with zod's default, English, so z.locales holds only `en` here.
 */
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]/.test(args.importer)
      ? { path: join(args.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-english-only' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: 'export { default as en } from "./en.js";', resolveDir: dirname(args.path), loader: 'js',
    }));
  },
};

/**
 * zod's `z.fromJSONSchema` (JSON Schema to a zod schema, about 100 KB of the bundle with what only it uses) is
 * not used by rehearse: in the bundle it throws, saying so. A source file that starts using it fails the build.
 */
const zodWithoutFromJsonSchema = {
  name: 'zod-without-from-json-schema',
  setup(b) {
    b.onResolve({ filter: /^\.\/from-json-schema\.js$/ }, (args) => (/[\\/]zod[\\/]v4[\\/]classic[\\/]/.test(args.importer)
      ? { path: args.path, namespace: 'zod-without-from-json-schema' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-without-from-json-schema' }, () => ({
      contents: "export function fromJSONSchema() { throw new Error('z.fromJSONSchema is left out of the bundle (scripts/bundle.mjs)'); }", loader: 'js',
    }));
  },
};

/**
 * commander requires node:child_process when it loads (about 8 ms of every start here), for the executable
 * subcommands rehearse does not have: the bundle's commander requires it when it would spawn one. A commander
 * whose source no longer holds that line fails the build rather than quietly keeping the cost.
 */
const commanderSpawnsLate = {
  name: 'commander-spawns-late',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${args.path} no longer requires node:child_process as ${eager}`);
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

/**
 * What a source module imports at its top but uses only in some calls: in the bundle, the module or package (and
 * what it imports) loads when first used. @prometheus-io/lezer-promql builds its parser when it loads, with
 * @lezer/lr, @lezer/common and @lezer/highlight (about 5 ms and 0.7 MB of every start here): `validate` of a
 * file without a PromQL query never needs it. The adapters of flag files, Argo and Flagger resources and rule
 * files (src/interop) load when a scenario names such a file: about 15 ms of `validate` here for one that names
 * none. An object is a Proxy that loads on its first use; a function a wrapper that loads on its first call.
 * Each entry is [the import as written, what it imports, the names, 'object' | 'function']; a source file no
 * longer importing it as written fails the build rather than quietly keeping the cost.
 */
const LATE_IMPORTS = {
  'lang/promql-syntax.ts': [["import { parser } from '@prometheus-io/lezer-promql';", '@prometheus-io/lezer-promql', ['parser'], 'object']],
  'load/scenario.ts': [
    ["import { typedCallWarning } from '../interop/launchdarkly/typed.js';", '../interop/launchdarkly/typed.js', ['typedCallWarning'], 'function'],
    ["import { servedTo } from '../interop/serve.js';", '../interop/serve.js', ['servedTo'], 'function'],
    ["import { readFlagSources } from './flag-sources.js';", './flag-sources.js', ['readFlagSources'], 'function'],
  ],
  'load/resources.ts': [
    ["import { importArgoPlan } from '../interop/argo/plan.js';", '../interop/argo/plan.js', ['importArgoPlan'], 'function'],
    ["import { importFlaggerPlan } from '../interop/flagger/plan.js';", '../interop/flagger/plan.js', ['importFlaggerPlan'], 'function'],
    ["import { applyPatches } from '../interop/patch.js';", '../interop/patch.js', ['applyPatches'], 'function'],
  ],
  'load/rule-files.ts': [
    ["import { readRuleFile, type ParsedGroup, type ParsedRule } from '../interop/prometheus/rules.js';", '../interop/prometheus/rules.js', ['readRuleFile'], 'function'],
  ],
};
let lateCount = 0;
const late = (spec, name, kind) => {
  const load = `require(${JSON.stringify(spec)})`;
  if (kind === 'function') {
    const m = `__late${lateCount++}`;
    return `let ${m}; const ${name} = (...args) => (${m} ??= ${load}).${name}(...args);`;
  }
  return `const ${name} = new Proxy({}, {
  get: (_, key) => { const v = ${load}.${name}; const p = Reflect.get(v, key, v); return typeof p === 'function' ? p.bind(v) : p; },
  has: (_, key) => key in ${load}.${name},
  getPrototypeOf: () => Object.getPrototypeOf(${load}.${name}),
});`;
};

/**
 * src/version.ts reads package.json when it loads, at every start: the bundle holds the version of the
 * package.json it was built from, the one beside it.
 */
const versionBuiltIn = {
  name: 'version-built-in',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const read = /^export const VERSION: string = .*$/m;
      if (!read.test(text)) throw new Error(`${args.path} no longer declares VERSION as the build expects`);
      return { contents: text.replace(read, `export const VERSION: string = ${JSON.stringify(pkg.version)};`).replace(/^import .*$/m, ''), loader: 'ts' };
    });
  },
};

/** import.meta.url of each source module, as the URL of its compiled twin relative to the bundle `out`. */
const whereCompiled = (out) => ({
  name: 'where-compiled',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      if (text.includes('fromJSONSchema')) throw new Error(`${args.path} uses z.fromJSONSchema, which the bundle leaves out (zodWithoutFromJsonSchema)`);
      if (text.includes('import.meta.url')) {
        const twin = relative(dirname(out), join(root, 'dist', relative(src, args.path))).split(sep).join('/').replace(/\.ts$/, '.js');
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(twin.startsWith('.') ? twin : `./${twin}`)}, __rehearseBundleUrl).href`);
      }
      for (const [line, spec, names, kind] of LATE_IMPORTS[relative(src, args.path).split(sep).join('/')] ?? []) {
        if (text.split(line).length !== 2) throw new Error(`${args.path} no longer holds ${line} once`);
        text = text.replace(line, names.map((n) => late(spec, n, kind)).join('\n'));
      }
      // A script compiled by bin/rehearse.js has no import(): Node's own modules are required.
      text = text.replace(/\bimport\((['"])(node:[a-z_/]+)\1\)/g, 'Promise.resolve(require($1$2$1))');
      return { contents: text, loader: 'ts' };
    });
  },
});

/** One entry and what it imports as one CommonJS file. */
const bundle = (entry, outfile) => build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: "const __rehearseBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: true,
  legalComments: 'none',
  minifySyntax: true,
  minifyWhitespace: true,
  // Local names shortened: 1.4 MB instead of 1.8 read and held at every start; the source map keeps the names.
  minifyIdentifiers: true,
  logLevel: 'warning',
  plugins: [lateExternals, englishOnly, zodWithoutFromJsonSchema, commanderSpawnsLate, versionBuiltIn, whereCompiled(outfile)],
});

/**
 * Escapes what esbuild leaves outside ASCII (in regular expressions and template literals, where an escape means
 * the same character): Node reads an ASCII file into a one-byte string, about half the memory and decoding time
 * of the two-byte string one character outside ASCII makes of the whole file. The source map's columns move by
 * five on the few lines concerned. A regular expression's source keeps the escape (its `source`, a JSON schema's
 * pattern), so src/ writes such a pattern as a string given to RegExp, which esbuild escapes inside the string.
 */
const asciiOnly = async (file) => {
  const text = await readFile(file, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) await writeFile(file, ascii);
};

/**
 * The bundle as the function bin/rehearse.js compiles: the file holds the CommonJS wrapper itself, so that Node
 * reads it into one string V8 compiles as it is. Wrapped at start-up, it was a second string of 1.8 MB, which V8
 * copies into a third before compiling: each megabyte a process touches first costs some 3 ms here (page faults).
 * The wrapper opens on the banner's line, which maps to no source, so that every position in the source map holds.
 */
const wrapped = async (file) => {
  const text = await readFile(file, 'utf8');
  await writeFile(file, `(function (exports, require, module, __filename, __dirname) {${text}\n})`);
};

await bundle(join(src, 'cli', 'bin.ts'), out);
await asciiOnly(out);
await wrapped(out);
// The pool's worker (sweeps and ci) too, beside its compiled twin: a thread then reads one script instead of
// loading some hundred ES modules, so it starts sooner, and a thread terminated while it starts (a signal in the
// first moments of a sweep) is stopped in a script, not inside an ES module graph being loaded, where Node 20
// aborts the whole process (FATAL ERROR: v8::Module::IsGraphAsync).
await bundle(join(src, 'sweep', 'worker.ts'), join(root, 'dist', 'sweep', 'worker.cjs'));
await asciiOnly(join(root, 'dist', 'sweep', 'worker.cjs'));

// The code cache: bin/rehearse.js runs `validate` once with REHEARSE_CODE_CACHE naming where to write it.
await rm(cache, { force: true });
const warm = spawnSync(process.execPath, [join(root, 'bin', 'rehearse.js'), 'validate', join(root, 'scenarios', 'checkout.yaml')], {
  cwd: root, encoding: 'utf8', env: { ...process.env, REHEARSE_CODE_CACHE: cache },
});
if (warm.status !== 0) {
  console.error(`the bundled command line failed its first run (rehearse validate scenarios/checkout.yaml):\n${warm.stderr}`);
  process.exit(1);
}
