/**
 * A trace recorder attached to a simulation through its hook points: the recorder is told about the records of
 * the journeys it follows (chosen at each journey's start, and inherited by every call the journey makes), and
 * nothing else. A run without a tracer installs none of this.
 */
import type { Simulation, SimulationHooks } from '../model/simulation.js';
import type { TraceRecorder } from './tracing.js';

/** Records the simulation's sampled journeys as traces (before run()). */
export function attachTracer(sim: Simulation, tracer: TraceRecorder): void {
  tracer.bind(sim.model, sim.flags, sim.scenario, sim.rng.seed);
  sim.observe(new TraceHooks(sim, tracer));
}

/**
 * Each hook asks whether the record is followed; only then is the recorder told. A trace needs every call's record:
 * without attemptEndedInline, a traced run keeps one for each (observers.ts).
 */
class TraceHooks implements Omit<SimulationHooks, 'window' | 'attemptEndedInline'> {
  /** Per record: 1 while it belongs to a journey the recorder follows. */
  private followed = new Uint8Array(1024);
  private readonly sloUs: number;

  constructor(private readonly sim: Simulation, private readonly tracer: TraceRecorder) {
    this.sloUs = sim.scenario.slo.latencyUs;
  }

  private grow(rec: number): void {
    const more = new Uint8Array(Math.max(rec + 1, this.followed.length * 2));
    more.set(this.followed);
    this.followed = more;
  }

  journeyStarted(rec: number, n: number, j: number): void {
    if (rec >= this.followed.length) this.grow(rec);
    this.followed[rec] = this.tracer.journeyStarted(rec, n, j, this.sim.engine.now) >= 0 ? 1 : 0;
  }

  spawned(rec: number, from: number, prev: number): void {
    if (rec >= this.followed.length) this.grow(rec);
    const on = (this.followed[rec] = this.followed[from]);
    if (on === 1) this.tracer.spawned(rec, prev, this.sim.rAttempt[rec]);
  }

  waiting(rec: number, site: number): void {
    if (this.followed[rec] === 1) this.tracer.waiting(rec, site, this.sim.engine.now);
  }

  sent(rec: number, site: number): void {
    if (this.followed[rec] === 1) this.tracer.sent(rec, site, this.sim.rAttempt[rec], this.sim.engine.now);
  }

  serverStarted(rec: number, e: number, s: number): void {
    if (this.followed[rec] === 1) this.tracer.serverStarted(rec, e, s, this.sim.engine.now, this.sim.rFlagsOn[rec]);
  }

  serverEnded(rec: number, cause: number): void {
    const sim = this.sim;
    if (this.followed[rec] === 1) this.tracer.serverEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], sim.engine.now);
  }

  attemptEnded(rec: number, cause: number): void {
    const sim = this.sim;
    if (this.followed[rec] === 1) this.tracer.clientEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], sim.rSlow[rec], sim.engine.now);
  }

  journeyEnded(rec: number, cause: number, latencyUs: number): void {
    const sim = this.sim;
    if (this.followed[rec] === 1) {
      this.tracer.journeyEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], sim.rSlow[rec], latencyUs > this.sloUs, sim.engine.now);
    }
  }

  ended(endUs: number): void {
    this.tracer.finish(endUs);
  }
}
