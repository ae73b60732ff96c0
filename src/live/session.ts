/**
 * A drill: one simulation stepped forward in small slices (the engine never sees wall time), with people's
 * actions applied between slices at the simulated instant the clock stands at, and recorded there. Replaying
 * the record (same scenario, seed and version) applies each action at its recorded instant and gives the
 * byte-identical result: a slice boundary is invisible to the engine, so running to T in one call or in many
 * dispatches the same events in the same order.
 *
 * An ad-hoc fault cannot join a simulation already running (its state is sized by the scenario's faults), so
 * it joins the scenario's catalogue and the drill is rebuilt: the same seed, re-run to now with the recorded
 * actions, then the fault switched on. The fault is inert until then, so the rebuilt run is the run people
 * watched; replay starts from the scenario with every ad-hoc fault already in the catalogue.
 */
import { dirname } from 'node:path';
import seedrandom from 'seedrandom';
import { InputError } from '../errors.js';
import { observeSeries, type ScrapeSeries } from '../observe/metrics.js';
import { Simulation } from '../model/simulation.js';
import { RolloutController, type GateMode } from '../rollout/controller.js';
import { loadScenarioFile, parseScenarioObject, type Loaded } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import type { CatalogueFault } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { buildResult, type RunResult } from '../score/result.js';
import type { z } from 'zod';
import { changesWorld, type Action, type RecordedAction } from './actions.js';

export type FaultInput = z.infer<typeof CatalogueFault>;

/** How long a drill goes on after every plan has ended (so the debrief shows the recovery), in microseconds. */
export const LINGER_US = 10 * 60e6;

export interface DrillSetup {
  /** The scenario file, as given. */
  file: string;
  /** The case the drill runs (hidden from people until the end when hiddenCase). */
  caseName: string | null;
  hiddenCase: boolean;
  seed: number;
  gates: GateMode;
}

/** Loads the scenario of a drill, with its ad-hoc faults added to the catalogue as adhoc-1, adhoc-2, ... */
export function loadDrillScenario(file: string, caseName: string | null, adhoc: readonly FaultInput[]): Scenario {
  const loaded = loadScenarioFile(file, caseName ?? undefined);
  const scenario = unwrap(file, loaded);
  if (adhoc.length === 0) return scenario;
  if (!loaded.ok) throw new Error('unreachable');
  const input = structuredClone(loaded.input) as Record<string, unknown>;
  const catalogue = { ...(input['faults-catalogue'] as Record<string, unknown> | undefined) };
  adhoc.forEach((f, i) => {
    catalogue[`adhoc-${i + 1}`] = f;
  });
  input['faults-catalogue'] = catalogue;
  // The case is already merged into the input; its patch must not apply twice.
  delete input.cases;
  const again = unwrap(file, parseScenarioObject(input, dirname(file)), 'faults-catalogue');
  return { ...again, cases: scenario.cases, caseName: scenario.caseName };
}

function unwrap(file: string, loaded: Loaded, context?: string): Scenario {
  if (!loaded.ok) {
    const lines = loaded.problems.map((p) => formatProblem(file, p));
    throw new InputError(context ? [`an ad-hoc fault does not fit the scenario:`, ...lines] : lines);
  }
  return loaded.scenario;
}

/** The case a hidden-case drill runs: drawn from the scenario's cases with the drill's seed. */
export function drawCase(cases: readonly string[], seed: number): string | null {
  if (cases.length === 0) return null;
  const rng = seedrandom.alea(`rehearse:${seed}:hidden-case`);
  return cases[Math.floor(rng() * cases.length)];
}

export class DrillSession {
  scenario!: Scenario;
  sim!: Simulation;
  controller: RolloutController | null = null;
  /** The simulated telemetry as Prometheus series (for /metrics). */
  series!: ScrapeSeries;
  readonly actions: RecordedAction[] = [];
  readonly adhoc: FaultInput[] = [];
  /** When the drill ended (simulated microseconds), and why. */
  endedUs: number | null = null;
  endReason: 'horizon' | 'plans-done' | 'by-hand' | null = null;
  /** When every plan had ended (the drill lingers LINGER_US after). */
  private plansDoneUs: number | null = null;
  private finalResult: RunResult | null = null;
  /** Bumped whenever the world changes outside the clock (an action applied, a rebuild). */
  revision = 0;

  constructor(readonly setup: DrillSetup, adhoc: readonly FaultInput[] = []) {
    this.adhoc.push(...adhoc);
    this.build();
  }

  get nowUs(): number {
    return this.sim.engine.now;
  }

  get horizonUs(): number {
    return this.scenario.durationUs;
  }

  get ended(): boolean {
    return this.endedUs !== null;
  }

  private build(): void {
    this.scenario = loadDrillScenario(this.setup.file, this.setup.caseName, this.adhoc);
    if (!Number.isFinite(this.scenario.durationUs)) {
      throw new InputError([`${this.setup.file}: a game day needs a simulated horizon: set duration`]);
    }
    this.sim = new Simulation(this.scenario, this.setup.seed);
    this.controller = this.scenario.rollouts.length > 0 ? new RolloutController(this.scenario, this.setup.gates) : null;
    if (this.controller) this.sim.attach(this.controller);
    this.series = observeSeries(this.sim, this.scenario);
    this.sim.begin();
  }

  /** Runs the simulation to `untilUs` (or to where the drill ends, if sooner). */
  advanceTo(untilUs: number): void {
    if (this.ended) return;
    const stop = Math.min(this.horizonUs, this.plansDoneUs === null ? Infinity : this.plansDoneUs + LINGER_US);
    const target = Math.min(untilUs, stop);
    if (target > this.nowUs) this.sim.runUntil(target);
    if (this.plansDoneUs === null && this.plansDone()) this.plansDoneUs = this.nowUs;
    if (this.nowUs >= this.horizonUs) this.end('horizon');
    else if (this.plansDoneUs !== null && this.nowUs >= this.plansDoneUs + LINGER_US) this.end('plans-done');
  }

  /** Every plan completed, rolled back, or blocked behind one that did not complete. */
  private plansDone(): boolean {
    if (!this.controller) return false;
    const states = this.controller.planStates();
    return states.every((p) => p.phase === 'completed' || p.phase === 'rolled-back'
      || (p.stage < 0 && this.controller!.reports().find((r) => r.flag === p.flag)!.decisions.some((d) => d.action === 'blocked')));
  }

  private end(reason: NonNullable<DrillSession['endReason']>): void {
    if (this.ended) return;
    this.endedUs = this.nowUs;
    this.endReason = reason;
    this.revision++;
  }

  /**
   * Applies an action now and records it. Clock and speed actions are recorded here too (for the timeline),
   * though the driver carries them out. Returns the record (its `refused` says why it did not apply).
   */
  act(action: Action, by: string, wallTime: string): RecordedAction {
    // After the end the record is closed (the debrief is written from it): answered, not recorded.
    if (this.ended) return { atUs: this.nowUs, wallTime, by, action, refused: 'the drill has ended' };
    const refused = this.applyWorld(action, by, false);
    const rec: RecordedAction = { atUs: this.nowUs, wallTime, by, action, refused };
    if (action.type === 'plan' && this.controller) {
      rec.configVersion = this.controller.planStates().find((p) => p.flag === action.flag)?.version;
    }
    this.actions.push(rec);
    if (action.type === 'end' && refused === null) this.end('by-hand');
    this.revision++;
    return rec;
  }

  /** What an action does to the simulated world (nothing for clock, speed, note and end). */
  private applyWorld(action: Action, by: string, replaying: boolean): string | null {
    switch (action.type) {
      case 'plan': {
        if (!this.controller) return 'the scenario has no rollout plans';
        return this.controller.operate(action.flag, action.op, by, action.reason ?? null);
      }
      case 'fault': {
        const k = this.scenario.faults.findIndex((f) => f.name === action.name && f.start.kind === 'manual');
        if (k < 0) {
          const names = this.scenario.faults.filter((f) => f.start.kind === 'manual' && !f.name.startsWith('adhoc-')).map((f) => f.name);
          return `no fault "${action.name}" in the catalogue${names.length ? ` (catalogue: ${names.join(', ')})` : ': the scenario has no faults-catalogue'}`;
        }
        return this.sim.injectFault(k) ? null : `fault ${action.name} has already been injected`;
      }
      case 'adhoc-fault': {
        if (!replaying) {
          const at = this.nowUs;
          this.adhoc.push(action.fault);
          try {
            this.rebuild(at);
          } catch (e) {
            this.adhoc.pop();
            this.rebuild(at);
            if (e instanceof InputError) return e.lines.join('\n');
            throw e;
          }
        }
        const name = `adhoc-${this.actions.filter((a) => a.action.type === 'adhoc-fault' && a.refused === null).length + 1}`;
        const k = this.scenario.faults.findIndex((f) => f.name === name);
        return this.sim.injectFault(k) ? null : `fault ${name} has already been injected`;
      }
      default:
        return null;
    }
  }

  /** A fresh simulation of the drill's scenario, brought to `untilUs` with the recorded actions. */
  private rebuild(untilUs: number): void {
    this.build();
    this.replayActions(this.actions, untilUs);
  }

  /**
   * Applies recorded world-changing actions at their instants, up to `untilUs`. An action the world refuses now
   * (a record edited, or from another scenario) is an InputError naming it: actions[i].
   */
  replayActions(actions: readonly RecordedAction[], untilUs: number): void {
    let adhocSeen = 0;
    for (const [i, a] of actions.entries()) {
      if (a.atUs > untilUs) break;
      if (!changesWorld(a.action) || a.refused !== null) continue;
      if (a.atUs > this.nowUs) this.sim.runUntil(a.atUs);
      if (a.action.type === 'adhoc-fault') {
        adhocSeen++;
        const k = this.scenario.faults.findIndex((f) => f.name === `adhoc-${adhocSeen}`);
        if (k < 0 || !this.sim.injectFault(k)) throw new InputError([`actions[${i}]: the ad-hoc fault adhoc-${adhocSeen} is not in the record's adhocFaults, or was injected already (they do not match its actions)`]);
        continue;
      }
      const refused = this.applyWorld(a.action, a.by, true);
      if (refused !== null) throw new InputError([`actions[${i}]: the ${a.action.type} action at ${a.atUs} µs is refused on replay: ${refused.split('\n')[0]}`]);
    }
    if (untilUs > this.nowUs) this.sim.runUntil(untilUs);
  }

  /** Replays a finished drill's record from the start: its actions at their instants, to its end. */
  static replay(setup: DrillSetup, record: { actions: readonly RecordedAction[]; adhoc: readonly FaultInput[]; endedUs: number; endReason: DrillSession['endReason'] }): DrillSession {
    const s = new DrillSession(setup, record.adhoc);
    s.replayActions(record.actions, record.endedUs);
    s.actions.push(...record.actions);
    s.endedUs = record.endedUs;
    s.endReason = record.endReason;
    return s;
  }

  /** The run result of the drill (after it ended): the same document as `rehearse run` writes. */
  result(): RunResult {
    if (this.finalResult) return this.finalResult;
    if (!this.ended) this.end('by-hand');
    const sim = this.sim.end();
    // Counterfactual attribution would need twin runs with the people's actions; drills use direct attribution.
    this.finalResult = buildResult(this.scenario, this.setup.seed, sim, this.controller, null);
    return this.finalResult;
  }
}
