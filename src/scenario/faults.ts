/**
 * Faults, the SLO and acceptance criteria of a scenario: targets and rollout events resolved, criteria parsed
 * against the outcome metrics that scoring computes.
 */
import { ThresholdError, parseThreshold, validateThreshold, type MetricSpec } from '../lang/threshold.js';
import { DEFAULTS } from './defaults.js';
import { inText, type PathSegment } from './problems.js';
import { didYouMean } from '../errors.js';
import type { Helpers } from './helpers.js';
import { caseNames, FAULT_KINDS, flagEntries, type ScenarioInput } from './schema.js';
import type { Criterion, FaultSpec, FaultStart, RolloutPlan } from './types.js';
import type { Dist } from './system.js';
import { DURATION_PATTERN, parseDuration } from '../units/parse.js';
import { withArticle as a } from '../units/article.js';
import { quoted } from '../units/escape.js';

/** The largest cpu-stress factor (see where it is checked). */
const MAX_STRESS = 1_000_000;

/** Outcome metrics: the ground truth of a rehearsal, per flag. One run gives one value of each. */
export const OUTCOME_METRICS: Record<string, MetricSpec> = Object.fromEntries(Object.entries({
  blast_radius_users: ['count', 'users the flag hurt (a failure or, with slo.latency, a slow journey it caused)'],
  blast_radius_requests: ['count', 'journeys the flag hurt'],
  time_to_detect: ['duration', 'from the first journey the flag hurt to the policy acting (rollback or pause)'],
  time_to_recover: ['duration', 'from the first to the last journey the flag hurt'],
  time_to_full_rollout: ['duration', 'from the plan starting to completing'],
  error_budget_burned: ['ratio', 'failed journeys as a share of the error budget (1 - slo.availability)'],
  false_rollback: ['ratio', '1 when the plan was rolled back or paused though the flag hurt nobody'],
  missed_defect: ['ratio', '1 when the plan completed though the flag hurt users'],
  misattribution: ['ratio', '1 when the plan was rolled back for harm it did not cause: an injected fault, or another flag'],
  detected: ['ratio', '1 when the flag hurt users and the policy acted'],
  final_percent: ['number', 'the flag\'s percentage at the end'],
}).map(([name, [kind, description]]) => [name, {
  aggregates: ['avg', 'min', 'max', 'med', 'p', 'rate', 'count'] as const,
  valueKind: kind as 'count',
  tags: ['flag', 'case'],
  description,
  // An outcome of minutes given as a bare number is a slip (k6's milliseconds would make 15 mean 15ms).
  ...(kind === 'duration' ? { unitRequired: true } : {}),
  ...(name === 'error_budget_burned' ? { range: [0, Infinity] as const } : name === 'final_percent' ? { range: [0, 100] as const } : {}),
}]));

const EVENT = new RegExp(`^(start|stage|rollback|complete)\\(\\s*([\\w.-]+)\\s*(?:,\\s*(\\d+)\\s*)?\\)\\s*(?:\\+\\s*(\\S+))?$`);
const TARGET = /^\s*([\w-]+)(?:\.([\w-]+))?\s*(?:(->|<->)\s*([\w-]+)\s*)?$/;


/**
 * The fields of a fault that only some kinds read: given to another kind, each is refused (a cpu-stress or an
 * instance-kill acts on the whole service, every request alike, so it takes no share and no segment; a status is
 * the answer of a fault that answers).
 */
type FaultKind = (typeof FAULT_KINDS)[number];
const PER_CALL: readonly FaultKind[] = FAULT_KINDS.filter((k) => k !== 'cpu-stress' && k !== 'instance-kill');
const KIND_FIELDS: readonly (readonly ['percent' | 'segment' | 'add' | 'factor' | 'rate' | 'replicas' | 'status', readonly FaultKind[]])[] = [
  ['percent', PER_CALL],
  ['segment', PER_CALL],
  ['add', ['latency', 'packet-loss']],
  ['factor', ['cpu-stress']],
  ['rate', ['throttle']],
  ['replicas', ['instance-kill']],
  ['status', ['abort', 'unavailable', 'throttle']],
];

export function normalizeFaults(input: ScenarioInput, h: Helpers, rollouts: readonly RolloutPlan[]): FaultSpec[] {
  const { problems } = h;
  const services = h.services;
  const names = services.map((s) => s.name);
  const known = (svc: string, path: PathSegment[]) => {
    if (names.includes(svc)) return true;
    problems.push({ path, message: `unknown service ${quoted(svc)}${didYouMean(svc, names)}` });
    return false;
  };
  // Scheduled faults, then the catalogue's (named, switched on by hand during a game day).
  const listed = [
    ...(input.faults ?? []).map((f, i) => ({ f: f as typeof f & { at?: string }, base: ['faults', i] as PathSegment[], named: null as string | null })),
    ...Object.entries(input['faults-catalogue'] ?? {}).map(([name, f]) => ({ f: f as typeof f & { at?: string }, base: ['faults-catalogue', name] as PathSegment[], named: name })),
  ];
  return listed.flatMap(({ f, base, named }): FaultSpec[] => {
    const m = TARGET.exec(f.target);
    if (!m) {
      problems.push({ path: [...base, 'target'], message: 'a target is "service", "service.endpoint", "a -> b" or "a <-> b"' });
      return [];
    }
    const [, first, endpoint, arrow, second] = m;
    const edge = arrow !== undefined;
    if (edge && endpoint) {
      problems.push({ path: [...base, 'target'], message: 'an edge joins two services: "a -> b"' });
      return [];
    }
    const from = edge ? first : null;
    const to = edge ? second : first;
    if ((from !== null && !known(from, [...base, 'target'])) || !known(to, [...base, 'target'])) return [];
    const endpoints = services.find((s) => s.name === to)!.endpoints.map((e) => e.name);
    if (endpoint && !endpoints.includes(endpoint)) {
      problems.push({ path: [...base, 'target'], message: `unknown endpoint ${quoted(endpoint)} of service ${quoted(to)}${didYouMean(endpoint, endpoints)}` });
      return [];
    }
    if (f.kind === 'partition' && !edge) problems.push({ path: [...base, 'target'], message: 'a partition is between two services: "a -> b" or "a <-> b"' });
    if (['instance-kill', 'cpu-stress', 'unavailable'].includes(f.kind) && (edge || endpoint)) {
      problems.push({ path: [...base, 'target'], message: `${f.kind} applies to a whole service: name the service alone` });
    }
    for (const [field, kinds] of KIND_FIELDS) {
      if (f[field] !== undefined && !kinds.includes(f.kind)) {
        const readers = kinds === PER_CALL ? `${f.kind} acts on the whole service, every request alike` : kinds.length === 1 ? `only ${kinds[0]} does` : `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]} do`;
        problems.push({ path: [...base, field], message: `${f.kind} does not read ${field}: ${readers}` });
      }
    }
    if (f.kind === 'throttle' && f.rate === undefined) problems.push({ path: [...base, 'rate'], message: 'a throttle needs a rate, e.g. 100/s' });
    if (f.kind === 'cpu-stress' && f.factor === undefined) problems.push({ path: [...base, 'factor'], message: 'cpu-stress needs a factor, e.g. 2 (service time doubles)' });
    // Service times are whole microseconds below 2^53: a draw of up to 2.5 hours times a million still is one.
    if (f.kind === 'cpu-stress' && f.factor !== undefined && f.factor > MAX_STRESS) {
      problems.push({ path: [...base, 'factor'], message: `a cpu-stress factor is at most ${MAX_STRESS.toLocaleString('en-US')}: ${f.factor} times a service time is past what the clock holds` });
    }
    if (f.kind === 'latency' && f.add === undefined) problems.push({ path: [...base, 'add'], message: 'a latency fault needs add: a delay or a distribution' });
    const replicas = services.find((s) => s.name === to)!.replicas;
    if (f.kind === 'instance-kill' && (f.replicas ?? 1) > replicas) {
      problems.push({ path: [...base, 'replicas'], message: `${quoted(to)} has ${replicas} replica(s)` });
    }
    const start: FaultStart = named === null ? faultStart(f.at, [...base, 'at'], h, rollouts) : { kind: 'manual' };
    const durationUs = f.for === undefined ? Infinity : h.duration(f.for, '0s', [...base, 'for']);
    const share = h.percent(f.percent, '100%', [...base, 'percent']);
    const delay = f.add ? h.dist(f.add, [...base, 'add']) : f.kind === 'packet-loss' ? h.dist('200ms', [...base, 'add']) : null;
    for (const [field, why] of doingNothing(f.kind, durationUs, share, f.add === undefined ? null : delay, f.factor)) {
      problems.push({ path: [...base, field], message: why });
    }
    return [{
      // A scheduled fault named in the file, a catalogue fault by its key, any other by its kind and target, as before names.
      name: named ?? (f as { name?: string }).name ?? `${f.kind} ${f.target.trim()}`,
      hidden: f.hidden ?? false,
      kind: f.kind,
      from,
      to,
      endpoint: endpoint ?? null,
      bothWays: arrow === '<->',
      segment: f.segment ?? null,
      start,
      durationUs,
      share,
      delay,
      factor: f.factor ?? 1,
      ratePerSec: f.rate ? Number.parseFloat(f.rate) / ({ s: 1, sec: 1, m: 60, min: 60, h: 3600, hour: 3600 }[f.rate.split('/')[1]] ?? 1) : 0,
      replicas: f.replicas ?? 1,
      status: f.status ?? (f.kind === 'throttle' ? 429 : 503),
    }];
  });
}

/**
 * The fields that make a fault do nothing, each with why: a fault that switches off as it switches on, touches no
 * request, adds no time or leaves service times as they are is a slip (a rehearsal of it rehearses no fault). An
 * instance-kill for 0s is not one: its replicas fail what they hold as they go (load/scenario.ts warns of it).
 */
function doingNothing(kind: FaultKind, durationUs: number, share: number, delay: Dist | null, factor: number | undefined): [string, string][] {
  const found: [string, string][] = [];
  if (durationUs === 0 && kind !== 'instance-kill') found.push(['for', `${a(kind)} fault for 0s does nothing: it switches off at the instant it switches on (leave out for to keep it on to the end)`]);
  if (share === 0 && PER_CALL.includes(kind)) found.push(['percent', `${a(kind)} fault on 0% of requests does nothing (leave out percent for all of them)`]);
  // A field the kind does not read is refused as such (KIND_FIELDS), not as doing nothing.
  if (delay !== null && (kind === 'latency' || kind === 'packet-loss') && alwaysZero(delay)) {
    found.push(['add', kind === 'latency' ? 'a latency fault that adds 0ms does nothing' : 'a packet-loss fault whose retransmits take 0ms does nothing (leave out add for 200ms)']);
  }
  if (kind !== 'cpu-stress') return found;
  if (factor !== undefined && factor === 1) found.push(['factor', 'a cpu-stress factor of 1 leaves service times as they are: it does nothing (2 makes them twice as long)']);
  if (factor !== undefined && factor < 1) found.push(['factor', `a cpu-stress factor of ${factor} would make the service faster: the factor multiplies service times (2 makes them twice as long)`]);
  return found;
}

/** Whether every draw of `d` is 0 (a normal is clamped at 0: with mean 0 and sd 0 it is always 0). */
function alwaysZero(d: Dist): boolean {
  if ((d.plus ?? 0) !== 0) return false;
  switch (d.kind) {
    case 'constant': case 'exponential': return d.a === 0;
    case 'uniform': return d.b === 0;
    case 'normal': return d.a <= 0 && d.b === 0;
    case 'empirical': return d.samples.every((x) => x === 0);
    default: return false;
  }
}

function faultStart(at: string | undefined, path: PathSegment[], h: Helpers, rollouts: readonly RolloutPlan[]): FaultStart {
  if (at === undefined) return { kind: 'time', atUs: 0 };
  if (new RegExp(DURATION_PATTERN).test(at)) return { kind: 'time', atUs: h.duration(at, '0s', path) };
  const m = EVENT.exec(at.trim());
  if (!m) {
    h.problems.push({ path, message: `${quoted(at)} is neither a time ("1h30m") nor a rollout event ("stage(flag, 3) + 5m", "rollback(flag)")` });
    return { kind: 'time', atUs: 0 };
  }
  const [, event, flag, stageText, offset] = m;
  const plan = rollouts.find((p) => p.flag === flag);
  if (!plan) h.problems.push({ path, message: `no rollout plan for ${quoted(flag)}${didYouMean(flag, rollouts.map((p) => p.flag))}` });
  const stage = stageText === undefined ? 0 : Number(stageText);
  if (event === 'stage' && (stageText === undefined || stage < 1 || (plan && stage > plan.stages.length))) {
    h.problems.push({ path, message: `stage(${flag}, N) names a stage from 1 to ${plan?.stages.length ?? 'the number of stages'}` });
  }
  let offsetUs = 0;
  if (offset !== undefined) {
    const r = parseDuration(offset);
    if (r.ok) offsetUs = r.value;
    else h.problems.push({ path, message: r.message });
  }
  return { kind: 'event', event: event as 'stage', flag, stage: Math.max(0, stage - 1), offsetUs };
}

export function normalizeAcceptance(input: ScenarioInput, h: Helpers): Criterion[] {
  const flagKeys = flagEntries(input.flags).map(([k]) => k);
  const cases = caseNames(input);
  return (input.acceptance ?? []).flatMap((source, i): Criterion[] => {
    const path: PathSegment[] = ['acceptance', i];
    try {
      const t = parseThreshold(source);
      const limit = validateThreshold(t, OUTCOME_METRICS);
      let flag: string | null = null;
      let caseName: string | null = null;
      for (const tag of t.tags) {
        if (tag.key === 'flag') {
          if (!flagKeys.includes(tag.value)) throw new ThresholdError(h.unknownFlag(tag.value), tag.column, source);
          flag = tag.value;
        } else {
          if (!cases.includes(tag.value)) throw new ThresholdError(`unknown case ${quoted(tag.value)}${didYouMean(tag.value, cases)}`, tag.column, source);
          caseName = tag.value;
        }
      }
      if (flag === null && t.metric !== 'error_budget_burned' && flagKeys.length !== 1) {
        throw new ThresholdError(`name the flag: ${t.metric}{flag:...}`, t.columns.metric, source);
      }
      flag ??= t.metric === 'error_budget_burned' ? null : flagKeys[0] ?? null;
      const aggregate = t.aggregate.kind === 'p' ? { kind: 'p', percentile: t.aggregate.percentile } : { kind: t.aggregate.kind };
      return [{ source, metric: t.metric, aggregate, operator: t.operator, limit, flag, caseName }];
    } catch (e) {
      if (e instanceof ThresholdError) {
        h.problems.push(inText(path, e));
        return [];
      }
      throw e;
    }
  });
}

export function normalizeSlo(input: ScenarioInput, h: Helpers): { availability: number; latencyUs: number } {
  const availability = h.percent(input.slo?.availability, DEFAULTS.slo.availability, ['slo', 'availability']);
  if (availability >= 1) h.problems.push({ path: ['slo', 'availability'], message: 'an availability of 100% leaves no error budget' });
  return {
    availability,
    latencyUs: input.slo?.latency === undefined ? Infinity : h.duration(input.slo.latency, '0s', ['slo', 'latency']),
  };
}
