// Startup benchmark: wall time of `rehearse --version`, `--help` and `validate` as a user starts them (a fresh
// node process each time), the median of several runs, beside a bare `node -e 0` for the machine's floor; then
// which modules the validate path imports and what each costs.
// A benchmark, not a test: nothing here fails on speed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/rehearse.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 9);

// Page faults (first touches of a page) are most of start-up's cost on some virtual machines (about 11 us each on
// the host of docs/benchmarks.md): with GNU time installed, each command's median count is printed beside its time.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const mid = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The median wall time of `args` run fresh `runs` times (and its median page faults: `faults`, or null). */
function measure(args) {
  const times = [];
  const faults = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { cwd: root, stdio: 'pipe' });
    times.push(performance.now() - t0);
    if (gnuTime) {
      const r = spawnSync(gnuTime, ['-f', '%R', process.execPath, ...args], { cwd: root, encoding: 'utf8' });
      const n = Number(r.stderr.trim().split('\n').pop());
      if (Number.isFinite(n)) faults.push(n);
    }
  }
  return { ms: mid(times), faults: faults.length ? mid(faults) : null };
}
const faultsText = (m) => (m.faults === null ? '' : `, ${m.faults.toLocaleString('en-US')} page faults`);
const median = (args) => measure(args).ms;

console.log(`startup, median of ${runs} runs, node ${process.version}`);
const floorRun = measure(['-e', '0']);
const floor = floorRun.ms;
console.log(`  ${'node -e 0 (the floor)'.padEnd(44)} ${floor.toFixed(0).padStart(5)} ms${faultsText(floorRun)}`);
for (const [label, args] of [
  ['rehearse --version', [bin, '--version']],
  ['rehearse --help', [bin, '--help']],
  ['rehearse validate scenarios/checkout.yaml', [bin, 'validate', 'scenarios/checkout.yaml']],
  ['rehearse validate scenarios/two-teams.yaml', [bin, 'validate', 'scenarios/two-teams.yaml']],
]) {
  const m = measure(args);
  console.log(`  ${label.padEnd(44)} ${m.ms.toFixed(0).padStart(5)} ms  (${(m.ms - floor).toFixed(0)} ms above the floor${faultsText(m)})`);
}

// What validate loads: each module of its path, imported alone in a fresh process.
console.log('\nmodule import cost (fresh process each, median):');
for (const m of ['commander', 'zod', 'yaml', '@faker-js/faker', 'vega', 'piscina', './dist/load/scenario.js', './dist/cli/main.js']) {
  const spec = m.startsWith('./') ? new URL(m, new URL('..', import.meta.url)).href : m;
  const t = median(['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`]);
  console.log(`  ${m.padEnd(44)} ${(t - floor).toFixed(0).padStart(5)} ms above the floor`);
}
