/**
 * The rollout policy at work: each plan walks its stages (approval, coordination window, service locks, then the
 * configuration change and its hold), its gates are evaluated on observed telemetry at every interval, and
 * their verdicts are counted as Argo Rollouts and Flagger count them: more failures than the failure limit, or
 * more consecutive errors than the error limit, is a breach (roll back or pause); a stage whose gates end
 * inconclusive pauses. Every step goes into the audit trail with its simulated time and actor.
 */
import { CONTROLLER_EVENTS, type Controller, type Simulation } from '../model/simulation.js';
import { DistTable } from '../model/dist.js';
import type { Dist, Scenario } from '../scenario/types.js';
import { bindGate } from './gates.js';
import { AnalysisRun, metricLabel } from './analysis.js';
import type { Actor, AuditEntry, Decision, GateMode, OperatorAction, Outcome, PlanReport } from './audit.js';
import { analyze, runChecks, scheduleAnalysis, type MeasureHost } from './measure.js';
import { beginLooks, countReadings, flagOffNotes, formatMinutes, isTerminal, lookAt, newPlanState, notWaitingForApproval, planReport, planView, untilWindow, type PlanState, type PlanView } from './plan-state.js';
import { Monitoring } from './monitoring.js';
import { quoted } from '../units/escape.js';

const EV_WAKE = CONTROLLER_EVENTS;
const EV_EVALUATE = CONTROLLER_EVENTS + 1;
const EV_ANALYSIS = CONTROLLER_EVENTS + 2;

export type { Actor, AuditEntry, Decision, GateMode, OperatorAction, Outcome, PlanReport } from './audit.js';

export class RolloutController implements Controller {
  readonly audit: AuditEntry[] = [];
  private sim!: Simulation;
  private readonly plans: PlanState[] = [];
  private readonly lockHolder = new Map<number, number>();
  private readonly approvals: DistTable;
  private monitoring!: Monitoring;

  /** The person behind the action being applied (operator actions), for the audit trail. */
  private by: string | undefined;
  /** What analysis runs and checks (measure.ts) need of this controller. */
  private readonly host: MeasureHost = {
    plans: this.plans,
    now: () => this.now(),
    series: () => this.monitoring.series(),
    rules: () => this.monitoring.rules(),
    log: (p, entry) => this.log(p, entry),
    wakeAt: (i, t) => this.wakeAt(i, t),
    advance: (i) => this.advance(i),
    holdEnded: (i) => this.holdEnded(i),
    rollback: (i, breach) => this.rollback(i, breach),
    finish: (i, outcome, action, reason) => this.finish(i, outcome, action, reason),
    analysisAt: (t, i, token) => this.sim.engine.at(t, EV_ANALYSIS, i, token),
  };

  constructor(private readonly scenario: Scenario, private readonly gateMode: GateMode = 'on') {
    const none: Dist = { kind: 'constant', a: 0, b: 0, samples: [], mean: 0 };
    this.approvals = new DistTable(scenario.rollouts.flatMap((p) => p.stages.map((s) => (s.approval === null || s.approval.kind === 'unattended' ? none : s.approval))));
  }

  start(sim: Simulation): void {
    this.sim = sim;
    this.monitoring = new Monitoring(sim, this.scenario);
    if (this.scenario.rollouts.some((p) => p.analyses !== null || p.checks !== null || p.gates.some((g) => g.kind === 'promql' || g.kind === 'alert'))) this.monitoring.series();
    const flags = sim.flags!;
    let approvalIndex = 0;
    this.plans.push(...this.scenario.rollouts.map((plan) => {
      const flag = flags.flagIndex(plan.flag);
      const ctx = {
        model: sim.model, probes: sim.probes, flag, flagKey: plan.flag, intervalUs: plan.evaluateEveryUs, journeys: this.scenario.flags[flag].journeysInAnyCase,
        segmentIndex: (name: string) => flags.segmentNames.indexOf(name),
        series: () => this.monitoring.series(), rules: () => this.monitoring.rules(), now: () => this.now(),
      };
      const state = newPlanState(plan, flag, approvalIndex, plan.gates.map((g) => bindGate(g, ctx)));
      approvalIndex += plan.stages.length;
      return state;
    }));
    this.plans.forEach((p, i) => {
      if (p.plan.after === null) this.wakeAt(i, p.plan.startUs);
      if (p.gates.length > 0 && this.gateMode !== 'off') {
        p.evaluating = true;
        p.nextEvaluationUs = p.plan.evaluateEveryUs;
        sim.engine.at(p.plan.evaluateEveryUs, EV_EVALUATE, i, 0);
      }
    });
  }

  handle(kind: number, a: number, b: number): void {
    const p = this.plans[a];
    if (kind === EV_WAKE) {
      if (b === p.token) this.advance(a);
    } else if (kind === EV_EVALUATE) {
      if (p.evaluatedUs !== this.now()) this.evaluate(a);
      if (!isTerminal(p.phase)) this.sim.engine.at((p.nextEvaluationUs = this.now() + p.plan.evaluateEveryUs), EV_EVALUATE, a, 0);
      else p.evaluating = false;
    } else if (kind === EV_ANALYSIS) {
      if (b === p.analysisToken) analyze(this.host, a);
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
    return this.plans.map((p) => planReport(p, this.sim.model.serviceNames));
  }

  /** Plans' state for a live view. */
  planStates(): PlanView[] {
    return this.plans.map(planView);
  }

  /**
   * A person acts on a plan now, through the configuration path the policy uses (propagation delays apply).
   * Returns null when done, or why the action does not apply to the plan as it stands.
   */
  operate(flag: string, action: OperatorAction, by: string, reason: string | null): string | null {
    const i = this.plans.findIndex((p) => p.plan.flag === flag);
    if (i < 0) return `no rollout plan for flag ${quoted(flag)}`;
    const p = this.plans[i];
    const why = reason ? `: ${reason}` : '';
    this.by = by;
    try {
      switch (action) {
        case 'approve':
          if (p.phase !== 'approval') return notWaitingForApproval(p, this.audit);
          p.token++;
          p.approvedStage = p.stage + 1;
          this.log(p, { event: 'decision', actor: 'operator', action: 'approve', stage: p.stage + 1, reason: `stage ${p.stage + 2} approved by ${by}${why}` });
          p.phase = 'waiting';
          this.advance(i);
          return null;
        case 'promote': {
          if (p.phase === 'completed') return `${flag} has already completed`;
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
          beginLooks(p, this.now(), p.plan.stages[p.stage].holdUs);
          this.ensureEvaluating(i);
          return null;
        }
        case 'rollback':
          if (p.stage < 0) return `${flag} has not started`;
          if (p.phase === 'rolled-back') return `${flag} has already been rolled back`;
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
    this.sim.engine.at((p.nextEvaluationUs = this.now() + p.plan.evaluateEveryUs), EV_EVALUATE, i, 0);
    // A hold begun before the loop restarted counts its readings from the restarted loop.
    if (p.phase === 'holding') beginLooks(p, this.now(), p.plan.stages[p.stage].holdUs);
  }

  private now(): number {
    return this.sim.engine.now;
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
      // A reading due at the very instant the hold ends reads the stage that is ending, before the plan moves on:
      // analysis, then the weight change, as Flagger's scheduler does in one tick. Taken after the promotion, it
      // would read a stage of no time and no requests.
      if (p.evaluating && p.nextEvaluationUs === this.now() && p.evaluatedUs !== this.now()) {
        this.evaluate(i);
        if (isTerminal(p.phase)) return;
      }
      this.holdEnded(i);
      return;
    }
    const next = p.stage + 1;
    const stage = p.plan.stages[next];
    // A manual approval, once per stage.
    if (stage.approval && p.approvedStage < next) {
      if (stage.approval.kind === 'unattended') {
        // A pause that only a promotion ends, and no approver: the plan waits here (a person may still approve).
        if (p.phase !== 'approval') this.decide(p, 'wait', next, `waiting for a promotion before stage ${next + 1}: no approver in the scenario (${stage.approval.from})`, 'scheduler');
        p.phase = 'approval';
        return;
      }
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
    const wait = untilWindow(p.plan, this.scenario.startTimeUs, this.now());
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
    const bg = p.plan.analyses?.background;
    if (bg && n >= bg.startStage && !p.background) {
      // From its starting step: the stage's pauses before that step come first.
      p.background = new AnalysisRun(bg.analysis, this.now() + (n === bg.startStage ? bg.startAfterUs : 0), this.scenario.metrics.scrapeIntervalUs);
      this.log(p, { event: 'decision', actor: 'policy', action: 'analysis', stage: n, reason: `${bg.analysis.name} started (${bg.analysis.metrics.map(metricLabel).join(', ')})` });
      scheduleAnalysis(this.host, i);
    }
    this.wakeAt(i, this.now() + stage.holdUs);
    beginLooks(p, this.now(), stage.holdUs);
  }

  private holdEnded(i: number): void {
    const p = this.plans[i];
    if (p.plan.checks && p.stage < p.plan.stages.length - 1) {
      runChecks(this.host, i);
      return;
    }
    // An Argo analysis step: the stage goes on when its run succeeds.
    const inline = p.plan.analyses?.stages[p.stage];
    if (inline && p.inlineDone < p.stage) {
      if (!p.inline) {
        p.inline = new AnalysisRun(inline, this.now(), this.scenario.metrics.scrapeIntervalUs);
        p.phase = 'analysis';
        this.log(p, { event: 'decision', actor: 'policy', action: 'analysis', stage: p.stage, reason: `${inline.name} started (${inline.metrics.map(metricLabel).join(', ')})` });
        scheduleAnalysis(this.host, i);
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
    p.evaluatedUs = this.now();
    for (const g of p.gates) for (const id of g.ringProbes) this.sim.probes.rotate(id);
    if (p.phase !== 'holding') return;
    const look = lookAt(p, this.now());
    const readings = p.gates.map((g) => g.evaluate(look));
    p.evaluations++;
    for (const r of readings) this.log(p, { event: 'gate', actor: 'policy', gate: r, stage: p.stage });
    const breach = countReadings(p, readings);
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
    const notes = flagOffNotes(p, actor === 'policy' && (action === 'rollback' || action === 'pause'));
    p.decisions.push({ timeUs: this.now(), action, stage, percent: p.percent, reason, ...notes });
    this.log(p, { event: action === 'wait' ? 'wait' : 'decision', actor, action, stage, percent: p.percent, reason });
  }

  private log(p: PlanState, entry: Omit<AuditEntry, 'timeUs' | 'flag' | 'configVersion'> & { configVersion?: number }): void {
    this.audit.push({ timeUs: this.now(), flag: p.plan.flag, configVersion: p.version, ...entry, ...(entry.actor === 'operator' && this.by !== undefined ? { by: this.by } : {}) });
  }
}
