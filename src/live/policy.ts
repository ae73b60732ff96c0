/**
 * The automated policy alone, under the drill's conditions: the same scenario, case and seed, over the same
 * simulated time, facing every fault the team faced at the same simulated instants (scheduled ones, catalogue
 * faults people injected, ad-hoc and hidden ones alike) and no fault the team did not face. A fault timed
 * relative to a rollout event fires when the team's rollout reached that event; in the policy's run it fires
 * at that same instant, since the comparison holds the faults equal and varies only who decides. A fault a person
 * removed lasts in the policy's run to the instant it was removed; one removed before it switched on is in neither.
 */
import { Simulation } from '../model/simulation.js';
import { RolloutController } from '../rollout/controller.js';
import type { FaultSpec, Scenario } from '../scenario/types.js';
import { buildResult, type RunResult } from '../score/result.js';

/**
 * A fault as the team faced it: when it switched on (null: it never did), where it came from, and when a person
 * removed it (null: nobody did; it ran its course).
 */
export interface FacedFault {
  spec: FaultSpec;
  onUs: number | null;
  source: 'scheduled' | 'catalogue' | 'ad-hoc';
  removedUs: number | null;
  /** When a scheduled fault was due, when that was at or after the drill's horizon (it never switched on); else null. */
  dueUs: number | null;
}

/** The faults of a drill's run with the instant each switched on, and the instant each removed by hand was. */
export function facedFaults(specs: readonly FaultSpec[], onAt: Float64Array, scenarioFaults: number, removedAtUs: ReadonlyMap<number, number> = new Map(), dueAt?: Float64Array): FacedFault[] {
  return specs.map((spec, k) => ({
    spec,
    onUs: onAt[k] >= 0 ? onAt[k] : null,
    source: k >= scenarioFaults ? 'ad-hoc' : spec.start.kind === 'manual' ? 'catalogue' : 'scheduled',
    removedUs: removedAtUs.get(k) ?? null,
    dueUs: dueAt !== undefined && dueAt[k] >= 0 ? dueAt[k] : null,
  }));
}

/** How long a fault lasts in the policy's run: as the team faced it, cut where a person removed it. */
const span = (f: FacedFault) => (f.onUs === null || f.removedUs === null ? f.spec.durationUs : Math.min(f.spec.durationUs, f.removedUs - f.onUs));

/**
 * When a fault starts in the policy's run: at the instant it started for the team. One the team's run never switched on
 * stays as it was for the team: a catalogue or ad-hoc fault is left out of the run's results as one nobody injected
 * (manual); a scheduled fault the drill ended before reaching is timed at the scenario's horizon, where no fault
 * switches on (the model's rule for a fault due at or after the run's end), so that both runs list it, as never on.
 */
const startOf = (f: FacedFault, horizonUs: number): FaultSpec['start'] => (f.onUs !== null ? { kind: 'time', atUs: f.onUs }
  : f.source === 'scheduled' ? { kind: 'time', atUs: f.dueUs ?? horizonUs } : { kind: 'manual' });

/** The scenario the policy runs: the team's faults, each starting at the instant it started for the team. */
export function policyScenario(scenario: Scenario, faults: readonly FacedFault[], endUs: number): Scenario {
  const durationUs = Math.min(scenario.durationUs, endUs);
  return { ...scenario, durationUs, faults: faults.map((f) => ({ ...f.spec, durationUs: span(f), start: startOf(f, scenario.durationUs) })) };
}

/**
 * The policy's simulation: cut where the drill ended, with the faults of the team's, whose horizon is the scenario's.
 * A fault due at the very instant a person ended the drill switched on then in the team's run (the drill could not
 * know it would end there), and does in the policy's; only at the horizon does none. (A plain `rehearse run` cut at
 * that instant, as the drill's end, does not switch it on: its end is its horizon.)
 */
class PolicySimulation extends Simulation {
  constructor(scenario: Scenario, seed: number, private readonly teamHorizonUs: number, private readonly dues: readonly boolean[]) {
    super(scenario, seed);
  }

  protected override get faultsEndUs(): number {
    return this.teamHorizonUs;
  }

  /**
   * A fault due at or after the horizon in the team's run (its rollout event came, its offset put it there) is due
   * then here too, and says so (due_seconds), as in the team's. A stand-in for a scheduled fault the drill ended
   * before reaching is due at the horizon here (every other fault starts at the instant it started for the team):
   * it lists as never on, as in the team's run, without a due.
   */
  protected override dueAfterEnd(k: number, atUs: number): void {
    if (this.dues[k]) super.dueAfterEnd(k, atUs);
  }
}

/**
 * Runs the policy alone (gates on, no people) to the drill's end; `progress` hears the share done now and then.
 * The run is stepped in slices only to report progress: slices are invisible to the engine.
 */
export function policyRun(scenario: Scenario, seed: number, faults: readonly FacedFault[], endUs: number, progress?: (share: number) => void): RunResult {
  const s = policyScenario(scenario, faults, endUs);
  const sim = new PolicySimulation(s, seed, scenario.durationUs, faults.map((f) => f.dueUs !== null));
  const controller = s.rollouts.length > 0 ? new RolloutController(s, 'on') : null;
  if (controller) sim.attach(controller);
  sim.begin();
  const slice = Math.max(1, Math.ceil(s.durationUs / 50));
  for (let t = slice; t < s.durationUs; t += slice) {
    sim.runUntil(t);
    progress?.(t / s.durationUs);
  }
  sim.runUntil(s.durationUs);
  return buildResult(s, seed, sim.end(), controller, null);
}
