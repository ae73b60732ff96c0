/**
 * A drill: one simulation stepped forward in small slices (the engine never sees wall time), with people's
 * actions applied between slices at the simulated instant the clock stands at, and recorded there. Replaying
 * the record (same scenario, seed and version) applies each action at its recorded instant and gives the
 * byte-identical result: a slice boundary is invisible to the engine, so running to T in one call or in many
 * dispatches the same events in the same order.
 *
 * The drill waits in a lobby, clock stopped, until the facilitator starts it, and ends only by hand or at the
 * scenario's horizon (the host may end it once every plan is done, after a countdown people can cancel).
 * An ad-hoc fault joins the running simulation at the current instant: it is normalized against the scenario
 * already loaded (the file is not read again) and added through the model's fault hook, so nothing is re-run.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { didYouMean, InputError } from '../errors.js';
import { readInput } from '../files/read.js';
import { parseScenarioText } from '../load/scenario.js';
import type { SimulationResult } from '../model/simulation.js';
import { observeSeries, type ScrapeSeries } from '../observe/metrics.js';
import { RolloutController, type GateMode } from '../rollout/controller.js';
import type { PlanView } from '../rollout/plan-state.js';
import { normalizeAdhocFault } from '../scenario/adhoc.js';
import { formatProblem } from '../scenario/problems.js';
import { formatPath } from '../units/issues.js';
import type { FaultSpec, Scenario } from '../scenario/types.js';
import { buildResult, type RunResult } from '../score/result.js';
import type { Role } from './access.js';
import { changesWorld, DRILL_ENDED, type Action, type RecordedAction } from './actions.js';
import { sameRefusal } from './legacy.js';
import { DrillSimulation, removalNameProblem, findRemovable, type InjectedFault } from './removal.js';
import { quoted, quotedList } from '../units/escape.js';

export interface DrillSetup {
  /** The scenario file, as an absolute path. */
  file: string;
  /** The case the drill runs (hidden from people until the end when hiddenCase). */
  caseName: string | null;
  hiddenCase: boolean;
  seed: number;
  gates: GateMode;
}

export type DrillStatus = 'lobby' | 'running' | 'ended';
export type EndReason = 'horizon' | 'by-hand' | 'plans-done' | 'interrupted';

/** A scenario file as a drill reads it: once, its bytes hashed, then parsed with the drill's case. */
export interface DrillScenario {
  file: string;
  sha256: string;
  /** The scenario without a case (its cases' names, the structure every case shares). */
  base: Scenario;
  /** The scenario with the drill's case applied. */
  scenario: Scenario;
  /** The file's text (cases are applied to it, never to a second read). */
  text: string;
}

/** Where a plan stands, in a refusal's words: `holding at stage 2 of 4 (5%), config v3`. */
const planWhere = (p: PlanView) => `${p.phase} at ${p.stage < 0 ? 'no stage' : `stage ${p.stage + 1} of ${p.stages}`} (${p.percent}%), config v${p.version}`;

export function readDrillScenario(file: string, caseName: string | null): DrillScenario {
  const abs = resolve(file);
  let text: string;
  try {
    text = readInput(file === '' ? '' : abs, 'scenario', file === '' ? 'cannot read the scenario' : `${file}: cannot read the scenario`);
  } catch (e) {
    throw e instanceof InputError ? e : new InputError([`${file}: cannot read the scenario: ${(e as Error).message}`]);
  }
  const syntax = /\.json$/i.test(abs) ? 'JSON' : 'YAML';
  const parse = (c: string | null) => {
    const loaded = parseScenarioText(text, dirname(abs), c ?? undefined, syntax, file);
    if (!loaded.ok) throw new InputError(loaded.problems.map((p) => formatProblem(file, p)));
    return loaded.scenario;
  };
  const base = parse(null);
  // A case the file does not have is named as such before the case is applied: applied, the case's absence read as
  // the scenario's own acceptance naming unknown cases (`acceptance[1]: unknown case "healthy"`).
  if (caseName !== null && !base.cases.includes(caseName)) {
    const names = base.cases;
    throw new InputError([`${file}: cases: no case ${quoted(caseName)}${names.length ? `${didYouMean(caseName, names)} (cases: ${quotedList(names)})` : ': the scenario has no cases'}`]);
  }
  const scenario = caseName === null ? base : parse(caseName);
  if (!Number.isFinite(scenario.durationUs)) throw new InputError([`${file}: a game day needs a simulated horizon: set duration`]);
  return { file: abs, sha256: sha256(text), base, scenario, text };
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Who acted, as the record keeps it. */
export interface Actor {
  name: string;
  role: Role;
}

/** A fault added during the drill (ad-hoc), in the order they were added. */
export interface AddedFault {
  name: string;
  hidden: boolean;
  atUs: number;
}

const adhocName = (hidden: boolean, n: number) => `${hidden ? 'hidden ad-hoc' : 'ad-hoc'} ${n}`;

export class ReplayMismatch extends Error {}

export class DrillSession {
  readonly scenario: Scenario;
  readonly sim: DrillSimulation;
  readonly controller: RolloutController | null;
  /** The simulated telemetry as Prometheus series (for /metrics). */
  readonly series: ScrapeSeries;
  readonly actions: RecordedAction[] = [];
  readonly added: AddedFault[] = [];
  /**
   * Faults injected by hand, by index, with the instant they were: the engine switches one on when the clock next
   * moves, so during a pause (or until the next tick) only this says it is on.
   */
  readonly injectedAtUs = new Map<number, number>();
  /** Faults injected by hand (catalogue and ad-hoc), in order: those a person may remove. */
  readonly injected: InjectedFault[] = [];
  /** Faults removed by hand, by index, with the instant they were (off then, or never on). */
  readonly removedAtUs = new Map<number, number>();
  status: DrillStatus = 'lobby';
  /** When the drill ended (simulated microseconds), and why. */
  endedUs: number | null = null;
  endReason: EndReason | null = null;
  /** Bumped whenever the world changes outside the clock (an action applied). */
  revision = 0;
  /** Called with every action recorded (the journal). */
  onRecord: ((rec: RecordedAction) => void) | null = null;
  private finalResult: RunResult | null = null;
  private simulated: SimulationResult | null = null;

  constructor(readonly setup: DrillSetup, scenario: Scenario) {
    this.scenario = scenario;
    this.sim = new DrillSimulation(scenario, setup.seed);
    this.controller = scenario.rollouts.length > 0 ? new RolloutController(scenario, setup.gates) : null;
    if (this.controller) this.sim.attach(this.controller);
    this.series = observeSeries(this.sim, scenario);
    // People may add faults while it runs, which act on the calls then in flight.
    this.sim.keepCallRecords();
    this.sim.begin();
  }

  get nowUs(): number {
    return this.sim.engine.now;
  }

  get horizonUs(): number {
    return this.scenario.durationUs;
  }

  get ended(): boolean {
    return this.status === 'ended';
  }

  /** Every fault of the run, the scenario's and those added during the drill, by index. */
  get faultSpecs(): readonly FaultSpec[] {
    return this.sim.faults.specs;
  }

  /** Runs the simulation to `untilUs` (at most the horizon, where the drill ends). */
  advanceTo(untilUs: number): void {
    if (this.status !== 'running') return;
    // Whole microseconds: an action lands on an instant replay can reach exactly.
    const target = Math.floor(Math.min(untilUs, this.horizonUs));
    if (target > this.nowUs) this.sim.runUntil(target);
    if (this.nowUs >= this.horizonUs) this.finish('horizon');
  }

  /** Every plan completed, rolled back, or blocked behind one that did not complete. */
  plansDone(): boolean {
    if (!this.controller) return false;
    const reports = this.controller.reports();
    return this.controller.planStates().every((p) => p.phase === 'completed' || p.phase === 'rolled-back'
      || (p.stage < 0 && reports.find((r) => r.flag === p.flag)!.decisions.some((d) => d.action === 'blocked')));
  }

  /** Ends the drill now (the horizon, the host's countdown, or a person's action). */
  finish(reason: EndReason): void {
    if (this.ended) return;
    this.status = 'ended';
    this.endedUs = this.nowUs;
    this.endReason = reason;
    this.revision++;
  }

  /**
   * What is wrong with an action's body in this drill, whatever the moment: a name that matches nothing in the
   * scenario (a flag with no rollout plan, a fault not in the catalogue, an ad-hoc fault on an unknown service)
   * or an ad-hoc fault that does not fit it. Null when the body is good. Such a body is a bad request, answered
   * as such and never recorded; what `act` refuses (and records) is only what does not apply now.
   */
  check(action: Action): string | null {
    switch (action.type) {
      case 'plan': {
        const flags = this.scenario.rollouts.map((p) => p.flag);
        if (flags.includes(action.flag)) return null;
        return flags.length ? `flag: no rollout plan for flag ${quoted(action.flag)}${didYouMean(action.flag, flags)} (plans: ${flags.join(', ')})` : 'flag: the scenario has no rollout plans';
      }
      case 'fault': {
        if (this.scenario.faults.some((f) => f.name === action.name && f.start.kind === 'manual')) return null;
        // Hidden catalogue faults are neither listed nor suggested: the answer may be read over a shoulder.
        const names = this.scenario.faults.filter((f) => f.start.kind === 'manual' && !f.hidden).map((f) => f.name);
        return names.length ? `name: no fault ${quoted(action.name)} in the catalogue${didYouMean(action.name, names)} (catalogue: ${names.join(', ')})` : "name: the scenario has no faults-catalogue: inject an ad-hoc fault instead (gameday ctl URL adhoc-fault '{kind: latency, target: SERVICE, add: 300ms, for: 5m}')";
      }
      case 'adhoc-fault': {
        const normalized = normalizeAdhocFault(action.fault, 'ad-hoc', this.scenario);
        return normalized.ok ? null : normalized.problems.map((p) => `${formatPath(['fault', ...p.path])}: ${p.message}`).join('; ');
      }
      case 'remove-fault':
        return removalNameProblem(action.name, this.scenario, this.injected);
      default:
        return null;
    }
  }

  /**
   * Applies an action now and records it. Clock and speed actions are recorded here too (for the timeline),
   * though the driver carries them out; `refusedByHost` is the host's reason to refuse one (the clock already
   * paused, no countdown to cancel). Returns the record (its `refused` says why it did not apply).
   */
  act(action: Action, by: Actor, wallTime: string, refusedByHost: string | null = null): RecordedAction {
    // After the end the record is closed (the debrief is written from it): answered, not recorded.
    if (this.ended) return { atUs: this.nowUs, wallTime, by: by.name, role: by.role, action, refused: DRILL_ENDED };
    const rec: RecordedAction = { atUs: this.nowUs, wallTime, by: by.name, role: by.role, action, refused: null };
    rec.refused = refusedByHost ?? this.apply(rec);
    this.actions.push(rec);
    if (action.type === 'end' && rec.refused === null) this.finish('by-hand');
    this.revision++;
    this.onRecord?.(rec);
    return rec;
  }

  /** What an action does to the drill; null when it applied, else why not. Sets the record's fault name. */
  private apply(rec: RecordedAction): string | null {
    const action = rec.action;
    if (action.type === 'start') {
      if (this.status !== 'lobby') return 'the drill has already started';
      this.status = 'running';
      // What is due at the first instant happens now (plans that start at 0 start), as at any later instant an action
      // follows the events due then: an action at 0m00s acts on the plans the page shows (stage 1, holding), not on
      // plans about to start, which refused a pause or a rollback ("has not started") and took a promote for a start.
      this.sim.runUntil(this.nowUs);
      return null;
    }
    if (this.status === 'lobby' && action.type !== 'note' && action.type !== 'speed') return 'the drill has not started: the facilitator starts it';
    switch (action.type) {
      case 'plan': {
        if (!this.controller) return 'the scenario has no rollout plans';
        const seen = this.controller.planStates().find((p) => p.flag === action.flag);
        if (action.op === 'promote' && action.version !== undefined && seen && seen.version !== action.version) {
          return `${action.flag} has moved since you saw it (config v${action.version}): it is ${planWhere(seen)}; promote again to go on from there`;
        }
        // A pause publishes no new configuration: the phase says whether the person saw it. A promote pressed as
        // someone else paused would otherwise take the plan on past a pause its author never saw.
        if (action.op === 'promote' && action.phase !== undefined && action.phase !== 'paused' && seen?.phase === 'paused') {
          return `${action.flag} has been paused since you saw it (${action.phase}): it is ${planWhere(seen)}; promote again to go on from there`;
        }
        // A plan that has not started exposes nobody: a pause of it was taken, and then no resume would take it up
        // ("is not paused"), as a rollback of it is refused.
        if (action.op === 'pause' && seen && seen.stage < 0 && seen.phase !== 'paused') return `${action.flag} has not started`;
        const refused = this.controller.operate(action.flag, action.op, rec.by, action.reason || null);
        if (refused === null) rec.configVersion = this.controller.planStates().find((p) => p.flag === action.flag)?.version;
        return refused;
      }
      case 'fault': {
        const k = this.scenario.faults.findIndex((f) => f.name === action.name && f.start.kind === 'manual');
        if (k < 0) {
          const names = this.scenario.faults.filter((f) => f.start.kind === 'manual' && !f.hidden).map((f) => f.name);
          return `no fault ${quoted(action.name)} in the catalogue${names.length ? ` (catalogue: ${names.join(', ')})` : ': the scenario has no faults-catalogue'}`;
        }
        if (!this.sim.injectFault(k)) return `fault ${action.name} has already been injected`;
        this.injectedAtUs.set(k, this.nowUs);
        this.injected.push({ k, name: action.name, hidden: this.scenario.faults[k].hidden, atUs: this.nowUs });
        return null;
      }
      case 'adhoc-fault': {
        const hidden = action.fault.hidden === true;
        // Hidden and visible ad-hoc faults are numbered apart: a visible one's number says nothing of hidden ones. A
        // number whose name a fault of the scenario has is skipped: a name names one fault.
        const taken = (n: number) => this.scenario.faults.some((f) => f.name === adhocName(hidden, n)) || this.added.some((f) => f.name === adhocName(hidden, n));
        let n = this.added.filter((f) => f.hidden === hidden).length + 1;
        while (taken(n)) n++;
        const name = adhocName(hidden, n);
        const normalized = normalizeAdhocFault(action.fault, name, this.scenario);
        // check() answers a misfit as a bad request before it gets here; records made before it did hold this refusal.
        if (!normalized.ok) return ['the fault does not fit the scenario:', ...normalized.problems.map((p) => formatProblem('fault', p))].join('\n');
        const k = this.sim.addFault(normalized.fault);
        this.sim.injectFault(k);
        this.injectedAtUs.set(k, this.nowUs);
        this.added.push({ name, hidden, atUs: this.nowUs });
        this.injected.push({ k, name, hidden, atUs: this.nowUs });
        rec.faultName = name;
        return null;
      }
      case 'remove-fault': {
        const found = findRemovable(action.name, this.injected, this.removedAtUs, this.sim);
        if ('refused' in found) return found.refused;
        this.sim.removeFault(found.k);
        this.removedAtUs.set(found.k, this.nowUs);
        return null;
      }
      default:
        return null;
    }
  }

  /**
   * Applies recorded actions at their instants, up to `untilUs`, as the drill applied them: the same refusals,
   * the same configuration versions and fault names, or a ReplayMismatch naming the first that differs.
   */
  replayActions(actions: readonly RecordedAction[], untilUs: number, progress?: (share: number) => void): void {
    const steps = this.replaySteps(actions, untilUs, progress ? Math.max(1, Math.ceil(this.horizonUs / 100)) : Infinity);
    for (let r = steps.next(); !r.done; r = steps.next()) progress?.(r.value);
  }

  /**
   * The replay in slices of at most `sliceUs` simulated (slices are invisible to the engine), yielding the share
   * done after each: the caller may stop between two, or grow and shrink the next (`next(sliceUs)`).
   */
  *replaySteps(actions: readonly RecordedAction[], untilUs: number, sliceUs: number): Generator<number, void, number | undefined> {
    const total = Math.max(1, Math.min(untilUs, this.horizonUs));
    const self = this;
    function* runTo(t: number): Generator<number, void, number | undefined> {
      while (self.nowUs < t) {
        self.sim.runUntil(Math.min(t, self.nowUs + sliceUs));
        sliceUs = (yield self.nowUs / total) ?? sliceUs;
      }
    }
    for (const [i, a] of actions.entries()) {
      if (a.atUs > untilUs) break;
      if (a.atUs < this.nowUs) throw new ReplayMismatch(`actions[${i}]: the action at ${a.atUs} µs comes before the one recorded ahead of it`);
      if (this.status === 'running' && a.atUs > this.nowUs) yield* runTo(a.atUs);
      if (a.atUs !== this.nowUs) throw new ReplayMismatch(`actions[${i}]: the action at ${a.atUs} µs cannot be reached (the clock stood at ${this.nowUs} µs)`);
      const again: RecordedAction = { ...a, refused: null, configVersion: undefined, faultName: undefined };
      again.refused = this.apply(again);
      if (changesWorld(a.action) || a.action.type === 'start') {
        const same = sameRefusal(again.refused, a.refused) && again.configVersion === a.configVersion && again.faultName === a.faultName;
        if (!same) throw new ReplayMismatch(`actions[${i}]: the action at ${a.atUs / 1e6} s (${a.action.type} by ${a.by}) did not replay as recorded`);
      }
      this.actions.push(a);
      if (a.action.type === 'end' && a.refused === null) this.finish('by-hand');
    }
    if (this.status === 'running') yield* runTo(Math.min(untilUs, this.horizonUs));
  }

  /**
   * A drill rebuilt from its record: its actions applied at their instants, the clock brought to `untilUs`
   * (a resumed drill), or to its end (a debrief).
   */
  static fromRecord(setup: DrillSetup, scenario: Scenario, actions: readonly RecordedAction[], untilUs: number,
    end: { atUs: number; reason: EndReason } | null, progress?: (share: number) => void): DrillSession {
    const s = new DrillSession(setup, scenario);
    s.replayActions(actions, end ? end.atUs : untilUs, progress);
    if (end && !s.ended) {
      if (s.nowUs !== end.atUs && s.status === 'running') throw new ReplayMismatch(`the drill ended at ${end.atUs / 1e6} s, which the record does not reach`);
      s.finish(end.reason);
    }
    return s;
  }

  /** The run result of the drill (after it ended): the same document as `rehearse run` writes. */
  /**
   * Once ended, the simulation's end: its last window (partial when a person ended the drill mid-window) is
   * closed, so that the page's last figures (error budget, charts) are the run's, as the debrief reports them.
   */
  closeRun(): SimulationResult {
    if (!this.ended) this.finish('by-hand');
    return (this.simulated ??= this.sim.end());
  }

  result(): RunResult {
    if (this.finalResult) return this.finalResult;
    const sim = this.closeRun();
    // Counterfactual attribution would need twin runs with the people's actions; drills use direct attribution.
    this.finalResult = buildResult({ ...this.scenario, faults: this.faultSpecs }, this.setup.seed, sim, this.controller, null);
    return this.finalResult;
  }
}
