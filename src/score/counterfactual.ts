/**
 * Counterfactual harm: for each flag, the same run again (same seed, same users, same arrivals, and each journey
 * drawing from its own random stream, so the same numbers for every journey the flag does not touch) with that
 * flag made inert: no effects, no contract. A journey the flag made worse went badly in the real run and well in
 * its twin; one it made better, the other way round (chance within a journey whose draws the flag shifted, or a
 * flag that really helps). Harm is the first net of the second. Exact where direct attribution cannot be: harm
 * that emerges from load a flag puts on a shared dependency. Once no user has the flag and the system has
 * drained, the twins are in step again and no more harm is charged.
 */
import { Simulation } from '../model/simulation.js';
import type { GroundTruth } from '../model/truth.js';
import { RolloutController } from '../rollout/controller.js';
import type { Scenario } from '../scenario/types.js';

export interface FlagHarm {
  /** Journeys made worse, net of those made better: worse - better, and never below zero. */
  requests: number;
  /** Users with more journeys made worse than made better. */
  users: number;
  /** Journeys that went badly with the flag and well in its twin, and the other way round. */
  worse: number;
  better: number;
  /** The first and last journey made worse. */
  onsetUs: number;
  lastUs: number;
  /** Journeys made worse per window. */
  byWindow: number[];
}

/** The scenario with one flag made harmless: still rolled out, evaluated and audited, but changing nothing. */
export function inertFlag(s: Scenario, key: string): Scenario {
  return {
    ...s,
    flags: s.flags.map((f) => f.key === key
      ? { ...f, effects: [], contract: 'none' as const, needs: [] }
      : { ...f, needs: f.needs.filter((n) => n !== key) }),
  };
}

export function counterfactualHarm(scenario: Scenario, seed: number, real: GroundTruth): Record<string, FlagHarm> {
  const log = real.log!;
  const out: Record<string, FlagHarm> = {};
  for (const flag of scenario.flags) {
    const twinScenario = inertFlag(scenario, flag.key);
    const twin = new Simulation(twinScenario, seed);
    if (twinScenario.rollouts.length) twin.attach(new RolloutController(twinScenario));
    twin.truth.keepLog();
    twin.run();
    const other = twin.truth.log!;
    // Per user: journeys made worse minus journeys made better.
    const users = new Map<number, number>();
    const harm: FlagHarm = { requests: 0, users: 0, worse: 0, better: 0, onsetUs: -1, lastUs: -1, byWindow: [] };
    const n = Math.min(log.outcome.length, other.outcome.length);
    for (let i = 0; i < n; i++) {
      if (log.outcome[i] === 1 && other.outcome[i] === 2) {
        harm.better++;
        users.set(log.user[i], (users.get(log.user[i]) ?? 0) - 1);
        continue;
      }
      if (log.outcome[i] !== 2 || other.outcome[i] !== 1) continue;
      harm.worse++;
      users.set(log.user[i], (users.get(log.user[i]) ?? 0) + 1);
      const t = log.endUs[i];
      if (harm.onsetUs < 0 || t < harm.onsetUs) harm.onsetUs = t;
      if (t > harm.lastUs) harm.lastUs = t;
      const w = Math.floor(t / scenario.windowUs);
      while (harm.byWindow.length <= w) harm.byWindow.push(0);
      harm.byWindow[w]++;
    }
    users.delete(-1);
    harm.requests = Math.max(0, harm.worse - harm.better);
    for (const net of users.values()) if (net > 0) harm.users++;
    out[flag.key] = harm;
  }
  return out;
}
