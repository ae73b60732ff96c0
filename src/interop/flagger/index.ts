/**
 * Flagger resources as rehearse plan parts: a Canary's analysis (interval, threshold, maxWeight and stepWeight
 * or stepWeights, iterations) becomes the weights the flag's exposure walks through, each metric a check over
 * PromQL (the builtin request-success-rate and request-duration as Flagger's Istio observer writes them, or a
 * MetricTemplate's query with {{ namespace }}, {{ target }}, {{ interval }} and {{ variables.* }}) judged by its
 * thresholdRange, and confirm-rollout / confirm-promotion webhooks approvals. Pure: texts in, parts (or
 * problems with file:line:column and the path) and warnings out.
 */
import { parsePromQL, PromQLError } from '../../lang/promql.js';
import { parseCondition } from '../../lang/condition.js';
import type { PromQLGate } from '../../scenario/types.js';
import { parseDuration } from '../../units/parse.js';
import { get, readResources, where, type SourceFile } from '../argo/index.js';

export interface FlaggerCheck {
  readonly name: string;
  readonly gate: PromQLGate;
  readonly min: number | null;
  readonly max: number | null;
}

export interface FlaggerParts {
  readonly canary: string;
  readonly namespace: string;
  readonly target: string;
  readonly intervalUs: number;
  readonly threshold: number;
  /** The canary weights walked through, in order (the last is maxWeight); promotion follows. */
  readonly weights: readonly number[];
  /** A/B or blue/green: checks to pass at one exposure before promotion (null: weights). */
  readonly iterations: number | null;
  readonly checks: readonly FlaggerCheck[];
  readonly confirmRollout: boolean;
  readonly confirmPromotion: boolean;
}

export type FlaggerResult =
  | { ok: true; parts: FlaggerParts; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[] };

const NO_FILTER = { service: null, endpoint: null, journey: null, flagOn: null, segment: null };

/** The builtin metrics of Flagger's Istio observer (pkg/metrics/observers/istio.go). */
const ISTIO_BUILTINS: Record<string, string> = {
  'request-success-rate': `sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}",response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) * 100`,
  'request-duration': `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))`,
};


type Path = (string | number)[];
const pathText = (path: Path) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

export function toScenarioParts(files: readonly SourceFile[]): FlaggerResult {
  const warnings: string[] = [];
  const { resources, problems } = readResources(files, ['Canary', 'MetricTemplate']);
  const canaries = resources.filter((r) => r.value.kind === 'Canary');
  if (canaries.length !== 1 && problems.length === 0) problems.push(`${files.map((f) => f.file).join(', ')}: expected exactly one Canary, found ${canaries.length}`);
  if (problems.length > 0) return { ok: false, problems, warnings };
  const cn = canaries[0];
  const at = (path: Path) => where(cn, path);
  const problem = (path: Path, message: string) => problems.push(`${at(path)}: ${pathText(path)}: ${message}`);
  const warn = (path: Path, message: string) => warnings.push(`${at(path)}: ${pathText(path)}: ${message}`);
  const namespace = String(get(cn.value, 'metadata', 'namespace') ?? 'default');
  const target = String(get(cn.value, 'spec', 'targetRef', 'name') ?? get(cn.value, 'metadata', 'name') ?? '');
  const provider = String(get(cn.value, 'spec', 'provider') ?? 'istio');
  const analysis = get(cn.value, 'spec', 'analysis') ?? get(cn.value, 'spec', 'canaryAnalysis');
  if (analysis === undefined) {
    problem(['spec'], 'a Canary needs spec.analysis');
    return { ok: false, problems, warnings };
  }
  const ap: Path = ['spec', 'analysis'];
  const duration = (path: Path, v: unknown, fallback: string): number => {
    const d = parseDuration(v === undefined ? fallback : String(v));
    if (!d.ok) {
      problem(path, `${JSON.stringify(v)} is not a duration`);
      return 60e6;
    }
    return d.value;
  };
  const intervalText = String(get(analysis, 'interval') ?? '1m');
  const intervalUs = duration([...ap, 'interval'], get(analysis, 'interval'), '1m');
  const threshold = Number(get(analysis, 'threshold') ?? 1);
  if (!Number.isInteger(threshold) || threshold < 1) problem([...ap, 'threshold'], 'threshold is a whole number, at least 1');

  // Weights: stepWeights, or stepWeight up to maxWeight.
  let weights: number[] = [];
  const stepWeights = get(analysis, 'stepWeights');
  const iterations = get(analysis, 'iterations') !== undefined ? Number(get(analysis, 'iterations')) : null;
  if (Array.isArray(stepWeights)) {
    weights = stepWeights.map(Number);
    weights.forEach((w, i) => {
      if (!(w > 0 && w <= 100) || (i > 0 && w <= weights[i - 1])) problem([...ap, 'stepWeights', i], 'step weights increase, from above 0 to 100');
    });
  } else if (iterations === null) {
    const step = Number(get(analysis, 'stepWeight') ?? 10);
    const max = Number(get(analysis, 'maxWeight') ?? 100);
    if (!(step > 0 && step <= 100)) problem([...ap, 'stepWeight'], 'stepWeight is a number from 1 to 100');
    if (!(max > 0 && max <= 100)) problem([...ap, 'maxWeight'], 'maxWeight is a number from 1 to 100');
    if (step > 0) for (let w = step; w < max; w += step) weights.push(w);
    weights.push(max);
  }
  if (iterations !== null && (!Number.isInteger(iterations) || iterations < 1)) problem([...ap, 'iterations'], 'iterations is a whole number, at least 1');
  if (get(analysis, 'stepWeightPromotion') !== undefined) {
    warn([...ap, 'stepWeightPromotion'], 'the primary runs the new code from the promotion on: the flag goes to 100% at promotion');
  }
  if (get(analysis, 'match') !== undefined) warn([...ap, 'match'], 'header and cookie matches are rehearsed as a share of users (the plan\'s A/B exposure)');

  const templates = new Map<string, (typeof resources)[number]>();
  for (const r of resources) {
    if (r.value.kind === 'MetricTemplate') {
      const name = String(get(r.value, 'metadata', 'name') ?? '');
      templates.set(name, r);
      templates.set(`${name}.${String(get(r.value, 'metadata', 'namespace') ?? namespace)}`, r);
    }
  }
  const checks: FlaggerCheck[] = [];
  const metrics = get(analysis, 'metrics');
  (Array.isArray(metrics) ? metrics : []).forEach((m, i) => {
    const mp: Path = [...ap, 'metrics', i];
    const name = String(get(m, 'name') ?? `metric-${i}`);
    const metricInterval = String(get(m, 'interval') ?? intervalText);
    const ref = get(m, 'templateRef');
    let query: string;
    let qpath: Path = mp;
    if (ref !== undefined) {
      const tname = String(get(ref, 'name') ?? '');
      const tns = get(ref, 'namespace');
      const tpl = templates.get(tns === undefined ? tname : `${tname}.${String(tns)}`) ?? templates.get(tname);
      if (!tpl) {
        problem([...mp, 'templateRef', 'name'], `no MetricTemplate "${tname}" in the files given`);
        return;
      }
      const type = String(get(tpl.value, 'spec', 'provider', 'type') ?? 'prometheus');
      if (type !== 'prometheus') {
        warn([...mp, 'templateRef'], `MetricTemplate provider "${type}" is not supported: the check is skipped`);
        return;
      }
      query = String(get(tpl.value, 'spec', 'query') ?? '');
      qpath = [...mp, 'templateRef'];
    } else if (provider === 'istio' && ISTIO_BUILTINS[name]) {
      query = ISTIO_BUILTINS[name];
    } else {
      warn(mp, ISTIO_BUILTINS[name] ? `builtin metric "${name}" of provider "${provider}" is not rehearsed (use a MetricTemplate): skipped` : `"${name}" is not a builtin metric and has no templateRef: skipped`);
      return;
    }
    const vars = (get(m, 'templateVariables') ?? {}) as Record<string, unknown>;
    const resolved = query.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) => {
      if (key === 'namespace') return namespace;
      if (key === 'target') return target;
      if (key === 'interval') return metricInterval;
      if (key === 'name') return String(get(cn.value, 'metadata', 'name') ?? '');
      if (key.startsWith('variables.') && vars[key.slice(10)] !== undefined) return String(vars[key.slice(10)]);
      problem(qpath, `${whole} has no value (templateVariables?)`);
      return whole;
    });
    const min = get(m, 'thresholdRange', 'min');
    const max = get(m, 'thresholdRange', 'max');
    if (min === undefined && max === undefined) warn(mp, 'no thresholdRange: the check only needs a value');
    const cond = [min !== undefined ? `result >= ${Number(min)}` : '', max !== undefined ? `result <= ${Number(max)}` : ''].filter(Boolean).join(' && ') || 'result == result || true';
    try {
      const expr = parsePromQL(resolved);
      checks.push({
        name,
        min: min === undefined ? null : Number(min),
        max: max === undefined ? null : Number(max),
        gate: { kind: 'promql', source: name, query: resolved, expr, success: parseCondition(cond), failure: null, result: 'first', filter: NO_FILTER, origin: `canary ${target}: ${name}` },
      });
    } catch (e) {
      if (!(e instanceof PromQLError)) throw e;
      problem(qpath, e.message);
    }
  });

  let confirmRollout = false, confirmPromotion = false;
  const hooks = get(analysis, 'webhooks');
  (Array.isArray(hooks) ? hooks : []).forEach((h, i) => {
    const type = String(get(h, 'type') ?? 'rollout');
    if (type === 'confirm-rollout') confirmRollout = true;
    else if (type === 'confirm-promotion') confirmPromotion = true;
    else warn([...ap, 'webhooks', i], `webhook "${String(get(h, 'name') ?? '')}" of type ${type} is not called in a rehearsal: skipped`);
  });
  if (problems.length > 0) return { ok: false, problems, warnings };
  return {
    ok: true,
    parts: { canary: String(get(cn.value, 'metadata', 'name') ?? ''), namespace, target, intervalUs, threshold, weights, iterations, checks, confirmRollout, confirmPromotion },
    warnings,
  };
}
