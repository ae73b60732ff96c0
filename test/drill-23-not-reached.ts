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
