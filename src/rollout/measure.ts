/**
 * Imported plans' own ways of judging a stage, run for the controller: an Argo Rollout's analysis runs (in the
 * background from a stage on, and after a stage's hold), and a Flagger Canary's checks every interval.
 */
import type { Phase as MeasurementPhase } from '../lang/condition.js';
import type { Verdict } from '../lang/threshold.js';
import type { ScrapeSeries } from '../metrics/series.js';
import type { RuleEngine } from '../promql/rules.js';
import type { PromQLGate } from '../scenario/types.js';
import type { AuditEntry, Decision, Outcome } from './audit.js';
import { isTerminal, noteFlagOff, type PlanState } from './plan-state.js';
import { metricLabel, type AnalysisRun } from './analysis.js';
import { bindPromQLGate } from './promql-gate.js';
import type { GateReading } from './reading.js';
import { readingWords } from '../units/format.js';

/** What the runs need of the controller that holds the plans. */
export interface MeasureHost {
  readonly plans: readonly PlanState[];
  now(): number;
  series(): ScrapeSeries;
  /** The scenario's rule files, evaluated over the series (a query may read what they record). */
  rules(): RuleEngine | null;
  log(p: PlanState, entry: Omit<AuditEntry, 'timeUs' | 'flag' | 'configVersion'>): void;
  wakeAt(i: number, timeUs: number): void;
  advance(i: number): void;
  holdEnded(i: number): void;
  rollback(i: number, breach: string): void;
  finish(i: number, outcome: Outcome, action: Decision['action'], reason: string): void;
  /** Schedules the plan's next measurement (a stale token is ignored). */
  analysisAt(timeUs: number, i: number, token: number): void;
}

/**
 * A measurement of an imported plan's query (an Argo metric, a Flagger check), as a gate's reading: a failed one is
 * read again on flag-off traffic where its query selects the plan's flag on (promql-gate.ts), like a gate's.
 */
function measured(host: MeasureHost, p: PlanState, gate: PromQLGate): GateReading {
  return bindPromQLGate(gate, () => host.series(), () => host.now(), () => host.rules(), { flag: p.plan.flag }).evaluate();
}

/** Failed measurements of each Argo analysis run, and the failed checks of each Flagger plan: what an act rests on. */
const failedOf = new WeakMap<AnalysisRun, GateReading[]>();
const failedChecksOf = new WeakMap<PlanState, GateReading[]>();

const PHASE_OF: Record<Verdict, MeasurementPhase> = { pass: 'Successful', fail: 'Failed', inconclusive: 'Inconclusive', error: 'Error' };

/**
 * One interval of a Flagger analysis: the threshold first (Flagger rolls back at the interval after the
 * check that reached it), then every metric check; a failed check halts the advance, all passing steps the
 * weight up (or, with iterations, counts one iteration).
 */
export function runChecks(host: MeasureHost, i: number): void {
  const p = host.plans[i];
  const f = p.plan.checks!;
  if (p.failedChecks >= f.threshold) {
    noteFlagOff(p, failedChecksOf.get(p) ?? []);
    host.rollback(i, `canary ${f.target}: failed checks (${p.failedChecks}) reached the threshold (${f.threshold})`);
    return;
  }
  const readings = f.checks.map((c) => measured(host, p, c.gate));
  for (const r of readings) host.log(p, { event: 'gate', actor: 'policy', gate: r, stage: p.stage });
  const failed = readings.filter((r) => r.verdict !== 'pass');
  if (failed.length > 0) {
    p.failedChecks++;
    // The failed checks a rollback at the threshold rests on (a passing interval does not reset the count).
    failedChecksOf.set(p, [...(failedChecksOf.get(p) ?? []), ...failed]);
    host.log(p, { event: 'decision', actor: 'policy', action: 'halt', stage: p.stage, reason: `halt advancement: ${failed.map((r) => `${r.gate}: ${readingWords(r)}`).join('; ')} (failed checks ${p.failedChecks}, threshold ${f.threshold})` });
    host.wakeAt(i, host.now() + f.intervalUs);
    return;
  }
  p.passedChecks++;
  if (f.iterations !== null && p.passedChecks < f.iterations) {
    host.wakeAt(i, host.now() + f.intervalUs);
    return;
  }
  p.passedChecks = 0;
  p.phase = 'waiting';
  host.advance(i);
}

/** The next Argo measurement of a plan's runs, if any is due. */
export function scheduleAnalysis(host: MeasureHost, i: number): void {
  const p = host.plans[i];
  // A run that ended badly before any measurement (an invalid spec) is acted on at once.
  const bad = [p.background, p.inline].some((r) => r !== null && (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive'));
  const next = bad ? host.now() : Math.min(p.background?.nextDueUs() ?? Infinity, p.inline?.nextDueUs() ?? Infinity);
  p.analysisToken++;
  if (Number.isFinite(next)) host.analysisAt(Math.max(next, host.now()), i, p.analysisToken);
}

/** Takes the due measurements of a plan's Argo analysis runs and acts on their phases as the Argo controller does. */
export function analyze(host: MeasureHost, i: number): void {
  const p = host.plans[i];
  if (isTerminal(p.phase)) return;
  const now = host.now();
  for (const run of [p.background, p.inline]) {
    if (!run) continue;
    const readings: GateReading[] = [];
    const taken = run.step(now, (m) => {
      const metric = m;
      const reading: GateReading = metric.gate === null
        ? { gate: `${run.spec.name}: ${metricLabel(metric)}`, verdict: 'inconclusive', value: null, threshold: 'none', samples: 0, detail: `Inconclusive: provider ${metric.provider} is not rehearsed` }
        : measured(host, p, metric.gate);
      readings.push(reading);
      // A failed measurement of a metric that may decide: what a Failed run rests on.
      if (reading.verdict === 'fail' && !metric.dryRun) failedOf.set(run, [...(failedOf.get(run) ?? []), reading]);
      return PHASE_OF[reading.verdict];
    });
    taken.forEach((t, k) => {
      const r = readings[k];
      const detail = `measurement ${t.number}: ${r.detail}; metric ${t.metricPhase}${t.metric.dryRun ? ' (dry run)' : ''}`;
      host.log(p, { event: 'gate', actor: 'policy', gate: { ...r, detail }, stage: p.stage });
    });
    if (run.phase === 'Failed' || run.phase === 'Error') {
      // A run that failed on measurements rests on them; one that erred on errors, on no flag-on reading at all.
      noteFlagOff(p, run.phase === 'Failed' ? failedOf.get(run) ?? [] : []);
      host.rollback(i, `${run.spec.name} ${run.phase.toLowerCase()}: ${run.reason}`);
      return;
    }
    if (run.phase === 'Inconclusive') {
      host.finish(i, 'paused', 'pause', `${run.spec.name} inconclusive: ${run.reason}`);
      return;
    }
    if (run === p.inline && run.phase === 'Successful') {
      p.inline = null;
      p.inlineDone = p.stage;
      p.phase = 'holding';
      host.log(p, { event: 'decision', actor: 'policy', action: 'analysis', stage: p.stage, reason: `${run.spec.name} successful` });
      host.holdEnded(i);
      if (isTerminal(p.phase)) return;
    }
  }
  scheduleAnalysis(host, i);
}
