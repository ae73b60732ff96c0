/**
 * Removing a fault people injected during a drill (a catalogue fault or an ad-hoc one), whether it is on or not
 * switched on yet (injected while the clock stood still). The model switches a fault on and off by events; a
 * removal is one more: a fault that is on switches off now, through the same event its own end would be; one not
 * on yet never switches on. Replayed at the same instant, a removal makes the same events in the same order.
 */
import { didYouMean } from '../errors.js';
import { EV_FAULT } from '../model/records.js';
import { Simulation, type SimulationResult } from '../model/simulation.js';
import type { Scenario } from '../scenario/types.js';
import { clock } from '../units/format.js';
import { quoted } from '../units/escape.js';

/** A drill's simulation: the model's, with faults that can be taken back once injected. */
export class DrillSimulation extends Simulation {
  /** Faults taken back: off at the removal if they were on, else never on. */
  private readonly taken = new Set<number>();
  /** Switches a removal made moot, dispatched since (see end()). */
  private moot = 0;

  /** Takes fault k out of the run now: off now if on, else never on. */
  removeFault(k: number): void {
    this.taken.add(k);
    if (this.faults.active[k] === 1) this.engine.at(this.engine.now, EV_FAULT, k, 0);
  }

  /**
   * A fault taken back keeps the switches it was given when injected (the queue cancels none): its end, due later,
   * finds it off already; a fault withdrawn before it switched on does not switch on, nor off. Those do nothing.
   */
  protected override switchFault(k: number, on: boolean): void {
    if (this.taken.has(k) && (on || this.faults.active[k] === 0)) {
      this.moot++;
      return;
    }
    super.switchFault(k, on);
  }

  /**
   * The run's events leave out the switches a removal made moot: they are no event of the run. The policy's run, in
   * which the fault lasts to the removal (or is not in it), has none, and the same run counts the same events.
   */
  override end(): SimulationResult {
    const r = super.end();
    return { ...r, events: r.events - this.moot };
  }
}

/** An injected fault as the drill knows it: its index in the run, its name, hidden or not, and when it was injected. */
export interface InjectedFault {
  k: number;
  name: string;
  hidden: boolean;
  atUs: number;
}

/** The name of an ad-hoc fault as the drill gives it (`ad-hoc 2`, `hidden ad-hoc 1`). */
const ADHOC_NAME = /^(hidden )?ad-hoc [1-9]\d*$/;

/**
 * What is wrong with the name of a fault to remove, whatever the moment (a bad request, never recorded): a name
 * neither in the catalogue nor an ad-hoc fault's, or a fault of the scenario's own schedule. Hidden names are
 * never listed nor suggested: the answer may be read over a shoulder.
 */
export function removalNameProblem(name: string, scenario: Scenario, injected: readonly InjectedFault[]): string | null {
  const manual = scenario.faults.filter((f) => f.start.kind === 'manual');
  if (manual.some((f) => f.name === name) || ADHOC_NAME.test(name)) return null;
  if (scenario.faults.some((f) => f.name === name && !f.hidden)) {
    return `name: fault ${quoted(name)} is on the scenario's own schedule: only a fault injected during the drill (from the catalogue, or ad-hoc) can be removed`;
  }
  const names = [...new Set([...injected.filter((f) => !f.hidden).map((f) => f.name), ...manual.filter((f) => !f.hidden).map((f) => f.name)])];
  return `name: no fault ${quoted(name)} to remove${didYouMean(name, names)}${names.length ? ` (faults that can be injected or were: ${names.join(', ')})` : ' (inject one first: it can then be removed by the name it gets, e.g. "ad-hoc 1")'}`;
}

/**
 * The injected fault `name` to remove now (its index in the run), or why it cannot be: it has not been injected, has
 * already been removed, or has already ended by itself.
 */
export function findRemovable(name: string, injected: readonly InjectedFault[], removedAtUs: ReadonlyMap<number, number>,
  sim: Simulation): { refused: string } | { k: number } {
  const f = injected.find((x) => x.name === name);
  if (!f) return { refused: `fault ${name} has not been injected` };
  const removed = removedAtUs.get(f.k);
  if (removed !== undefined) return { refused: `fault ${name} has already been removed (at ${clock(removed / 1e6)})` };
  const rt = sim.faults;
  if (rt.onAt[f.k] >= 0 && rt.active[f.k] === 0) return { refused: `fault ${name} has already ended (at ${clock(rt.offAt[f.k] / 1e6)})` };
  return { k: f.k };
}
