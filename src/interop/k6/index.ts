/**
 * A scenario as a k6 load test (TypeScript typed against @types/k6): one k6 scenario per journey with a
 * ramping-arrival-rate executor that follows the traffic shape and the journey's share, the cohort's targeting
 * keys in a JSON file beside the script, read with open() inside a SharedArray in the init context as k6's
 * docs write it (so the real flag SDK buckets the users the rehearsal did), each step an HTTP request to
 * BASE_URL plus the endpoint's `http` path, tags per journey, service and endpoint, and the gates k6 can express
 * as thresholds: a gate stops the rollout, so its threshold aborts the test (abortOnFail), not before the gate's
 * first evaluation (delayAbortEval). What cannot be carried is listed in a comment at the top.
 */
import { ArrivalProcess } from '../../model/arrivals.js';
import type { RandomStreams } from '../../engine/rng.js';
import { InputError } from '../../errors.js';
import type { PathSegment } from '../../scenario/problems.js';
import type { ScenarioInput } from '../../scenario/schema.js';
import type { Gate, Scenario } from '../../scenario/types.js';
import { escapeControls } from '../../units/escape.js';
import { plural } from '../../units/format.js';

export interface K6Options {
  /** Default base URL (the script reads BASE_URL from the environment first). */
  readonly baseUrl: string;
  /** Header that carries the user's targeting key. */
  readonly keyHeader?: string;
  /** Where a path lies in the scenario file, for messages. */
  readonly position?: (path: readonly PathSegment[]) => { line: number; column: number } | null;
  /** The scenario file as shown in messages and in the script's header. */
  readonly file: string;
  /** The users file's name, beside the script (default users.json). */
  readonly usersFile?: string;
}

/** The script, and the users file it opens (null when the scenario has no cohort). */
export interface K6Export {
  readonly script: string;
  readonly users: { readonly file: string; readonly json: string } | null;
}

/** A threshold as k6 reads it: an expression, or an object that aborts the test. */
type K6Threshold = string | { threshold: string; abortOnFail: true; delayAbortEval: string };

interface Route { method: string; path: string }

const METRIC: Record<string, string> = { req_failed: 'http_req_failed', req_duration: 'http_req_duration', reqs: 'http_reqs' };

export function k6Script(scenario: Scenario, input: ScenarioInput, opts: K6Options): K6Export {
  const header = opts.keyHeader ?? 'X-Targeting-Key';
  const notCarried: string[] = [];
  const errors: string[] = [];

  // Each journey step's HTTP route.
  const missing = new Set<string>();
  const routeOf = (service: string, endpoint: string, path: PathSegment[]): Route | null => {
    const svc = input.services[service];
    const http = svc?.endpoints?.[endpoint]?.http ?? (svc?.endpoints ? undefined : svc?.http);
    if (!http) {
      if (missing.has(`${service}.${endpoint}`)) return null;
      missing.add(`${service}.${endpoint}`);
      const where = opts.position?.(path);
      const at = where ? `${opts.file}:${where.line}:${where.column}` : opts.file;
      const field = svc?.endpoints ? `services.${service}.endpoints.${endpoint}.http` : `services.${service}.http`;
      errors.push(`${at}: ${path.join('.').replace(/\.(\d+)/g, '[$1]')}: endpoint ${service}${svc?.endpoints ? `.${endpoint}` : ''} has no HTTP route; add ${field}: { method: GET, path: /... }`);
      return null;
    }
    return { method: http.method ?? 'GET', path: http.path };
  };
  const journeys = scenario.journeys.map((j) => ({
    name: j.name,
    weight: j.weight,
    steps: j.steps.map((s, i) => ({ service: s.service, endpoint: s.endpoint, route: routeOf(s.service, s.endpoint, ['journeys', j.name, 'steps', i]) })),
  }));
  if (errors.length) throw new InputError(errors);

  // The traffic shape as breakpoints (seconds, rate per second), each journey taking its share.
  const seconds = Number.isFinite(scenario.durationUs) ? Math.ceil(scenario.durationUs / 1e6)
    : Math.ceil(scenario.traffic.requests / scenario.traffic.perSec);
  if (!Number.isFinite(scenario.durationUs)) notCarried.push(`traffic.requests: the test runs ${seconds}s, the time ${scenario.traffic.requests} journeys take at the mean rate`);
  const arrivals = new ArrivalProcess(scenario.traffic, seconds * 1e6, null as unknown as RandomStreams, 0);
  const points = breakpoints(scenario, seconds).map((t) => [t, arrivals.rateAt(t * 1e6)] as const);
  const totalWeight = journeys.reduce((a, j) => a + j.weight, 0);

  const round = (x: number) => Math.round(x * 1000) / 1000;
  const scenarios: Record<string, unknown> = {};
  const exec = execNames(journeys.map((j) => j.name));
  for (const j of journeys) {
    const share = j.weight / totalWeight;
    const stages: { target: number; duration: string }[] = [];
    for (let k = 1; k < points.length; k++) {
      stages.push({ target: round(points[k][1] * share), duration: `${Math.max(0, points[k][0] - points[k - 1][0])}s` });
    }
    const peak = Math.max(...points.map(([, r]) => r)) * share;
    scenarios[j.name] = {
      executor: 'ramping-arrival-rate',
      exec: exec.get(j.name),
      startRate: round(points[0][1] * share),
      timeUnit: '1s',
      preAllocatedVUs: Math.max(5, Math.ceil(peak)),
      maxVUs: Math.max(50, Math.ceil(peak * 10)),
      stages,
      tags: { journey: j.name },
    };
  }

  // Gates as thresholds where k6 can say the same thing. A breached gate stops the rollout: its threshold aborts
  // the test, once the gate would have read (k6 evaluates thresholds every 2s on everything seen so far).
  const thresholds: Record<string, K6Threshold[]> = {};
  const has = (metric: string, expr: string) => (thresholds[metric] ?? []).some((x) => (typeof x === 'string' ? x : x.threshold) === expr);
  const entry = new Set(journeys.flatMap((j) => j.steps.flatMap((s) => [s.service, `${s.service}.${s.endpoint}`])));
  scenario.rollouts.forEach((plan) => {
    let carried = 0;
    plan.gates.forEach((g) => {
      const t = threshold(g, entry);
      if (typeof t === 'string') notCarried.push(`rollout ${plan.flag}: ${describeGate(g)}: ${t}`);
      else if (!has(t.metric, t.expr)) {
        (thresholds[t.metric] ??= []).push({ threshold: t.expr, abortOnFail: true, delayAbortEval: `${Math.round(plan.evaluateEveryUs / 1e6)}s` });
        carried++;
      }
    });
    if (carried && plan.failureLimit > 0) notCarried.push(`rollout ${plan.flag}: failure-limit ${plan.failureLimit}: k6 aborts at the first failing evaluation`);
  });
  if (input.slo?.availability) {
    // The SLO fails the test at its end; it stops nothing.
    (thresholds.http_req_failed ??= []).push(`rate<${round(1 - scenario.slo.availability)}`);
    notCarried.push(`slo.availability counts journeys; k6 checks it per request (http_req_failed)`);
  }
  for (const c of scenario.acceptance) notCarried.push(`acceptance: ${c.source}: an outcome of the rehearsal (ground truth), not a load test measurement`);
  if (scenario.faults.length) notCarried.push(`faults: ${plural(scenario.faults.length, 'injected fault')}: inject them with a chaos tool during the test`);
  if (scenario.rollouts.length) notCarried.push(`rollout: the plans themselves (${scenario.rollouts.map((p) => p.flag).join(', ')}): drive the flag system while the test runs`);
  notCarried.push('users are drawn uniformly from the cohort; the rehearsal weighs them by activity');

  const usersFile = opts.usersFile ?? 'users.json';
  const users = scenario.population ? scenario.population.key : null;
  if (!users) notCarried.push('the scenario has no cohort: requests carry no targeting key');

  const lines: string[] = [];
  lines.push(`// k6 load test written by rehearse export k6 from ${comment(opts.file)} (scenario "${comment(scenario.name)}").`);
  lines.push('// Run: k6 run -e BASE_URL=https://staging.example.com script.ts');
  lines.push('//');
  lines.push('// Not carried into this script:');
  for (const n of notCarried) lines.push(`//   - ${comment(n.replace(/\n/g, ' '))}`);
  lines.push("import http from 'k6/http';");
  lines.push("import { check } from 'k6';");
  lines.push("import { SharedArray } from 'k6/data';");
  lines.push("import type { Options } from 'k6/options';");
  lines.push('');
  lines.push(`const BASE_URL: string = __ENV.BASE_URL || ${JSON.stringify(opts.baseUrl)};`);
  lines.push(`const KEY_HEADER = ${JSON.stringify(header)};`);
  lines.push('');
  if (users) {
    lines.push(`// The cohort's targeting keys (${users.length}), read once in the init context from the file beside this script`);
    lines.push('// and shared by all virtual users.');
    lines.push(`const users: string[] = new SharedArray<string>('users', (): string[] => JSON.parse(open(${JSON.stringify(`./${usersFile}`)})));`);
  } else lines.push('const users: string[] = [];');
  lines.push('');
  lines.push(`export const options: Options = ${JSON.stringify({ scenarios, thresholds }, null, 2)};`);
  lines.push('');
  lines.push('function pickUser(): string {');
  lines.push("  return users.length ? users[Math.floor(Math.random() * users.length)] : '';");
  lines.push('}');
  for (const j of journeys) {
    lines.push('');
    lines.push(`/** Journey ${comment(JSON.stringify(j.name))}: ${comment(j.steps.map((s) => `${s.service}.${s.endpoint}`).join(' -> '))}. */`);
    lines.push(`export function ${exec.get(j.name)}(): void {`);
    lines.push('  const user = pickUser();');
    lines.push('  const headers: Record<string, string> = user ? { [KEY_HEADER]: user } : {};');
    j.steps.forEach((s, i) => {
      const tags = { journey: j.name, service: s.service, endpoint: s.endpoint };
      lines.push(`  const r${i} = http.request(${JSON.stringify(s.route!.method)}, \`\${BASE_URL}${escapeTemplate(s.route!.path)}\`, null, { headers, tags: ${JSON.stringify(tags)} });`);
      lines.push(`  if (!check(r${i}, { ${JSON.stringify(`${s.service}.${s.endpoint} ok`)}: (r) => r.status < 400 })) return;`);
    });
    lines.push('}');
  }
  return { script: `${lines.join('\n')}\n`, users: users ? { file: usersFile, json: `${JSON.stringify(users)}\n` } : null };
}

/**
 * The exported function of each journey: journey_ and its name in letters, digits and "_", with _2, _3... where
 * two names write alike ("a-b" and "a_b"), which would otherwise export one function twice (a SyntaxError in k6).
 */
function execNames(journeys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const j of journeys) {
    const base = `journey_${j.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    out.set(j, name);
  }
  return out;
}

/**
 * Text from the scenario inside a comment of the script: line breaks (\n, \r, U+2028, U+2029) and other controls
 * escaped, and "*\/" broken, so that no name can end the comment and put code of its own into a script people run.
 */
function comment(text: string): string {
  return escapeControls(text).replace(/\*\//g, '*\\/');
}

function escapeTemplate(s: string): string {
  return s.replace(/[\\`]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${');
}

/** Times (s) where the rate's slope changes: linear pieces between them are exact, or close for the diurnal curve. */
function breakpoints(s: Scenario, end: number): number[] {
  const sh = s.traffic.shape;
  const ts = new Set<number>([0, end]);
  if (sh.kind === 'ramp') ts.add(Math.min(end, Math.round(sh.overUs / 1e6)));
  if (sh.kind === 'steps') {
    for (const st of sh.steps) {
      const t = Math.round(st.atUs / 1e6);
      if (t > 0 && t < end) { ts.add(t - 1); ts.add(t); }
    }
  }
  if (sh.kind === 'diurnal') {
    const period = sh.periodUs / 1e6;
    const step = Math.max(1, Math.round(period / 48));
    for (let t = 0; t < end; t += step) ts.add(t);
    // Peaks and troughs themselves, so that the script reaches the peak rate.
    for (let k = Math.floor(-sh.peakAtUs / 1e6 / period) - 1; sh.peakAtUs / 1e6 + k * period <= end; k++) {
      for (const t of [sh.peakAtUs / 1e6 + k * period, sh.peakAtUs / 1e6 + (k + 0.5) * period]) if (t > 0 && t < end) ts.add(Math.round(t));
    }
  }
  return [...ts].filter((t) => t >= 0 && t <= end).sort((a, b) => a - b);
}

function describeGate(g: Gate): string {
  return g.source;
}

/** A k6 threshold for a gate, or why there is none. */
function threshold(g: Gate, entry: ReadonlySet<string>): { metric: string; expr: string } | string {
  if (g.kind === 'burn-rate') return 'a multi-window burn rate has no k6 threshold';
  if (g.kind === 'compare') return 'a comparison of flag on against off needs the flag state, which k6 does not see';
  if (g.kind === 'promql') return 'a PromQL query reads Prometheus series, which k6 does not write';
  if (g.kind === 'alert') return 'a Prometheus alert reads Prometheus series, which k6 does not write';
  const f = g.filter;
  if (f.flagOn !== null) return 'it selects requests by flag state, which k6 does not see';
  if (f.segment !== null) return 'it selects a user segment, which k6 does not tag';
  if (f.service !== null && !entry.has(f.endpoint !== null ? `${f.service}.${f.endpoint}` : f.service)) {
    return `k6 sees only the journeys' own requests; ${f.service}${f.endpoint !== null ? `.${f.endpoint}` : ''} is called behind them`;
  }
  const tags = [
    f.journey !== null ? `journey:${f.journey}` : null,
    f.service !== null ? `service:${f.service}` : null,
    f.endpoint !== null ? `endpoint:${f.endpoint}` : null,
    f.failed !== null ? `expected_response:${!f.failed}` : null,
  ].filter((x): x is string => x !== null);
  const metric = `${METRIC[g.metric]}${tags.length ? `{${tags.join(',')}}` : ''}`;
  const agg = g.aggregate.kind === 'p' ? `p(${g.aggregate.percentile})` : g.aggregate.kind;
  if (g.metric === 'req_failed' && agg !== 'rate') return `k6's http_req_failed is a rate; "${agg}" has no equivalent`;
  const limit = g.metric === 'req_duration' ? g.limit / 1000 : g.limit;
  return { metric, expr: `${agg}${g.operator}${Math.round(limit * 1e6) / 1e6}` };
}
