// The command line in one file: esbuild bundles src/cli/bin.ts and what it imports into dist/cli/rehearse.js,
// which bin/rehearse.js loads. Node then reads one file instead of resolving and compiling some two hundred
// modules at start-up. Commands still load their code when they run: a module reached through import() is
// kept in the bundle behind a lazy initializer, so `--version` and `validate` run only what they use.
//
// Each bundled module keeps the location of its compiled twin in dist/: `import.meta.url` in src/x/y.ts becomes
// the URL of dist/x/y.js, so that workers (dist/sweep/worker.js, dist/live/debrief-worker.js), package files
// (../package.json, templates/, schema/) and packages resolved with createRequire are found as from tsc's output.
//
// Packages that the start-up path reads (commander, yaml, zod, the PromQL grammar) are bundled; the heavy ones
// that only some commands load (charts, faker, the worker pool, the vendors' SDKs, the HTTP server) stay
// imports of the installed package, loaded when a command asks for them.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const out = join(root, 'dist', 'cli', 'rehearse.js');
const BUNDLED = ['commander', 'yaml', 'zod', 'murmurhash3js-revisited', 'seedrandom', '@lezer/', '@prometheus-io/lezer-promql'];
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.some((b) => d === b || d.startsWith(b)));

/**
 * A package left out of the bundle is loaded when the module that imports it first runs, not at start-up:
 * esbuild hoists an external `import` statement to the top of the bundle, so a statically imported one is
 * required instead, inside the importing module's lazy initializer. `import()` of one stays an import().
 */
const lateExternals = {
  name: 'late-externals',
  setup(b) {
    const names = new RegExp(`^(${external.map((d) => d.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(/|$)`);
    b.onResolve({ filter: names }, (args) => (args.kind === 'import-statement' ? { path: args.path, namespace: 'late-external' } : { path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'late-external' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/** import.meta.url of each source module, as the URL of its compiled twin relative to the bundle. */
const whereCompiled = {
  name: 'where-compiled',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      if (text.includes('import.meta.url')) {
        const twin = relative(dirname(out), join(root, 'dist', relative(src, args.path))).split(sep).join('/').replace(/\.ts$/, '.js');
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(twin.startsWith('.') ? twin : `./${twin}`)}, import.meta.url).href`);
      }
      return { contents: text, loader: 'ts' };
    });
  },
};

await build({
  entryPoints: [join(src, 'cli', 'bin.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled CommonJS packages (commander, seedrandom) call require() for Node's own modules.
  banner: { js: "import { createRequire as __rehearseRequire } from 'node:module'; const require = __rehearseRequire(import.meta.url);" },
  sourcemap: true,
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [lateExternals, whereCompiled],
});
