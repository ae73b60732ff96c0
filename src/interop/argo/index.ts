/**
 * Argo Rollouts resources as rehearse plan parts: a Rollout's canary steps become stages (setWeight is the
 * flag's exposure, a timed pause a hold, `pause: {}` an approval before the next stage, an analysis step an
 * inline analysis run after the stage's hold), strategy.canary.analysis a background run from its startingStep,
 * and each AnalysisTemplate metric a measurement schedule over a PromQL gate with Argo's counters and
 * conditions. Pure: texts in, parts (or problems with file:line:column and the path in the resource) and
 * warnings out.
 */
import { LineCounter, parseAllDocuments, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { parsePromQL, PromQLError } from '../../lang/promql.js';
import { ConditionSyntaxError, parseCondition, type Condition } from '../../lang/condition.js';
import type { AnalysisMetric, AnalysisSpec, PromQLGate } from '../../scenario/types.js';
import { parseDuration } from '../../units/parse.js';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

export interface ArgoStage {
  readonly percent: number;
  readonly holdUs: number;
  /** A `pause: {}` precedes this stage: it waits for an approval. */
  readonly approval: boolean;
  /** An analysis step run after the hold; the stage ends when it succeeds. */
  readonly analysis: ArgoAnalysis | null;
  /** Indices of the Argo steps this stage stands for. */
  readonly steps: readonly number[];
}

/** An Argo metric and an AnalysisRun: rehearse's own analysis types. */
export type ArgoMetric = AnalysisMetric;
export type ArgoAnalysis = AnalysisSpec;

export interface ArgoParts {
  readonly rollout: string;
  readonly stages: readonly ArgoStage[];
  readonly background: { readonly analysis: ArgoAnalysis; readonly startStage: number } | null;
}

export type ArgoResult =
  | { ok: true; parts: ArgoParts; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[] };

type Path = (string | number)[];

export interface Resource {
  file: string;
  doc: Document;
  lines: LineCounter;
  index: number;
  value: Record<string, unknown>;
}

const NO_FILTER = { service: null, endpoint: null, journey: null, flagOn: null, segment: null };

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(document)';
}

/** file:line:column of the node at `path` in a resource (its nearest existing ancestor). */
export function where(r: Resource, path: Path): string {
  let node: unknown = r.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
      if (node && (node as Node).range) offset = (node as Node).range![0];
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      offset = (node as Node).range?.[0] ?? offset;
    } else break;
  }
  const pos = r.lines.linePos(offset);
  return `${r.file}:${pos.line}:${pos.col}`;
}

/** Reads resources from multi-document YAML files; problems for YAML errors and kinds other than `kinds`. */
export function readResources(files: readonly SourceFile[], kinds: readonly string[]): { resources: Resource[]; problems: string[] } {
  const resources: Resource[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const lines = new LineCounter();
    const docs = parseAllDocuments(f.text, { lineCounter: lines, prettyErrors: false });
    if (!Array.isArray(docs)) {
      problems.push(`${f.file}: not a YAML stream`);
      continue;
    }
    docs.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        const pos = lines.linePos(doc.errors[0].pos[0]);
        problems.push(`${f.file}:${pos.line}:${pos.col}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
        return;
      }
      const value = doc.toJS() as unknown;
      if (value === null || value === undefined) return; // an empty document between separators
      const r: Resource = { file: f.file, doc, lines, index, value: value as Record<string, unknown> };
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${where(r, [])}: a Kubernetes resource is a mapping with apiVersion, kind and metadata`);
        return;
      }
      const kind = String(r.value.kind ?? '');
      if (!kinds.includes(kind)) {
        problems.push(`${where(r, ['kind'])}: kind: ${kind ? `"${kind}" is not one of ${kinds.join(', ')}` : `missing (expected one of ${kinds.join(', ')})`}`);
        return;
      }
      resources.push(r);
    });
  }
  return { resources, problems };
}

/** The value at `path` inside a parsed resource, or undefined where the path leaves the document. */
export const get = (o: unknown, ...path: (string | number)[]): unknown => {
  let x = o;
  for (const p of path) {
    if (x === null || typeof x !== 'object') return undefined;
    x = (x as Record<string | number, unknown>)[p];
  }
  return x;
};

const nameOf = (r: Resource) => String(get(r.value, 'metadata', 'name') ?? '');

export interface ArgoOptions {
  /** Values for template args, over those of the Rollout and the templates' defaults. */
  readonly args?: Readonly<Record<string, string>>;
}

/** The plan parts of a Rollout and the AnalysisTemplates it runs. */
export function toScenarioParts(files: readonly SourceFile[], options: ArgoOptions = {}): ArgoResult {
  const warnings: string[] = [];
  const { resources, problems } = readResources(files, ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate']);
  const rollouts = resources.filter((r) => r.value.kind === 'Rollout');
  if (rollouts.length !== 1 && problems.length === 0) {
    problems.push(`${files.map((f) => f.file).join(', ')}: expected exactly one Rollout, found ${rollouts.length}`);
  }
  if (problems.length > 0) return { ok: false, problems, warnings };
  const ro = rollouts[0];
  const templates = new Map<string, Resource>();
  for (const r of resources) if (r.value.kind !== 'Rollout') templates.set(`${r.value.kind}/${nameOf(r)}`, r);
  const problem = (r: Resource, path: Path, message: string) => problems.push(`${where(r, path)}: ${pathText(path)}: ${message}`);
  const warn = (r: Resource, path: Path, message: string) => warnings.push(`${where(r, path)}: ${pathText(path)}: ${message}`);

  const canary = get(ro.value, 'spec', 'strategy', 'canary');
  if (canary === undefined) {
    problem(ro, ['spec', 'strategy'], get(ro.value, 'spec', 'strategy', 'blueGreen') ? 'blueGreen is not supported: rehearse rehearses canary steps' : 'no canary strategy');
    return { ok: false, problems, warnings };
  }

  const duration = (r: Resource, path: Path, v: unknown): number => {
    if (v === undefined || v === null) return 0;
    const text = typeof v === 'number' ? `${v}s` : /^\d+$/.test(String(v)) ? `${v}s` : String(v);
    const d = parseDuration(text);
    if (!d.ok) {
      problem(r, path, `${JSON.stringify(v)} is not a duration: ${d.message}`);
      return 0;
    }
    return d.value;
  };
  const int = (r: Resource, path: Path, v: unknown, fallback: number | null): number | null => {
    if (v === undefined || v === null) return fallback;
    const n = typeof v === 'number' ? v : /^-?\d+$/.test(String(v)) ? Number(v) : NaN;
    if (!Number.isInteger(n)) {
      problem(r, path, `${JSON.stringify(v)} is not a whole number (an arg left unsubstituted?)`);
      return fallback;
    }
    return n;
  };

  /** One AnalysisRun: the templates of a step or of the background analysis, args resolved. */
  const analysis = (ref: unknown, refPath: Path, runName: string): ArgoAnalysis | null => {
    const refs = get(ref, 'templates');
    if (!Array.isArray(refs) || refs.length === 0) {
      problem(ro, [...refPath, 'templates'], 'an analysis names at least one template (templateName)');
      return null;
    }
    const given = new Map<string, string>();
    const rolloutArgs = get(ref, 'args');
    if (Array.isArray(rolloutArgs)) {
      rolloutArgs.forEach((a, i) => {
        const name = String(get(a, 'name') ?? '');
        if (get(a, 'value') !== undefined) given.set(name, String(get(a, 'value')));
        else if (get(a, 'valueFrom') !== undefined && options.args?.[name] === undefined) {
          problem(ro, [...refPath, 'args', i, 'valueFrom'], `valueFrom cannot be resolved in a rehearsal: give args.${name} in the scenario's argo entry`);
        }
      });
    }
    const dryRunRefs = [get(ref, 'dryRun')];
    const metrics: ArgoMetric[] = [];
    refs.forEach((t, ti) => {
      const name = String(get(t, 'templateName') ?? '');
      const cluster = get(t, 'clusterScope') === true;
      const key = `${cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'}/${name}`;
      const tpl = templates.get(key);
      if (!tpl) {
        problem(ro, [...refPath, 'templates', ti, 'templateName'], `no ${key.replace('/', ' "')}" in the files given${templates.size ? ` (found ${[...templates.keys()].join(', ')})` : ''}`);
        return;
      }
      // Args: the scenario's, then the Rollout's, then the template's defaults.
      const args = new Map<string, string>();
      const declared = get(tpl.value, 'spec', 'args');
      (Array.isArray(declared) ? declared : []).forEach((a, ai) => {
        const an = String(get(a, 'name') ?? '');
        const v = options.args?.[an] ?? given.get(an) ?? (get(a, 'value') !== undefined ? String(get(a, 'value')) : undefined);
        if (v === undefined) problem(tpl, ['spec', 'args', ai], `arg "${an}" has no value: the Rollout (${pathText([...refPath, 'args'])}) or the scenario's argo.args must give one`);
        else args.set(an, v);
      });
      dryRunRefs.push(get(tpl.value, 'spec', 'dryRun'));
      const ms = get(tpl.value, 'spec', 'metrics');
      if (!Array.isArray(ms) || ms.length === 0) {
        problem(tpl, ['spec', 'metrics'], 'an AnalysisTemplate needs metrics');
        return;
      }
      ms.forEach((raw, mi) => {
        const mp: Path = ['spec', 'metrics', mi];
        const declaredNames = new Set((Array.isArray(declared) ? declared : []).map((a) => String(get(a, 'name') ?? '')));
        const m = substitute(raw, args, (ref) => {
          if (!declaredNames.has(ref)) problem(tpl, mp, `{{args.${ref}}} is not an arg of template "${name}"`);
        }) as Record<string, unknown>;
        const metricName = String(m.name ?? `metric-${mi}`);
        const provider = Object.keys((m.provider ?? {}) as object)[0] ?? 'none';
        let gate: PromQLGate | null = null;
        const condition = (key: 'successCondition' | 'failureCondition'): Condition | null => {
          const text = m[key];
          if (text === undefined || text === null || text === '') return null;
          try {
            return parseCondition(String(text));
          } catch (e) {
            if (!(e instanceof ConditionSyntaxError)) throw e;
            problem(tpl, [...mp, key], e.message);
            return null;
          }
        };
        const success = condition('successCondition');
        const failure = condition('failureCondition');
        if (provider === 'prometheus') {
          const query = String(get(m, 'provider', 'prometheus', 'query') ?? '');
          try {
            const expr = parsePromQL(query);
            gate = {
              kind: 'promql', source: `${name}/${metricName}`, query, expr, success, failure, result: 'list', filter: NO_FILTER,
              origin: `${runName}: ${name}/${metricName}`,
            };
          } catch (e) {
            if (!(e instanceof PromQLError)) throw e;
            problem(tpl, [...mp, 'provider', 'prometheus', 'query'], e.message);
          }
        } else {
          warn(tpl, [...mp, 'provider', provider], `provider "${provider}" is not supported: the metric is rehearsed as inconclusive`);
        }
        metrics.push({
          template: name, name: metricName, gate, provider,
          intervalUs: duration(tpl, [...mp, 'interval'], m.interval),
          initialDelayUs: duration(tpl, [...mp, 'initialDelay'], m.initialDelay),
          count: int(tpl, [...mp, 'count'], m.count, null),
          failureLimit: int(tpl, [...mp, 'failureLimit'], m.failureLimit ?? m.maxFailures, 0)!,
          inconclusiveLimit: int(tpl, [...mp, 'inconclusiveLimit'], m.inconclusiveLimit, 0)!,
          consecutiveErrorLimit: int(tpl, [...mp, 'consecutiveErrorLimit'], m.consecutiveErrorLimit, 4)!,
          dryRun: false,
        });
      });
    });
    // dryRun: metric names (regular expressions) from the Rollout's analysis and the templates.
    const patterns = dryRunRefs.flatMap((d) => (Array.isArray(d) ? d.map((x) => String(get(x, 'metricName') ?? '')) : []));
    const dry = (n: string) => patterns.some((p) => p === n || safeRegex(p)?.test(n));
    return { name: runName, metrics: metrics.map((m) => (dry(m.name) ? { ...m, dryRun: true } : m)) };
  };

  // Steps -> stages.
  const steps = get(canary, 'steps');
  const stepList = Array.isArray(steps) ? steps : [];
  const stages: { percent: number; holdUs: number; approval: boolean; analysis: ArgoAnalysis | null; steps: number[]; closed: boolean }[] = [];
  let weight = 0;
  let pendingApproval = false;
  const current = () => {
    const last = stages[stages.length - 1];
    if (last && !last.closed) return last;
    const s = { percent: weight, holdUs: 0, approval: pendingApproval, analysis: null, steps: [] as number[], closed: false };
    pendingApproval = false;
    stages.push(s);
    return s;
  };
  const stageOfStep: number[] = [];
  stepList.forEach((step, i) => {
    const sp: Path = ['spec', 'strategy', 'canary', 'steps', i];
    const keys = step && typeof step === 'object' ? Object.keys(step) : [];
    const kind = keys[0];
    if (kind === 'setWeight') {
      const w = Number((step as Record<string, unknown>).setWeight);
      if (!(w >= 0 && w <= 100)) problem(ro, [...sp, 'setWeight'], 'a weight is a number from 0 to 100');
      const last = stages[stages.length - 1];
      if (last) last.closed = true;
      weight = w;
      current().steps.push(i);
    } else if (kind === 'pause') {
      const d = get(step, 'pause', 'duration');
      if (d === undefined) {
        const last = stages[stages.length - 1];
        if (last) last.closed = true;
        pendingApproval = true;
      } else {
        const s = current();
        if (s.analysis) {
          s.closed = true;
          const n = current();
          n.holdUs += duration(ro, [...sp, 'pause', 'duration'], d);
          n.steps.push(i);
        } else {
          s.holdUs += duration(ro, [...sp, 'pause', 'duration'], d);
          s.steps.push(i);
        }
      }
    } else if (kind === 'analysis') {
      let s = current();
      if (s.analysis) {
        s.closed = true;
        s = current();
      }
      s.analysis = analysis(get(step, 'analysis'), [...sp, 'analysis'], `step ${i + 1} analysis${get(step, 'analysis', 'name') ? ` ${get(step, 'analysis', 'name')}` : ''}`);
      s.steps.push(i);
    } else {
      warn(ro, [...sp, kind ?? ''], `step "${kind}" is not rehearsed (skipped)`);
    }
    stageOfStep[i] = stages.length - 1;
  });
  // The rollout ends fully promoted.
  if (stages.length === 0 || stages[stages.length - 1].percent !== 100 || pendingApproval) {
    const last = stages[stages.length - 1];
    if (last) last.closed = true;
    weight = 100;
    current();
  }

  let background: ArgoParts['background'] = null;
  const bg = get(canary, 'analysis');
  if (bg !== undefined) {
    const startingStep = int(ro, ['spec', 'strategy', 'canary', 'analysis', 'startingStep'], get(bg, 'startingStep'), 0)!;
    const spec = analysis(bg, ['spec', 'strategy', 'canary', 'analysis'], `background analysis${get(bg, 'name') ? ` ${get(bg, 'name')}` : ''}`);
    const startStage = startingStep >= stepList.length ? stages.length - 1 : Math.max(0, stageOfStep[startingStep] ?? 0);
    if (spec) background = { analysis: spec, startStage };
  }
  if (problems.length > 0) return { ok: false, problems, warnings };
  return {
    ok: true,
    parts: { rollout: nameOf(ro), stages: stages.map(({ closed: _, ...s }) => s), background },
    warnings,
  };
}

function safeRegex(p: string): RegExp | null {
  try {
    return new RegExp(`^(?:${p})$`);
  } catch {
    return null;
  }
}

const ARG = /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Replaces {{args.name}} in every string of a value. */
function substitute(v: unknown, args: Map<string, string>, unknown: (name: string) => void): unknown {
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
