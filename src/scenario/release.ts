/**
 * The release part of a scenario: the cohort, the flag registry and the rollout plans. Names are resolved
 * (services, endpoints, journeys, flags), expressions and gates parsed with their positions, defaults applied.
 */
import { parseAttributeValues } from '../cohorts/attributes.js';
import { USER_ATTRIBUTES } from '../cohorts/cohort.js';
import { ANY_ATTRIBUTE } from '../lang/expression.js';
import { expressible } from '../flags/bucketing.js';
import { ExpressionError, parseExpression } from '../lang/expression.js';
import {
  ThresholdError, parseTagList, parseThreshold, validateThreshold, type MetricSpec, type Threshold,
} from '../lang/threshold.js';
import { DEFAULTS } from './defaults.js';
import { type PathSegment, type Problem } from './problems.js';
import { didYouMean } from '../errors.js';
import { cycleText, findCycles } from './graph.js';
import { flagEntries, type EffectInput, type DistributionInput, type GateInput, type OperationInput, type ScenarioInput } from './schema.js';
import { parsePromQL, PromQLError, type Expr } from '../lang/promql.js';
import { toScenarioParts as toArgoParts, type ArgoParts } from '../interop/argo/index.js';
import { toScenarioParts as toFlaggerParts, type FlaggerParts } from '../interop/flagger/index.js';
import { ConditionSyntaxError, parseCondition, type Condition } from '../lang/condition.js';
import type {
  FlagSource,
  CohortSpec, Dist, Flag, FlagEffect, Gate, Operation, PromQLGate, RolloutPlan, Service, Stage, TagFilter,
} from './types.js';
import { parseDurationExact, parseIncrease } from '../units/parse.js';

export interface Helpers {
  problems: Problem[];
  duration(text: string | undefined, fallback: string, path: PathSegment[]): number;
  percent(text: string | undefined, fallback: string, path: PathSegment[]): number;
  dist(d: DistributionInput, path: PathSegment[]): Dist;
  operations(ops: readonly OperationInput[] | undefined, path: PathSegment[]): Operation[];
  services: readonly Service[];
  journeys: readonly string[];
  /** Imported resource files, by the path the scenario gives. */
  resources?: ReadonlyMap<string, string>;
}

/** Metrics gates can read: what a monitoring stack records of requests. */
export const GATE_METRICS: Record<string, MetricSpec> = {
  req_failed: {
    aggregates: ['rate', 'count'], valueKind: { rate: 'ratio', count: 'count' },
    tags: ['service', 'endpoint', 'journey', 'flag', 'segment'], description: 'failed requests: rate is their share, count their number',
    aliases: ['http_req_failed'],
  },
  req_duration: {
    aggregates: ['avg', 'min', 'max', 'med', 'p'], valueKind: 'duration',
    tags: ['service', 'endpoint', 'journey', 'flag', 'segment'], description: 'request latency as the caller saw it',
    aliases: ['http_req_duration'],
  },
  reqs: {
    aggregates: ['count', 'rate'], valueKind: { count: 'count', rate: 'number' },
    tags: ['service', 'endpoint', 'journey', 'flag', 'segment'], description: 'requests: count, or rate per second',
    aliases: ['http_reqs'],
  },
};

/** The gate metric a name stands for: itself, or the metric it is an alias of (k6's http_req_duration). */
export function gateMetricName(name: string): string {
  return Object.entries(GATE_METRICS).find(([, spec]) => spec.aliases?.includes(name))?.[0] ?? name;
}

export function normalizeRelease(input: ScenarioInput, h: Helpers, imported: ReadonlyMap<string, FlagSource> = new Map()): { flags: Flag[]; rollouts: RolloutPlan[]; cohort: CohortSpec | null } {
  const { problems } = h;
  const serviceNames = h.services.map((s) => s.name);
  const flagKeys = flagEntries(input.flags).map(([k]) => k);
  const c0 = input.traffic.cohort;
  // A cohort file may carry attributes of its own: its expressions are checked once it is read (load.ts).
  const known: readonly string[] | null = typeof c0 === 'string' ? null : [...USER_ATTRIBUTES, ...Object.keys(c0?.attributes ?? {})];
  const expression = (src: string, path: PathSegment[]) => {
    try {
      parseExpression(src, known ?? ANY_ATTRIBUTE);
    } catch (e) {
      if (e instanceof ExpressionError) problems.push({ path, message: e.pretty() });
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

  const flags: Flag[] = flagEntries(input.flags).map(([key, f]) => {
    const base = ['flags', key];
    const d = DEFAULTS.flag;
    const source = imported.get(key) ?? null;
    if (source) {
      for (const field of ['targeting', 'bucketing', 'salt', 'hash-version', 'variants'] as const) {
        if (f[field] !== undefined) problems.push({ path: [...base, field], message: `${field} comes from ${source.file}; remove it here` });
      }
    }
    (f['conflicts-with'] ?? []).forEach((r, i) => {
      if (!flagKeys.includes(r)) problems.push({ path: [...base, 'conflicts-with', i], message: `unknown flag "${r}"${didYouMean(r, flagKeys)}` });
    });
    f['evaluated-by'].forEach((svc, i) => {
      if (!serviceNames.includes(svc)) {
        problems.push({ path: [...base, 'evaluated-by', i], message: `unknown service "${svc}"${didYouMean(svc, serviceNames)}` });
      }
    });
    (f.requires ?? []).forEach((r, i) => {
      if (!flagKeys.includes(r)) problems.push({ path: [...base, 'requires', i], message: `unknown flag "${r}"${didYouMean(r, flagKeys)}` });
      if (r === key) problems.push({ path: [...base, 'requires', i], message: 'a flag cannot require itself' });
    });
    (f.needs ?? []).forEach((r, i) => {
      if (!flagKeys.includes(r)) problems.push({ path: [...base, 'needs', i], message: `unknown flag "${r}"${didYouMean(r, flagKeys)}` });
      if (r === key) problems.push({ path: [...base, 'needs', i], message: 'a flag cannot need itself' });
    });
    (f.targeting ?? []).forEach((t, i) => expression(t.when, [...base, 'targeting', i, 'when']));
    (Object.keys(f.when ?? {})).forEach((v) => {
      if (!source) problems.push({ path: [...base, 'when', v], message: 'when (per variant) is for flags from a flag file (flags.from); use when-on here' });
      else if (!source.variants.includes(v)) problems.push({ path: [...base, 'when', v], message: `no variant "${v}" in ${source.file}${didYouMean(v, source.variants)} (variants: ${source.variants.join(', ')})` });
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
        problems.push({ path, message: `unknown service "${svc}"${didYouMean(svc, serviceNames)}` });
        return [];
      }
      if (ep !== undefined && !service.endpoints.some((x) => x.name === ep)) {
        problems.push({ path, message: `unknown endpoint "${ep}" of service "${svc}"${didYouMean(ep, service.endpoints.map((x) => x.name))}` });
        return [];
      }
      if (e.segment !== undefined && e.calls) {
        problems.push({ path: [...path, 'segment'], message: 'a change of calls applies to every user: drop segment, or the calls' });
      }
      if (!f['evaluated-by'].includes(svc)) {
        problems.push({ path, message: `"${svc}" does not evaluate this flag: add it to evaluated-by, or the change can never apply` });
      }
      let latencyScale = 1, latencyAddUs = 0;
      if (e.latency?.startsWith('x')) latencyScale = Number(e.latency.slice(1));
      else if (e.latency) {
        const r = parseDurationExact(e.latency.slice(1));
        if (r.ok) latencyAddUs = r.value;
      }
      let errorsSet: number | null = null, errorsAdd = 0;
      if (e.errors) {
        const pct = Number(e.errors.replace(/^\+/, '').replace(/%$/, '')) / 100;
        if (pct > 1) problems.push({ path: [...path, 'errors'], message: `"${e.errors}" is over 100%` });
        if (e.errors.startsWith('+')) errorsAdd = pct;
        else errorsSet = pct;
      }
      if (e.calls && ep === undefined && service.endpoints.length > 1) {
        problems.push({ path: [...path, 'calls'], message: `name the endpoint whose calls change: "${svc}.<endpoint>"` });
      }
      return [{
        service: svc, endpoint: ep ?? null, latencyScale, latencyAddUs, errorsSet, errorsAdd,
        operations: e.calls ? h.operations(e.calls, [...path, 'calls']) : null,
        segment: e.segment ?? null,
        variant,
      }];
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
      conflictsWith: f['conflicts-with'] ?? [],
      expires: f.expires ?? null,
      rollback: f.rollback ?? '',
    };
  });
  requireCycles(flags, problems);

  const filterOf = (tags: Threshold['tags'], source: string, path: PathSegment[]): TagFilter | null => {
    const filter = { service: null as string | null, endpoint: null as string | null, journey: null as string | null, flagOn: null as boolean | null, segment: null as string | null };
    for (const t of tags) {
      const bad = (message: string) => {
        problems.push({ path, message: new ThresholdError(message, t.column, source).pretty() });
        return null;
      };
      switch (t.key) {
        case 'service':
          if (!serviceNames.includes(t.value)) return bad(`unknown service "${t.value}"${didYouMean(t.value, serviceNames)}`);
          filter.service = t.value;
          break;
        case 'endpoint': {
          const [a, b] = t.value.includes('.') ? t.value.split('.') : [filter.service, t.value];
          const svc = h.services.find((s) => s.name === a);
          if (!svc) return bad(`name the endpoint as service.endpoint, e.g. "payments.authorize"`);
          if (!svc.endpoints.some((e) => e.name === b)) return bad(`unknown endpoint "${b}" of service "${a}"`);
          filter.service = a;
          filter.endpoint = b;
          break;
        }
        case 'journey':
          if (!h.journeys.includes(t.value)) return bad(`unknown journey "${t.value}"${didYouMean(t.value, h.journeys)}`);
          filter.journey = t.value;
          break;
        case 'flag':
          if (t.value !== 'on' && t.value !== 'off') return bad('flag is "on" or "off" (the state of the plan\'s flag)');
          filter.flagOn = t.value === 'on';
          break;
        case 'segment':
          filter.segment = t.value;
          break;
      }
    }
    if (filter.journey && filter.service) {
      problems.push({ path, message: 'a gate reads either journeys or services, not both: drop the journey tag or the service tag' });
      return null;
    }
    return filter;
  };

  const gate = (g: GateInput, path: PathSegment[]): Gate | null => {
    if (typeof g === 'string') {
      let t: Threshold;
      let limit: number;
      try {
        t = parseThreshold(g);
        t = { ...t, metric: gateMetricName(t.metric) };
        limit = validateThreshold(t, GATE_METRICS);
      } catch (e) {
        if (e instanceof ThresholdError) {
          problems.push({ path, message: e.pretty() });
          return null;
        }
        throw e;
      }
      const filter = filterOf(t.tags, g, path);
      if (!filter) return null;
      const aggregate = t.aggregate.kind === 'p' ? { kind: 'p', percentile: t.aggregate.percentile } : { kind: t.aggregate.kind };
      return { kind: 'threshold', source: g, metric: t.metric as 'req_failed', aggregate, operator: t.operator, limit, filter };
    }
    const tagsOf = (src: string | undefined, p: PathSegment[]) => {
      try {
        return filterOf(parseTagList(src ?? ''), src ?? '', p);
      } catch (e) {
        if (e instanceof ThresholdError) problems.push({ path: p, message: e.pretty() });
        else throw e;
        return null;
      }
    };
    if ('promql' in g) return promqlGate(g, path, problems);
    if ('burn-rate' in g) {
      const b = g['burn-rate'];
      const p = [...path, 'burn-rate'];
      const filter = tagsOf(b.filter, [...p, 'filter']);
      const slo = h.percent(b.slo, '99.9%', [...p, 'slo']);
      if (slo >= 1) problems.push({ path: [...p, 'slo'], message: 'an SLO of 100% leaves no error budget to burn' });
      const pairs = b.pairs.map(([s, l, factor], i) => ({
        shortUs: h.duration(s, '5m', [...p, 'pairs', i, 0]), longUs: h.duration(l, '1h', [...p, 'pairs', i, 1]), factor,
      }));
      pairs.forEach((x, i) => {
        if (x.shortUs >= x.longUs) problems.push({ path: [...p, 'pairs', i], message: 'the short window comes first and must be shorter than the long one' });
      });
      const source = `burn-rate ${b.slo} ${b.pairs.map(([s, l, f]) => `${f}x over ${l} and ${s}`).join(', ')}`;
      return filter && { kind: 'burn-rate', source, slo, pairs, filter };
    }
    const c = g.compare;
    const p = [...path, 'compare'];
    const filter = tagsOf(c.filter, [...p, 'filter']);
    const dc = DEFAULTS.compare;
    const test = c.test ?? dc.test[c.metric];
    if ((test === 'mann-whitney') !== (c.metric === 'req_duration')) {
      problems.push({ path: [...p, 'test'], message: `${test} does not apply to ${c.metric}: use mann-whitney for req_duration, two-proportion for req_failed` });
    }
    const over = c.over ?? dc.over;
    // An increase may exceed 100%: "latency tripled" is +200%.
    const increase = parseIncrease(c['max-increase'] ?? dc.maxIncrease);
    const maxIncrease = increase.ok ? increase.value : 0;
    const confidence = h.percent(c.confidence, dc.confidence, [...p, 'confidence']);
    if (confidence <= 0.5 || confidence >= 1) problems.push({ path: [...p, 'confidence'], message: 'confidence lies between 50% and 100%' });
    const source = `compare ${c.metric} flag on vs off (${test}): at most +${(maxIncrease * 100).toFixed(1)}% at ${(confidence * 100).toFixed(1)}% confidence`;
    return filter && {
      kind: 'compare', source, metric: c.metric, test, maxIncrease, confidence,
      minSamples: c['min-samples'] ?? dc.minSamples,
      overUs: over === 'stage' ? 0 : h.duration(over, '0s', [...p, 'over']),
      filter,
    };
  };

  const planned = new Set<string>();
  const rollouts: RolloutPlan[] = (input.rollout ?? []).map((r, i) => {
    const base: PathSegment[] = ['rollout', i];
    const d = DEFAULTS.rollout;
    const flag = flags.find((f) => f.key === r.flag);
    if (!flag) problems.push({ path: [...base, 'flag'], message: `unknown flag "${r.flag}"${didYouMean(r.flag, flagKeys)}` });
    if (planned.has(r.flag)) problems.push({ path: [...base, 'flag'], message: `flag "${r.flag}" already has a rollout plan` });
    planned.add(r.flag);
    if (r.after !== undefined && !(input.rollout ?? []).some((x) => x.flag === r.after)) {
      problems.push({ path: [...base, 'after'], message: `no rollout plan for "${r.after}"${didYouMean(r.after, (input.rollout ?? []).map((x) => x.flag))}` });
    }
    let argo: ArgoParts | null = null;
    let flagger: FlaggerParts | null = null;
    const warnings: string[] = [];
    let argoStages: Stage[] = [];
    if (r.argo) {
      if (r.stages) problems.push({ path: [...base, 'stages'], message: 'a plan takes its stages from argo.rollout: drop stages' });
      const files = [r.argo.rollout, ...(r.argo.templates ?? [])];
      const missing = files.filter((f) => !h.resources?.has(f));
      if (missing.length > 0) {
        problems.push({ path: [...base, 'argo'], message: `cannot read ${missing.join(', ')}` });
      } else {
        const args = Object.fromEntries(Object.entries(r.argo.args ?? {}).map(([k, v]) => [k, String(v)]));
        const res = toArgoParts(files.map((file) => ({ file, text: h.resources!.get(file)! })), { args });
        warnings.push(...res.warnings);
        if (!res.ok) res.problems.forEach((message) => problems.push({ path: [...base, 'argo'], message }));
        else {
          argo = res.parts;
          const approval = h.dist(r.argo.approval ?? '0s', [...base, 'argo', 'approval']);
          argoStages = argo.stages.map((s) => ({ percent: s.percent, audience: null, holdUs: s.holdUs, approval: s.approval ? approval : null }));
          if (flag) argoStages.forEach((s, j) => {
            const why = expressible(flag.bucketing, s.percent);
            if (why) problems.push({ path: [...base, 'argo', 'rollout'], message: `stage ${j + 1}: ${why}` });
          });
        }
      }
    } else if (r.flagger) {
      if (r.stages) problems.push({ path: [...base, 'stages'], message: 'a plan takes its stages from flagger.canary: drop stages' });
      const files = [r.flagger.canary, ...(r.flagger.templates ?? [])];
      const missing = files.filter((f) => !h.resources?.has(f));
      if (missing.length > 0) {
        problems.push({ path: [...base, 'flagger'], message: `cannot read ${missing.join(', ')}` });
      } else {
        const res = toFlaggerParts(files.map((file) => ({ file, text: h.resources!.get(file)! })));
        warnings.push(...res.warnings);
        if (!res.ok) res.problems.forEach((message) => problems.push({ path: [...base, 'flagger'], message }));
        else {
          flagger = res.parts;
          const approval = h.dist(r.flagger.approval ?? '0s', [...base, 'flagger', 'approval']);
          const weights = flagger.iterations !== null ? [h.percent(r.flagger.exposure, '50%', [...base, 'flagger', 'exposure']) * 100] : flagger.weights;
          argoStages = [
            ...weights.map((w, j) => ({ percent: w, audience: null, holdUs: flagger!.intervalUs, approval: j === 0 && flagger!.confirmRollout ? approval : null })),
            { percent: 100, audience: null, holdUs: 0, approval: flagger.confirmPromotion ? approval : null },
          ];
          if (flag) argoStages.forEach((s, j) => {
            const why = expressible(flag.bucketing, s.percent);
            if (why) problems.push({ path: [...base, 'flagger', 'canary'], message: `stage ${j + 1}: ${why}` });
          });
        }
      }
    } else if (!r.stages) {
      problems.push({ path: [...base, 'stages'], message: 'a rollout needs stages, or argo: { rollout, templates }, or flagger: { canary, templates }' });
    }
    let previous = 0;
    const stages: Stage[] = r.argo || r.flagger ? argoStages : (r.stages ?? []).map((s, j) => {
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
      if (a >= 24 * 60 || b > 24 * 60 || a === b) problems.push({ path: [...base, 'windows', j], message: `"${w}" is not a window of the day` });
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
      argo,
      flagger,
      warnings,
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

function requireCycles(flags: readonly Flag[], problems: Problem[]): void {
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

const NO_FILTER: TagFilter = { service: null, endpoint: null, journey: null, flagOn: null, segment: null };

/** A PromQL gate of a native plan: the query and its conditions parsed now, so that a typo is a problem with its path. */
export function promqlGate(
  g: { promql: string; success?: string; failure?: string; name?: string; result?: PromQLGate['result'] },
  path: PathSegment[],
  problems: Problem[],
  options: { result?: PromQLGate['result']; origin?: string | null } = {},
): PromQLGate | null {
  let expr: Expr;
  try {
    expr = parsePromQL(g.promql);
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    problems.push({ path: [...path, 'promql'], message: e.message });
    return null;
  }
  const condition = (text: string | undefined, key: string): Condition | null => {
    if (text === undefined) return null;
    try {
      return parseCondition(text);
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      problems.push({ path: [...path, key], message: e.message });
      return null;
    }
  };
  const success = condition(g.success, 'success');
  const failure = condition(g.failure, 'failure');
  if ((g.success !== undefined && !success) || (g.failure !== undefined && !failure)) return null;
  return {
    kind: 'promql', source: g.name ?? g.promql, query: g.promql, expr, success, failure,
    result: g.result ?? options.result ?? 'value', filter: NO_FILTER, origin: options.origin ?? null,
  };
}
