/**
 * The debrief of a drill: the drill document (schema "rehearse/drill@2": the record that replays, the team's
 * run result, the automated policy's run under the same faults, the comparison with its rules, and a digest
 * over all of it) built from the record alone: the team's run is replayed from the record, never taken from
 * the live process, so the debrief is the same whether the drill ended, crashed or was resumed.
 */
import { VERSION } from '../version.js';
import type { DrillRecord } from './record.js';
import { documentDigest } from './record.js';
import { facedFaults, policyRun, type FacedFault } from './policy.js';
import { comparison, RULES, type Comparison } from './compare.js';
import { allowedFailures, faultTarget, isHiddenInjection } from './view.js';
import { DrillSession, type DrillScenario } from './session.js';
import type { InjectedFault } from './removal.js';
import type { RunResult } from '../score/result.js';
import type { FaultOutcome } from '../score/outcomes.js';

export interface DrillDocument {
  schema: 'rehearse/drill@2';
  version: string;
  record: DrillRecord;
  /** What people could not see during the drill. */
  revealed: {
    case: string | null;
    secret: string | null;
    hiddenFaults: ({ name: string; kind: string; target: string; from_seconds: number | null; to_seconds: number | null } & Pick<FaultOutcome, 'journeys_hurt' | 'journeys_failed' | 'slowed'>)[];
    hiddenActions: number;
  };
  /** Every fault both runs faced, with the instants it started and ended in each (the same in both). */
  faults: {
    name: string; kind: string; target: string; source: string; hidden: boolean;
    team_from_seconds: number | null; policy_from_seconds: number | null; team_to_seconds: number | null; policy_to_seconds: number | null;
    /** What it did in each run: the journeys it hurt, of them those it failed, and those it slowed that succeeded (see FaultOutcome). */
    team_journeys_hurt: number; policy_journeys_hurt: number; team_slowed?: FaultOutcome['slowed']; policy_slowed?: FaultOutcome['slowed'];
    /** Absent from documents of 0.22.0 and before. */
    team_journeys_failed?: number; policy_journeys_failed?: number;
    /** Who removed the fault by hand, and when (simulated seconds): only on a fault someone removed. */
    removed_by?: string; removed_seconds?: number;
  }[];
  /** Faults injected and then removed before they switched on (neither run faced them): only when there are some. */
  withdrawn?: { name: string; injected_seconds: number; removed_by: string; removed_seconds: number }[];
  rules: string[];
  comparison: Comparison['flags'];
  verdict: Comparison['verdict'];
  budget: { allowed: number; team: { failed: number; consumed: number }; policy: { failed: number; consumed: number } };
  team: RunResult;
  policy: RunResult;
  digest: string;
}

/**
 * Each fault's row of a run's outcomes, by the fault's index: a run's outcomes leave out the catalogue faults
 * nobody switched on (`listed` says which faults the run lists).
 */
function byFault<T extends { name: string }>(rows: readonly T[], faults: readonly FacedFault[], listed: (f: FacedFault) => boolean): (T | undefined)[] {
  let i = 0;
  const out = faults.map((f) => (listed(f) ? rows[i++] : undefined));
  if (i !== rows.length || out.some((r, k) => r !== undefined && r.name !== faults[k].spec.name)) throw new Error('the run\'s faults do not line up with the drill\'s');
  return out;
}

/** Each fault removed by hand (by its index in the run): who removed it and when. */
function removalsOf(record: DrillRecord, injected: readonly InjectedFault[]): Map<number, { by: string; atUs: number }> {
  const out = new Map<number, { by: string; atUs: number }>();
  for (const a of record.actions) {
    if (a.action.type !== 'remove-fault' || a.refused !== null) continue;
    const name = a.action.name;
    const f = injected.find((x) => x.name === name);
    if (f) out.set(f.k, { by: a.by, atUs: a.atUs });
  }
  return out;
}

export type Progress = (share: number, step: string) => void;

/** Replays the record, runs the policy alone, compares: the debrief as data. */
export function buildDocument(record: DrillRecord, read: DrillScenario, caseName: string | null, progress: Progress = () => {}): DrillDocument {
  const setup = { file: read.file, caseName, hiddenCase: record.case.hidden, seed: record.seed, gates: record.gates };
  progress(0, 'replaying the drill');
  const session = DrillSession.fromRecord(setup, read.scenario, record.actions, record.end.atUs, record.end, (x) => progress(x * 0.45, 'replaying the drill'));
  const team = session.result();
  const faults = facedFaults(session.faultSpecs, session.sim.faults.onAt, read.scenario.faults.length, session.removedAtUs, session.sim.faults.dueAt);
  progress(0.45, 'running the policy alone under the same faults');
  const policy = policyRun(read.scenario, record.seed, faults, record.end.atUs, (x) => progress(0.45 + x * 0.45, 'running the policy alone under the same faults'));
  progress(0.9, 'comparing');
  const cmp = comparison(team, policy, record.actions);
  const allowed = allowedFailures(read.scenario);
  const failed = (r: RunResult) => r.outcomes.journeys_failed;
  // By position, not by name: several faults may share one (two latency faults on a service, at other times).
  const listed = (f: FacedFault) => !(f.spec.start.kind === 'manual' && f.onUs === null);
  const teamFaults = byFault(team.outcomes.faults, faults, listed);
  const policyFaults = byFault(policy.outcomes.faults, faults, listed);
  const removals = removalsOf(record, session.injected);
  const removedBy = (k: number) => {
    const r = removals.get(k);
    return r ? { removed_by: r.by, removed_seconds: r.atUs / 1e6 } : {};
  };
  const withdrawn = session.injected.filter((f) => faults[f.k].onUs === null && removals.has(f.k))
    .map((f) => ({ name: f.name, injected_seconds: f.atUs / 1e6, removed_by: removals.get(f.k)!.by, removed_seconds: removals.get(f.k)!.atUs / 1e6 }));
  const doc: Omit<DrillDocument, 'digest'> = {
    schema: 'rehearse/drill@2',
    version: VERSION,
    record,
    revealed: {
      case: caseName,
      secret: record.secret,
      hiddenFaults: faults.flatMap((f, k) => f.spec.hidden && f.onUs !== null ? [k] : []).map((k) => {
        const f = faults[k];
        const o = teamFaults[k];
        return {
          name: f.spec.name, kind: f.spec.kind, target: faultTarget(f.spec),
          from_seconds: o?.from_seconds ?? null, to_seconds: o?.to_seconds ?? null, journeys_hurt: o?.journeys_hurt ?? 0, journeys_failed: o?.journeys_failed ?? 0,
          ...(o?.slowed ? { slowed: o.slowed } : {}),
        };
      }),
      hiddenActions: record.actions.filter((a) => isHiddenInjection(session, a)).length,
    },
    faults: faults.flatMap((f, k) => f.onUs === null ? [] : [{
      name: f.spec.name, kind: f.spec.kind, target: faultTarget(f.spec), source: f.source, hidden: f.spec.hidden,
      team_from_seconds: teamFaults[k]?.from_seconds ?? null,
      policy_from_seconds: policyFaults[k]?.from_seconds ?? null,
      team_to_seconds: teamFaults[k]?.to_seconds ?? null,
      policy_to_seconds: policyFaults[k]?.to_seconds ?? null,
      team_journeys_hurt: teamFaults[k]?.journeys_hurt ?? 0,
      policy_journeys_hurt: policyFaults[k]?.journeys_hurt ?? 0,
      team_journeys_failed: teamFaults[k]?.journeys_failed ?? 0,
      policy_journeys_failed: policyFaults[k]?.journeys_failed ?? 0,
      ...(teamFaults[k]?.slowed ? { team_slowed: teamFaults[k]!.slowed } : {}),
      ...(policyFaults[k]?.slowed ? { policy_slowed: policyFaults[k]!.slowed } : {}),
      ...removedBy(k),
    }]),
    ...(withdrawn.length ? { withdrawn } : {}),
    rules: RULES,
    comparison: cmp.flags,
    verdict: cmp.verdict,
    budget: {
      allowed: Math.round(allowed * 10) / 10,
      team: { failed: failed(team), consumed: Math.round((failed(team) / allowed) * 1e6) / 1e6 },
      policy: { failed: failed(policy), consumed: Math.round((failed(policy) / allowed) * 1e6) / 1e6 },
    },
    team,
    policy,
  };
  progress(1, 'done');
  return { ...doc, digest: documentDigest(doc) };
}
