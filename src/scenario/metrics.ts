/**
 * The scenario's `metrics:` block: how the simulated telemetry is exposed as Prometheus series (scrape
 * interval, histogram bounds, the wall time of the start) and renamed for a team's queries (a preset and
 * changes over it). Checked here; applied by src/metrics/.
 */
import { LABEL_NAME, METRIC_NAME, NATIVE_LABELS, resolveMapping, DURATION_FAMILY, REQUESTS_FAMILY, type Preset, type TrafficSplit } from '../metrics/mapping.js';
import { DEFAULT_BUCKETS_SECONDS } from '../telemetry/scrapes.js';
import { DEFAULTS } from './defaults.js';
import type { Helpers } from './helpers.js';
import type { ScenarioInput } from './schema.js';
import type { MetricsSpec } from './types.js';
import { quoted } from '../units/escape.js';


/** What imported plans ask of the series: the preset and namespace their queries read, the splits of services. */
export interface SeriesNeeds {
  readonly hints: readonly { readonly preset: Preset; readonly namespace: string | null; readonly from: string }[];
  readonly splits: readonly { readonly split: TrafficSplit; readonly path: (string | number)[] }[];
}

export function normalizeMetrics(input: ScenarioInput, h: Helpers, needs: SeriesNeeds = { hints: [], splits: [] }): MetricsSpec {
  const m = { ...input.metrics };
  const at = (...p: (string | number)[]) => ['metrics', ...p];
  const problems = h.problems;
  const scrapeIntervalUs = h.duration(m['scrape-interval'], DEFAULTS.metrics.scrapeInterval, at('scrape-interval'));
  if (scrapeIntervalUs < 1000 || scrapeIntervalUs % 1000 !== 0) {
    problems.push({ path: at('scrape-interval'), message: 'the scrape interval must be a whole number of milliseconds, at least 1ms' });
  }
  const buckets = m.buckets ?? DEFAULT_BUCKETS_SECONDS;
  buckets.forEach((b, i) => {
    if (!(b > 0) || !Number.isFinite(b)) problems.push({ path: at('buckets', i), message: 'a bucket bound is a positive number of seconds' });
    else if (i > 0 && b <= buckets[i - 1]) problems.push({ path: at('buckets', i), message: 'bucket bounds must increase' });
  });
  for (const [k, v] of Object.entries(m.names ?? {})) {
    if (k !== DURATION_FAMILY && k !== REQUESTS_FAMILY) {
      problems.push({ path: at('names', k), message: `only ${REQUESTS_FAMILY} and ${DURATION_FAMILY} can be renamed` });
    }
    if (!METRIC_NAME.test(v)) problems.push({ path: at('names', k), message: legacyName(v, 'metric') });
  }
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    if (!(NATIVE_LABELS as readonly string[]).includes(k) && !k.startsWith('flag_')) {
      problems.push({ path: at('labels', k), message: `unknown label ${quoted(k)}: rehearse writes ${NATIVE_LABELS.join(', ')} and flag_<key>` });
    }
    for (const name of v === null ? [] : typeof v === 'string' ? [v] : v) {
      if (!LABEL_NAME.test(name)) problems.push({ path: at('labels', k), message: legacyName(name, 'label') });
    }
  }
  for (const k of Object.keys(m.constants ?? {})) {
    if (!LABEL_NAME.test(k)) problems.push({ path: at('constants', k), message: legacyName(k, 'label') });
  }
  let epochMs: number | null = null;
  if (m.epoch !== undefined) {
    epochMs = typeof m.epoch === 'number' ? m.epoch * 1000 : Date.parse(m.epoch);
    if (!Number.isFinite(epochMs) || epochMs % 1000 !== 0) {
      problems.push({ path: at('epoch'), message: 'the epoch is a date and time ("2026-01-01T00:00:00Z") or seconds since 1970, in whole seconds' });
      epochMs = null;
    }
  }
  // An imported plan's own queries (a Canary's builtin metrics) read one system's series in one namespace.
  for (const hint of needs.hints) {
    for (const [key, want] of [['preset', hint.preset], ['namespace', hint.namespace]] as const) {
      if (want === null) continue;
      const given = m[key];
      if (given === undefined) (m as Record<string, unknown>)[key] = want;
      else if (given !== want) problems.push({ path: at(key), message: `${hint.from} reads the series ${key === 'preset' ? 'as' : 'of namespace'} ${quoted(want)}; ${key} ${quoted(given)} writes none it reads: give ${key}: ${want}, or leave it out` });
    }
  }
  const splits: TrafficSplit[] = [];
  for (const { split, path } of needs.splits) {
    const other = splits.find((x) => x.service === split.service);
    if (other) problems.push({ path, message: `the series of service ${quoted(split.service)} are already split between the canary and stable pods of flag ${quoted(other.flag)}` });
    else splits.push(split);
  }
  const evaluationIntervalUs = h.duration(m['evaluation-interval'], DEFAULTS.metrics.evaluationInterval, at('evaluation-interval'));
  if (evaluationIntervalUs < 1e6 || evaluationIntervalUs % 1e6 !== 0) {
    problems.push({ path: at('evaluation-interval'), message: 'the evaluation interval is a whole number of seconds, at least 1s' });
  }
  return { mapping: { ...resolveMapping(m), splits }, scrapeIntervalUs, bucketsSeconds: buckets, epochMs, ruleFiles: m.rules ?? [], evaluationIntervalUs, rules: [], prometheus: m['prometheus-version'] ?? 2 };
}

/**
 * Why a metric or label name is refused. Prometheus 3 takes any UTF-8 name (a quoted one in PromQL: `{"http.requests"}`,
 * prometheus/prometheus v3.0.0 model.UTF8Validation), but rehearse writes its series in Prometheus 2's text format
 * (--openmetrics, a game day's /metrics), whose names are [a-zA-Z_:][a-zA-Z0-9_:]* (labels without ':'), and which a
 * Prometheus 2 scrapes: a name outside it would be written where neither can read it.
 */
function legacyName(name: string, kind: 'metric' | 'label'): string {
  const pattern = kind === 'metric' ? '[a-zA-Z_:][a-zA-Z0-9_:]*' : '[a-zA-Z_][a-zA-Z0-9_]*';
  if (name === '') return `an empty ${kind} name: no Prometheus takes one`;
  const legacy = name.replace(kind === 'metric' ? /[^a-zA-Z0-9_:]/g : /[^a-zA-Z0-9_]/g, '_').replace(/^[0-9]/, '_');
  return `${quoted(name)} is not a Prometheus 2 ${kind} name (${pattern}): Prometheus 3 takes UTF-8 names, read in PromQL in quotes, but rehearse writes its series in Prometheus 2's text format (--openmetrics, a game day's /metrics), which cannot carry it; name it with those characters alone, such as ${quoted(legacy)}`;
}
