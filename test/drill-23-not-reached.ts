/**
 * A stored debrief (test/fixtures/drill-0.10.0, drill-0.13.0) as this version writes it. Both drills ended before the
 * scenario's scheduled fault (`latency web -> pay` at 20m, hidden): the team's run listed it, never on, and the
 * policy's run left it out. Now the policy's run lists it too, first as in the team's, never on: in its outcomes'
 * faults and its topology's. Nothing else of the debrief changes (its events, windows and figures are those of a run
 * in which the fault never switched on, as before).
 */
type Faults = { outcomes: { faults: { name: string; from_seconds: number | null }[] }; topology: { faults: { name: string }[] } };

export function withPolicyListingNotReached<T extends object>(stored: T): T {
  const d = stored as unknown as { team: Faults; policy: Faults };
  const [listed] = d.team.outcomes.faults;
  if (listed.name !== 'latency web -> pay' || listed.from_seconds !== null || d.policy.outcomes.faults.some((f) => f.name === listed.name)) {
    throw new Error('not a debrief whose policy run left out a scheduled fault the drill ended before reaching');
  }
  const p = d.policy;
  return {
    ...stored,
    policy: {
      ...p,
      outcomes: { ...p.outcomes, faults: [listed, ...p.outcomes.faults] },
      topology: { ...p.topology, faults: [d.team.topology.faults[0], ...p.topology.faults] },
    },
  };
}

type Effects = { slowed?: unknown };
type WithEffects = {
  team: { outcomes: { faults: Effects[] } }; policy: { outcomes: { faults: Effects[] } };
  faults: Record<string, unknown>[]; revealed: { hiddenFaults: Effects[] };
};

/**
 * A stored debrief with what each fault did as this version adds it, taken from the debrief rebuilt now (`rebuilt`):
 * the journeys each fault slowed that succeeded (`slowed` in both runs' outcomes and the hidden faults revealed) and,
 * in the faults both runs faced, the journeys each hurt and slowed in each. Everything else must be as stored.
 */
export function withFaultEffects<T extends object>(stored: T, rebuilt: object): T {
  const d = stored as unknown as WithEffects;
  const r = rebuilt as unknown as WithEffects;
  const slowed = (from: Effects[], to: Effects[]) => to.map((f, k) => (from[k]?.slowed === undefined ? f : { ...f, slowed: from[k].slowed }));
  const run = (side: 'team' | 'policy') => ({ ...d[side], outcomes: { ...d[side].outcomes, faults: slowed(r[side].outcomes.faults, d[side].outcomes.faults) } });
  const keys = ['team_journeys_hurt', 'policy_journeys_hurt', 'team_slowed', 'policy_slowed'];
  return {
    ...stored,
    team: run('team'),
    policy: run('policy'),
    faults: d.faults.map((f, k) => ({ ...f, ...Object.fromEntries(keys.filter((x) => r.faults[k]?.[x] !== undefined).map((x) => [x, r.faults[k][x]])) })),
    revealed: { ...d.revealed, hiddenFaults: slowed(r.revealed.hiddenFaults, d.revealed.hiddenFaults) },
  };
}
