// The hotelReservation-shaped model (bench/hotel.yaml): 16 services at 1,000 journeys/s for one simulated hour,
// about 30 million events, telemetry on. Prints the CPU seconds the run took (user + system, this process),
// wall seconds, events per CPU second, and the journeys' mean latency. A benchmark, not a test: nothing here
// fails on speed. Each run is followed by the floor (bench/floor.mjs: the same model on the same kernel with no
// model layer), which shows what the kernel alone costs on this machine in the same minute.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../dist/load/scenario.js';
import { runScenario } from '../dist/score/result.js';
import { runFloor } from './floor.mjs';

const file = fileURLToPath(new URL('./hotel.yaml', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 1);
const loaded = loadScenarioFile(file);
if (!loaded.ok) {
  console.error('bench/hotel.yaml is invalid');
  process.exit(2);
}

console.log(`hotel: 16 services, 1,000 journeys/s for one simulated hour, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const cpus = [];
const floors = [];
let last;
for (let i = 0; i < runs; i++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  last = runScenario(loaded.scenario);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  cpus.push(cpu);
  const { events, requests } = last.simulated;
  console.log(`  run ${i + 1}: ${cpu.toFixed(2)} s CPU, ${wall.toFixed(2)} s wall, ${events.toLocaleString('en-US')} events (${Math.round(events / cpu).toLocaleString('en-US')} events per CPU second), ${requests.toLocaleString('en-US')} journeys`);
  const floor = runFloor(loaded.scenario);
  floors.push(floor.cpuSeconds);
  console.log(`  floor ${i + 1}: ${floor.cpuSeconds.toFixed(2)} s CPU, ${floor.events.toLocaleString('en-US')} events, mean ${floor.meanMs.toFixed(3)} ms`);
}
cpus.sort((a, b) => a - b);
floors.sort((a, b) => a - b);
const floorCpu = floors[Math.floor(floors.length / 2)];
const cpu = cpus[Math.floor(cpus.length / 2)];
console.log('');
console.log(`CPU seconds (median):        ${cpu.toFixed(2)} s`);
console.log(`the floor (median):           ${floorCpu.toFixed(2)} s CPU: the same model, kernel only (rehearse ${(cpu / floorCpu).toFixed(2)}x it)`);
console.log(`events per CPU second:       ${Math.round(last.simulated.events / cpu).toLocaleString('en-US')}`);
for (const [name, j] of Object.entries(last.journeys)) console.log(`  ${name.padEnd(10)} ${j.requests.toLocaleString('en-US').padStart(10)} journeys, mean ${j.latencyMs.mean.toFixed(3)} ms, p99 ${j.latencyMs.p99.toFixed(3)} ms`);
