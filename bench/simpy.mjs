// The whole-process command line against SimPy 3 on the same model, in one run: `rehearse run bench/tandem.yaml`
// (1,000,000 journeys through three M/M/4 stations, start-up, validation, telemetry and the result document
// included) and bench/tandem_simpy.py (Debian's python3-simpy3, the same journeys), each timed from outside
// (/usr/bin/time: wall, and user + system CPU seconds of the process), alternated, the median of each.
// Prints both, and the ratio. A benchmark, not a test: nothing here fails on speed.
// Usage: node bench/simpy.mjs     (after npm run build; BENCH_RUNS=3 by default)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const python = process.env.PYTHON ?? '/usr/bin/python3';
const out = join(mkdtempSync(join(tmpdir(), 'rehearse-simpy-')), 'tandem.json');

/** Runs a command under /usr/bin/time: its wall and CPU (user + system) seconds, and its stdout. */
function once(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S', cmd, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /@@time (\S+) (\S+) (\S+)\s*$/.exec(r.stderr);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), stdout: r.stdout };
}

const journeys = 1_000_000;
const cli = [process.execPath, [join(root, 'bin/rehearse.js'), 'run', 'bench/tandem.yaml', '--json', out, '-q']];
const simpy = [python, [join(root, 'bench/tandem_simpy.py'), String(journeys)]];
console.log(`tandem, ${journeys.toLocaleString('en-US')} journeys: the whole-process CLI against SimPy, ${runs} runs each, alternated; node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const times = { cli: [], simpy: [] };
let cliMean = 0;
let simpyOut = null;
for (let i = 0; i < runs; i++) {
  const a = once(...cli);
  times.cli.push(a);
  cliMean = JSON.parse(readFileSync(out, 'utf8')).journeys.visit.latencyMs.mean;
  console.log(`  rehearse run: ${a.wall.toFixed(2)} s wall, ${a.cpu.toFixed(2)} s CPU (mean ${cliMean.toFixed(3)} ms)`);
  const b = once(...simpy);
  times.simpy.push(b);
  simpyOut = JSON.parse(b.stdout);
  console.log(`  SimPy ${simpyOut.simpy}:  ${b.wall.toFixed(2)} s wall, ${b.cpu.toFixed(2)} s CPU (mean ${simpyOut.meanMs.toFixed(3)} ms)`);
}
const median = (xs, k) => [...xs].map((x) => x[k]).sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const [cw, cc, sw, sc] = [median(times.cli, 'wall'), median(times.cli, 'cpu'), median(times.simpy, 'wall'), median(times.simpy, 'cpu')];
console.log('');
console.log(`rehearse run (median): ${cw.toFixed(2)} s wall, ${cc.toFixed(2)} s CPU: ${Math.round(journeys / cw).toLocaleString('en-US')} journeys per wall second`);
console.log(`SimPy (median):        ${sw.toFixed(2)} s wall, ${sc.toFixed(2)} s CPU: ${Math.round(journeys / sw).toLocaleString('en-US')} journeys per wall second`);
console.log(`ratio: ${(sw / cw).toFixed(1)}x by wall time, ${(sc / cc).toFixed(1)}x by CPU time; load average after ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
