/**
 * Gates of the scenario's own format: k6 threshold expressions with tag filters, burn-rate pairs, flag on/off
 * comparisons and PromQL queries with conditions, each parsed with its position so that a typo is a problem
 * with its path.
 */
import { didYouMean } from '../errors.js';
import { ConditionSyntaxError, parseCondition, type Condition } from '../lang/condition.js';
import { parsePromQL, PromQLError, type Expr } from '../lang/promql.js';
import {
  ThresholdError, parseTagList, parseThreshold, validateThreshold, type MetricSpec, type Threshold,
} from '../lang/threshold.js';
import { parseIncrease } from '../units/parse.js';
import { DEFAULTS } from './defaults.js';
import type { Helpers } from './helpers.js';
import { inText, type PathSegment, type Problem } from './problems.js';
import type { GateInput } from './schema.js';
import type { Gate, PromQLGate, TagFilter } from './types.js';
import { quoted } from '../units/escape.js';

/** Metrics gates can read: what a monitoring stack records of requests. */
export const GATE_METRICS: Record<string, MetricSpec> = {
  req_failed: {
    aggregates: ['rate', 'count'], valueKind: { rate: 'ratio', count: 'count' },
    tags: ['service', 'endpoint', 'journey', 'flag', 'segment', 'expected_response'], description: 'failed requests: rate is their share, count their number',
    aliases: ['http_req_failed'],
  },
  req_duration: {
    aggregates: ['avg', 'min', 'max', 'med', 'p'], valueKind: 'duration',
    tags: ['service', 'endpoint', 'journey', 'flag', 'segment', 'expected_response'], description: 'request latency as the caller saw it',
    aliases: ['http_req_duration'],
  },
  reqs: {
    aggregates: ['count', 'rate'], valueKind: { count: 'count', rate: 'number' },
    tags: ['service', 'endpoint', 'journey', 'flag', 'segment', 'expected_response'], description: 'requests: count, or rate per second',
    aliases: ['http_reqs'],
  },
};

/** The gate metric a name stands for: itself, or the metric it is an alias of (k6's http_req_duration). */
export function gateMetricName(name: string): string {
  return Object.entries(GATE_METRICS).find(([, spec]) => spec.aliases?.includes(name))?.[0] ?? name;
}

/** Turns gate inputs into gates, resolving the services, endpoints and journeys their tags name. */
export function gateNormalizer(h: Helpers): (g: GateInput, path: PathSegment[]) => Gate | null {
  const { problems } = h;
  const serviceNames = h.services.map((s) => s.name);
  const filterOf = (tags: Threshold['tags'], source: string, path: PathSegment[]): TagFilter | null => {
    const filter = { service: null as string | null, endpoint: null as string | null, journey: null as string | null, flagOn: null as boolean | null, segment: null as string | null, failed: null as boolean | null };
    for (const t of tags) {
      const bad = (message: string) => {
        problems.push(inText(path, new ThresholdError(message, t.column, source)));
        return null;
      };
      switch (t.key) {
        case 'service':
          if (!serviceNames.includes(t.value)) return bad(`unknown service ${quoted(t.value)}${didYouMean(t.value, serviceNames)}`);
          // An endpoint named before it sets the service: a second one would read that endpoint on a service without it.
          if (filter.endpoint !== null && filter.service !== t.value) return bad(`endpoint ${quoted(`${filter.service}.${filter.endpoint}`)} is not of service ${quoted(t.value)}: keep one of the two tags`);
          filter.service = t.value;
          break;
        case 'endpoint': {
          const [a, b] = t.value.includes('.') ? t.value.split('.') : [filter.service, t.value];
          const svc = h.services.find((s) => s.name === a);
          if (!svc) return bad(`name the endpoint as service.endpoint, e.g. "payments.authorize"`);
          if (!svc.endpoints.some((e) => e.name === b)) return bad(`unknown endpoint ${quoted(b)} of service ${quoted(String(a))}${didYouMean(b, svc.endpoints.map((e) => e.name))}`);
          // The service named before it was overridden by the endpoint's, in silence.
          if (filter.service !== null && filter.service !== a) return bad(`endpoint ${quoted(`${a}.${b}`)} is not of service ${quoted(filter.service)}: keep one of the two tags`);
          filter.service = a;
          filter.endpoint = b;
          break;
        }
        case 'journey':
        case 'scenario':
          if (!h.journeys.includes(t.value)) return bad(`unknown journey ${quoted(t.value)}${didYouMean(t.value, h.journeys)}`);
          // k6's scenario is rehearse's journey: both in one filter name it twice (the last was read).
          if (filter.journey !== null) return bad(`the journey is given twice (${filter.journey} and ${t.value}; scenario is k6's name for journey): keep one`);
          filter.journey = t.value;
          break;
        case 'flag':
          if (t.value !== 'on' && t.value !== 'off') return bad('flag is "on" or "off" (the state of the plan\'s flag)');
          filter.flagOn = t.value === 'on';
          break;
        case 'segment':
          filter.segment = t.value;
          break;
        case 'expected_response':
          // k6 tags a request expected_response:true when its response callback accepts the status (200 to 399
          // by default; a request with no response has none), and counts the others in http_req_failed.
          if (t.value !== 'true' && t.value !== 'false') return bad('expected_response is "true" (the requests that did not fail) or "false" (those that failed)');
          filter.failed = t.value === 'false';
          break;
      }
    }
    if (filter.journey && filter.service) {
      problems.push({ path, message: 'a gate reads either journeys or services, not both: drop the journey tag or the service tag' });
      return null;
    }
    return filter;
  };

  return (g: GateInput, path: PathSegment[]): Gate | null => {
    if (typeof g === 'string') {
      let t: Threshold;
      let limit: number;
      try {
        t = parseThreshold(g);
        // Pasted from a k6 script: k6 tags a scenario's samples with its name, and each journey is one k6 scenario.
        t = { ...t, metric: gateMetricName(t.metric), tags: t.tags.map((tag) => (tag.key === 'scenario' ? { ...tag, key: 'journey' } : tag)) };
        limit = validateThreshold(t, GATE_METRICS);
      } catch (e) {
        if (e instanceof ThresholdError) {
          problems.push(inText(path, e));
          return null;
        }
        throw e;
      }
      const filter = filterOf(t.tags, g, path);
      if (!filter) return null;
      if (filter.failed !== null && t.metric === 'req_failed') {
        const tag = t.tags.find((x) => x.key === 'expected_response')!;
        problems.push(inText(path, new ThresholdError(`req_failed{expected_response:${tag.value}} selects only requests that ${filter.failed ? 'failed: its rate is always 1' : 'did not fail: its rate is always 0'}, so the gate never changes: drop the tag`, tag.column, g)));
        return null;
      }
      const aggregate = t.aggregate.kind === 'p' ? { kind: 'p', percentile: t.aggregate.percentile } : { kind: t.aggregate.kind };
      return { kind: 'threshold', source: g, metric: t.metric as 'req_failed', aggregate, operator: t.operator, limit, filter };
    }
    const tagsOf = (src: string | undefined, p: PathSegment[], reads: string) => {
      try {
        const tags = parseTagList(src ?? '');
        const outcome = tags.find((t) => t.key === 'expected_response');
        if (outcome) throw new ThresholdError(`expected_response selects requests by whether they failed: ${reads}: drop expected_response from the filter`, outcome.column, src ?? '');
        return filterOf(tags, src ?? '', p);
      } catch (e) {
        if (e instanceof ThresholdError) problems.push(inText(p, e));
        else throw e;
        return null;
      }
    };
    if ('promql' in g) return promqlGate(g, path, problems);
    if ('alert' in g) {
      // The rule file and the alert in it are resolved when the load layer reads metrics.rules.
      const labels = g.labels ?? {};
      const shown = Object.entries(labels).map(([k, v]) => `${k}=${quoted(v)}`).join(',');
      return { kind: 'alert', source: `alert ${g.alert}${shown ? `{${shown}}` : ''}${g.from ? ` (${g.from})` : ''}`, alert: g.alert, file: g.from ?? null, labels, filter: NO_FILTER };
    }
    if ('burn-rate' in g) {
      const b = g['burn-rate'];
      const p = [...path, 'burn-rate'];
      const filter = tagsOf(b.filter, [...p, 'filter'], 'a burn rate reads the failures of every request the filter selects');
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
    const filter = tagsOf(c.filter, [...p, 'filter'], 'a comparison reads every request the filter selects, on each side');
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
}

const NO_FILTER: TagFilter = { service: null, endpoint: null, journey: null, flagOn: null, segment: null, failed: null };

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
      problems.push(inText([...path, key], { message: e.reason, column: e.column, source: e.source, pretty: () => e.message }));
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
