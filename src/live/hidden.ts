/**
 * The hidden case of a drill: drawn from a random secret (never from the seed, which every page shows), kept
 * out of everything people receive until the end, and committed to in the journal by its hash so that the
 * debrief can prove the case was not changed after the fact. The secret itself is revealed at the end.
 *
 * Nothing structural may give the case away either: the dashboard shows services, journeys, flags and their
 * split series, plans, gates, the catalogue and visible faults. A hidden-case drill is refused when its cases
 * differ in any of these, since the difference alone would name the case.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import { sha256 } from './session.js';
import { quoted } from '../units/escape.js';

export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

export function commitment(secret: string): string {
  return sha256(`rehearse:hidden-case:${secret}`);
}

/** The case a secret draws from a scenario's cases (uniform over them). */
export function drawCase(cases: readonly string[], secret: string): string | null {
  if (cases.length === 0) return null;
  const mac = createHmac('sha256', Buffer.from(secret, 'hex')).update('rehearse:hidden-case').digest();
  // 48 bits: the bias of the modulo is below 2^-40 for any number of cases a scenario has.
  return cases[mac.readUIntBE(0, 6) % cases.length];
}

const faultTarget = (f: Scenario['faults'][number]) => `${f.from ? `${f.from} -> ` : ''}${f.to}${f.endpoint ? `.${f.endpoint}` : ''}`;

/** What a dashboard shows of a scenario's shape, part by part. */
export function visibleStructure(s: Scenario): Record<string, string> {
  return {
    'services': JSON.stringify(s.services.map((x) => [x.name, x.endpoints.map((e) => e.name)])),
    'journeys': JSON.stringify(s.journeys.map((j) => j.name)),
    // Which services evaluate a flag may differ by case: a hidden-case drill shows every case's (evaluators()).
    'flags': JSON.stringify(s.flags.map((f) => f.key)),
    'rollout plans and their gates': JSON.stringify(s.rollouts.map((p) => [p.flag, p.after, p.stages.map((x) => [x.percent, x.holdUs, x.audience, x.approval !== null]),
      p.gates.map((g) => g.source), p.evaluateEveryUs, p.failureLimit, p.onBreach])),
    'faults-catalogue': JSON.stringify(s.faults.filter((f) => f.start.kind === 'manual' && !f.hidden).map((f) => [f.name, f.kind, faultTarget(f)])),
    'visible scheduled faults': JSON.stringify(s.faults.filter((f) => f.start.kind !== 'manual' && !f.hidden).map((f) => [f.name, f.start, f.durationUs])),
    'window, horizon and SLO': JSON.stringify([s.windowUs, s.durationUs, s.slo]),
  };
}

/**
 * What the dashboard of a hidden-case drill shows of the services that evaluate each flag, so that it is the same
 * whatever the case: the split series (flag on and off) of every service that evaluates the flag in any case (a
 * service that does not evaluate it in the drill's case passes on the state its callers evaluated, which is what
 * it splits by), and propagation to the services that evaluate it in every case (the others' propagation is in
 * the debrief). A case whose defect is in one more service (dependency-degrades: payments) thus runs hidden with
 * the very simulation it runs shown.
 */
export interface Evaluators {
  split(flag: string, service: string): boolean;
  propagation(flag: string, service: string): boolean;
}

export function evaluators(byCase: Iterable<Scenario>): Evaluators {
  const any = new Map<string, Set<string>>();
  const every = new Map<string, Set<string>>();
  for (const s of byCase) {
    for (const f of s.flags) {
      const mine = new Set(f.evaluatedBy);
      any.set(f.key, new Set([...(any.get(f.key) ?? []), ...mine]));
      const was = every.get(f.key);
      every.set(f.key, was ? new Set([...was].filter((x) => mine.has(x))) : mine);
    }
  }
  return {
    split: (flag, service) => any.get(flag)?.has(service) ?? false,
    propagation: (flag, service) => every.get(flag)?.has(service) ?? false,
  };
}

/** What a drill shown with its case shows: its own case's evaluators. */
export function ownEvaluators(s: Scenario): Evaluators {
  return evaluators([s]);
}

/**
 * Whether the facilitator's page may describe a hidden catalogue fault of a hidden-case drill (its kind, target,
 * size and span): only when every case describes it alike. Cases may change hidden faults, which the check above
 * leaves to them; shown, such a fault would name the case.
 */
export function hiddenFaultsAlike(byCase: readonly Scenario[]): (name: string) => boolean {
  const described = (s: Scenario, name: string) => JSON.stringify(s.faults.find((f) => f.name === name && f.start.kind === 'manual') ?? null);
  return (name) => byCase.every((s) => described(s, name) === described(byCase[0], name));
}

/** Refuses a hidden-case drill whose cases would tell themselves apart by what the dashboard shows. */
export function checkHiddenCases(file: string, byCase: ReadonlyMap<string, Scenario>): void {
  const [first, ...rest] = [...byCase];
  if (!first) throw new InputError([`${file}: --hidden-case needs cases in the scenario (none found)`]);
  const reference = visibleStructure(first[1]);
  const lines: string[] = [];
  for (const [name, s] of rest) {
    const mine = visibleStructure(s);
    for (const part of Object.keys(reference)) {
      if (mine[part] !== reference[part]) lines.push(`  case ${quoted(name)} changes the ${part} (case ${quoted(first[0])} does not)`);
    }
  }
  if (lines.length) {
    throw new InputError([`${file}: --hidden-case: the cases differ in what the dashboard shows, which would give the case away:`, ...lines,
      'put such differences in every case, or run the drill with --case NAME']);
  }
}
