/**
 * A plan's analysis runs in rehearse's own format (schema-analysis.ts) as the runs the controller measures:
 * the same AnalysisSpec an imported Argo Rollout's templates make, so that a plan written by `rehearse import
 * argo` is judged as the Rollout is. Limits are held to the rules of argoproj/argo-rollouts
 * utils/analysis/factory.go ValidateMetric, refused here where the Rollout's run would end in Error.
 */
import { brokenLimit } from './limits.js';
import { parseDuration } from '../units/parse.js';
import { promqlGate } from './gates.js';
import type { PathSegment, Problem } from './problems.js';
import { didYouMean } from '../errors.js';
import { podTemplateHash, type TrafficSplit } from '../metrics/mapping.js';
import type { AnalysisMetricInput, AnalysisRunInputType, BackgroundAnalysisInputType, PodsInputType } from './schema-analysis.js';
import type { AnalysisMetric, AnalysisSpec, BackgroundAnalysis, PlanAnalyses, PromQLGate } from './types.js';
import { quoted } from '../units/escape.js';

interface Units {
  problems: Problem[];
  duration(text: string | undefined, fallback: string, path: PathSegment[]): number;
}

/** A signed offset from the measurement ("-10m", "0s"). */
function offset(h: Units, text: string, path: PathSegment[]): number {
  const t = text.trim();
  const neg = t.startsWith('-');
  const d = parseDuration(neg ? t.slice(1) : t);
  if (!d.ok) {
    h.problems.push({ path, message: `${d.message} (an offset from the measurement: "-10m", "0s")` });
    return 0;
  }
  return neg ? -d.value : d.value;
}

function metric(h: Units, m: AnalysisMetricInput, path: PathSegment[], run: string): AnalysisMetric | null {
  if ((m.promql === undefined) === (m.provider === undefined)) {
    h.problems.push({ path, message: 'a metric has either promql (measured over the simulated series) or provider (not simulated: Inconclusive)' });
    return null;
  }
  let gate: PromQLGate | null = null;
  if (m.promql !== undefined) {
    gate = promqlGate({ promql: m.promql, success: m.success, failure: m.failure, name: m.name, result: m.result }, path, h.problems, { origin: `${run}: ${m.name}` });
    if (!gate) return null;
    if (m.range) {
      const fromUs = offset(h, m.range.from, [...path, 'range', 'from']), toUs = offset(h, m.range.to, [...path, 'range', 'to']);
      const stepUs = h.duration(m.range.step, '0s', [...path, 'range', 'step']);
      if (stepUs <= 0) h.problems.push({ path: [...path, 'range', 'step'], message: 'a range\'s step is longer than zero' });
      gate = { ...gate, range: { fromUs, toUs, stepUs } };
    }
  } else {
    for (const k of ['range', 'result', 'success', 'failure'] as const) {
      if (m[k] !== undefined) h.problems.push({ path: [...path, k], message: `a provider that is not simulated measures nothing: ${k} has no use (each measurement is Inconclusive)` });
    }
  }
  const out: AnalysisMetric = {
    template: '', name: m.name, gate, provider: m.provider ?? 'prometheus',
    intervalUs: m.interval === undefined ? null : h.duration(m.interval, '0s', [...path, 'interval']),
    initialDelayUs: h.duration(m['initial-delay'], '0s', [...path, 'initial-delay']),
    count: m.count ?? null,
    failureLimit: m['failure-limit'] ?? 0,
    inconclusiveLimit: m['inconclusive-limit'] ?? 0,
    consecutiveErrorLimit: m['consecutive-error-limit'] ?? 4,
    consecutiveSuccessLimit: m['consecutive-success-limit'] ?? 0,
    dryRun: m['dry-run'] ?? false,
  };
  const broken = brokenLimit({ ...out, interval: out.intervalUs !== null });
  if (broken) {
    const key = { count: 'count', failureLimit: 'failure-limit', inconclusiveLimit: 'inconclusive-limit', consecutiveErrorLimit: 'consecutive-error-limit', consecutiveSuccessLimit: 'consecutive-success-limit', interval: 'interval' }[broken.key];
    h.problems.push({ path: [...path, key], message: `${broken.message.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} (the Argo Rollouts controller ends such a run in Error before measuring)` });
  }
  return out;
}

function run(h: Units, a: AnalysisRunInputType, path: PathSegment[], fallback: string): AnalysisSpec {
  const name = a.name ?? fallback;
  const seen = new Set<string>();
  const metrics = a.metrics.flatMap((m, i) => {
    if (seen.has(m.name)) h.problems.push({ path: [...path, 'metrics', i, 'name'], message: `two metrics of the run are named ${quoted(m.name)}` });
    seen.add(m.name);
    const x = metric(h, m, [...path, 'metrics', i], name);
    return x ? [x] : [];
  });
  return { name, metrics, invalid: null };
}

/** The analyses of a native plan, or null when it names none. */
export function planAnalyses(
  h: Units, stages: readonly { analysis?: AnalysisRunInputType }[] | undefined, background: BackgroundAnalysisInputType | undefined, base: PathSegment[],
): PlanAnalyses | null {
  const list = stages ?? [];
  if (!background && !list.some((s) => s.analysis)) return null;
  let bg: BackgroundAnalysis | null = null;
  if (background) {
    const p = [...base, 'background-analysis'];
    if (background.stage > list.length) h.problems.push({ path: [...p, 'stage'], message: `stage names a stage from 1 to ${list.length}` });
    bg = { analysis: run(h, background, p, 'background analysis'), startStage: Math.min(background.stage, list.length) - 1, startAfterUs: h.duration(background.after, '0s', [...p, 'after']) };
  }
  return { stages: list.map((s, j) => (s.analysis ? run(h, s.analysis, [...base, 'stages', j, 'analysis'], `stage ${j + 1} analysis`) : null)), background: bg };
}

/** A native plan's canary and stable pods (`pods`) as the split of its service's series, or null. */
export function planPods(h: Units & { services: readonly { name: string }[] }, pods: PodsInputType | undefined, flag: string, base: PathSegment[]): TrafficSplit | null {
  if (!pods) return null;
  const names = h.services.map((s) => s.name);
  if (!names.includes(pods.service)) {
    h.problems.push({ path: [...base, 'pods', 'service'], message: `unknown service ${quoted(pods.service)}${didYouMean(pods.service, names)}` });
    return null;
  }
  const workload = pods.workload ?? pods.service;
  const group = (side: 'canary' | 'stable') => ({
    workload, service: pods[side]?.service ?? pods.service, hash: pods[side]?.hash ?? podTemplateHash(`${workload}/${side}`),
  });
  return { flag, service: pods.service, app: workload, ingress: workload, route: workload, port: '80', canary: group('canary'), stable: group('stable') };
}
