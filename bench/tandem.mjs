// Engine benchmark on the reference model of DESIGN.md (bench/tandem.yaml): 1,000,000 journeys through three
// M/M/4 stations, telemetry on. Prints simulated journeys and events per wall second, peak memory, and the
// mean end-to-end latency beside the analytic 15.094 ms; and, alternated with each run, the floor (bench/floor.mjs:
// the same model on the same kernel with no model layer) to show what the kernel alone costs on this machine in
// the same minute. A benchmark, not a test: nothing here fails on speed.
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../dist/load/scenario.js';
import { runScenario } from '../dist/score/result.js';
import { runFloor } from './floor.mjs';

const ANALYTIC_MS = 15.094;
const file = fileURLToPath(new URL('./tandem.yaml', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);

const loaded = loadScenarioFile(file);
if (!loaded.ok) {
  console.error('bench/tandem.yaml is invalid');
  process.exit(2);
}

console.log(`tandem: ${loaded.scenario.traffic.requests.toLocaleString('en-US')} journeys x 3 stations, node ${process.version}, ${runs} runs`);
const rates = [];
const floors = [];
let last;
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  last = runScenario(loaded.scenario);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const req = last.simulated.requests / wall;
  const ev = last.simulated.events / wall;
  rates.push(req);
  console.log(`  run ${i + 1}: ${wall.toFixed(3)} s wall, ${Math.round(req).toLocaleString('en-US')} journeys/s, ${Math.round(ev).toLocaleString('en-US')} events/s`);
  const floor = runFloor(loaded.scenario);
  floors.push(floor.journeys / floor.wallSeconds);
  console.log(`  floor ${i + 1}: ${floor.wallSeconds.toFixed(3)} s wall, ${Math.round(floor.journeys / floor.wallSeconds).toLocaleString('en-US')} journeys/s (mean ${floor.meanMs.toFixed(3)} ms)`);
}
floors.sort((a, b) => a - b);
const floorMedian = floors[Math.floor(floors.length / 2)];
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
const mean = last.journeys.visit.latencyMs.mean;
const peakMiB = process.resourceUsage().maxRSS / 1024;
console.log('');
console.log(`journeys per wall second (median): ${Math.round(median).toLocaleString('en-US')}`);
console.log(`the floor, same model, kernel only: ${Math.round(floorMedian).toLocaleString('en-US')} (rehearse at ${(median / floorMedian * 100).toFixed(0)}% of it)`);
console.log(`events per wall second:            ${Math.round((median * last.simulated.events) / last.simulated.requests).toLocaleString('en-US')}`);
console.log(`peak memory (max RSS):             ${peakMiB.toFixed(0)} MiB`);
console.log(`mean end-to-end latency:           ${mean.toFixed(3)} ms (analytic ${ANALYTIC_MS} ms, ${(((mean / ANALYTIC_MS) - 1) * 100).toFixed(2)}%)`);
