/**
 * The package as a team installs it: `npm pack` (its prepack compiles), then `npm install --omit=dev` of the
 * tarball into an empty project (from the npm registry), and every command run there with nothing from this
 * repository: a file missing from `files`, a runtime dependency kept in devDependencies, or a worker that
 * resolves only from the sources fails here. The TypeScript example of docs/api.md is type-checked against the
 * installed types and run.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from './action-harness.js';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'rehearse-pack-'));
const project = join(work, 'project');
const pkg = join(project, 'node_modules', 'rollout-rehearsal');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const timings: Record<string, number> = {};

function du(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    total += st.isDirectory() ? du(p) : st.size;
  }
  return total;
}

function timed<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    timings[label] = Math.round(performance.now() - t0) / 1000;
  }
}

/**
 * `rehearse ARGS` in the project through the link npm made in node_modules/.bin (what npm scripts and `npx` run),
 * or through `npx --no-install` itself (`init` says to go on with `npx rehearse ci`): that costs an npm start-up,
 * about 1.4 s of CPU a call, so it is taken where the command itself is the point, not for every command.
 */
function spawnIn(command: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const rehearse = (...args: string[]) => spawnIn(join(project, 'node_modules', '.bin', 'rehearse'), args);

/** `command ARGS` in `cwd` as spawnSync runs it (its exit status and what it printed), without blocking: two can run at once. */
function spawnAsync(command: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const npxRehearse = (...args: string[]) => spawnIn('npx', ['--no-install', 'rehearse', ...args]);

let tarball = '';
let files: string[] = [];

afterAll(() => rmSync(work, { recursive: true, force: true, maxRetries: 3 }));

beforeAll(() => {
  // Packed from a copy of the repository (no dist, no node_modules but a link for the compiler) so that the
  // prepack's clean build does not pull dist/ from under the other test files.
  const source = join(work, 'source');
  const skip = new Set(['node_modules', 'dist', '.git', 'reports', 'scratch', 'coverage']);
  cpSync(root, source, { recursive: true, filter: (src) => !skip.has(relative(root, src).split('/')[0]) });
  symlinkSync(join(root, 'node_modules'), join(source, 'node_modules'), 'dir');
  const packed = timed('pack', () => execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: source, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  const info = JSON.parse(packed)[0] as { filename: string; files: { path: string }[] };
  tarball = join(work, info.filename);
  files = info.files.map((f) => f.path);

  mkdirSync(project);
  // An empty project: the package has no install scripts to allow or deny.
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'team-rehearsals', private: true, type: 'module' }, null, 2));
  timed('install', () => execFileSync(npm, ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] }));
}, 240_000);

describe('the packed package, installed into an empty project', () => {
  it('holds what runs and nothing else', () => {
    expect(files).toContain('bin/rehearse.js');
    expect(files).toContain('dist/cli/bin.js');
    expect(files).toContain('dist/sweep/worker.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/index.cjs');
    expect(files).toContain('dist/index.d.cts');
    expect(files).toContain('schema/scenario.schema.json');
    expect(files).toContain('scenarios/two-flag-release.yaml');
    expect(files).toContain('examples/argo/guestbook.yaml');
    expect(files).toContain('cohorts/shoppers.json');
    expect(files).toContain('templates/release/rehearsals/new-checkout.yaml');
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files.filter((f) => /^(src|test|bench|scripts|docs)\//.test(f) || f.endsWith('.map') || f === 'package-lock.json')).toEqual([]);
    const installed = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(installed.name).toBe('rollout-rehearsal');
    expect(installed.private).toBeUndefined();
    // Runtime dependencies installed, test tools not.
    for (const dep of ['vega', 'vega-lite', 'vega-embed', 'piscina', 'commander']) expect(existsSync(join(project, 'node_modules', dep)), dep).toBe(true);
    for (const dev of ['vitest', 'playwright-core', 'typescript', 'tsx', 'fast-check']) expect(existsSync(join(project, 'node_modules', dev)), dev).toBe(false);
    timings.installedMiB = Math.round(du(join(project, 'node_modules')) / 2 ** 20 * 10) / 10;
    timings.packageMiB = Math.round(du(pkg) / 2 ** 20 * 10) / 10;
  });

  it('init scaffolds a rehearsal that ci passes, with JUnit and a summary', () => {
    const init = timed('init', () => rehearse('init'));
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const scenario = readFileSync(join(project, 'rehearsals/new-checkout.yaml'), 'utf8');
    // Editors complete from the installed package's schema.
    const schemaRef = /\$schema=(\S+)/.exec(scenario)![1];
    expect(schemaRef).toBe('../node_modules/rollout-rehearsal/schema/scenario.schema.json');
    expect(existsSync(join(project, 'rehearsals', schemaRef))).toBe(true);
    expect(existsSync(join(project, '.github/workflows/rehearse.yml'))).toBe(true);
    // init said what comes next: ci with no folder reads what init wrote.
    expect(init.stdout).toContain('next: npx rehearse ci ');
    // As init says: through npx.
    const ci = timed('ci (scaffold)', () => npxRehearse('ci', '--junit', 'reports/init-junit.xml', '--summary', 'reports/init-summary.md'));
    expect(ci.stderr).toBe('');
    expect(ci.code).toBe(0);
    expect(ci.stdout).toContain('✔ PASS: 2 cases: 2 PASS, 0 FAIL, 0 INVALID, 0 CRASHED');
    expect(readFileSync(join(project, 'reports/init-junit.xml'), 'utf8')).toMatch(/<testsuite[^>]*tests="2"/);
    expect(readFileSync(join(project, 'reports/init-summary.md'), 'utf8')).toContain('new-checkout');
    // A second init would overwrite: refused.
    const again = rehearse('init');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not empty');
  });

  it('runs --version, validate, run --html and ci on its bundled scenarios', () => {
    const version = timed('version', () => rehearse('--version'));
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);

    const scenarios = join(pkg, 'scenarios');
    const validate = rehearse('validate', ...readdirSync(scenarios).map((f) => join(scenarios, f)));
    // The flash sale saturates its stock database on purpose: the one warning.
    expect(validate.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^warning: .*flash-sale\.yaml: services\.stock-db: offered 12\.3 busy workers at 600\/s against a capacity of 12 \(utilization 1\.03/),
    ]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('two-flag-release.yaml: ok');

    // validate read the cohort file two-flag-release.yaml names, from the package's cohorts/.
    const run = timed('run --html', () => rehearse('run', join(scenarios, 'gate-tuning.yaml'), '--case', 'defective', '--html', 'reports/run.html', '--json', 'reports/run.json', '-q'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const html = readFileSync(join(project, 'reports/run.html'), 'utf8');
    expect(html).toContain('vega-lite');
    const result = JSON.parse(readFileSync(join(project, 'reports/run.json'), 'utf8'));
    expect(result.passed).toBe(true);
    expect(result.rollouts[0].outcome).toBe('rolled-back');

    mkdirSync(join(project, 'ci-input'));
    cpSync(join(scenarios, 'gate-tuning.yaml'), join(project, 'ci-input', 'gate-tuning.yaml'));
    const ci = timed('ci', () => rehearse('ci', 'ci-input', '--junit', 'reports/junit.xml', '--summary', 'reports/summary.md'));
    expect(ci.code).toBe(0);
    expect(readFileSync(join(project, 'reports/junit.xml'), 'utf8')).toContain('<testsuite');
  });

  it('sweeps on a worker pool that resolves from the installed dist/', () => {
    const r = timed('sweep', () => rehearse('sweep', join(pkg, 'scenarios', 'gate-tuning.yaml'), '--seeds', '2', '--workers', '2', '--json', 'reports/sweep.json', '-q'));
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code); // 1: two seeds may leave no policy feasible; the runs themselves must all run
    const doc = JSON.parse(readFileSync(join(project, 'reports/sweep.json'), 'utf8'));
    expect(doc.complete).toBe(true);
    expect(doc.failures).toEqual([]);
    expect(doc.runs).toHaveLength(doc.plan.runs);
    expect(doc.plan.seeds).toBe(2);
  });

  it('the GitHub Action installs the package when the project has none, and passes on the scaffold', () => {
    const repo = join(work, 'repo');
    const init = rehearse('init', repo);
    expect(init.code, init.stderr).toBe(0);
    // npm takes the registry's metadata from its cache where it has it, as the install above does (--prefer-offline),
    // so the action installs what that install did; asking the registry for every package again took 10 to 30 s.
    const night = timed('action (installs)', () => runAction(repo, join(work, 'cache'), { version: tarball, baseline: 'false', html: 'false' }, 1, {}, { npm_config_prefer_offline: 'true' }));
    expect(night.code, night.log).toBe(0);
    expect(night.log).toMatch(/rehearse \d+\.\d+\.\d+ \(.*\/rollout-rehearsal\/node_modules\/\.bin\/rehearse\)/);
    expect(night.outputs.passed).toBe('true');
    expect(readFileSync(join(repo, night.outputs.junit), 'utf8')).toMatch(/<testsuite[^>]*tests="2"/);
  });

  /**
   * The two examples of docs/api.md type-checked by one compiler run, each file as its project resolves it: example.ts
   * in the ES module project (the import condition: dist/index.d.ts), cjs/example.js in the CommonJS project inside it
   * (module nodenext reads cjs/package.json: the require condition, dist/index.d.cts). One program checks the
   * installed types and Node's once for both; the compiled example.ts is out/example.js.
   */
  let checked: Promise<{ status: number | null; stdout: string; stderr: string }> | undefined;
  const typeCheck = () => (checked ??= (() => {
    const page = readFileSync(join(root, 'docs/api.md'), 'utf8');
    const example = /<!-- api-example -->\s*```ts\n([\s\S]*?)```/.exec(page)?.[1];
    const cjsExample = /<!-- api-example-cjs -->\s*```js\n([\s\S]*?)```/.exec(page)?.[1];
    expect(example, 'docs/api.md: the ts block after <!-- api-example -->').toBeTruthy();
    expect(cjsExample, 'docs/api.md: the js block after <!-- api-example-cjs -->').toBeTruthy();
    writeFileSync(join(project, 'example.ts'), example!);
    // A CommonJS project inside the one that installed the package: require() resolves it from there.
    const cjs = join(project, 'cjs');
    mkdirSync(cjs, { recursive: true });
    writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'team-rehearsals-cjs', private: true, type: 'commonjs' }, null, 2));
    writeFileSync(join(cjs, 'example.js'), cjsExample!);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, outDir: 'out', skipLibCheck: false,
        allowJs: true, checkJs: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')],
      },
      files: ['example.ts', 'cjs/example.js'],
    }));
    return spawnAsync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
  })());

  it('the TypeScript example of docs/api.md type-checks against the installed types and runs', async () => {
    const tsc = await typeCheck();
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const run = spawnSync(process.execPath, ['out/example.js'], { cwd: project, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\[healthy\]: passed/);
    expect(run.stdout).toMatch(/recommended: /);
  });

  it('the CommonJS example of docs/api.md runs with require() in a CommonJS project, its types checked too', async () => {
    const tsc = await typeCheck();
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    // The example as written (cjs/example.js), not the compiler's copy of it.
    const run = await spawnAsync(process.execPath, ['cjs/example.js'], project);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/new-checkout \[defective\]: passed, new-checkout rolled-back/);
    expect(run.stdout).toContain('the same InputError from require and import: true');
    console.log(`pack-and-install figures (seconds, MiB): ${JSON.stringify(timings)}`);
  });
});
