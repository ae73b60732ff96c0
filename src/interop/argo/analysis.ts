/**
 * One AnalysisRun of a Rollout, as the controller builds it (utils/analysis/helpers.go FlattenTemplates,
 * MergeArgs, factory.go BuildArgumentsForRolloutAnalysisRun, in argoproj/argo-rollouts): the templates it names
 * (AnalysisTemplates first, then ClusterAnalysisTemplates, each with the templates it names in turn), their
 * metrics (two of one name are an error), their args merged (two values of one name that differ are an error),
 * the Rollout's args over them (valueFrom.podTemplateHashValue the canary's or stable pods' hash,
 * valueFrom.fieldRef read from the Rollout), the scenario's over all; a template arg from a Secret gets a
 * placeholder, with a warning. `{{args.x}}` is substituted in every field of a metric. dryRun and
 * measurementRetention rules are unanchored regular expressions over metric names; a rule that matches none
 * makes the run Error (analysis/analysis.go).
 */
import { re2Compile } from '../../lang/re2.js';
import { brokenLimit } from '../../scenario/limits.js';
import { ConditionSyntaxError, parseCondition, type Condition } from '../../lang/condition.js';
import { parsePromQL, PromQLError } from '../../lang/promql.js';
import { failsEveryEvaluationWarning, readsAheadWarning } from '../../lang/promql-tree.js';
import { newerSyntaxWarnings } from '../../lang/promql-versions.js';
import type { AnalysisMetric, AnalysisSpec, PromQLGate } from '../../scenario/types.js';
import { goMicroseconds, parseGoDuration } from '../../units/go-duration.js';
import { own } from '../../records.js';
import { get, pathText, where, type Path, type Resource } from '../kube/resources.js';
import { quoted, quotedList } from '../../units/escape.js';
import { didYouMean } from '../../errors.js';

const NO_FILTER = { service: null, endpoint: null, journey: null, flagOn: null, segment: null, failed: null };

export interface AnalysisContext {
  readonly rollout: Resource;
  /** AnalysisTemplate/name and ClusterAnalysisTemplate/name. */
  readonly templates: ReadonlyMap<string, Resource>;
  /** The scenario's values for args, over everything else. */
  readonly args: Readonly<Record<string, string>>;
  /** The pod-template hashes rehearse gives the stable and canary pods. */
  readonly hashes: { readonly stable: string; readonly canary: string };
  problem(r: Resource, path: Path, message: string): void;
  warn(r: Resource, path: Path, message: string): void;
  /** Templates some analysis names (AnalysisTemplate/name, ClusterAnalysisTemplate/name), filled as runs are built. */
  readonly named: Set<string>;
  /** A measurementRetention rule, for whoever does not carry it to say so (it decides no verdict). */
  retention(r: Resource, path: Path): void;
}

/**
 * A Go regexp.MatchString over a name: unanchored, with Go's syntax (re2js: [[:alpha:]], \Q...\E and (?i) as
 * Go reads them, no lookarounds); a pattern that does not compile matches nothing.
 */
function matches(pattern: string, name: string): boolean {
  try {
    return re2Compile(pattern).matcher(name).find();
  } catch {
    return false;
  }
}

/** k8s fieldpath over the Rollout: metadata.name, .namespace, .uid, labels['x'], annotations['x'], or a spec path. */
function fieldRef(r: Resource, path: string): string | undefined {
  const m = /^metadata\.(labels|annotations)\[['"](.+)['"]\]$/.exec(path);
  // k8s fieldpath: a label or annotation the Rollout does not have reads as "".
  const v = m ? (get(r.value, 'metadata', m[1], m[2]) ?? '') : get(r.value, ...path.split('.'));
  return v === undefined || v === null ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const PROVIDERS = ['prometheus', 'web', 'job', 'datadog', 'newRelic', 'wavefront', 'kayenta', 'cloudWatch', 'graphite', 'influxdb', 'skywalking', 'plugin'];

const ARG = /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Replaces {{args.name}} in every string of a value. */
function substitute(v: unknown, args: ReadonlyMap<string, string>, unknown: (name: string) => void): unknown {
  if (typeof v === 'string') {
    return v.replace(ARG, (whole, name: string) => {
      const x = args.get(name);
      if (x === undefined) {
        unknown(name);
        return whole;
      }
      return x;
    });
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, args, unknown));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, args, unknown)]));
  return v;
}

/** The templates a reference list names, flattened in the controller's order, each once. */
function flatten(ctx: AnalysisContext, from: Resource, refs: unknown, refsPath: Path, seen: Set<string>): Resource[] {
  const list = Array.isArray(refs) ? refs : [];
  const found: { r: Resource; cluster: boolean }[] = [];
  list.forEach((t, i) => {
    const name = String(get(t, 'templateName') ?? '');
    const cluster = get(t, 'clusterScope') === true;
    const key = `${cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'}/${name}`;
    const tpl = ctx.templates.get(key);
    if (!tpl) {
      const known = [...ctx.templates.values()].map((r) => `${r.kind} ${quoted(r.name)} (${where(r, ['metadata', 'name'])})`);
      ctx.problem(from, [...refsPath, i, 'templateName'], `no ${cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${quoted(name)} in the files given${didYouMean(name, [...ctx.templates.values()].filter((r) => r.kind === (cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate')).map((r) => r.name))}${known.length ? ` (found ${known.join(', ')})` : ''}`);
      return;
    }
    ctx.named.add(key);
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ r: tpl, cluster });
  });
  const ordered = [...found.filter((f) => !f.cluster), ...found.filter((f) => f.cluster)];
  return ordered.flatMap(({ r }) => [r, ...flatten(ctx, r, get(r.value, 'spec', 'templates'), ['spec', 'templates'], seen)]);
}

/**
 * An arg's value: text, as the CRDs type args[].value (AnalysisTemplate, ClusterAnalysisTemplate and Rollout
 * alike); a number or a boolean is refused, as the API server refuses the resource.
 */
function argValue(ctx: AnalysisContext, r: Resource, path: Path, a: unknown): string | undefined {
  const v = get(a, 'value');
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    const text = JSON.stringify(v) ?? String(v);
    ctx.problem(r, [...path, 'value'], `an arg's value is text in the CRD: the API server refuses ${text} (write ${JSON.stringify(text)})`);
  }
  return String(v);
}

/** One AnalysisRun: the templates of a step or of the background analysis, args resolved. */
export function buildAnalysis(ctx: AnalysisContext, ref: unknown, refPath: Path, runName: string): AnalysisSpec | null {
  const ro = ctx.rollout;
  const legacy = get(ref, 'templateName');
  const refs = get(ref, 'templates') ?? (typeof legacy === 'string' ? [{ templateName: legacy }] : undefined);
  if (!Array.isArray(refs) || refs.length === 0) {
    ctx.problem(ro, [...refPath, 'templates'], 'an analysis names at least one template (templates: [{templateName: ...}])');
    return null;
  }
  const templates = flatten(ctx, ro, refs, [...refPath, get(ref, 'templates') ? 'templates' : 'templateName'], new Set());
  if (templates.length === 0) return null;

  // Template args (flattenArgs), then the Rollout's (MergeArgs), then the scenario's.
  const args = new Map<string, { value: string | undefined; r: Resource; path: Path }>();
  for (const t of templates) {
    const declared = get(t.value, 'spec', 'args');
    (Array.isArray(declared) ? declared : []).forEach((a, i) => {
      const name = String(get(a, 'name') ?? '');
      const path: Path = ['spec', 'args', i];
      let value = argValue(ctx, t, path, a);
      const secret = get(a, 'valueFrom', 'secretKeyRef');
      if (value === undefined && secret !== undefined && own(ctx.args, name) === undefined) {
        value = `<secret ${String(get(secret, 'name') ?? '')}/${String(get(secret, 'key') ?? '')}>`;
        ctx.warn(t, [...path, 'valueFrom', 'secretKeyRef'], `the controller reads arg ${quoted(name)} from a Secret when the run starts: ${quoted(value)} stands for it in the rehearsal (give argo.args.${name} in the scenario to set it)`);
      }
      const prev = args.get(name);
      if (prev && prev.value !== undefined && value !== undefined && prev.value !== value) {
        ctx.problem(t, path, `arg ${quoted(name)} is given twice with different values (${quoted(prev.value)} in ${prev.r.kind} ${quoted(prev.r.name)}, ${where(prev.r, prev.path)}: ${pathText(prev.path)}; ${quoted(value)} here): Argo refuses the run`);
      }
      if (!prev || prev.value === undefined) args.set(name, { value, r: t, path });
    });
  }
  const given = get(ref, 'args');
  (Array.isArray(given) ? given : []).forEach((a, i) => {
    const name = String(get(a, 'name') ?? '');
    const path: Path = [...refPath, 'args', i];
    const entry = args.get(name);
    if (!entry) return; // MergeArgs: an arg no template declares is not used
    let value = argValue(ctx, ro, path, a);
    const hash = get(a, 'valueFrom', 'podTemplateHashValue');
    const field = get(a, 'valueFrom', 'fieldRef', 'fieldPath');
    if (hash === 'Stable' || hash === 'Latest') value = hash === 'Stable' ? ctx.hashes.stable : ctx.hashes.canary;
    else if (typeof field === 'string') {
      value = fieldRef(ro, field);
      if (value === undefined && own(ctx.args, name) === undefined) {
        value = `<fieldRef ${field}>`;
        ctx.warn(ro, [...path, 'valueFrom', 'fieldRef', 'fieldPath'], `${quoted(field)} names nothing in the Rollout as given: ${quoted(value)} stands for arg ${quoted(name)} (give argo.args.${name} in the scenario to set it)`);
      }
    } else if (get(a, 'valueFrom') !== undefined && value === undefined && own(ctx.args, name) === undefined) {
      ctx.problem(ro, [...path, 'valueFrom'], `valueFrom is podTemplateHashValue (Stable or Latest) or fieldRef: give argo.args.${name} in the scenario`);
    }
    if (value !== undefined) args.set(name, { ...entry, value });
  });
  const values = new Map<string, string>();
  for (const [name, a] of args) {
    const v = own(ctx.args, name) ?? a.value;
    if (v === undefined) ctx.problem(a.r, a.path, `arg ${quoted(name)} has no value: the Rollout ${quoted(ro.name)} (${where(ro, [...refPath, 'args'])}: ${pathText([...refPath, 'args'])}) or the scenario's argo.args must give one`);
    else values.set(name, v);
  }

  const metrics: AnalysisMetric[] = [];
  let invalid: string | null = null;
  const names = new Map<string, string>();
  for (const t of templates) {
    const list = get(t.value, 'spec', 'metrics');
    if (!Array.isArray(list) || (list.length === 0 && !get(t.value, 'spec', 'templates'))) {
      ctx.problem(t, ['spec', 'metrics'], `${t.kind} ${quoted(t.name)} has no metrics`);
      continue;
    }
    list.forEach((raw, mi) => {
      const mp: Path = ['spec', 'metrics', mi];
      const metric = readMetric(ctx, t, raw, mp, values, new Set(args.keys()), runName);
      if (!metric) return;
      // utils/analysis/factory.go ValidateMetrics, over the run's metrics in order: the first broken rule errs the run.
      const broken = brokenLimit({ ...metric, interval: metric.intervalUs !== null });
      const key = (k: string) => (k === 'failureLimit' && get(raw, 'failureLimit') === undefined && get(raw, 'maxFailures') !== undefined ? 'maxFailures' : k);
      if (broken) {
        const said = `metrics[${metrics.length}]: ${broken.message}`;
        invalid ??= said;
        ctx.warn(t, [...mp, key(broken.key)], `${String(metric[broken.key as Exclude<typeof broken.key, 'interval'>])}: the controller ends the analysis run in Error before its first measurement ("Analysis spec invalid: ${said}")`);
      }
      const other = names.get(metric.name);
      if (other !== undefined) ctx.problem(t, ['spec', 'metrics', mi, 'name'], `two metrics have the same name ${quoted(metric.name)} (also in ${other}): Argo refuses the run`);
      names.set(metric.name, `${t.kind} ${quoted(t.name)}, ${where(t, ['spec', 'metrics', mi, 'name'])}`);
      metrics.push(metric);
    });
  }

  // dryRun and measurementRetention rules, from the Rollout and the templates (checked after the metrics, as
  // reconcileAnalysisRun checks them).
  const rules = (key: 'dryRun' | 'measurementRetention') => [
    ...(Array.isArray(get(ref, key)) ? (get(ref, key) as unknown[]).map((x, i) => ({ x, r: ro, path: [...refPath, key, i] as Path })) : []),
    ...templates.flatMap((t) => (Array.isArray(get(t.value, 'spec', key)) ? (get(t.value, 'spec', key) as unknown[]).map((x, i) => ({ x, r: t, path: ['spec', key, i] as Path })) : [])),
  ];
  const dry = new Set<string>();
  for (const key of ['dryRun', 'measurementRetention'] as const) {
    rules(key).forEach((rule, i) => {
      const pattern = String(get(rule.x, 'metricName') ?? '');
      const hit = metrics.filter((m) => matches(pattern, m.name));
      if (key === 'dryRun') hit.forEach((m) => dry.add(m.name));
      else ctx.retention(rule.r, rule.path);
      if (hit.length === 0) {
        invalid ??= `${key}[${i}]: Rule didn't match any metric name(s)`;
        ctx.warn(rule.r, [...rule.path, 'metricName'], `${quoted(pattern)} matches no metric (${quotedList(metrics.map((m) => m.name))}): the controller ends the run in Error ("${key}[${i}]: Rule didn't match any metric name(s)")`);
      }
    });
  }
  return { name: runName, metrics: metrics.map((m) => (dry.has(m.name) ? { ...m, dryRun: true } : m)), invalid };
}

function readMetric(ctx: AnalysisContext, t: Resource, raw: unknown, mp: Path, values: ReadonlyMap<string, string>, declared: ReadonlySet<string>, runName: string): AnalysisMetric | null {
  const m = substitute(raw, values, (ref) => {
    if (!declared.has(ref)) ctx.problem(t, mp, `{{args.${ref}}} has no value: no template of the run declares arg ${quoted(ref)}`);
  }) as Record<string, unknown>;
  if (m === null || typeof m !== 'object') {
    ctx.problem(t, mp, 'a metric is a mapping with name, provider and conditions');
    return null;
  }
  const name = String(m.name ?? '');
  if (!name) ctx.problem(t, [...mp, 'name'], 'a metric needs a name');
  const condition = (key: 'successCondition' | 'failureCondition'): Condition | null => {
    const text = m[key];
    if (text === undefined || text === null || text === '') return null;
    if (typeof text !== 'string') {
      // The CRDs type conditions as strings: `successCondition: true` is refused by the API server.
      ctx.problem(t, [...mp, key], `a condition is text in the CRD: the API server refuses ${JSON.stringify(text)} (write it quoted, as an expression over result)`);
      return null;
    }
    try {
      return parseCondition(String(text));
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      ctx.problem(t, [...mp, key], e.message);
      return null;
    }
  };
  const success = condition('successCondition');
  const failure = condition('failureCondition');
  // The providers of the CRD's MetricProvider; other keys are pruned (the walk of the fields warns).
  const providers = Object.keys((m.provider ?? {}) as object).filter((k) => PROVIDERS.includes(k));
  if (providers.length !== 1) ctx.problem(t, [...mp, 'provider'], `a metric names one provider (${PROVIDERS.join(', ')})${providers.length ? `, not ${providers.join(' and ')}` : ''}`);
  const provider = providers[0] ?? 'none';
  // A provider that is not simulated measures Inconclusive whatever its result: its conditions decide nothing.
  if (provider !== 'prometheus' && provider !== 'none') {
    for (const key of ['successCondition', 'failureCondition'] as const) {
      if ((key === 'successCondition' ? success : failure) !== null) ctx.warn(t, [...mp, key], `not evaluated: the ${provider} provider is not simulated, each measurement is Inconclusive whatever this says`);
    }
  }
  let gate: PromQLGate | null = null;
  if (provider === 'prometheus') {
    const query = String(get(m, 'provider', 'prometheus', 'query') ?? '');
    const range = rangeQuery(ctx, t, get(m, 'provider', 'prometheus', 'rangeQuery'), [...mp, 'provider', 'prometheus', 'rangeQuery']);
    try {
      gate = {
        kind: 'promql', source: `${t.name}/${name}`, query, expr: parsePromQL(query), success, failure, result: 'list', filter: NO_FILTER,
        origin: `${runName}: ${t.name}/${name}`, ...(range ? { range } : {}),
      };
      const ahead = readsAheadWarning(gate.expr, 'the analysis measures at', 'every measurement finds no data');
      if (ahead) ctx.warn(t, [...mp, 'provider', 'prometheus', 'query'], ahead);
      const fails = failsEveryEvaluationWarning(gate.expr, 'every measurement is an Error (the provider\'s query failed)');
      // Columns are of the query with its args substituted, as the controller sends it.
      const rendered = String(get(raw as Record<string, unknown>, 'provider', 'prometheus', 'query') ?? '') === query ? '' : 'with its args substituted: ';
      const newer = newerSyntaxWarnings(query, 'refuses the query, and every measurement is an Error').map((w) => `${rendered}${w}`);
      for (const w of [...newer, fails]) if (w) ctx.warn(t, [...mp, 'provider', 'prometheus', 'query'], w);
    } catch (e) {
      if (!(e instanceof PromQLError)) throw e;
      ctx.problem(t, [...mp, 'provider', 'prometheus', 'query'], e.message);
    }
  }
  const duration = (key: string): number | null => {
    const v = m[key];
    // Go: DurationString "" is no duration (metric.Interval != "" in analysis.go).
    if (v === undefined || v === null || v === '') return null;
    // Go's time.ParseDuration (DurationString.Duration), up to an int64 of nanoseconds (2562047h47m16.854775807s):
    // past it, "time: invalid duration"; "0" is the one number it reads without a unit. A negative one is refused.
    const d = parseGoDuration(String(v));
    if (!d.ok || d.value < 0n) {
      ctx.problem(t, [...mp, key], `${JSON.stringify(v)} is not a duration Argo reads (Go's time.ParseDuration: "30s", "5m", "1h30m"${d.ok ? '' : `; ${d.message}`})`);
      return null;
    }
    return goMicroseconds(d.value);
  };
  const int = (key: string, fallback: number | null): number | null => {
    const v = m[key];
    if (v === undefined || v === null) return fallback;
    // Text is read by IntOrString.IntValue(): strconv.Atoi, a sign allowed ("+3" is 3), 0 where it fails (" 3", "3.0",
    // "0x3": k8s.io/apimachinery intstr.go; analysis.go and utils/analysis/factory.go ValidateMetric read it so).
    const text = typeof v === 'string';
    const n = typeof v === 'number' ? v + 0 : text && /^[+-]?\d+$/.test(v) ? Number(v) + 0 : NaN;
    if (!Number.isInteger(n)) {
      ctx.problem(t, [...mp, key], text ? `${JSON.stringify(v)} is not a whole number: the controller reads the text with strconv.Atoi (IntOrString.IntValue) and takes 0 where that fails` : `${JSON.stringify(v)} is not a whole number`);
      return fallback;
    }
    // An IntOrString in the CRD holds an int32: the API server refuses 1e300 (it was read as a limit of 1e300); text
    // it stores, and the controller's int32(IntValue()) (analysis.go) wraps past the int32 range.
    if (n < -(2 ** 31) || n > 2 ** 31 - 1) {
      ctx.problem(t, [...mp, key], text ? `${JSON.stringify(v)} is past an int32 (-2147483648 to 2147483647): the API server stores the text, and the controller's int32(IntValue()) (analysis.go) wraps it` : `${JSON.stringify(v)} is past what the CRD holds (an int32, up to ${2 ** 31 - 1}): the API server refuses it`);
      return fallback;
    }
    return n;
  };
  return {
    template: t.name, name, gate, provider,
    intervalUs: duration('interval'),
    initialDelayUs: duration('initialDelay') ?? 0,
    count: int('count', null),
    // failureLimit was called maxFailures before v0.6 (the walk warns).
    failureLimit: int(m.failureLimit === undefined && m.maxFailures !== undefined ? 'maxFailures' : 'failureLimit', 0)!,
    inconclusiveLimit: int('inconclusiveLimit', 0)!,
    consecutiveErrorLimit: int('consecutiveErrorLimit', 4)!,
    consecutiveSuccessLimit: int('consecutiveSuccessLimit', 0)!,
    dryRun: false,
  };
}

/**
 * A prometheus rangeQuery (metricproviders/prometheus/prometheus.go executeQuery): start and end are expr-lang
 * time expressions (utils/evaluate EvalTime), read here as now() plus or minus duration("..."), measured from the
 * measurement's time; step is a duration.
 */
function rangeQuery(ctx: AnalysisContext, t: Resource, raw: unknown, path: Path): PromQLGate['range'] | null {
  if (raw === undefined || raw === null) return null;
  const when = (key: 'start' | 'end'): number | null => {
    const text = String(get(raw, key) ?? '');
    const m = /^\s*now\(\)((?:\s*[+-]\s*duration\(\s*(?:"[^"]*"|'[^']*')\s*\))*)\s*$/.exec(text);
    let us = 0;
    for (const d of m ? m[1].matchAll(/([+-])\s*duration\(\s*["']([^"']*)["']\s*\)/g) : []) {
      // expr's duration() is Go's time.ParseDuration.
      const v = parseGoDuration(d[2]);
      if (!v.ok) {
        ctx.problem(t, [...path, key], `duration(${quoted(d[2])}): ${v.message}`);
        return null;
      }
      us += (d[1] === '-' ? -1 : 1) * goMicroseconds(v.value);
    }
    if (!m) ctx.problem(t, [...path, key], `${JSON.stringify(text)}: a rehearsal reads a range's times as now() plus or minus duration("...") (a date is not a time of the simulated run)`);
    return m ? us : null;
  };
  const fromUs = when('start'), toUs = when('end');
  const step = parseGoDuration(String(get(raw, 'step') ?? ''));
  const stepUs = step.ok ? goMicroseconds(step.value) : 0;
  if (!(stepUs > 0)) ctx.problem(t, [...path, 'step'], `${JSON.stringify(get(raw, 'step') ?? '')} is not a duration above zero ("1m")`);
  return fromUs === null || toUs === null || !(stepUs > 0) ? null : { fromUs, toUs, stepUs };
}
