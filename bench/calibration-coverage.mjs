// Do calibrate's 90% ranges cover what they claim? Measured where the truth is known: a front service calling a
// backend of 2 workers (lognormal latencies; 70% of journeys browse, 30% buy and also call a payment service).
// Truth: the scenario itself run for 200,000 journeys at its base rate and at twice it. Then, for K seeds: the
// scenario run briefly with its journeys traced (COVERAGE_SECONDS at COVERAGE_SAMPLE of the journeys, as a team
// would have them), calibrated from those traces with the capacities known, and predictAt at 1x and 2x with
// COVERAGE_RESAMPLES resamples; each figure's truth inside its range or not. A 90% range should hold the truth
// about 90% of the time: with K = 40, 32 to 39 inside, 95% of the time (binomial; 40 of 40 has a chance of 1.5%).
// A study, not a test: about 5 minutes (K = 40) on a 2-core machine; the figures are in docs/calibration.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrateFiles, predictAt } from '../dist/calibrate/calibrate.js';
import { runAt } from '../dist/calibrate/resample.js';
import { writeTraces } from '../dist/interop/traces/write.js';
import { parseScenarioText } from '../dist/load/scenario.js';
import { TraceRecorder } from '../dist/observe/tracing.js';
import { runScenario } from '../dist/score/result.js';

const K = Number(process.env.COVERAGE_K ?? 40);
const SECONDS = Number(process.env.COVERAGE_SECONDS ?? 30);
const SAMPLE = Number(process.env.COVERAGE_SAMPLE ?? 1);
const RESAMPLES = Number(process.env.COVERAGE_RESAMPLES ?? 40);
const RATE = 35;
const CAPACITY = 'front=64,backend=2,pay=64';

// The scenario: test/fixtures/calibration/pool.yaml, traced for SECONDS per seed.
const loaded = parseScenarioText(readFileSync(new URL('../test/fixtures/calibration/pool.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const base = { ...loaded.scenario, durationUs: SECONDS * 1e6 };
if (base.traffic.perSec !== RATE) throw new Error(`pool.yaml's rate is ${base.traffic.perSec}/s, not ${RATE}/s`);

const FIG = [['meanMs', 'mean'], ['p50Ms', 'p50'], ['p95Ms', 'p95'], ['p99Ms', 'p99']];
const RATES = [['1x', RATE], ['2x', 2 * RATE]];
const truth = Object.fromEntries(RATES.map(([label, r]) => [label, runAt({ ...base, seed: 999 }, r, 200_000).journeys]));
console.log(`scenario: front -> backend (2 workers), base ${RATE}/s; traces: ${SECONDS} s at ${SAMPLE * 100}% per seed; ${RESAMPLES} resamples; K = ${K}`);
for (const [label] of RATES) {
  for (const [j, t] of Object.entries(truth[label])) console.log(`truth ${label} ${j}: ${FIG.map(([, f]) => `${f} ${t.latencyMs[f].toFixed(1)}`).join(', ')}`);
}

// tally[rate][journey][figure] = { inside, below, above, errors: point prediction / truth - 1, widths: range / truth, centre: median of range ends vs point }
const tally = {};
const dir = mkdtempSync(join(tmpdir(), 'rehearse-coverage-'));
const t0 = Date.now();
let traces = 0;
try {
  for (let k = 0; k < K; k++) {
    const tracer = new TraceRecorder({ rate: SAMPLE, errors: false });
    runScenario({ ...base, seed: 1000 + k }, { tracer });
    const file = join(dir, `seed-${k}.otlp.json`);
    writeTraces(file, tracer.traces(), 'otlp');
    traces += tracer.keptTraces;
    const cal = calibrateFiles([file], { keep: true, capacity: CAPACITY, sampleRate: SAMPLE });
    const line = [];
    for (const [label, r] of RATES) {
      const p = predictAt(cal, r, RESAMPLES);
      for (const row of p.journeys) {
        const t = truth[label][row.journey];
        for (const [key, f] of FIG) {
          const range = row.ranges?.predicted[key];
          const x = t.latencyMs[f];
          const c = ((tally[label] ??= {})[row.journey] ??= {})[f] ??= { inside: 0, below: 0, above: 0, n: 0, errors: [], lo: [], hi: [] };
          c.n++;
          c.errors.push(row.predicted[key] / x - 1);
          if (!range) continue;
          c.lo.push(range.lo / x - 1);
          c.hi.push(range.hi / x - 1);
          if (x < range.lo) c.below++;
          else if (x > range.hi) c.above++;
          else c.inside++;
          if (f === 'mean' || f === 'p99') line.push(`${label} ${row.journey} ${f} ${x < range.lo ? 'LOW ' : x > range.hi ? 'HIGH' : 'in  '} ${range.lo.toFixed(1)}-${range.hi.toFixed(1)}`);
        }
      }
    }
    console.log(`seed ${k + 1}/${K}: ${tracer.keptTraces} traces; ${line.join('; ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const med = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
console.log(`\n${K} seeds, ${Math.round(traces / K)} traces each on average; truth inside the 90% range (truth above the range / below it):`);
console.log('rate journey figure   inside  above below   prediction vs truth (median)   range vs truth (median ends)');
for (const [label] of RATES) {
  for (const [j, figs] of Object.entries(tally[label])) {
    for (const [f, c] of Object.entries(figs)) {
      console.log(`${label.padEnd(4)} ${j.padEnd(7)} ${f.padEnd(6)} ${String(c.inside).padStart(3)}/${c.n}  ${String(c.above).padStart(5)} ${String(c.below).padStart(5)}   ${pct(med(c.errors)).padStart(8)}                       ${pct(med(c.lo))} to ${pct(med(c.hi))}`);
    }
  }
}
// Binomial(K, 0.9): the counts inside that a 90% range gives with probability at least 95% (2.5% cut from each tail).
const pmf = (x) => Math.exp(lchoose(K, x) + x * Math.log(0.9) + (K - x) * Math.log(0.1));
function lchoose(n, x) {
  let s = 0;
  for (let i = 1; i <= x; i++) s += Math.log((n - x + i) / i);
  return s;
}
let lo = 0, tail = 0;
while (tail + pmf(lo) <= 0.025) tail += pmf(lo++);
let hi = K;
tail = 0;
while (tail + pmf(hi) <= 0.025) tail += pmf(hi--);
for (const [label] of RATES) {
  const all = Object.values(tally[label]).flatMap((figs) => Object.values(figs));
  console.log(`${label}: ${all.reduce((a, c) => a + c.inside, 0)} of ${all.reduce((a, c) => a + c.n, 0)} inside (${all.length} figures of ${K} seeds)`);
}
console.log(`a 90% range gives ${lo} to ${hi} of ${K} inside, 95% of the time; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
