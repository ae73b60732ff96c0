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

type Effects = { slowed?: unknown; journeys_failed?: unknown };
type Audit = { gate?: { flagOff?: unknown } }[];
type WithEffects = {
  team: { outcomes: { faults: Effects[] }; audit: Audit }; policy: { outcomes: { faults: Effects[] }; audit: Audit };
  faults: Record<string, unknown>[]; revealed: { hiddenFaults: Effects[] };
};

/**
 * A stored debrief with the figures this version adds, taken from the debrief rebuilt now (`rebuilt`): what each fault
 * did (the journeys it slowed that succeeded: `slowed` in both runs' outcomes, and those it failed, `journeys_failed` and the hidden faults revealed; in the
 * faults both runs faced, the journeys each hurt and slowed in each), and a failed gate reading's flag-off side where
 * flag off failed it too (`flagOff` in both runs' audit trails). Everything else must be as stored.
 */
export function withFaultEffects<T extends object>(stored: T, rebuilt: object): T {
  const d = stored as unknown as WithEffects;
  const r = rebuilt as unknown as WithEffects;
  const slowed = (from: Effects[], to: Effects[]) => to.map((f, k) => (from[k]?.slowed === undefined ? f : { ...f, slowed: from[k].slowed }));
  // A run's outcomes also say how many journeys each fault failed (added after 0.22.0).
  const failed = (from: Effects[], to: Effects[]) => to.map((f, k) => (from[k]?.journeys_failed === undefined ? f : { ...f, journeys_failed: from[k].journeys_failed }));
  const audit = (from: Audit, to: Audit) => to.map((a, k) => (a.gate && from[k]?.gate?.flagOff !== undefined ? { ...a, gate: { ...a.gate, flagOff: from[k].gate!.flagOff } } : a));
  const run = (side: 'team' | 'policy') => ({
    ...d[side], outcomes: { ...d[side].outcomes, faults: failed(r[side].outcomes.faults, slowed(r[side].outcomes.faults, d[side].outcomes.faults)) }, audit: audit(r[side].audit, d[side].audit),
  });
  const keys = ['team_journeys_hurt', 'policy_journeys_hurt', 'team_slowed', 'policy_slowed', 'team_journeys_failed', 'policy_journeys_failed'];
  return {
    ...stored,
    team: run('team'),
    policy: run('policy'),
    faults: d.faults.map((f, k) => ({ ...f, ...Object.fromEntries(keys.filter((x) => r.faults[k]?.[x] !== undefined).map((x) => [x, r.faults[k][x]])) })),
    revealed: { ...d.revealed, hiddenFaults: failed(r.revealed.hiddenFaults, slowed(r.revealed.hiddenFaults, d.revealed.hiddenFaults)) },
  };
}
