/**
 * Flagger resources as rehearse plan parts, as Flagger's scheduler runs them (pkg/controller/scheduler.go,
 * scheduler_metrics.go, scheduler_hooks.go and pkg/apis/flagger/v1beta1/canary.go in fluxcd/flagger): a Canary's
 * analysis (interval, at least 10 s; threshold; stepWeight up to maxWeight, or stepWeights; iterations) becomes
 * the weights the flag's exposure walks through, and each metric a check: the builtin request-success-rate and
 * request-duration of the observer its metrics provider routes to (observers.ts), an inline query, or a
 * MetricTemplate's query rendered as Flagger renders it (render.ts), judged by thresholdRange or, without one
 * (the v1alpha3 form), by threshold. confirm-rollout, confirm-traffic-increase and confirm-promotion webhooks wait
 * for an approval. Every field has a disposition (dispositions.ts). Pure: texts in, parts or problems out.
 */
import { podTemplateHash, type Preset } from '../../metrics/mapping.js';
import type { PlanCheck } from '../../scenario/types.js';
import { percent } from '../../units/format.js';
import { parseGoDuration } from '../../units/go-duration.js';
import { walkFields, withScalarProblems, type ScalarProblem } from '../kube/fields.js';
import { heldForOthers } from '../kube/held-for-others.js';
import { contextNote, exactlyOne, oneLineMessages, crdNumber, withReadings, get, pathText, readResources, where, type Path, type Resource, type SourceFile } from '../kube/resources.js';
import { readChecks } from './checks.js';
import { commandNote } from './loadtest.js';
import { CANARY, METRIC_TEMPLATE, UNKNOWN } from './dispositions.js';
import { apiServerProblems } from './required.js';
import { metricsProvider, observerOf, OBSERVER_PRESET, type Observer } from './observers.js';
import { droppedMatch, isIstioRouter, matchReach, readsMatch, sessionAffinityNote, splitsRequests, type MatchReach } from './routing.js';
import { trafficPolicyNotes } from './affinity.js';
import { providerCheck } from './provider.js';
import { checkFlaggerRoute } from './routes.js';
import { controllerRefusals, knativeRouteNote } from './verify.js';
import { pickOne, type PickWords } from '../kube/pick.js';
import { quoted } from '../../units/escape.js';

export type FlaggerCheck = PlanCheck;

export interface FlaggerOptions {
  /** The flagger controller's -mesh-provider (default istio, cmd/flagger/main.go). */
  readonly meshProvider?: string;
  /** The share of users an A/B analysis's match is rehearsed as selecting, and the scenario's path that gives it (null: not given). */
  readonly exposure?: { readonly percent: number; readonly from: string | null; readonly at: string };
  /** The Canary to rehearse where the files hold several (its metadata.name), and where the name was given (`--canary`). */
  readonly canary?: { readonly name: string; readonly from: string };
}

/** A plan is one Canary's: scheduler.go scheduleCanaries runs one CanaryJob per Canary, each on its own ticker. */
const CANARY_WORDS: PickWords = { kind: 'Canary', kinds: 'Canaries', option: 'rehearse import flagger --canary', field: 'flagger.name' };

export interface FlaggerParts {
  readonly canary: string;
  readonly namespace: string;
  readonly target: string;
  /** The apex Service (spec.service.name, else the target); <service>-canary and <service>-primary follow. */
  readonly service: string;
  readonly ingress: string;
  readonly route: string;
  readonly port: string;
  readonly intervalUs: number;
  readonly threshold: number;
  /** The canary weights walked through, in order; promotion follows. */
  readonly weights: readonly number[];
  /** A/B or blue/green: checks to pass before promotion (null: weights). */
  readonly iterations: number | null;
  /**
   * DeploymentStrategy (canary.go): blue-green (iterations, no match) keeps every user on the primary until
   * promotion; ab-testing (iterations and match) sends the matching users to the canary; canary walks weights.
   */
  readonly strategy: 'canary' | 'blue-green' | 'ab-testing';
  /**
   * A/B: whether the router sends only the requests that match to the canary, every request (it reads no match, or
   * what it writes of the match holds no condition), or none (routing.ts matchReach).
   */
  readonly abReaches: 'matching' | 'all' | 'none';
  /** file:line:column: path of the analysis's match, which an A/B plan's first stage stands for (null without one). */
  readonly matchAt: string | null;
  /** How the router splits the weights: each request (weights, no match, no cookie it reads; routing.ts), or users. */
  readonly splitBy: 'users' | 'requests';
  readonly checks: readonly FlaggerCheck[];
  /** Where the Canary asks for an approval (a confirm-* webhook), or null. */
  readonly approvals: { readonly rollout: string | null; readonly trafficIncrease: string | null; readonly promotion: string | null };
  /** The observer of the builtin metrics and the series it reads, or null when no builtin metric is used. */
  readonly builtin: { readonly observer: Observer; readonly preset: Preset; readonly from: string } | null;
  readonly hashes: { readonly stable: string; readonly canary: string };
}

export type FlaggerResult =
  | { ok: true; parts: FlaggerParts; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[] };

export function toScenarioParts(files: readonly SourceFile[], options: FlaggerOptions = {}): FlaggerResult {
  const r = readParts(files, options);
  return oneLineMessages(r.ok ? r : { ...r, problems: withReadings(r.problems, r.warnings) });
}

function readParts(files: readonly SourceFile[], options: FlaggerOptions): FlaggerResult {
  const warnings: string[] = [];
  const { resources, context, problems, warnings: read } = readResources(files, { group: 'flagger.app', kinds: ['Canary', 'MetricTemplate'], context: ['AlertProvider'] });
  warnings.push(...read);
  const pick = problems.length === 0 ? pickOne(files, resources.filter((r) => r.kind === 'Canary'), options.canary, CANARY_WORDS) : null;
  if (pick !== null && 'problem' in pick) problems.push(pick.problem);
  else if (pick !== null) {
    if (pick.chosen === null) problems.push(exactlyOne(files, 'Canary', []) + heldForOthers(context));
    warnings.push(...pick.warnings);
    for (const o of pick.others) resources.splice(resources.indexOf(o), 1);
  }
  const canaries = resources.filter((r) => r.kind === 'Canary');
  const note = contextNote(context);
  if (note) warnings.push(note);
  if (problems.length > 0) return { ok: false, problems, warnings };
  let mistyped = 0;
  const refused: string[] = [];
  const scalars: ScalarProblem[] = [];
  for (const r of resources) {
    const report = walkFields(r, r.kind === 'Canary' ? CANARY : METRIC_TEMPLATE, UNKNOWN, 'flagger.app', { 'spec.canaryAnalysis': 'spec.analysis' });
    warnings.push(...report.warnings);
    problems.push(...report.problems);
    mistyped += report.mistyped;
    scalars.push(...report.scalars);
    refused.push(...apiServerProblems(r));
  }
  // A resource the API server refuses (a required field missing, the analysis's oneOf, an apiVersion it does not serve) never reaches the controller.
  if (refused.length > 0) return { ok: false, problems: [...problems, ...refused], warnings };
  // A value of a type the CRD does not allow: the API server refuses the resource, and nothing read from it would be what the team runs.
  if (mistyped > 0) return { ok: false, problems, warnings };
  const cn = canaries[0];
  const problem = (r: Resource, path: Path, message: string) => problems.push(`${where(r, path)}: ${pathText(path)}: ${message}`);
  const warn = (r: Resource, path: Path, message: string) => warnings.push(`${where(r, path)}: ${pathText(path)}: ${message}`);
  const spec = get(cn.value, 'spec');
  const apiVersion = String(get(cn.value, 'apiVersion') ?? '');
  if (/^flagger\.app\/v1alpha/.test(apiVersion)) {
    warn(cn, ['apiVersion'], `${apiVersion} is the API of Flagger 0.x: current Flagger serves only flagger.app/v1beta1 and refuses it. Rehearsed as Flagger 0.x ran it (spec.canaryAnalysis as the analysis, a metric's threshold without thresholdRange)`);
  }
  if (get(spec, 'suspend') === true) problem(cn, ['spec', 'suspend'], 'a suspended Canary does not roll out: nothing to rehearse');

  const namespace = String(get(cn.value, 'metadata', 'namespace') ?? 'default');
  const target = String(get(spec, 'targetRef', 'name') ?? '');
  if (!target) problem(cn, ['spec', 'targetRef', 'name'], 'a Canary names its target workload');
  const service = String(get(spec, 'service', 'name') ?? target);
  const ingress = String(get(spec, 'ingressRef', 'name') ?? target);
  const route = String(get(spec, 'routeRef', 'name') ?? target);
  const port = String(get(spec, 'service', 'port') ?? '80');

  // GetAnalysis: spec.analysis, else the v1alpha3 spec.canaryAnalysis; neither (or skipAnalysis) promotes at once.
  const key = get(spec, 'analysis') !== undefined ? 'analysis' : 'canaryAnalysis';
  const analysis = get(spec, key);
  const ap: Path = ['spec', key];
  const skip = analysis === undefined || analysis === null || get(spec, 'skipAnalysis') === true;

  // GetAnalysisInterval: 60 s by default and when it does not parse, at least 10 s.
  const intervalText = get(analysis, 'interval');
  let intervalUs = 60e6;
  if (intervalText !== undefined && intervalText !== '') {
    const parsed = parseGoDuration(String(intervalText));
    if (!parsed.ok) warn(cn, [...ap, 'interval'], `${JSON.stringify(intervalText)} is not a Go duration (${parsed.message}): Flagger uses 60s`);
    else {
      const s = Number(parsed.value) / 1e9;
      if (s < 10) warn(cn, [...ap, 'interval'], `${JSON.stringify(intervalText)}: Flagger checks at most every 10s`);
      intervalUs = Math.max(10, s) * 1e6;
    }
  }
  // Integers in the CRD: text, true or 2.5 is refused, as the API server refuses it.
  const rawThreshold = crdNumber(get(analysis, 'threshold'), true);
  if (rawThreshold === null) problem(cn, [...ap, 'threshold'], `threshold is a whole number (up to ${Number.MAX_SAFE_INTEGER})`);
  const threshold = (rawThreshold ?? 0) > 0 ? rawThreshold! : 1; // GetAnalysisThreshold

  // DeploymentStrategy: iterations (A/B with match, else blue/green), or the canary weights of nextStepWeight.
  const rawIterations = crdNumber(get(analysis, 'iterations'), true);
  if (rawIterations === null) problem(cn, [...ap, 'iterations'], `iterations is a whole number (up to ${Number.MAX_SAFE_INTEGER})`);
  const iterations = (rawIterations ?? 0) > 0 ? rawIterations! : null;
  const weights = skip || iterations !== null ? [] : walkWeights(analysis, (path, m) => problem(cn, [...ap, ...path], m));
  const provider = typeof get(spec, 'provider') === 'string' ? String(get(spec, 'provider')) : null;
  const deployed = meshProviderOf(context);
  const mesh = options.meshProvider ?? deployed?.value ?? 'istio';

  // The observer of the builtin metrics: the Canary's provider, else the controller's -mesh-provider (the
  // scenario's, else the flagger Deployment's among the files, else Flagger's default, istio).
  if (provider === null) {
    const why = options.meshProvider ? 'the scenario\'s flagger.mesh-provider'
      : deployed ? `the flagger Deployment's argument at ${deployed.at}` : 'Flagger\'s default; the scenario\'s flagger.mesh-provider names another';
    warnings.push(`${where(cn, ['spec'])}: spec.provider: none: the mesh provider is the flagger controller's -mesh-provider, ${quoted(mesh)} (${why})`);
  }
  const observer = observerOf(metricsProvider(mesh, provider, { apiVersion: get(spec, 'targetRef', 'apiVersion'), kind: get(spec, 'targetRef', 'kind') }));
  for (const r of controllerRefusals(cn)) problem(cn, r.path, r.message);
  const { checks, builtinUsed } = skip ? { checks: [], builtinUsed: false } : readChecks({
    canary: cn, analysis, analysisPath: ap, templates: resources.filter((r) => r.kind === 'MetricTemplate'),
    model: { name: cn.name, namespace, target, service, ingress, route }, observer, problem, warn,
  });
  const revision = knativeRouteNote(cn, checks.length, route);
  if (revision) warn(cn, ['spec', 'targetRef'], revision);
  // Only the templates a metric names are built (scheduler_metrics.go runMetricChecks).
  const refs = (Array.isArray(get(analysis, 'metrics')) && !skip ? get(analysis, 'metrics') as unknown[] : []).map((m) => get(m, 'templateRef'))
    .filter((r) => r !== undefined && r !== null).map((r) => `${String(get(r, 'name'))}.${String(get(r, 'namespace') ?? '') || namespace}`);
  // A template without a namespace is taken to be where the templateRef looks (checks.ts).
  const named = (r: Resource) => (get(r.value, 'metadata', 'namespace') === undefined ? refs.some((x) => x.startsWith(`${r.name}.`)) : refs.includes(`${r.name}.${String(get(r.value, 'metadata', 'namespace'))}`));
  for (const t of resources.filter((r) => r.kind === 'MetricTemplate' && named(r))) providerCheck(t, context, problem, warn);
  // One no metric names is never read (scheduler_metrics.go looks up each templateRef alone): say so where it stands.
  for (const t of resources.filter((r) => r.kind === 'MetricTemplate' && !named(r))) {
    warn(t, ['metadata', 'name'], skip
      ? `the Canary ${quoted(cn.name)} (${where(cn, skip && analysis !== undefined && analysis !== null ? ['spec', 'skipAnalysis'] : ['metadata', 'name'])}) runs no analysis (${analysis === undefined || analysis === null ? 'it has none' : 'skipAnalysis'}): MetricTemplate ${quoted(t.name)} is never queried, and none of its fields is rehearsed`
      : `no metric of the Canary ${quoted(cn.name)} (${where(cn, [...ap, 'metrics'])}) names MetricTemplate ${quoted(t.name)} (a templateRef looks in namespace ${quoted(namespace)} unless it names one): its query is never run, and none of its fields is rehearsed`);
  }
  const builtin = builtinUsed
    ? { observer, preset: OBSERVER_PRESET[observer], from: `${where(cn, ap)}: ${pathText(ap)}: the builtin metrics of Flagger's ${observer} observer (provider ${quoted(provider ?? mesh)})` }
    : null;

  // Webhooks: confirm-* wait for an approval; the others are not called (rehearsed as passing).
  const approvals = { rollout: null as string | null, trafficIncrease: null as string | null, promotion: null as string | null };
  const hooks = get(analysis, 'webhooks');
  // runAB: with iterations and a match, the router sends a request by the match, not by weights (routing.ts readsMatch),
  // unless what it writes of the match holds no condition (every request) or no header it reads (none: matchReach).
  const matches = get(analysis, 'match');
  const router = provider ?? mesh;
  const ab = iterations !== null && Array.isArray(matches) && matches.length > 0 && !skip;
  const reach = ab && readsMatch(router) ? matchReach(router, matches as unknown[], get(spec, 'service', 'match')) : null;
  const abRouting = ab ? (!readsMatch(router) ? 'all' : reach?.reach ?? 'match') : null;
  (Array.isArray(hooks) ? hooks : []).forEach((h, i) => {
    const hp: Path = [...ap, 'webhooks', i];
    const type = hookType(h);
    const place = `${where(cn, hp)}: ${pathText(hp)} (${type})`;
    const hook = `webhook ${quoted(String(get(h, 'name') ?? ''))} of type ${type} is not called in a rehearsal`;
    if (type === 'confirm-rollout') approvals.rollout ??= place;
    else if (type === 'confirm-traffic-increase') approvals.trafficIncrease ??= place;
    else if (type === 'confirm-promotion') approvals.promotion ??= place;
    // scheduler.go: while a confirm-promotion hook holds the canary in WaitingPromotion, the checks go on.
    const meanwhile = type === 'confirm-promotion' ? ' (Flagger goes on checking while it waits; the rehearsal checks again only after it)' : '';
    if (['confirm-rollout', 'confirm-traffic-increase', 'confirm-promotion'].includes(type)) warn(cn, hp, `${hook}: the scenario's approver (flagger.approval) answers it${meanwhile}`);
    else warn(cn, hp, `${hook}: ${HOOK_OUTCOME[type] ?? 'it passes'}${commandNote(h, type, intervalUs, service, abRouting)}`);
  });
  const strategy = skip || iterations === null ? 'canary' : blueGreenOrAB({ canary: cn, analysis, ap, router: provider ?? mesh, iterations, checks: checks.length, problem, warn });
  // scheduler.go: only runCanary reads maxWeight; runBlueGreen and runAB (iterations) shift no weights.
  if (strategy !== 'canary' && get(analysis, 'maxWeight') !== undefined && get(analysis, 'maxWeight') !== null) {
    warn(cn, [...ap, 'maxWeight'], `with iterations, Flagger runs ${strategy === 'ab-testing' ? 'an A/B (runAB)' : 'a blue/green (runBlueGreen)'} analysis, which shifts no weights: maxWeight is not read`);
  }
  // scheduler.go maxWeight: with stepWeights, the last step weight is the maximum, whatever maxWeight says.
  const stepList = get(analysis, 'stepWeights');
  if (strategy === 'canary' && !skip && Array.isArray(stepList) && stepList.length > 0 && get(analysis, 'maxWeight') !== undefined && get(analysis, 'maxWeight') !== null) {
    warn(cn, [...ap, 'maxWeight'], `with stepWeights, Flagger walks the step weights up to the last one (${String(stepList[stepList.length - 1])}) and reads no maxWeight (scheduler.go maxWeight): not read`);
  }
  // The route the router reads, in the Canary's namespace (a Canary without one: where it is applied).
  const givenNamespace = get(cn.value, 'metadata', 'namespace');
  checkFlaggerRoute(cn, router, service, typeof givenNamespace === 'string' && givenNamespace !== '' ? givenNamespace : null, context, problem, warn);
  const abReaches = !readsMatch(router) ? 'all' : reach?.reach ?? 'matching';
  const matched = reach && strategy === 'ab-testing' ? reachWarning(reach, iterations!, options.exposure) : matchWarning(skip ? 'skip' : strategy, router, options.exposure, iterations);
  const matchList = get(analysis, 'match');
  if (!skip && Array.isArray(matchList)) for (const d of droppedMatch(router, matchList, get(spec, 'service', 'match'))) warn(cn, [...ap, ...d.path], d.message);
  const affinity = get(analysis, 'sessionAffinity');
  if (affinity !== undefined && affinity !== null && !skip) warn(cn, [...ap, 'sessionAffinity'], sessionAffinityNote(strategy, router, affinity, weights, intervalUs));
  warnings.push(...trafficPolicyNotes(cn, router, isIstioRouter(router), service, context));
  if (matched && Array.isArray(get(analysis, 'match')) && (get(analysis, 'match') as unknown[]).length > 0) warn(cn, [...ap, ...(reach && strategy === 'ab-testing' ? reach.path : ['match'])], matched);
  // Scalars of the wrong type that no check of the adapter's own refused (withScalarProblems).
  problems.push(...withScalarProblems(problems, scalars).slice(problems.length));
  if (problems.length > 0) return { ok: false, problems, warnings };
  return {
    ok: true,
    parts: {
      canary: cn.name, namespace, target, service, ingress, route, port, intervalUs, threshold, weights, iterations, strategy, abReaches, checks, approvals, builtin,
      matchAt: Array.isArray(matchList) ? `${where(cn, [...ap, 'match'])}: ${pathText([...ap, 'match'])}` : null,
      splitBy: !skip && splitsRequests(strategy, router, analysis, weights) ? 'requests' : 'users',
      hashes: { stable: podTemplateHash(`${target}-primary`), canary: podTemplateHash(target) },
    },
    warnings,
  };
}

/**
 * What is rehearsed of analysis.match, which selects requests by headers, cookies or queries that rehearse does
 * not simulate: with A/B, the share of users the scenario says the match selects (its flagger.exposure, or the
 * default when it gives none, which no match told it); with canary weights, those weights over all users. The
 * kubernetes provider's dropping of a match is said where the strategy is chosen (null here).
 */
function matchWarning(strategy: 'skip' | 'canary' | 'blue-green' | 'ab-testing', router: string, exposure: FlaggerOptions['exposure'], iterations: number | null): string | null {
  const unseen = 'only requests that match reach the canary; rehearse does not simulate headers, cookies or queries';
  if (strategy === 'skip') return `${unseen}: skipAnalysis promotes at once, before any request is matched`;
  if (router === 'kubernetes') return strategy === 'canary' ? 'the kubernetes provider does not route by match: Flagger drops it' : null;
  // scheduler.go runAB: SetRoutes(primary 0, canary 100); a router that reads no match routes everything so.
  if (!readsMatch(router)) {
    const dropped = `the ${router} router does not read analysis.match`;
    return strategy === 'ab-testing'
      ? `${dropped}: Flagger's A/B (runAB) sets the routes to primary 0, canary 100, so every request reaches the canary during the ${iterations} iterations: rehearsed at 100% of users${exposure?.from ? ` (${exposure.from} is not used)` : ''}`
      : `${dropped}: the canary's weights are rehearsed as shares of all users, as Flagger routes them`;
  }
  if (strategy !== 'ab-testing') return `${unseen}: the canary's weights are rehearsed as shares of all users, matching or not`;
  if (!exposure) return `${unseen}: the users that match are rehearsed as the share of users the scenario's flagger.exposure gives`;
  if (exposure.from !== null) return `${unseen}: the users that match are rehearsed as ${percent(exposure.percent / 100)} of users, the share ${exposure.from} gives`;
  return `${unseen}: the users that match are rehearsed as ${percent(exposure.percent / 100)} of users, rehearse's default, not a share the match selects: set ${exposure.at} to the share of your users it selects`;
}

/** What is rehearsed of an A/B match the router reads as every request or none (routing.ts matchReach). */
function reachWarning(r: MatchReach, iterations: number, exposure: FlaggerOptions['exposure']): string {
  const unused = exposure?.from ? ` (${exposure.from} is not used)` : '';
  return r.reach === 'all'
    ? `${r.why}: rehearsed at 100% of users during the ${iterations} iterations${unused}`
    : `${r.why}: rehearsed at 0% of users during the ${iterations} iterations${unused}; the checks read only what a load test sends the canary Service itself, which rehearse does not send: they find no values and fail, as Flagger's do without one`;
}

interface IterationsInput {
  readonly canary: Resource;
  readonly analysis: unknown;
  readonly ap: Path;
  /** The provider that routes the traffic: the Canary's, else the controller's -mesh-provider. */
  readonly router: string;
  readonly iterations: number;
  readonly checks: number;
  problem(r: Resource, path: Path, message: string): void;
  warn(r: Resource, path: Path, message: string): void;
}

/**
 * An analysis with iterations, as scheduler.go runs it. runAB routes the requests that match analysis.match to
 * the canary during the iterations; the kubernetes provider drops the match (A/B is not supported there).
 * runBlueGreen keeps all traffic on the primary during the iterations (with mirror, the canary gets copies of
 * the requests, their responses discarded), then routes all of it to the canary and promotes. The checks read
 * the canary's own traffic: copies when mirrored, else what a load tester sends it, neither of which rehearse
 * simulates; with neither, no request reaches the canary, and Flagger fails the checks ("no values found").
 */
function blueGreenOrAB(x: IterationsInput): 'blue-green' | 'ab-testing' {
  const { canary: cn, ap } = x;
  const match = get(x.analysis, 'match');
  const matches = Array.isArray(match) && match.length > 0;
  if (matches && x.router !== 'kubernetes') return 'ab-testing';
  if (matches) x.warn(cn, [...ap, 'match'], 'the kubernetes provider does not route by match: Flagger drops it and runs blue/green');
  const users = `blue/green: no user reaches the canary during the ${x.iterations} iterations (Flagger keeps all traffic on the primary), then all users at once: the flag goes from 0% to 100% at promotion`;
  const mirrored = get(x.analysis, 'mirror') === true && x.router !== 'kubernetes';
  if (x.checks > 0 && mirrored) {
    x.problem(cn, [...ap, 'mirror'], `${users}; the checks read the canary's mirrored copies of every request, and rehearse does not simulate mirrored requests, so it cannot rehearse what they measure`);
    return 'blue-green';
  }
  const hooks = get(x.analysis, 'webhooks');
  const load = (Array.isArray(hooks) ? hooks : []).findIndex((h) => hookType(h) === 'rollout');
  if (x.checks > 0 && load >= 0) {
    x.problem(cn, [...ap, 'webhooks', load], `${users}; the checks read what this webhook's load test sends the canary, and rehearse does not simulate a load tester's requests, so it cannot rehearse what they measure`);
    return 'blue-green';
  }
  x.warn(cn, [...ap, 'iterations'], x.checks > 0 ? `${users}; with no mirror and no load test, no request reaches the canary: its checks find no values and fail, as Flagger's do` : users);
  return 'blue-green';
}

/** A webhook's type: none, or "" (which the CRD's enum allows), is a rollout hook (scheduler.go runAnalysis:
 * `webhook.Type == "" || webhook.Type == flaggerv1.RolloutHook`), called at every check of every kind of analysis. */
const hookType = (h: unknown): string => {
  const t = get(h, 'type');
  return t === undefined || t === null || t === '' ? 'rollout' : String(t);
};

/**
 * What a webhook that is not called does in the rehearsal, where "it passes" would misread it (scheduler.go,
 * scheduler_hooks.go, events.go): a rollback hook that answers 2xx rolls the canary back, so passing is not the
 * safe reading; post-rollout and event hooks decide nothing.
 */
const HOOK_OUTCOME: Readonly<Record<string, string>> = {
  rollback: 'it never signals a rollback (Flagger calls it at every check while the canary progresses or waits for a confirmation, and rolls back at once when it answers 2xx: scheduler_hooks.go runRollbackHooks); the rehearsal rolls back only on failed checks',
  'post-rollout': 'it is called after promotion or rollback, and its answer changes nothing',
  event: 'Flagger posts each event of the canary to it (events.go), and its answer changes nothing',
};

/** The -mesh-provider argument of a flagger controller Deployment among the files, with its place. */
function meshProviderOf(context: readonly Resource[]): { value: string; at: string } | null {
  for (const r of context) {
    if (r.kind !== 'Deployment') continue;
    const containers = get(r.value, 'spec', 'template', 'spec', 'containers');
    for (const [ci, c] of (Array.isArray(containers) ? containers : []).entries()) {
      const args = get(c, 'args');
      for (const [ai, a] of (Array.isArray(args) ? args : []).entries()) {
        const m = /^--?mesh-provider=(.+)$/.exec(String(a));
        if (m) return { value: m[1], at: where(r, ['spec', 'template', 'spec', 'containers', ci, 'args', ai]) };
      }
    }
  }
  return null;
}

/** scheduler.go nextStepWeight and maxWeight: the weights a canary strategy walks through before promotion. */
function walkWeights(analysis: unknown, problem: (path: Path, message: string) => void): number[] {
  let refused = false;
  const whole = (key: string): number => {
    const n = crdNumber(get(analysis, key), true);
    if (n === null) {
      problem([key], `${key} is a whole number (up to ${Number.MAX_SAFE_INTEGER})`);
      refused = true;
    }
    return n ?? 0;
  };
  const stepWeight = whole('stepWeight');
  const raw = get(analysis, 'stepWeights');
  const stepWeights = Array.isArray(raw) ? raw.map((w) => crdNumber(w, true) ?? NaN) : [];
  stepWeights.forEach((w, i) => {
    if (!(Number.isInteger(w) && w > 0 && w <= 100) || (i > 0 && w <= stepWeights[i - 1])) problem(['stepWeights', i], 'step weights are whole numbers that increase, from above 0 to 100');
  });
  const givenMax = whole('maxWeight');
  const maxWeight = stepWeights.length > 0 ? Math.min(100, stepWeights[stepWeights.length - 1]) : givenMax > 0 ? givenMax : 100;
  if (refused) return [];
  if (stepWeight <= 0 && stepWeights.length === 0) {
    problem(['stepWeight'], 'no stepWeight, stepWeights or iterations: Flagger never shifts traffic to the canary');
    return [];
  }
  const weights: number[] = [];
  for (let w = 0; w < maxWeight && weights.length < 1000;) {
    // nextStepWeight: stepWeight when set (or when there are no stepWeights), else the next stepWeights entry.
    const next = stepWeight > 0 ? stepWeight : (w === 0 ? stepWeights[0] : (stepWeights[stepWeights.indexOf(w) + 1] ?? 100) - w);
    w = Math.min(100, w + Math.min(100 - w, next));
    weights.push(w);
  }
  return weights;
}
