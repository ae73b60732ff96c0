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
  const grow = (rec: number): void => {
    const more = new Uint8Array(Math.max(rec + 1, followed.length * 2));
    more.set(followed);
    followed = more;
  };
  // What the recorder is told of a followed record; the hooks below only ask whether the record is followed, so
  // that they stay small where the simulation calls them.
  const spawned = (rec: number, prev: number) => tracer.spawned(rec, prev, sim.rAttempt[rec]);
  const waiting = (rec: number, site: number) => tracer.waiting(rec, site, engine.now);
  const sent = (rec: number, site: number) => tracer.sent(rec, site, sim.rAttempt[rec], engine.now);
  const serverStarted = (rec: number, e: number, s: number) => tracer.serverStarted(rec, e, s, engine.now, sim.rFlagsOn[rec]);
  const serverEnded = (rec: number, cause: number) => tracer.serverEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], engine.now);
  const clientEnded = (rec: number, cause: number) => tracer.clientEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], sim.rSlow[rec], engine.now);
  const journeyEnded = (rec: number, cause: number, latencyUs: number) => {
    tracer.journeyEnded(rec, cause, sim.rTruth[rec], sim.rTruthRef[rec], sim.rSlow[rec], latencyUs > sloUs, engine.now);
  };
  sim.observe({
    journeyStarted: (rec, n, j) => {
      if (rec >= followed.length) grow(rec);
      followed[rec] = tracer.journeyStarted(rec, n, j, engine.now) >= 0 ? 1 : 0;
    },
    spawned: (rec, from, prev) => {
      if (rec >= followed.length) grow(rec);
      if ((followed[rec] = followed[from]) === 1) spawned(rec, prev);
    },
    waiting: (rec, site) => {
      if (followed[rec] === 1) waiting(rec, site);
    },
    sent: (rec, site) => {
      if (followed[rec] === 1) sent(rec, site);
    },
    serverStarted: (rec, e, s) => {
      if (followed[rec] === 1) serverStarted(rec, e, s);
    },
    serverEnded: (rec, cause) => {
      if (followed[rec] === 1) serverEnded(rec, cause);
    },
    attemptEnded: (rec, cause) => {
      if (followed[rec] === 1) clientEnded(rec, cause);
    },
    journeyEnded: (rec, cause, latencyUs) => {
      if (followed[rec] === 1) journeyEnded(rec, cause, latencyUs);
    },
    ended: (endUs) => tracer.finish(endUs),
  });
}
