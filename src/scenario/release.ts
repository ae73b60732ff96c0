/**
 * The release part of a scenario: the cohort, the flag registry and the rollout plans. Names are resolved
 * (services, endpoints, journeys, flags), expressions and gates parsed with their positions, defaults applied.
 */
import { parseAttributeValues } from '../cohorts/attributes.js';
import { USER_ATTRIBUTES } from '../cohorts/cohort.js';
import { didYouMean, suggest } from '../errors.js';
import { ANY_ATTRIBUTE, ExpressionError, parseExpression } from '../lang/expression.js';
import { parseDurationExact } from '../units/parse.js';
import { DEFAULTS } from './defaults.js';
import { expressible } from './exposure.js';
import { gateNormalizer } from './gates.js';
import { joinImported } from './imported.js';
import { planAnalyses, planPods } from './analysis.js';
import type { TrafficSplit } from '../metrics/mapping.js';
import { cycleText, findCycles } from './graph.js';
import type { Helpers } from './helpers.js';
import { inText, type PathSegment, type Problem } from './problems.js';
import { flagEntries, type EffectInput, type ScenarioInput } from './schema.js';
import type {
  CohortSpec, Flag, FlagEffect, FlagSource, Gate, PlanAnalyses, PlanChecks, RolloutPlan, Stage,
} from './types.js';
import { withArticle } from '../units/article.js';
import { quoted, quotedList } from '../units/escape.js';

/** `default:` (the value the calling code passes as its default) fits the flag's source. */
function codeDefaultProblems(value: unknown, source: FlagSource | null, base: PathSegment[]): Problem[] {
  if (value === undefined) {
    if (!source?.canFail.length) return [];
    const more = source.canFail.length > 1 ? ` and ${source.canFail.length - 1} more` : '';
    return [{ path: base, message: `the flag can fail to evaluate (${source.canFail[0]}${more}), and then the code's default is served: name it with default:` }];
  }
  const path = [...base, 'default'];
  if (!source) return [{ path, message: 'default is the code default of a flag from a flag file (flags.from): a flag defined here never fails to evaluate' }];
  if (source.system === 'unleash') return [{ path, message: `default is for flagd and LaunchDarkly flags: unleash-client serves every toggle of ${source.file} without one` }];
  const type = Array.isArray(value) || (value !== null && typeof value === 'object') ? 'object' : typeof value;
  if (source.system === 'flagd' && source.valueType !== 'mixed' && type !== source.valueType) {
    return [{ path, message: `default is ${withArticle(type)}, but the flag serves ${source.valueType} values: OpenFeature would answer TYPE_MISMATCH and serve the default to everyone` }];
  }
  return [];
}

/** A flag as the release section gives it: the journeys that meet it follow from the system (normalize.ts). */
export type ReleaseFlag = Omit<Flag, 'journeysInAnyCase'>;

export function normalizeRelease(input: ScenarioInput, h: Helpers, imported: ReadonlyMap<string, FlagSource> = new Map()): { flags: ReleaseFlag[]; rollouts: RolloutPlan[]; cohort: CohortSpec | null } {
  const { problems } = h;
  const serviceNames = h.services.map((s) => s.name);
  const flagKeys = flagEntries(input.flags).map(([k]) => k);
  const from = input.flags?.from;
  const fromFiles = from ? [...[from.flagd ?? []].flat(), from.unleash, ...[from.launchdarkly ?? []].flat()].filter((x): x is string => typeof x === 'string') : [];
  const c0 = input.traffic.cohort;
  // A cohort file may carry attributes of its own: its expressions are checked once it is read (load.ts).
  const known: readonly string[] | null = typeof c0 === 'string' ? null : [...USER_ATTRIBUTES, ...Object.keys(c0?.attributes ?? {})];
  const expression = (src: string, path: PathSegment[]) => {
    try {
      parseExpression(src, known ?? ANY_ATTRIBUTE);
    } catch (e) {
      if (e instanceof ExpressionError) problems.push(inText(path, e));
      else throw e;
    }
  };

  const variantsOf = (v: Record<string, string> | undefined, path: PathSegment[]) => {
    if (!v) return {};
    const out = Object.fromEntries(Object.entries(v).map(([k, w]) => [k, h.percent(w, '0%', [...path, k])]));
    if (Math.abs(Object.values(out).reduce((a, b) => a + b, 0) - 1) > 1e-9) problems.push({ path, message: 'variant weights must add up to 100%' });
    return out;
  };
  if (flagKeys.length > 31) problems.push({ path: ['flags'], message: `at most 31 flags per scenario (${flagKeys.length} given)` });

  const flags: ReleaseFlag[] = flagEntries(input.flags).map(([key, f]) => {
    const base = ['flags', key];
    const d = DEFAULTS.flag;
    const source = imported.get(key) ?? null;
    if (source) {
      for (const field of ['targeting', 'bucketing', 'salt', 'hash-version', 'variants'] as const) {
        if (f[field] !== undefined) problems.push({ path: [...base, field], message: `${field} comes from ${source.file}; remove it here` });
      }
    } else if (fromFiles.length) {
      // Beside flags.from, every entry is a flag of those files: a name they do not hold is a mistake, not a new flag.
      const held = [...imported.keys()];
      problems.push({ path: base, message: `no flag ${quoted(key)} in ${fromFiles.join(', ')}${didYouMean(key, held)} (flags: ${quotedList(held) || 'none'}); a flag of your own beside them (a canary's) goes in a flag file listed in flags.from too, such as a flagd file` });
    }
    problems.push(...codeDefaultProblems(f.default, source, base));
    for (const where of source?.clock ?? []) problems.push({ path: base, message: where });
    (f['conflicts-with'] ?? []).forEach((r, i) => {
      if (!flagKeys.includes(r)) problems.push({ path: [...base, 'conflicts-with', i], message: h.unknownFlag(r) });
    });
    // A service evaluated-by misspells (an error already, with this suggestion) is not also said to be missing from it.
    const misspelt = new Set(f['evaluated-by'].filter((s) => !serviceNames.includes(s)).map((s) => suggest(s, serviceNames)));
    f['evaluated-by'].forEach((svc, i) => {
      if (!serviceNames.includes(svc)) {
        problems.push({ path: [...base, 'evaluated-by', i], message: `unknown service ${quoted(svc)}${didYouMean(svc, serviceNames)}` });
      }
    });
    (f.requires ?? []).forEach((r, i) => {
      if (!flagKeys.includes(r)) problems.push({ path: [...base, 'requires', i], message: h.unknownFlag(r) });
      if (r === key) problems.push({ path: [...base, 'requires', i], message: 'a flag cannot require itself' });
    });
    (f.needs ?? []).forEach((r, i) => {
      if (!flagKeys.includes(r)) problems.push({ path: [...base, 'needs', i], message: h.unknownFlag(r) });
      if (r === key) problems.push({ path: [...base, 'needs', i], message: 'a flag cannot need itself' });
    });
    (f.targeting ?? []).forEach((t, i) => expression(t.when, [...base, 'targeting', i, 'when']));
    (Object.keys(f.when ?? {})).forEach((v) => {
      if (!source) problems.push({ path: [...base, 'when', v], message: 'when (per variant) is for flags from a flag file (flags.from); use when-on here' });
      else if (!source.variants.includes(v)) problems.push({ path: [...base, 'when', v], message: `no variant ${quoted(v)} in ${source.file}${didYouMean(v, source.variants)} (variants: ${quotedList(source.variants)})` });
    });
    const effectEntries: [string, EffectInput, string | null][] = [
      ...Object.entries(f['when-on'] ?? {}).map(([t, e]): [string, EffectInput, string | null] => [t, e, null]),
      ...Object.entries(f.when ?? {}).flatMap(([v, m]) => Object.entries(m).map(([t, e]): [string, EffectInput, string | null] => [t, e, v])),
    ];
    const effects: FlagEffect[] = effectEntries.flatMap(([target, e, variant]) => {
      const path = variant === null ? [...base, 'when-on', target] : [...base, 'when', variant, target];
      const [svc, ep] = target.split('.');
      const service = h.services.find((s) => s.name === svc);
      if (!service) {
        problems.push({ path, key: true, message: `unknown service ${quoted(svc)}${didYouMean(svc, serviceNames)}` });
        return [];
      }
      if (ep !== undefined && !service.endpoints.some((x) => x.name === ep)) {
        problems.push({ path, key: true, message: `unknown endpoint ${quoted(ep)} of service ${quoted(svc)}${didYouMean(ep, service.endpoints.map((x) => x.name))}` });
        return [];
      }
      if (e.segment !== undefined && e.calls) {
        problems.push({ path: [...path, 'segment'], message: 'a change of calls applies to every user: drop segment, or the calls' });
      }
      if (!f['evaluated-by'].includes(svc) && !misspelt.has(svc)) {
        problems.push({ path, key: true, message: `${quoted(svc)} does not evaluate this flag: add it to evaluated-by, or the change can never apply` });
      }
      let latencyScale = 1, latencyAddUs = 0;
      if (e.latency?.startsWith('x')) {
        latencyScale = Number(e.latency.slice(1));
        // 320 digits were Infinity: every call of the endpoint took forever.
        if (!Number.isFinite(latencyScale)) problems.push({ path: [...path, 'latency'], message: `multiplier ${quoted(e.latency)} is larger than a number holds` });
      } else if (e.latency) {
        const r = parseDurationExact(e.latency.slice(1));
        // A refused addition was dropped without a word (the flag then added nothing).
        if (r.ok) latencyAddUs = r.value;
        else problems.push({ path: [...path, 'latency'], message: r.message });
      }
      let errorsSet: number | null = null, errorsAdd = 0;
      if (e.errors) {
        const pct = Number(e.errors.replace(/^\+/, '').replace(/%$/, '')) / 100;
        if (pct > 1) problems.push({ path: [...path, 'errors'], message: `${quoted(e.errors)} is over 100%` });
        if (e.errors.startsWith('+')) errorsAdd = pct;
        else errorsSet = pct;
      }
      const share = h.percent(e.percent, d.effectPercent, [...path, 'percent']);
      if (e.percent !== undefined && e.calls) {
        problems.push({ path: [...path, 'percent'], message: 'percent applies to latency and errors changes; a change of calls applies to every call' });
      }
      if (e.percent !== undefined && !e.latency && !e.errors && !e.calls) {
        problems.push({ path: [...path, 'percent'], message: 'percent is the share of calls a latency or errors change applies to: add latency or errors here' });
      }
      if (e.calls && ep === undefined && service.endpoints.length > 1) {
        problems.push({ path: [...path, 'calls'], message: `name the endpoint whose calls change: ${quoted(`${svc}.<endpoint>`)}` });
      }
      return [{
        service: svc, endpoint: ep ?? null, latencyScale, latencyAddUs, errorsSet, errorsAdd,
        operations: e.calls ? h.operations(e.calls, [...path, 'calls']) : null,
        segment: e.segment ?? null,
        variant,
        share,
      }];
    });
    // A change for a share of calls stands alone on its endpoints: with another change of the same flag there, which
    // calls get which would be a guess.
    effects.forEach((x, i) => {
      if (x.share === 1) return;
      const other = effects.find((y, k) => k !== i && y.service === x.service && (y.endpoint === null || x.endpoint === null || y.endpoint === x.endpoint)
        && (y.variant === null || x.variant === null || y.variant === x.variant));
      if (!other) return;
      const at = (e: FlagEffect) => (e.endpoint === null ? e.service : `${e.service}.${e.endpoint}`);
      const path = x.variant === null ? [...base, 'when-on', at(x), 'percent'] : [...base, 'when', x.variant, at(x), 'percent'];
      problems.push({ path, message: `a change for a share of calls cannot share an endpoint with another change of this flag (${at(other)}): put both in one entry` });
    });
    return {
      key,
      kind: f.kind ?? d.kind,
      owner: f.owner ?? '',
      description: f.description ?? '',
      evaluatedBy: f['evaluated-by'],
      requires: f.requires ?? [],
      bucketing: source ? source.system : f.bucketing ?? d.bucketing,
      salt: f.salt ?? null,
      hashVersion: f['hash-version'] ?? d.hashVersion,
      targeting: (f.targeting ?? []).map((t, i) => ({ when: t.when, serve: t.serve === 'on', path: [...base, 'targeting', i] })),
      propagation: h.dist(f.propagation ?? d.propagation, [...base, 'propagation']),
      contract: f.contract ?? d.contract,
      needs: f.needs ?? [],
      effects,
      variants: source ? {} : variantsOf(f.variants, [...base, 'variants']),
      source,
      served: null,
      codeDefault: f.default !== undefined && source ? { value: f.default } : null,
      conflictsWith: f['conflicts-with'] ?? [],
      expires: f.expires ?? null,
      rollback: f.rollback ?? '',
    };
  });
  requireCycles(flags, problems);

  const gate = gateNormalizer(h);

  const planned = new Set<string>();
  const rollouts: RolloutPlan[] = (input.rollout ?? []).map((r, i) => {
    const base: PathSegment[] = ['rollout', i];
    const d = DEFAULTS.rollout;
    const flag = flags.find((f) => f.key === r.flag);
    if (!flag) problems.push({ path: [...base, 'flag'], message: h.unknownFlag(r.flag) });
    if (planned.has(r.flag)) problems.push({ path: [...base, 'flag'], message: `flag ${quoted(r.flag)} already has a rollout plan` });
    planned.add(r.flag);
    if (r.after !== undefined && !(input.rollout ?? []).some((x) => x.flag === r.after)) {
      problems.push({ path: [...base, 'after'], message: `no rollout plan for ${quoted(r.after)}${didYouMean(r.after, (input.rollout ?? []).map((x) => x.flag))}` });
    }
    let analyses: PlanAnalyses | null = null;
    let checks: PlanChecks | null = null;
    const warnings: string[] = [];
    let importedStages: Stage[] = [];
    let split: TrafficSplit | null = null;
    let splitBy = r.split ?? d.split;
    const key = r.argo ? 'argo' : r.flagger ? 'flagger' : null;
    if (key) {
      const main = key === 'argo' ? 'rollout' : 'canary';
      if (r.stages) problems.push({ path: [...base, 'stages'], message: `a plan takes its stages from ${key}.${main}: drop stages` });
      const imported = h.plans?.get(i);
      if (imported && !imported.ok) {
        warnings.push(...imported.warnings);
        problems.push(...imported.problems);
      }
      else if (imported) {
        ({ analyses, checks } = imported.plan);
        splitBy = r.split ?? imported.plan.split;
        warnings.push(...imported.plan.warnings);
        ({ stages: importedStages, split } = joinImported(h, imported.plan, (r.argo ?? r.flagger)!, flag, [...base, key], warnings));
        if (flag) importedStages.forEach((s, j) => {
          const why = expressible(flag.bucketing, s.percent);
          if (why) problems.push({ path: [...base, key, main], message: `stage ${j + 1}: ${why}` });
        });
      }
      if (r['background-analysis']) problems.push({ path: [...base, 'background-analysis'], message: `a plan takes its analyses from ${key}.${main}: drop background-analysis` });
      if (r.pods) problems.push({ path: [...base, 'pods'], message: `a plan takes its pods from ${key}.${main}: drop pods` });
    } else if (!r.stages) {
      problems.push({ path: [...base, 'stages'], message: 'a rollout needs stages, or argo: { rollout, templates }, or flagger: { canary, templates }' });
    } else {
      analyses = planAnalyses(h, r.stages, r['background-analysis'], base);
      split = planPods(h, r.pods, r.flag, base);
    }
    let previous = 0;
    const stages: Stage[] = key ? importedStages : (r.stages ?? []).map((s, j) => {
      const p = [...base, 'stages', j];
      const percent = h.percent(s.to, '0%', [...p, 'to']) * 100;
      if (flag) {
        const why = expressible(flag.bucketing, percent);
        if (why) problems.push({ path: [...p, 'to'], message: why });
      }
      if (percent < previous && !s.audience) problems.push({ path: [...p, 'to'], message: `stages only go up: ${percent}% follows ${previous}%` });
      previous = percent;
      if (s.audience) expression(s.audience, [...p, 'audience']);
      return {
        percent,
        audience: s.audience ?? null,
        holdUs: h.duration(s.hold, d.hold, [...p, 'hold']),
        approval: s.approval ? h.dist(s.approval, [...p, 'approval']) : null,
      };
    });
    const evaluateEveryUs = h.duration(r['evaluate-every'], d.evaluateEvery, [...base, 'evaluate-every']);
    if (evaluateEveryUs <= 0) problems.push({ path: [...base, 'evaluate-every'], message: 'evaluate-every must be longer than zero' });
    const gates = (r.gates ?? []).map((g, j) => gate(g, [...base, 'gates', j])).filter((g): g is Gate => g !== null);
    const windows = (r.windows ?? []).map((w, j): [number, number] => {
      const [a, b] = w.split('-').map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3)));
      if (a >= 24 * 60 || b > 24 * 60 || a === b) problems.push({ path: [...base, 'windows', j], message: `${quoted(w)} is not a window of the day` });
      return [a, b];
    });
    return {
      flag: r.flag,
      after: r.after ?? null,
      startUs: h.duration(r.start, d.start, [...base, 'start']),
      stages,
      evaluateEveryUs,
      gates,
      failureLimit: r['failure-limit'] ?? d.failureLimit,
      consecutiveErrorLimit: r['consecutive-error-limit'] ?? d.consecutiveErrorLimit,
      inconclusive: r.inconclusive ?? d.inconclusive,
      onBreach: r['on-breach'] ?? d.onBreach,
      rollbackTo: r['rollback-to'] ?? d.rollbackTo,
      windows,
      analyses,
      checks,
      warnings,
      split,
      splitBy,
      lock: r.lock ?? d.lock,
    };
  });
  afterCycles(rollouts, problems);

  const c = input.traffic.cohort;
  let cohort: CohortSpec | null = null;
  if (typeof c === 'string') cohort = { kind: 'file', path: c };
  else if (c) {
    const segments = c.segments ? Object.fromEntries(Object.entries(c.segments).map(([k, v]) => [k, h.percent(v, '0%', ['traffic', 'cohort', 'segments', k])])) : null;
    for (const [k, v] of Object.entries(segments ?? {})) {
      if (v <= 0) problems.push({ path: ['traffic', 'cohort', 'segments', k], message: 'a segment needs a share above 0% (leave out a segment with no users)' });
    }
    if (segments && Math.abs(Object.values(segments).reduce((a, b) => a + b, 0) - 1) > 1e-9) {
      problems.push({ path: ['traffic', 'cohort', 'segments'], message: 'segment shares must add up to 100%' });
    }
    const attributes = Object.entries(c.attributes ?? {}).flatMap(([name, text]) => {
      const r = parseAttributeValues(name, text);
      if (r.ok) return [r.spec];
      problems.push({ path: ['traffic', 'cohort', 'attributes', name], message: r.message });
      return [];
    });
    cohort = { kind: 'inline', size: c.size, seed: c.seed ?? input.seed ?? 1, segments, attributes };
  } else if (flags.length > 0) {
    cohort = { kind: 'inline', size: DEFAULTS.cohort.size, seed: input.seed ?? 1, segments: null, attributes: [] };
  }
  return { flags, rollouts, cohort };
}

function requireCycles(flags: readonly ReleaseFlag[], problems: Problem[]): void {
  const byKey = new Map(flags.map((f) => [f.key, f]));
  const cycles = findCycles(byKey.keys(), (k) => byKey.get(k)?.requires.filter((r) => byKey.has(r)) ?? [], (r) => r);
  for (const c of cycles) problems.push({ path: ['flags', c.nodes[0], 'requires'], message: `prerequisite cycle: ${cycleText(c.nodes)}` });
}

function afterCycles(plans: readonly RolloutPlan[], problems: Problem[]): void {
  plans.forEach((p, i) => {
    const chain = [p.flag];
    let next = p.after;
    while (next !== null) {
      if (chain.includes(next)) {
        problems.push({ path: ['rollout', i, 'after'], message: `plans wait on each other: ${[...chain, next].join(' after ')}` });
        return;
      }
      chain.push(next);
      next = plans.find((x) => x.flag === next)?.after ?? null;
    }
  });
}
