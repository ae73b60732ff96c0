/**
 * A trace recorder attached to a simulation through its hook points: the recorder is told about the records of
 * the journeys it follows (chosen at each journey's start, and inherited by every call the journey makes), and
 * nothing else. A run without a tracer installs none of this.
 */
import type { Simulation } from '../model/simulation.js';
import type { TraceRecorder } from './tracing.js';

/** Records the simulation's sampled journeys as traces (before run()). */
export function attachTracer(sim: Simulation, tracer: TraceRecorder): void {
  tracer.bind(sim.model, sim.flags, sim.scenario, sim.rng.seed);
  const engine = sim.engine;
  const sloUs = sim.scenario.slo.latencyUs;
  // Per record: 1 while it belongs to a journey the recorder follows.
  let followed = new Uint8Array(1024);
  const room = (rec: number): void => {
    if (rec < followed.length) return;
    const more = new Uint8Array(Math.max(rec + 1, followed.length * 2));
    more.set(followed);
    followed = more;
  };
  sim.observe({
    journeyStarted: (rec, n, j) => {
      room(rec);
      followed[rec] = tracer.journeyStarted(rec, n, j, engine.now) >= 0 ? 1 : 0;
    },
    spawned: (rec, from, prev) => {
      room(rec);
      const on = (followed[rec] = followed[from]);
      if (on === 1) tracer.spawned(rec, prev, sim.rAttempt[rec]);
    },
    waiting: (rec, site) => {
      if (followed[rec] === 1) tracer.waiting(rec, site, engine.now);
    },
    sent: (rec, site) => {
      if (followed[rec] === 1) tracer.sent(rec, site, sim.rAttempt[rec], engine.now);
    },
    serverStarted: (rec, e, s) => {
      if (followed[rec] === 1) tracer.serverStarted(rec, e, s, engine.now, sim.rFlagsOn[rec]);
    },
    serverEnded: (rec, cause) => {
      if (followed[rec] === 1) tracer.serverEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], engine.now);
    },
    attemptEnded: (rec, cause) => {
      if (followed[rec] === 1) tracer.clientEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], sim.rSlow[rec], engine.now);
    },
    journeyEnded: (rec, cause, latencyUs) => {
      if (followed[rec] === 1) tracer.journeyEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], sim.rSlow[rec], latencyUs > sloUs, engine.now);
    },
    ended: (endUs) => tracer.finish(endUs),
  });
}
