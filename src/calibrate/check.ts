/**
 * Backtesting a calibration: a scenario calibrated from one set of traces is run at another set's conditions (its
 * arrival rate) and compared, journey by journey, with that set's root spans: mean, p50, p95, p99 and error rate,
 * each with the prediction's error. Like with like: root spans on both sides (the hop from the users to the
 * first service is in neither).
 */
import type { Scenario } from '../scenario/types.js';
import { runScenario } from '../score/result.js';
import type { Analysis } from './analyze.js';
import { quantile, safe } from './scenario.js';

export interface Figures {
  readonly requests: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface CheckRow {
  readonly journey: string;
  readonly measured: Figures;
  readonly predicted: Figures;
}

export interface CheckResult {
  readonly schema: 'rehearse/calibration-check@1';
  /** The other set's arrival rate, at which the scenario ran. */
  readonly ratePerSec: number;
  readonly journeys: readonly CheckRow[];
  /** Journeys of the other set that the scenario does not have. */
  readonly missing: readonly string[];
}

/** Journeys simulated per check: enough for a p99 of each journey that holds a few percent. */
const REQUESTS = 50_000;

export function checkAgainst(calibrated: Scenario, other: Analysis): CheckResult {
  const spanS = (other.rootStartMax - other.rootStartMin) / 1e6;
  const ratePerSec = other.roots > 1 && spanS > 0 ? (other.roots - 1) / spanS / other.options.sampleRate : calibrated.traffic.perSec;
  const s: Scenario = {
    ...calibrated,
    traffic: { ...calibrated.traffic, perSec: ratePerSec, requests: REQUESTS },
    durationUs: Math.ceil((2 * REQUESTS * 1e6) / ratePerSec),
  };
  const run = runScenario(s);
  const journeys: CheckRow[] = [];
  const missing: string[] = [];
  for (const [name, j] of [...other.journeys].sort((a, b) => b[1].count - a[1].count)) {
    const sim = run.journeys[safe(name)];
    if (!sim) {
      missing.push(name);
      continue;
    }
    const ms = [...j.latencies].sort((a, b) => a - b).map((x) => x / 1000);
    journeys.push({
      journey: safe(name),
      measured: {
        requests: j.count,
        meanMs: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length),
        p50Ms: quantile(ms, 0.5),
        p95Ms: quantile(ms, 0.95),
        p99Ms: quantile(ms, 0.99),
        errorRate: j.errors / Math.max(1, j.count),
      },
      predicted: {
        requests: sim.requests,
        meanMs: sim.latencyMs.mean,
        p50Ms: sim.latencyMs.p50,
        p95Ms: sim.latencyMs.p95,
        p99Ms: sim.latencyMs.p99,
        errorRate: sim.errorRate,
      },
    });
  }
  return { schema: 'rehearse/calibration-check@1', ratePerSec, journeys, missing };
}
