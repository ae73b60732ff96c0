/**
 * Argo Rollouts resources as rehearse plan parts (checked against argoproj/argo-rollouts: rollout/canary.go,
 * analysis/analysis.go, utils/analysis). A Rollout's canary steps become stages (steps.ts), each analysis an
 * AnalysisRun of its templates (analysis.ts), strategy.canary.analysis a background run from its startingStep,
 * and canaryService / stableService the names under which the canary's and the stable pods' traffic is seen.
 * Files may hold other kinds too (Services, VirtualServices, Ingresses, ...): they are context, named in one note.
 * Every field has a disposition (dispositions.ts): modelled, warned with file:line:column and its path, or
 * refused. Pure: texts in, parts (or problems) and warnings out.
 */
import type { AnalysisSpec, BackgroundAnalysis } from '../../scenario/types.js';
import { podTemplateHash } from '../../metrics/mapping.js';
import { walkFields, withScalarProblems, type ScalarProblem, type Table } from '../kube/fields.js';
import { schemaProblems } from '../kube/schema.js';
import { heldForOthers } from '../kube/held-for-others.js';
import { apiVersionProblem, contextNote, exactlyOne, oneLineMessages, get, withReadings, pathText, readResources, where, type Path, type Resource, type SourceFile } from '../kube/resources.js';
import { buildAnalysis } from './analysis.js';
import { ANALYSIS_TEMPLATE, CLUSTER_ANALYSIS_TEMPLATE, ROLLOUT, UNKNOWN } from './dispositions.js';
import { inNamespace, namespaceOf } from '../kube/namespaces.js';
import { checkRoutes } from './routes.js';
import { readSteps, type ArgoStage } from './steps.js';
import { headerRoutes } from './header-routes.js';
import { didYouMean } from '../../errors.js';
import { affinityNotes, splitBy, splitNote } from './split.js';
import { controllerSpecProblems } from './validation.js';
import { serviceProblems } from './services.js';
import { checkPlugins } from './plugins.js';
import { nameFor, pickOne, type PickWords } from '../kube/pick.js';
import { quoted, quotedList } from '../../units/escape.js';

export type { SourceFile } from '../kube/resources.js';
export type { ArgoStage } from './steps.js';
export type ArgoAnalysis = AnalysisSpec;

export interface ArgoParts {
  readonly rollout: string;
  readonly stages: readonly ArgoStage[];
  readonly background: BackgroundAnalysis | null;
  /** The Services in front of the canary and the stable pods (null where the Rollout names none), and the router. */
  readonly traffic: { readonly canaryService: string | null; readonly stableService: string | null; readonly router: string | null };
  /** How the team's system splits each weight (split.ts): each request, or users (an ALB's sticky target groups; a ClientIP Service without a router). */
  readonly splitBy: 'users' | 'requests';
  /** Pod-template hashes rehearse gives the stable and the canary pods (podTemplateHashValue args read them). */
  readonly hashes: { readonly stable: string; readonly canary: string };
  /** Names the scenario service that runs the Rollout may have: the Rollout's, its workloadRef's. */
  readonly workloads: readonly string[];
  readonly namespace: string | null;
  /** Where measurementRetention rules stand (file:line:column: path): how many measurements the AnalysisRun's status keeps. */
  readonly retentionRules: readonly string[];
}

export type ArgoResult =
  | { ok: true; parts: ArgoParts; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[] };

export interface ArgoOptions {
  /** Values for template args, over those of the Rollout and the templates' defaults. */
  readonly args?: Readonly<Record<string, string>>;
  /** The Rollout to rehearse where the files hold several (its metadata.name), and where the name was given (`--rollout`). */
  readonly rollout?: { readonly name: string; readonly from: string };
}

const TABLES: Record<string, Table> = { Rollout: ROLLOUT, AnalysisTemplate: ANALYSIS_TEMPLATE, ClusterAnalysisTemplate: CLUSTER_ANALYSIS_TEMPLATE };
/** A plan is one Rollout's, as the controller reconciles each alone (`kubectl argo rollouts lint` checks each: lintRollouts). */
const ROLLOUT_WORDS: PickWords = { kind: 'Rollout', kinds: 'Rollouts', option: 'rehearse import argo --rollout', field: 'argo.name' };
const ROUTERS = ['istio', 'smi', 'nginx', 'alb', 'ambassador', 'apisix', 'appMesh', 'traefik', 'plugins'];

/** The plan parts of a Rollout and the AnalysisTemplates it runs. */
export function toScenarioParts(files: readonly SourceFile[], options: ArgoOptions = {}): ArgoResult {
  const r = readParts(files, options);
  return oneLineMessages(r.ok ? r : { ...r, problems: withReadings(r.problems, r.warnings) });
}

/**
 * What files without a Rollout hold of Argo's kinds, and why none is rehearsed alone: an Experiment (a user may apply
 * one by itself: it runs ReplicaSets side by side for a duration, with analyses, and ramps no traffic between a stable
 * and a canary), an AnalysisRun (the controller's record of a run), templates (the analyses a Rollout names).
 */
function withoutRollout(resources: readonly Resource[], context: readonly Resource[]): string {
  const label = (r: Resource) => {
    const generated = get(r.value, 'metadata', 'generateName');
    return r.name ? `${quoted(r.name)}` : typeof generated === 'string' ? `generateName ${quoted(generated)}` : 'without a name';
  };
  const named = (rs: readonly Resource[]) => rs.slice(0, 3).map((r) => `${r.kind} ${label(r)} (${where(r, [])})`).join(', ') + (rs.length > 3 ? ` and ${rs.length - 3} more` : '');
  const parts: string[] = [];
  const experiments = context.filter((r) => r.kind === 'Experiment' && r.group === 'argoproj.io');
  if (experiments.length) parts.push(`${named(experiments)}: an Experiment runs its templates' ReplicaSets side by side for its duration and ramps no traffic from a stable to a canary, so it is not rehearsed alone (a Rollout's experiment step completes at once, with a warning)`);
  const runs = context.filter((r) => r.kind === 'AnalysisRun' && r.group === 'argoproj.io');
  if (runs.length) parts.push(`${named(runs)}: the controller's record of one run of analyses, not a plan to rehearse`);
  const templates = resources.filter((r) => r.kind !== 'Rollout');
  if (templates.length) parts.push(`${named(templates)}: read as the analyses a Rollout names; give the Rollout beside ${templates.length === 1 ? 'it' : 'them'}`);
  const others = heldForOthers(context).replace(/^; the files hold /, '');
  if (others) parts.push(others);
  return parts.length ? `; the files hold ${parts.join('; ')}` : '';
}

/**
 * Each Rollout of the files checked as its plan would be, as `kubectl argo rollouts lint` checks each Rollout of a
 * file (pkg/kubectl-argo-rollouts/cmd/lint/lint.go lintResource: ValidateRollout and its referenced resources, per
 * Rollout). Files with one Rollout, or none, give one result, that of toScenarioParts.
 */
export function lintRollouts(files: readonly SourceFile[], options: Omit<ArgoOptions, 'rollout'> = {}): { rollout: string | null; result: ArgoResult }[] {
  const read = readResources(files, { group: 'argoproj.io', kinds: ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate'], context: ['AnalysisRun', 'Experiment'] });
  // Each named as --rollout names it: NAME, or NAMESPACE/NAME where two namespaces hold the name (kube/pick.ts).
  const rollouts = read.resources.filter((r) => r.kind === 'Rollout');
  const names = [...new Set(rollouts.map((r) => nameFor(r, rollouts)))];
  if (read.problems.length > 0 || names.length < 2) return [{ rollout: read.problems.length === 0 && names.length === 1 ? names[0] : null, result: toScenarioParts(files, options) }];
  return names.map((name) => ({ rollout: name, result: toScenarioParts(files, { ...options, rollout: { name, from: 'the Rollout' } }) }));
}

/** The versions of argoproj.io the Argo Rollouts CRDs serve (manifests/crds: versions[].served). */
const SERVED = ['v1alpha1'];

function readParts(files: readonly SourceFile[], options: ArgoOptions): ArgoResult {
  const warnings: string[] = [];
  const read = readResources(files, { group: 'argoproj.io', kinds: ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate'], context: ['AnalysisRun', 'Experiment'] });
  const { resources, context, problems } = read;
  warnings.push(...read.warnings);
  let rollouts = resources.filter((r) => r.kind === 'Rollout');
  const pick = problems.length === 0 ? pickOne(files, rollouts, options.rollout, ROLLOUT_WORDS) : null;
  if (pick !== null && 'problem' in pick) problems.push(pick.problem);
  else if (pick !== null) {
    rollouts = pick.chosen ? [pick.chosen] : [];
    if (rollouts.length === 0) problems.push(exactlyOne(files, 'Rollout', rollouts) + withoutRollout(resources, context));
    warnings.push(...pick.warnings);
    for (const o of pick.others) resources.splice(resources.indexOf(o), 1);
  }
  const note = contextNote(context);
  const noteAt = note ? warnings.push(note) - 1 : -1;
  if (problems.length > 0) return { ok: false, problems, warnings };
  let mistyped = 0;
  const scalars: ScalarProblem[] = [];
  const refused: string[] = [];
  for (const r of resources) {
    const report = walkFields(r, TABLES[r.kind], UNKNOWN, 'argoproj.io');
    warnings.push(...report.warnings);
    problems.push(...report.problems);
    mistyped += report.mistyped;
    scalars.push(...report.scalars);
    // Without apiVersion, or of a version the CRD does not serve, the API server refuses it (read as v1alpha1 before).
    const version = apiVersionProblem(r, 'argoproj.io', SERVED);
    if (version !== null) refused.push(version);
    else refused.push(...schemaProblems(r, 'argoproj.io'));
  }
  // A value of a type the CRD does not allow: the API server refuses the resource, and nothing read from it would be what the team runs.
  if (mistyped > 0) return { ok: false, problems, warnings };
  // The rest of the CRD's schema (a required field, a pod template's): refused likewise, before the controller reads it.
  if (refused.length > 0) return { ok: false, problems: [...withScalarProblems(problems, scalars), ...refused], warnings };
  const ro = rollouts[0];
  const templates = new Map<string, Resource>();
  for (const r of resources) if (r.kind !== 'Rollout') templates.set(`${r.kind}/${r.name}`, r);
  const problem = (r: Resource, path: Path, message: string) => problems.push(`${where(r, path)}: ${pathText(path)}: ${message}`);
  const warn = (r: Resource, path: Path, message: string) => warnings.push(`${where(r, path)}: ${pathText(path)}: ${message}`);

  const canary = get(ro.value, 'spec', 'strategy', 'canary');
  if (canary === undefined || canary === null) {
    // The controller's own refusals of the spec come first (kubectl-argo-rollouts lint's invalid-empty-rollout-vsvc.yml:
    // "spec.selector: Required value"), then a strategy named wrong (invalid-unknown-field.yml: "unknown field").
    for (const p of controllerSpecProblems(ro)) problem(ro, p.path, p.message);
    if (get(ro.value, 'spec', 'strategy', 'blueGreen') === undefined) {
      const strategy = get(ro.value, 'spec', 'strategy');
      const other = strategy !== null && typeof strategy === 'object' ? Object.keys(strategy).filter((k) => k !== 'canary' && k !== 'blueGreen') : [];
      for (const k of other) problem(ro, ['spec', 'strategy', k], `unknown field ${quoted(k)} (the Rollout's strategy is canary or blueGreen${didYouMean(k, ['canary', 'blueGreen'])}): kubectl's strict validation refuses it, and without it the Rollout has no canary strategy`);
      if (other.length === 0) problem(ro, ['spec', 'strategy'], 'no canary strategy');
    }
    return { ok: false, problems, warnings };
  }
  const cp: Path = ['spec', 'strategy', 'canary'];
  for (const p of controllerSpecProblems(ro)) problem(ro, p.path, p.message);
  // trafficManagement is trafficRouting before v0.9 (the walk warns).
  const routing = get(canary, 'trafficRouting') ?? get(canary, 'trafficManagement');
  const router = ROUTERS.find((k) => get(routing, k) !== undefined) ?? null;
  const maxWeight = Number(get(routing, 'maxTrafficWeight') ?? 100);
  if (!(maxWeight > 0)) problem(ro, [...cp, 'trafficRouting', 'maxTrafficWeight'], 'maxTrafficWeight is a number above 0');

  const name = ro.name;
  const hashes = { stable: podTemplateHash(`${name}/stable`), canary: podTemplateHash(`${name}/canary`) };
  const retained = new Set<string>();
  const named = new Set<string>();
  const analysisCtx = { rollout: ro, templates, args: options.args ?? {}, hashes, problem, warn, named, retention: (r: Resource, path: Path) => retained.add(`${where(r, path)}: ${pathText(path)}`) };
  const analysis = (ref: unknown, path: Path, runName: string) => buildAnalysis(analysisCtx, ref, path, runName);

  const steps = get(canary, 'steps');
  const stepList = Array.isArray(steps) ? steps : [];
  const headers = headerRoutes(stepList, [...cp, 'steps'], router);
  for (const n of headers.notes) warn(ro, n.path, n.message);
  const { stages, places } = readSteps({ rollout: ro, maxWeight: maxWeight > 0 ? maxWeight : 100, everyRequest: headers.everyRequest, problem: (p, m) => problem(ro, p, m), analysis }, stepList, [...cp, 'steps']);

  let background: BackgroundAnalysis | null = null;
  const bg = get(canary, 'analysis');
  if (bg !== undefined && bg !== null) {
    const bp: Path = [...cp, 'analysis'];
    const raw = get(bg, 'startingStep');
    // An int32 in the CRD: text or true is no step index.
    const startingStep = raw === undefined ? 0 : typeof raw === 'number' ? raw : NaN;
    if (!Number.isInteger(startingStep) || startingStep < 0) problem(ro, [...bp, 'startingStep'], 'startingStep is a step index, from 0');
    const spec = analysis(bg, bp, `background analysis${get(bg, 'name') ? ` ${String(get(bg, 'name'))}` : ''}`);
    // utils/replicaset/canary.go BeforeStartingStep: no run while the current step is before startingStep.
    const place = startingStep >= stepList.length ? { stage: stages.length - 1, afterUs: 0 } : places[startingStep] ?? { stage: 0, afterUs: 0 };
    if (spec) background = { analysis: spec, startStage: Math.min(place.stage, stages.length - 1), startAfterUs: place.afterUs };
  }

  // A template no analysis of the Rollout names (nor a template it names) is never run: say so where it stands.
  for (const [key, t] of templates) {
    if (!named.has(key)) warn(t, ['metadata', 'name'], `no analysis of the Rollout ${quoted(ro.name)} (${where(ro, ['metadata', 'name'])}) names ${t.kind} ${quoted(t.name)} (an experiment step's are not rehearsed): none of its metrics is rehearsed`);
  }

  // The Services that tell canary traffic from stable traffic: check them against the files' Services.
  const serviceName = (key: 'canaryService' | 'stableService'): string | null => {
    const v = get(canary, key);
    if (typeof v !== 'string' || v === '') return null;
    const all = context.filter((c) => c.kind === 'Service' && c.group === '');
    const services = [...new Set(all.map((c) => c.name))];
    // The controller reads them in the Rollout's namespace (rollout/service.go).
    const looked = inNamespace(all.filter((c) => c.name === v), namespaceOf(ro), 'the Rollout\'s namespace');
    if (services.length > 0 && looked === null) warn(ro, [...cp, key], `no Service ${quoted(v)} in the files given${didYouMean(v, services)} (found ${quotedList(services)}): queries filtered on ${quoted(v)} see the ${key === 'canaryService' ? 'canary' : 'stable'} pods' traffic all the same`);
    else if (looked && 'elsewhere' in looked) warn(ro, [...cp, key], `Service ${quoted(v)}: ${looked.elsewhere}: not checked against the files' Services`);
    return v;
  };
  const traffic = { canaryService: serviceName('canaryService'), stableService: serviceName('stableService'), router };
  for (const p of serviceProblems(ro, context)) problem(ro, p.path, p.message);
  checkPlugins({ rollout: ro, templates: [...templates.values()], context, problem, warn }, stepList, [...cp, 'steps'], [...cp, get(canary, 'trafficRouting') !== undefined ? 'trafficRouting' : 'trafficManagement']);
  checkRoutes({ rollout: ro, canaryService: traffic.canaryService, stableService: traffic.stableService, context, problem, warn }, router, routing, [...cp, get(canary, 'trafficRouting') !== undefined ? 'trafficRouting' : 'trafficManagement']);
  const routingKey = get(canary, 'trafficRouting') !== undefined ? 'trafficRouting' : 'trafficManagement';
  const affinity = affinityNotes({ rollout: ro, router, istio: get(routing, 'istio'), context, canaryService: traffic.canaryService, stableService: traffic.stableService });
  const split = splitNote(router, routing, stages.map((s) => s.percent), affinity.pinned);
  if (split) warn(ro, router ? [...cp, routingKey, router] : cp, split);
  warnings.push(...affinity.warnings);
  // A Service whose session affinity decided the split is rehearsed (its note says how): not context.
  if (noteAt >= 0 && affinity.pinning.length > 0) {
    const rest = contextNote(context.filter((c) => !affinity.pinning.includes(c)));
    if (rest === null) warnings.splice(noteAt, 1);
    else warnings[noteAt] = rest;
  }
  const workloadRef = get(ro.value, 'spec', 'workloadRef', 'name');
  const namespace = get(ro.value, 'metadata', 'namespace');
  // Scalars of the wrong type that no check of the adapter's own refused (withScalarProblems).
  problems.push(...withScalarProblems(problems, scalars).slice(problems.length));
  if (problems.length > 0) return { ok: false, problems, warnings };
  return {
    ok: true,
    parts: {
      rollout: name, stages, background, traffic, hashes, splitBy: splitBy(router, routing, affinity.pinned),
      workloads: [name, ...(typeof workloadRef === 'string' && workloadRef !== name ? [workloadRef] : [])],
      namespace: typeof namespace === 'string' ? namespace : null,
      retentionRules: [...retained],
    },
    warnings,
  };
}
