/**
 * Counterfactual harm: for each flag, the same run again (same seed, same users, same arrivals, the same random
 * numbers for everything the flag does not touch) with that flag made inert: no effects, no contract. A journey
 * the flag hurt is one that went badly in the real run and well in its twin. Exact where direct attribution
 * cannot be: harm that emerges from load a flag puts on a shared dependency.
 */
import { Simulation } from '../model/simulation.js';
import type { GroundTruth } from '../model/truth.js';
import { RolloutController } from '../rollout/controller.js';
import type { Scenario } from '../scenario/types.js';

export interface FlagHarm {
  requests: number;
  users: number;
  onsetUs: number;
  lastUs: number;
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
    const users = new Set<number>();
    const harm: FlagHarm = { requests: 0, users: 0, onsetUs: -1, lastUs: -1, byWindow: [] };
    const n = Math.min(log.outcome.length, other.outcome.length);
    for (let i = 0; i < n; i++) {
      if (log.outcome[i] !== 2 || other.outcome[i] !== 1) continue;
      harm.requests++;
      users.add(log.user[i]);
      const t = log.endUs[i];
      if (harm.onsetUs < 0 || t < harm.onsetUs) harm.onsetUs = t;
      if (t > harm.lastUs) harm.lastUs = t;
      const w = Math.floor(t / scenario.windowUs);
      while (harm.byWindow.length <= w) harm.byWindow.push(0);
      harm.byWindow[w]++;
    }
    users.delete(-1);
    harm.users = users.size;
    out[flag.key] = harm;
  }
  return out;
}
