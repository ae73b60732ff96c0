/**
 * Governance checks over a scenario's flags and plans (`rehearse lint`): ownership, rollback plans, dependency
 * cycles, ramp ordering, unlocked concurrent ramps, conflicting flags on together, and stale flags. Each
 * finding has an id, the file, line and column, and a one-line fix.
 */
import { readInput } from '../files/read.js';
import { FlagRuntime } from '../flags/runtime.js';
import { parseFlagText } from '../interop/document.js';
import { findCycles } from '../scenario/graph.js';
import type { PathSegment } from '../scenario/problems.js';
import { flagEntries, type ScenarioInput } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { quoted } from '../units/escape.js';

export interface Finding {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly fix: string;
}

export const RULES = {
  'flag-owner': 'a flag without an owner',
  'flag-kind': 'a flag without a kind',
  'release-rollback': 'a release flag without a rollback plan',
  'flag-cycle': 'prerequisite or needs cycle across flags',
  'ramp-order': 'a plan ramps a consumer before the provider it needs',
  'concurrent-ramps': 'two plans can ramp on the same service at once with locks off',
  'conflicting-flags': 'flags declared conflicts-with that a plan turns on together for some user',
  'flag-expired': 'a flag past its expires date',
} as const;
export type RuleId = keyof typeof RULES;

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.id}: ${f.message} (fix: ${f.fix})`;
}

export interface LintOptions {
  /** Today's date, YYYY-MM-DD (default: the system date in UTC). */
  readonly today?: string;
}

/** Lints a scenario already loaded from `file` (its text is read again for positions, once there is a finding). */
export function lintScenario(file: string, scenario: Scenario, input: ScenarioInput, opts: LintOptions = {}): Finding[] {
  let doc: ReturnType<typeof parseFlagText> | null = null;
  const findings: Finding[] = [];
  const add = (id: RuleId, path: readonly PathSegment[], message: string, fix: string) => {
    doc ??= parseFlagText(readInput(file, 'scenario'), file);
    const pos = doc.position(path) ?? { line: 1, column: 1 };
    findings.push({ id, file, line: pos.line, column: pos.column, message, fix });
  };
  const entries = new Map(flagEntries(input.flags));
  const planOf = new Map(scenario.rollouts.map((p, i) => [p.flag, i]));

  for (const flag of scenario.flags) {
    const raw = entries.get(flag.key);
    const base = ['flags', flag.key];
    if (!raw?.owner) add('flag-owner', base, `flag ${quoted(flag.key)} has no owner`, `add owner: <team> to flags.${flag.key}`);
    if (!raw?.kind) add('flag-kind', base, `flag ${quoted(flag.key)} has no kind`, `add kind: release, experiment or ops to flags.${flag.key}`);
    if (flag.kind === 'release' && !flag.rollback) {
      const i = planOf.get(flag.key);
      const plan = i === undefined ? null : scenario.rollouts[i];
      if (!plan || plan.onBreach !== 'rollback') {
        add('release-rollback', base, `release flag ${quoted(flag.key)} has no rollback plan${plan ? ` (its rollout pauses on a breach)` : ' (no rollout plan rolls it back)'}`,
          `give it a rollout plan with on-breach: rollback, or write rollback: <how> under flags.${flag.key}`);
      }
    }
    if (flag.expires !== null && flag.expires < (opts.today ?? new Date().toISOString().slice(0, 10))) {
      add('flag-expired', [...base, 'expires'], `flag ${quoted(flag.key)} expired on ${flag.expires}: stale flags are debt`,
        `remove the flag and its code paths, or move expires to a new date`);
    }
  }

  // Cycles over requires, needs and the prerequisites flag files declare.
  const edges = new Map(scenario.flags.map((f) => [f.key, [...new Set([...f.requires, ...f.needs, ...(f.source?.prerequisites ?? [])])]]));
  // One cycle per back edge of a depth-first walk: linear however densely the flags depend on each other.
  const cycles = findCycles(edges.keys(), (k) => (edges.get(k) ?? []).filter((r) => edges.has(r)), (r) => r);
  const reported = new Set<string>();
  for (const { nodes: cycle } of cycles) {
    const start = cycle[0];
    const id = [...cycle.slice(0, -1)].sort().join(',');
    if (reported.has(id)) continue;
    reported.add(id);
    const field = entries.get(start)?.needs?.includes(cycle[1]) ? 'needs' : 'requires';
    add('flag-cycle', ['flags', start, field], `flags depend on each other in a cycle: ${cycle.join(' -> ')}`,
      `remove one of the dependencies of ${cycle.slice(0, -1).join(', ')}`);
  }

  // Ordering: a consumer's plan starts only after its provider's plan (through after).
  const afterChain = (flag: string): string[] => {
    const chain: string[] = [];
    let next = scenario.rollouts[planOf.get(flag) ?? -1]?.after ?? null;
    while (next !== null && !chain.includes(next)) {
      chain.push(next);
      next = scenario.rollouts[planOf.get(next) ?? -1]?.after ?? null;
    }
    return chain;
  };
  scenario.rollouts.forEach((plan, i) => {
    const flag = scenario.flags.find((f) => f.key === plan.flag)!;
    for (const provider of flag.needs) {
      const p = scenario.flags.find((f) => f.key === provider);
      const providerPlanned = planOf.has(provider);
      if (!providerPlanned && p?.source) continue; // served as its file says from the start
      if (!providerPlanned) {
        add('ramp-order', ['rollout', i, 'flag'], `${quoted(plan.flag)} needs ${quoted(provider)}, which no plan turns on`, `add a rollout plan for ${provider} and start this one after it`);
      } else if (!afterChain(plan.flag).includes(provider)) {
        add('ramp-order', ['rollout', i], `the plan ramps ${quoted(plan.flag)} without waiting for ${quoted(provider)}, which it needs`, `add after: ${provider} to this plan`);
      }
    }
  });

  // Concurrent ramps on a shared service with a lock off.
  scenario.rollouts.forEach((a, i) => scenario.rollouts.forEach((b, j) => {
    if (j <= i || (a.lock && b.lock)) return;
    if (afterChain(a.flag).includes(b.flag) || afterChain(b.flag).includes(a.flag)) return;
    const fa = scenario.flags.find((f) => f.key === a.flag)!, fb = scenario.flags.find((f) => f.key === b.flag)!;
    const shared = fa.evaluatedBy.filter((s) => fb.evaluatedBy.includes(s));
    if (shared.length === 0) return;
    const at = !b.lock ? j : i;
    add('concurrent-ramps', ['rollout', at, 'lock'], `plans of ${quoted(a.flag)} and ${quoted(b.flag)} can ramp on ${shared.join(', ')} at once with locks off`,
      `set lock: true on both, or add after: ${a.flag} to the plan of ${b.flag}`);
  }));

  // Conflicting flags both on for some user, with each plan at its last stage.
  const pairs = scenario.flags.flatMap((f) => f.conflictsWith.map((o) => [f.key, o] as const)).filter(([a, b], k, all) => all.findIndex(([x, y]) => (x === b && y === a) || (x === a && y === b)) === k);
  if (pairs.length && scenario.population) {
    const rt = new FlagRuntime(scenario, scenario.population, ['lint']);
    scenario.rollouts.forEach((plan) => {
      const last = plan.stages[plan.stages.length - 1];
      const f = rt.flagIndex(plan.flag);
      rt.apply(0, f, rt.publish(f, { enabled: last.percent > 0, percent: last.percent, audience: last.audience }));
    });
    for (const [a, b] of pairs) {
      const fa = rt.flagIndex(a), fb = rt.flagIndex(b);
      let both = 0;
      for (let u = 0; u < rt.users; u++) if (rt.isOn(0, fa, u) && rt.isOn(0, fb, u)) both++;
      if (both > 0) {
        add('conflicting-flags', ['flags', a, 'conflicts-with'], `${quoted(a)} and ${quoted(b)} conflict, yet ${both} of ${rt.users} users get both at the plans' last stages`,
          `give the flags disjoint audiences (a stage audience or targeting)`);
      }
    }
  }
  const ignored = input.lint?.ignore ?? {};
  return findings.filter((f) => !(f.id in ignored)).sort((x, y) => x.line - y.line || x.column - y.column || x.id.localeCompare(y.id));
}
