// Cost of tracing: bench/tandem.yaml (1,000,000 journeys) without a tracer and with `run --traces` sampling at 1%
// (BENCH_SAMPLE=errors+1% for the tail-keeping mode), alternating, BENCH_RUNS each (default 3). Prints journeys per
// wall second (median), CPU time (steadier than wall time on a shared machine) and the slowdown. A benchmark, not a test.
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../dist/load/scenario.js';
import { runScenario } from '../dist/score/result.js';
import { TraceRecorder, parseTraceSample } from '../dist/observe/tracing.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const sample = process.env.BENCH_SAMPLE ?? '1%';
const loaded = loadScenarioFile(fileURLToPath(new URL('./tandem.yaml', import.meta.url)));
if (!loaded.ok) process.exit(2);
const rates = { off: [], on: [] };
const cpu = { off: [], on: [] };
let kept = 0;
for (let i = 0; i < runs; i++) {
  for (const mode of ['off', 'on']) {
    const tracer = mode === 'on' ? new TraceRecorder(parseTraceSample(sample)) : undefined;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const r = runScenario(loaded.scenario, { tracer });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    rates[mode].push(r.simulated.requests / wall);
    cpu[mode].push((c.user + c.system) / 1e6);
    if (tracer) kept = tracer.keptTraces;
    console.log(`  run ${i + 1} ${mode === 'on' ? `traced ${sample}` : 'untraced   '}: ${wall.toFixed(3)} s wall, ${cpu[mode][i].toFixed(3)} s CPU, ${Math.round(r.simulated.requests / wall).toLocaleString('en-US')} journeys/s`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const off = median(rates.off), on = median(rates.on);
console.log(`\nuntraced: ${Math.round(off).toLocaleString('en-US')} journeys/s; traced at ${sample}: ${Math.round(on).toLocaleString('en-US')} journeys/s (${kept.toLocaleString('en-US')} traces kept)`);
console.log(`cost of tracing: ${((1 - on / off) * 100).toFixed(1)}% of the run's speed (wall); ${((median(cpu.on) / median(cpu.off) - 1) * 100).toFixed(1)}% more CPU time (median ${median(cpu.off).toFixed(3)} s untraced, ${median(cpu.on).toFixed(3)} s traced)`);
