// Startup benchmark: wall time of `rehearse --version`, `--help` and `validate` as a user starts them (a fresh
// node process each time), the median of several runs, beside a bare `node -e 0` for the machine's floor; then
// which modules the validate path imports and what each costs.
// A benchmark, not a test: nothing here fails on speed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/rehearse.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 9);

function median(args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { cwd: root, stdio: 'pipe' });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

console.log(`startup, median of ${runs} runs, node ${process.version}`);
const floor = median(['-e', '0']);
console.log(`  ${'node -e 0 (the floor)'.padEnd(44)} ${floor.toFixed(0).padStart(5)} ms`);
for (const [label, args] of [
  ['rehearse --version', [bin, '--version']],
  ['rehearse --help', [bin, '--help']],
  ['rehearse validate scenarios/checkout.yaml', [bin, 'validate', 'scenarios/checkout.yaml']],
  ['rehearse validate scenarios/two-teams.yaml', [bin, 'validate', 'scenarios/two-teams.yaml']],
]) {
  const t = median(args);
  console.log(`  ${label.padEnd(44)} ${t.toFixed(0).padStart(5)} ms  (${(t - floor).toFixed(0)} ms above the floor)`);
}

// What validate loads: each module of its path, imported alone in a fresh process.
console.log('\nmodule import cost (fresh process each, median):');
for (const m of ['commander', 'zod', 'yaml', '@faker-js/faker', 'vega', 'piscina', './dist/load/scenario.js', './dist/cli/main.js']) {
  const spec = m.startsWith('./') ? new URL(m, new URL('..', import.meta.url)).href : m;
  const t = median(['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`]);
  console.log(`  ${m.padEnd(44)} ${(t - floor).toFixed(0).padStart(5)} ms above the floor`);
}
