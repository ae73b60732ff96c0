// Sweep benchmark: runs per second of scenarios/gate-tuning.yaml with one worker and with every core.
// A benchmark, not a test: nothing here fails on speed.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { prepareSweep, runSweep } from '../dist/sweep/sweep.js';

const file = fileURLToPath(new URL('../scenarios/gate-tuning.yaml', import.meta.url));
const seeds = Number(process.env.BENCH_SEEDS ?? 6);
const setup = prepareSweep(file, seeds);
const cores = availableParallelism();
console.log(`sweep: ${setup.plan.runs} runs (${setup.plan.policies.length} policies x ${setup.plan.cases.length} cases x ${seeds} seeds), node ${process.version}, ${cores} cores`);
const rates = {};
for (const workers of [...new Set([1, cores])]) {
  const t0 = performance.now();
  const doc = await runSweep(setup, { workers });
  const seconds = (performance.now() - t0) / 1000;
  rates[workers] = doc.runs.length / seconds;
  console.log(`  ${workers} worker(s): ${seconds.toFixed(2)} s, ${rates[workers].toFixed(2)} runs/s`);
}
if (cores > 1) console.log(`speed-up with ${cores} workers: ${(rates[cores] / rates[1]).toFixed(2)}x`);
