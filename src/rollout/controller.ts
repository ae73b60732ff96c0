/**
 * The rollout policy at work: each plan walks its stages (approval, coordination window, service locks, then the
 * configuration change and its hold), its gates are evaluated on observed telemetry at every interval, and
 * their verdicts are counted as Argo Rollouts and Flagger count them: more failures than the failure limit, or
 * more consecutive errors than the error limit, is a breach (roll back or pause); a stage whose gates end
 * inconclusive pauses. Every step goes into the audit trail with its simulated time and actor.
 */
import { CONTROLLER_EVENTS, type Controller, type Simulation } from '../model/simulation.js';
import { DistTable } from '../model/dist.js';
import type { RolloutPlan, Scenario } from '../scenario/types.js';
import { bindGate, type BoundGate, type GateReading } from './gates.js';
import { worst, type Verdict } from '../lang/threshold.js';
import { observeSeries } from '../observe/metrics.js';
import { AnalysisRun } from './analysis.js';
import type { Phase as MeasurementPhase } from '../lang/condition.js';
import type { ArgoMetric } from '../interop/argo/index.js';
import { bindPromQLGate } from './promql-gate.js';
import type { ScrapeSeries } from '../metrics/series.js';

const EV_WAKE = CONTROLLER_EVENTS;
const EV_EVALUATE = CONTROLLER_EVENTS + 1;
const EV_ANALYSIS = CONTROLLER_EVENTS + 2;
const DAY_US = 24 * 3600e6;

export type Outcome = 'completed' | 'rolled-back' | 'paused' | 'not-started';
export type Actor = 'policy' | 'approver' | 'scheduler' | 'flag-system' | 'operator';
/** Automated gates: act on breaches (on), only report them (advisory: people decide), or are not evaluated (off). */
export type GateMode = 'on' | 'advisory' | 'off';
/** What a person can do to a plan, through the same configuration path as the policy. */
export type OperatorAction = 'promote' | 'pause' | 'rollback' | 'approve' | 'resume';

export interface AuditEntry {
  timeUs: number;
  flag: string;
  actor: Actor;
  /** The flag configuration version in force (published) at that moment. */
  configVersion: number;
  event: 'decision' | 'stage' | 'gate' | 'propagated' | 'wait';
  action?: string;
  stage?: number;
  percent?: number;
  reason?: string;
  gate?: GateReading;
  service?: string;
  delayUs?: number;
  /** The person who acted (operator actions only). */
  by?: string;
}

export interface Decision {
  timeUs: number;
  action: 'start' | 'promote' | 'complete' | 'rollback' | 'pause' | 'wait' | 'blocked' | 'advise' | 'resume';
  stage: number;
  percent: number;
  reason: string;
}

export interface PlanReport {
  flag: string;
  outcome: Outcome;
  finalPercent: number;
  stagesReached: number;
  startedUs: number | null;
  endedUs: number | null;
  decisions: Decision[];
  /** Per service: time from each publication to its arrival there. */
  propagation: Record<string, { changes: number; meanUs: number; maxUs: number }>;
}

type Phase = 'waiting' | 'approval' | 'window' | 'lock' | 'holding' | 'analysis' | Outcome;

interface PlanState {
  plan: RolloutPlan;
  flag: number;
  phase: Phase;
  stage: number;
  token: number;
  approvedStage: number;
  /** Index of the plan's first stage in the table of approval delays. */
  approvalBase: number;
  gates: BoundGate[];
  failures: number;
  consecutiveErrors: number;
  evaluations: number;
  lastVerdict: Verdict | null;
  percent: number;
  version: number;
  startedUs: number | null;
  endedUs: number | null;
  decisions: Decision[];
  locks: number[];
  published: Map<number, number>;
  /** An evaluation is scheduled (the loop stops when the plan ends, and restarts if a person revives it). */
  evaluating: boolean;
  propagation: Map<number, { changes: number; total: number; max: number }>;
  /** Argo analysis runs: the background one, the inline one of the current stage, and the last stage whose inline run succeeded. */
  background: AnalysisRun | null;
  inline: AnalysisRun | null;
  inlineDone: number;
  analysisToken: number;
  /** Flagger: failed checks over the whole analysis, and checks passed at the current weight. */
  failedChecks: number;
  passedChecks: number;
}

export class RolloutController implements Controller {
  readonly audit: AuditEntry[] = [];
  private sim!: Simulation;
  private plans: PlanState[] = [];
  private readonly lockHolder = new Map<number, number>();
  private readonly approvals: DistTable;
  private scrapeSeries: ScrapeSeries | null = null;

  /** The person behind the action being applied (operator actions), for the audit trail. */
  private by: string | undefined;

  constructor(private readonly scenario: Scenario, private readonly gateMode: GateMode = 'on') {
    this.approvals = new DistTable(scenario.rollouts.flatMap((p) => p.stages.map((s) => s.approval ?? { kind: 'constant', a: 0, b: 0, samples: [], mean: 0 })));
  }

  start(sim: Simulation): void {
    this.sim = sim;
    if (this.scenario.rollouts.some((p) => p.argo !== null || p.flagger !== null || p.gates.some((g) => g.kind === 'promql'))) this.series();
    const flags = sim.flags!;
    let approvalIndex = 0;
    this.plans = this.scenario.rollouts.map((plan) => {
      const flag = flags.flagIndex(plan.flag);
      const ctx = {
        model: sim.model, probes: sim.probes, flag, intervalUs: plan.evaluateEveryUs,
        segmentIndex: (name: string) => flags.segmentNames.indexOf(name),
        series: () => this.series(), now: () => this.now(),
      };
      const state: PlanState = {
        plan, flag, phase: 'waiting', stage: -1, token: 0, approvedStage: -1, approvalBase: approvalIndex,
        gates: plan.gates.map((g) => bindGate(g, ctx)),
        failures: 0, consecutiveErrors: 0, evaluations: 0, lastVerdict: null, percent: 0, version: 0,
        startedUs: null, endedUs: null, decisions: [], locks: [], published: new Map(), evaluating: false, propagation: new Map(),
        background: null, inline: null, inlineDone: -1, analysisToken: 0, failedChecks: 0, passedChecks: 0,
      };
      approvalIndex += plan.stages.length;
      return state;
    });
    this.plans.forEach((p, i) => {
      if (p.plan.after === null) this.wakeAt(i, p.plan.startUs);
      if (p.gates.length > 0 && this.gateMode !== 'off') {
        p.evaluating = true;
        sim.engine.at(p.plan.evaluateEveryUs, EV_EVALUATE, i, 0);
      }
    });
  }

  handle(kind: number, a: number, b: number): void {
    const p = this.plans[a];
    if (kind === EV_WAKE) {
      if (b === p.token) this.advance(a);
    } else if (kind === EV_EVALUATE) {
      this.evaluate(a);
      if (!isTerminal(p.phase)) this.sim.engine.after(p.plan.evaluateEveryUs, EV_EVALUATE, a, 0);
      else p.evaluating = false;
    } else if (kind === EV_ANALYSIS) {
      if (b === p.analysisToken) this.analyze(a);
    }
  }

  configApplied(s: number, f: number, v: number): void {
    const p = this.plans.find((x) => x.flag === f);
    if (!p) return;
    const publishedAt = p.published.get(v);
    if (publishedAt === undefined) return;
    const delay = this.now() - publishedAt;
    const stat = p.propagation.get(s) ?? { changes: 0, total: 0, max: 0 };
    stat.changes++;
    stat.total += delay;
    stat.max = Math.max(stat.max, delay);
    p.propagation.set(s, stat);
    this.log(p, { event: 'propagated', actor: 'flag-system', service: this.sim.model.serviceNames[s], delayUs: delay, configVersion: v });
  }

  /** Reports of every plan, after the run. */
  reports(): PlanReport[] {
    return this.plans.map((p) => ({
      flag: p.plan.flag,
      outcome: isTerminal(p.phase) ? (p.phase as Outcome) : p.phase === 'waiting' && p.stage < 0 ? 'not-started' : 'paused',
      finalPercent: p.percent,
      stagesReached: p.stage + 1,
      startedUs: p.startedUs,
      endedUs: p.endedUs,
      decisions: p.decisions,
      propagation: Object.fromEntries([...p.propagation].map(([s, x]) => [this.sim.model.serviceNames[s], { changes: x.changes, meanUs: x.total / x.changes, maxUs: x.max }])),
    }));
  }

  /** Plans' state for a live view. */
  planStates(): { flag: string; phase: string; stage: number; stages: number; percent: number; version: number; awaitingApproval: boolean }[] {
    return this.plans.map((p) => ({
      flag: p.plan.flag, phase: p.phase, stage: p.stage, stages: p.plan.stages.length, percent: p.percent, version: p.version,
      awaitingApproval: p.phase === 'approval',
    }));
  }

  /**
   * A person acts on a plan now, through the configuration path the policy uses (propagation delays apply).
   * Returns null when done, or why the action does not apply to the plan as it stands.
   */
  operate(flag: string, action: OperatorAction, by: string, reason: string | null): string | null {
    const i = this.plans.findIndex((p) => p.plan.flag === flag);
    if (i < 0) return `no rollout plan for flag "${flag}"`;
    const p = this.plans[i];
    const why = reason ? `: ${reason}` : '';
    this.by = by;
    try {
      switch (action) {
        case 'approve':
          if (p.phase !== 'approval') return `${flag} is not waiting for an approval`;
          p.token++;
          p.approvedStage = p.stage + 1;
          this.log(p, { event: 'decision', actor: 'operator', action: 'approve', stage: p.stage + 1, reason: `stage ${p.stage + 2} approved by ${by}${why}` });
          p.phase = 'waiting';
          this.advance(i);
          return null;
        case 'promote': {
          if (p.phase === 'completed') return `${flag} is already at its last stage`;
          if (p.stage >= p.plan.stages.length - 1 && p.phase !== 'rolled-back') {
            this.finish(i, 'completed', 'complete', `completed by ${by}${why}`, 'operator');
            return null;
          }
          p.token++;
          // After a rollback the plan goes back to the stage it left; otherwise on to the next.
          const next = p.phase === 'rolled-back' ? Math.max(0, p.stage) : p.stage + 1;
          if (isTerminal(p.phase)) p.endedUs = null;
          this.enterStage(i, next, 'operator', `promoted by ${by}${why}`);
          this.ensureEvaluating(i);
          return null;
        }
        case 'pause':
          if (isTerminal(p.phase)) return `${flag} has already ${p.phase === 'completed' ? 'completed' : p.phase === 'paused' ? 'been paused' : 'been rolled back'}`;
          this.finish(i, 'paused', 'pause', `paused by ${by}${why}`, 'operator');
          return null;
        case 'resume': {
          if (p.phase !== 'paused' || p.stage < 0) return `${flag} is not paused`;
          p.phase = 'holding';
          p.endedUs = null;
          p.failures = 0;
          p.consecutiveErrors = 0;
          this.decide(p, 'resume', p.stage, `resumed by ${by}${why}`, 'operator');
          this.wakeAt(i, this.now() + p.plan.stages[p.stage].holdUs);
          this.ensureEvaluating(i);
          return null;
        }
        case 'rollback':
          if (p.stage < 0) return `${flag} has not started`;
          if (p.phase === 'rolled-back') return `${flag} is already rolled back`;
          this.publish(p, { enabled: false, percent: 0, audience: null }, 'operator');
          this.finish(i, 'rolled-back', 'rollback', `rolled back by ${by}${why}; back to 0%`, 'operator');
          return null;
      }
    } finally {
      this.by = undefined;
    }
  }

  private ensureEvaluating(i: number): void {
    const p = this.plans[i];
    if (p.evaluating || p.gates.length === 0 || this.gateMode === 'off') return;
    p.evaluating = true;
    this.sim.engine.after(p.plan.evaluateEveryUs, EV_EVALUATE, i, 0);
  }

  private now(): number {
    return this.sim.engine.now;
  }

  /** The simulated Prometheus series, kept from the start when a plan has PromQL gates. */
  private series(): ScrapeSeries {
    this.scrapeSeries ??= observeSeries(this.sim, this.scenario);
    return this.scrapeSeries;
  }

  private wakeAt(i: number, timeUs: number): void {
    const p = this.plans[i];
    p.token++;
    this.sim.engine.at(Math.max(timeUs, this.now()), EV_WAKE, i, p.token);
  }

  /** Moves a plan forward from wherever it stands, until it must wait. */
  private advance(i: number): void {
    const p = this.plans[i];
    if (isTerminal(p.phase)) return;
    if (p.phase === 'holding') {
      this.holdEnded(i);
      return;
    }
    const next = p.stage + 1;
    const stage = p.plan.stages[next];
    // A manual approval, once per stage.
    if (stage.approval && p.approvedStage < next) {
      if (p.phase !== 'approval') {
        const rng = this.sim.rng;
        const delay = this.approvals.sample(p.approvalBase + next, rng, rng.stream(`approval:${p.plan.flag}`));
        p.phase = 'approval';
        this.decide(p, 'wait', next, `waiting for approval of stage ${next + 1}`, 'scheduler');
        this.wakeAt(i, this.now() + delay);
        return;
      }
      p.approvedStage = next;
      this.log(p, { event: 'decision', actor: 'approver', action: 'approve', stage: next, reason: `stage ${next + 1} approved` });
    }
    // A coordination window.
    const wait = this.untilWindow(p.plan);
    if (wait > 0) {
      if (p.phase !== 'window') {
        p.phase = 'window';
        this.decide(p, 'wait', next, `outside the allowed hours; waiting ${formatMinutes(wait)}`, 'scheduler');
      }
      this.wakeAt(i, this.now() + wait);
      return;
    }
    // Locks on the evaluating services, taken at the first stage and held to the end.
    if (p.plan.lock && p.locks.length === 0) {
      const services = this.sim.flags!.evaluatedByFlag(p.flag);
      const held = services.filter((s) => this.lockHolder.has(s) && this.lockHolder.get(s) !== i);
      if (held.length > 0) {
        if (p.phase !== 'lock') {
          const names = held.map((s) => `${this.sim.model.serviceNames[s]} (held by ${this.plans[this.lockHolder.get(s)!].plan.flag})`);
          p.phase = 'lock';
          this.decide(p, 'wait', next, `waiting for the lock on ${names.join(', ')}`, 'scheduler');
        }
        return; // woken when a lock is released
      }
      for (const s of services) this.lockHolder.set(s, i);
      p.locks = services;
    }
    this.enterStage(i, next);
  }

  private enterStage(i: number, n: number, actor: Actor = 'policy', note = ''): void {
    const p = this.plans[i];
    const stage = p.plan.stages[n];
    p.stage = n;
    p.phase = 'holding';
    p.failures = 0;
    p.consecutiveErrors = 0;
    p.evaluations = 0;
    p.lastVerdict = null;
    p.startedUs ??= this.now();
    this.publish(p, { enabled: true, percent: stage.percent, audience: stage.audience }, actor);
    if (n === 0) this.sim.rolloutEvent('start', p.plan.flag, 0);
    this.sim.rolloutEvent('stage', p.plan.flag, n);
    for (const g of p.gates) for (const id of g.stageProbes) this.sim.probes.reset(id);
    const audience = stage.audience ? ` of users with ${stage.audience}` : '';
    this.decide(p, n === 0 ? 'start' : 'promote', n, `stage ${n + 1} of ${p.plan.stages.length}: ${stage.percent}%${audience}, hold ${formatMinutes(stage.holdUs)}${note ? `; ${note}` : ''}`, actor);
    const bg = p.plan.argo?.background;
    if (bg && n >= bg.startStage && !p.background) {
      p.background = new AnalysisRun(bg.analysis, this.now());
      this.log(p, { event: 'decision', actor: 'policy', action: 'analysis', stage: n, reason: `${bg.analysis.name} started (${bg.analysis.metrics.map((m) => `${m.template}/${m.name}`).join(', ')})` });
      this.scheduleAnalysis(i);
    }
    this.wakeAt(i, this.now() + stage.holdUs);
  }

  private holdEnded(i: number): void {
    const p = this.plans[i];
    if (p.plan.flagger && p.stage < p.plan.stages.length - 1) {
      this.flaggerCheck(i);
      return;
    }
    // An Argo analysis step: the stage goes on when its run succeeds.
    const inline = p.plan.argo?.stages[p.stage]?.analysis;
    if (inline && p.inlineDone < p.stage) {
      if (!p.inline) {
        p.inline = new AnalysisRun(inline, this.now());
        p.phase = 'analysis';
        this.log(p, { event: 'decision', actor: 'policy', action: 'analysis', stage: p.stage, reason: `${inline.name} started (${inline.metrics.map((m) => `${m.template}/${m.name}`).join(', ')})` });
        this.scheduleAnalysis(i);
      }
      return;
    }
    const last = p.stage === p.plan.stages.length - 1;
    if (p.gates.length > 0 && !last && this.gateMode === 'on') {
      if (p.evaluations === 0 || p.lastVerdict === 'inconclusive') {
        if (p.plan.inconclusive === 'pause') {
          this.finish(i, 'paused', 'pause', p.evaluations === 0
            ? 'the hold ended before any gate evaluation'
            : 'gates inconclusive at the end of the hold: not enough data to promote');
          return;
        }
      }
    }
    if (last) {
      this.finish(i, 'completed', 'complete', p.plan.stages.length === 1 ? `its stage done at ${p.percent}%` : `all ${p.plan.stages.length} stages done at ${p.percent}%`);
      return;
    }
    p.phase = 'waiting';
    this.advance(i);
  }

  private evaluate(i: number): void {
    const p = this.plans[i];
    for (const g of p.gates) for (const id of g.ringProbes) this.sim.probes.rotate(id);
    if (p.phase !== 'holding') return;
    const readings = p.gates.map((g) => g.evaluate());
    p.evaluations++;
    for (const r of readings) this.log(p, { event: 'gate', actor: 'policy', gate: r, stage: p.stage });
    p.lastVerdict = worst(readings.map((r) => r.verdict));
    const failed = readings.filter((r) => r.verdict === 'fail');
    if (failed.length > 0) p.failures++;
    if (readings.some((r) => r.verdict === 'error')) p.consecutiveErrors++;
    else p.consecutiveErrors = 0;
    const breach = p.failures > p.plan.failureLimit
      ? `${failed.map((r) => `${r.gate}: ${r.detail}`).join('; ')} (failure ${p.failures}, limit ${p.plan.failureLimit})`
      : p.consecutiveErrors > p.plan.consecutiveErrorLimit ? `${p.consecutiveErrors} consecutive gate errors (limit ${p.plan.consecutiveErrorLimit})` : null;
    if (breach === null) return;
    if (this.gateMode === 'advisory') {
      // People decide: the breach is reported once per stage, and counting starts again.
      p.failures = 0;
      p.consecutiveErrors = 0;
      this.decide(p, 'advise', p.stage, `${breach}: the policy would ${p.plan.onBreach === 'pause' ? 'pause' : 'roll back'}`);
      return;
    }
    if (p.plan.onBreach === 'pause') {
      this.finish(i, 'paused', 'pause', breach);
      return;
    }
    this.rollback(i, breach);
  }

  private rollback(i: number, breach: string): void {
    const p = this.plans[i];
    const previous = p.plan.rollbackTo === 'previous' && p.stage > 0 ? p.plan.stages[p.stage - 1] : null;
    this.publish(p, previous ? { enabled: true, percent: previous.percent, audience: previous.audience } : { enabled: false, percent: 0, audience: null });
    this.finish(i, 'rolled-back', 'rollback', `${breach}; back to ${previous ? `${previous.percent}%` : '0%'}`);
  }

  /**
   * One interval of a Flagger analysis: the threshold first (Flagger rolls back at the interval after the
   * check that reached it), then every metric check; a failed check halts the advance, all passing steps the
   * weight up (or, with iterations, counts one iteration).
   */
  private flaggerCheck(i: number): void {
    const p = this.plans[i];
    const f = p.plan.flagger!;
    if (p.failedChecks >= f.threshold) {
      this.rollback(i, `canary ${f.target}: failed checks (${p.failedChecks}) reached the threshold (${f.threshold})`);
      return;
    }
    const readings = f.checks.map((c) => bindPromQLGate(c.gate, () => this.series(), () => this.now()).evaluate());
    for (const r of readings) this.log(p, { event: 'gate', actor: 'policy', gate: r, stage: p.stage });
    const failed = readings.filter((r) => r.verdict !== 'pass');
    if (failed.length > 0) {
      p.failedChecks++;
      this.log(p, { event: 'decision', actor: 'policy', action: 'halt', stage: p.stage, reason: `halt advancement: ${failed.map((r) => `${r.gate} ${r.detail}`).join('; ')} (failed checks ${p.failedChecks}, threshold ${f.threshold})` });
      this.wakeAt(i, this.now() + f.intervalUs);
      return;
    }
    p.passedChecks++;
    if (f.iterations !== null && p.passedChecks < f.iterations) {
      this.wakeAt(i, this.now() + f.intervalUs);
      return;
    }
    p.passedChecks = 0;
    p.phase = 'waiting';
    this.advance(i);
  }

  /** The next Argo measurement of a plan's runs, if any is due. */
  private scheduleAnalysis(i: number): void {
    const p = this.plans[i];
    const next = Math.min(p.background?.nextDueUs() ?? Infinity, p.inline?.nextDueUs() ?? Infinity);
    p.analysisToken++;
    if (Number.isFinite(next)) this.sim.engine.at(Math.max(next, this.now()), EV_ANALYSIS, i, p.analysisToken);
  }

  /** Takes the due measurements of a plan's Argo analysis runs and acts on their phases as the Argo controller does. */
  private analyze(i: number): void {
    const p = this.plans[i];
    if (isTerminal(p.phase)) return;
    const now = this.now();
    for (const run of [p.background, p.inline]) {
      if (!run) continue;
      const readings: GateReading[] = [];
      const taken = run.step(now, (m) => {
        const metric = m as ArgoMetric;
        const reading: GateReading = metric.gate === null
          ? { gate: `${run.spec.name}: ${metric.template}/${metric.name}`, verdict: 'inconclusive', value: null, threshold: 'none', samples: 0, detail: `Inconclusive: provider ${metric.provider} is not rehearsed` }
          : bindPromQLGate(metric.gate, () => this.series(), () => this.now()).evaluate();
        readings.push(reading);
        return PHASE_OF[reading.verdict];
      });
      taken.forEach((t, k) => {
        const r = readings[k];
        const detail = `measurement ${t.number}: ${r.detail}; metric ${t.metricPhase}${t.metric.dryRun ? ' (dry run)' : ''}`;
        this.log(p, { event: 'gate', actor: 'policy', gate: { ...r, detail }, stage: p.stage });
      });
      if (run.phase === 'Failed' || run.phase === 'Error') {
        this.rollback(i, `${run.spec.name} ${run.phase.toLowerCase()}: ${run.reason}`);
        return;
      }
      if (run.phase === 'Inconclusive') {
        this.finish(i, 'paused', 'pause', `${run.spec.name} inconclusive: ${run.reason}`);
        return;
      }
      if (run === p.inline && run.phase === 'Successful') {
        p.inline = null;
        p.inlineDone = p.stage;
        p.phase = 'holding';
        this.log(p, { event: 'decision', actor: 'policy', action: 'analysis', stage: p.stage, reason: `${run.spec.name} successful` });
        this.holdEnded(i);
        if (isTerminal(p.phase)) return;
      }
    }
    this.scheduleAnalysis(i);
  }

  private finish(i: number, outcome: Outcome, action: Decision['action'], reason: string, actor: Actor = 'policy'): void {
    const p = this.plans[i];
    p.background?.terminate();
    p.inline?.terminate();
    p.analysisToken++;
    p.phase = outcome;
    p.endedUs = this.now();
    if (outcome === 'rolled-back') this.sim.rolloutEvent('rollback', p.plan.flag, p.stage);
    if (outcome === 'completed') this.sim.rolloutEvent('complete', p.plan.flag, p.stage);
    p.token++;
    this.decide(p, action, p.stage, reason, actor);
    for (const s of p.locks) this.lockHolder.delete(s);
    p.locks = [];
    // Plans waiting on a lock try again; plans waiting on this one start if it completed.
    this.plans.forEach((q, j) => {
      if (q.phase === 'lock') this.advance(j);
      if (q.plan.after === p.plan.flag && q.phase === 'waiting' && q.stage < 0) {
        if (outcome === 'completed') this.wakeAt(j, Math.max(q.plan.startUs, this.now()));
        else this.decide(q, 'blocked', -1, `${p.plan.flag} ${outcome}: this plan will not start`, 'scheduler');
      }
    });
  }

  private publish(p: PlanState, config: { enabled: boolean; percent: number; audience: string | null }, actor: Actor = 'policy'): void {
    p.version = this.sim.publishFlag(p.flag, config);
    p.percent = config.enabled ? config.percent : 0;
    p.published.set(p.version, this.now());
    this.log(p, { event: 'stage', actor, percent: p.percent, stage: p.stage, reason: config.audience ? `audience ${config.audience}` : undefined });
  }

  private decide(p: PlanState, action: Decision['action'], stage: number, reason: string, actor: Actor = 'policy'): void {
    p.decisions.push({ timeUs: this.now(), action, stage, percent: p.percent, reason });
    this.log(p, { event: action === 'wait' ? 'wait' : 'decision', actor, action, stage, percent: p.percent, reason });
  }

  private log(p: PlanState, entry: Omit<AuditEntry, 'timeUs' | 'flag' | 'configVersion'> & { configVersion?: number }): void {
    this.audit.push({ timeUs: this.now(), flag: p.plan.flag, configVersion: p.version, ...entry, ...(entry.actor === 'operator' && this.by !== undefined ? { by: this.by } : {}) });
  }

  /** Microseconds until the plan may act, by its coordination windows (0 when inside one, or without any). */
  private untilWindow(plan: RolloutPlan): number {
    if (plan.windows.length === 0) return 0;
    const minute = (((this.scenario.startTimeUs + this.now()) % DAY_US) + DAY_US) % DAY_US / 60e6;
    let best = Infinity;
    for (const [a, b] of plan.windows) {
      const inside = a < b ? minute >= a && minute < b : minute >= a || minute < b;
      if (inside) return 0;
      best = Math.min(best, ((a - minute + 1440) % 1440) * 60e6);
    }
    return Math.ceil(best);
  }
}

const PHASE_OF: Record<Verdict, MeasurementPhase> = { pass: 'Successful', fail: 'Failed', inconclusive: 'Inconclusive', error: 'Error' };

function isTerminal(phase: Phase): boolean {
  return phase === 'completed' || phase === 'rolled-back' || phase === 'paused';
}

function formatMinutes(us: number): string {
  const m = us / 60e6;
  return m >= 60 ? `${+(m / 60).toFixed(2)}h` : m >= 1 ? `${+m.toFixed(1)}m` : `${+(us / 1e6).toFixed(1)}s`;
}
