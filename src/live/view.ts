/**
 * What the dashboard shows of a running drill: only what a team's monitoring would show them (observed
 * telemetry, the flag system's audit trail, breakers, faults that are not hidden), never the case or the truth.
 * Pure functions over the session: the feed (feed.ts) calls them and sends what is new.
 */
import { RandomStreams } from '../engine/rng.js';
import { ArrivalProcess } from '../model/arrivals.js';
import type { FaultSpec, Scenario } from '../scenario/types.js';
import type { AuditEntry } from '../rollout/controller.js';
import { describeAction, type RecordedAction } from './actions.js';
import { ownEvaluators, type Evaluators } from './hidden.js';
import type { DrillSession } from './session.js';
import { readingWords } from '../units/format.js';

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const ms = (us: number) => Math.round(us) / 1000;

/** Rows of the closed windows [from, to): exposure per flag, per-service series, journey error rates. */
export function windowRows(session: DrillSession, from: number, to: number, shown: Evaluators = ownEvaluators(session.scenario)) {
  const sc = session.scenario;
  const sim = session.sim;
  const windows = sim.closedWindows;
  const exposure: { t: number; flag: string; share: number }[] = [];
  // A flag's on or off series with no call in a window has a row without figures (null): the chart's line breaks
  // there instead of holding the last reading across a stretch without data.
  const services: { t: number; service: string; series: string; errorRate: number | null; p99: number | null; requests: number }[] = [];
  const journeys: { t: number; journey: string; errorRate: number; requests: number }[] = [];
  for (let w = from; w < to; w++) {
    const win = windows[w];
    const t = win.startUs / 1e6;
    sc.flags.forEach((f, i) => {
      const x = win.flags[i];
      const n = x ? x.on.requests + x.off.requests : 0;
      exposure.push({ t, flag: f.key, share: n > 0 ? r6(x.on.requests / n) : 0 });
    });
    sim.model.serviceNames.forEach((svc, s) => {
      const all = win.services[s];
      services.push({ t, service: svc, series: 'all', requests: all.requests, errorRate: all.requests ? r6(all.errors / all.requests) : 0, p99: ms(all.latencyUs.p99) });
      sc.flags.forEach((f, i) => {
        if (!shown.split(f.key, svc)) return;
        const split = win.serviceFlags[s][i];
        for (const [state, x] of [['on', split.on], ['off', split.off]] as const) {
          const none = x.requests === 0 || x.errorRate === null || x.p99Us === null;
          services.push({ t, service: svc, series: `${f.key} ${state}`, requests: x.requests, errorRate: none ? null : r6(x.errorRate!), p99: none ? null : ms(x.p99Us!) });
        }
      });
    });
    sim.model.journeyNames.forEach((j, k) => {
      const x = win.journeys[k];
      journeys.push({ t, journey: j, requests: x.requests, errorRate: x.requests ? r6(x.errors / x.requests) : 0 });
    });
  }
  return { exposure, services, journeys, windows: to };
}

/** How many rows windowRows gives for one window (alike for every window of a drill). */
export function rowsPerWindow(session: DrillSession, shown: Evaluators): number {
  const flags = session.scenario.flags;
  const splits = session.sim.model.serviceNames.reduce((n, svc) => n + flags.filter((f) => shown.split(f.key, svc)).length, 0);
  return flags.length + session.sim.model.serviceNames.length + 2 * splits + session.sim.model.journeyNames.length;
}

/** The failures a drill may have over its whole horizon: (1 - availability) x the journeys expected then. */
export function allowedFailures(sc: Scenario): number {
  const arrivals = new ArrivalProcess(sc.traffic, sc.durationUs, new RandomStreams(0), 0);
  const steps = 2000;
  const dt = sc.durationUs / steps;
  let expected = 0;
  for (let i = 0; i < steps; i++) expected += arrivals.rateAt((i + 0.5) * dt) * (dt / 1e6);
  return Math.max(1e-9, (1 - sc.slo.availability) * Math.min(expected, sc.traffic.requests));
}

export const faultTarget = (f: FaultSpec) => `${f.from ? `${f.from} -> ` : ''}${f.to}${f.endpoint ? `.${f.endpoint}` : ''}`;

/** How big a fault is, in words: "+200 ms on 50%", "503 on 20%", "x2 service time". */
export function faultSize(f: FaultSpec): string {
  const share = f.share < 1 ? ` on ${r6(f.share * 100)}% of calls` : '';
  switch (f.kind) {
    case 'latency': case 'packet-loss': return `+${ms(f.delay?.mean ?? 0)} ms${share}`;
    case 'abort': case 'unavailable': return `${f.status}${share}`;
    case 'reset': return `connection reset${share}`;
    case 'timeout': case 'blackhole': case 'partition': return `calls dropped${share}`;
    case 'throttle': return `at most ${f.ratePerSec}/s`;
    case 'cpu-stress': return `x${f.factor} service time`;
    case 'instance-kill': return `${f.replicas} replica${f.replicas === 1 ? '' : 's'} down`;
  }
}

/**
 * Where fault k stands now, or null when it has not been switched on (nor injected to be): its start, whether it is
 * on (or about to be), its end (or the instant it would end), whether it was removed by hand, and whether the
 * facilitator may remove it now.
 */
function faultState(session: DrillSession, k: number) {
  const rt = session.sim.faults;
  const f = session.faultSpecs[k];
  // Injected by hand at this instant, not yet switched on by the engine (the clock is paused, or between ticks);
  // once the drill has ended there, it never was (as the debrief lists the faults the team faced).
  const pending = rt.onAt[k] < 0 && !session.ended ? session.injectedAtUs.get(k) : undefined;
  // Removed by hand: off from that instant (the engine switches it off when the clock next moves), or never on.
  const removed = session.removedAtUs.get(k);
  if (rt.onAt[k] < 0 && pending === undefined) return null;
  const on = pending ?? rt.onAt[k];
  // Once the drill has ended nothing is on: a fault still on then ended with it (as the debrief says), not at the
  // instant it would have ended had the drill gone on.
  const active = !session.ended && removed === undefined && (pending !== undefined || rt.active[k] === 1);
  const off = removed ?? (rt.active[k] === 1 || rt.offAt[k] < 0 ? session.nowUs : rt.offAt[k]);
  return {
    fromSeconds: on / 1e6,
    untilSeconds: active ? (Number.isFinite(f.durationUs) ? (on + f.durationUs) / 1e6 : null) : off / 1e6,
    active,
    removed: removed !== undefined,
    // A fault injected during the drill may be removed by the facilitator while it is on (or about to be).
    removable: active && session.injected.some((x) => x.k === k),
  };
}

/**
 * Faults people may see (not hidden) that have been switched on, with their size and end. Faults may share a
 * name (two latency faults on one edge at other times): `key` tells them apart, numbering the faults that are
 * not hidden only, so that it leaves no gap where a hidden one sits.
 */
export function visibleFaults(session: DrillSession) {
  let shown = 0;
  return session.faultSpecs.flatMap((f, k) => {
    if (f.hidden) return [];
    shown++;
    const st = faultState(session, k);
    if (!st) return [];
    const { active, fromSeconds, untilSeconds, removed, removable } = st;
    return [{ key: shown, name: f.name, kind: f.kind, target: faultTarget(f), size: faultSize(f), active, fromSeconds, untilSeconds, removed, removable }];
  });
}

/**
 * The hidden faults the facilitator may remove now (injected during the drill, on or about to be): for the
 * facilitator's state alone, never anyone else's. `described(name)` says whether a fault's kind, target, size and
 * span may be shown: a hidden-case drill's hidden catalogue fault that differs by case would tell the case; it is
 * listed by its name only (its kind, target, size and end null).
 */
export function removableHiddenFaults(session: DrillSession, described: (name: string) => boolean = () => true) {
  return session.injected.flatMap(({ k, name, hidden }) => {
    if (!hidden) return [];
    const st = faultState(session, k);
    if (!st?.removable) return [];
    const f = session.faultSpecs[k];
    const shown = described(name);
    return [{
      name, kind: shown ? f.kind : null, target: shown ? faultTarget(f) : null, size: shown ? faultSize(f) : null,
      fromSeconds: st.fromSeconds, untilSeconds: shown ? st.untilSeconds : null, described: shown,
    }];
  });
}

/**
 * The spans of the hidden faults injected during the drill that have switched on (or are about to), on now or over
 * (run out, or removed): for the facilitator's charts alone, which shade each for as long as it was on, as they shade
 * the visible faults, past ones included. `toSeconds` is null while it is on (the chart draws it to the clock). One
 * removed before it switched on was never on, and has no span. `described` as for removableHiddenFaults.
 */
export function hiddenFaultSpans(session: DrillSession, described: (name: string) => boolean = () => true) {
  return session.injected.flatMap(({ k, name, hidden }) => {
    if (!hidden) return [];
    const st = faultState(session, k);
    if (!st || (st.removed && session.sim.faults.onAt[k] < 0)) return [];
    const shown = described(name);
    return [{ name, size: shown ? faultSize(session.faultSpecs[k]) : null, fromSeconds: st.fromSeconds, toSeconds: st.active ? null : st.untilSeconds }];
  });
}

/** The catalogue offered on the page: faults not hidden, by name. */
export function catalogue(sc: Scenario) {
  return sc.faults.filter((f) => f.start.kind === 'manual' && !f.hidden).map((f) => ({ name: f.name, kind: f.kind, target: faultTarget(f), size: faultSize(f) }));
}

/** Breakers not closed now, by call edge. */
export function openBreakers(session: DrillSession) {
  const open = new Map<string, string>();
  for (const b of session.sim.breakerLog) open.set(b.breaker, b.to);
  return [...open].filter(([, to]) => to !== 'closed').map(([edge, state]) => ({ edge, state }));
}

/** A service's health in the last closed window: traffic, errors, p99, open breakers and visible faults on it. */
export function healthGrid(session: DrillSession, breakers: { edge: string; state: string }[], faults: { target: string; active: boolean }[]) {
  const windows = session.sim.closedWindows;
  const last = windows.at(-1);
  // The last window may be partial (a drill ended mid-window): a rate is over the time it covers.
  const seconds = last && last.endUs > last.startUs ? (last.endUs - last.startUs) / 1e6 : session.scenario.windowUs / 1e6;
  return session.sim.model.serviceNames.map((service, s) => {
    const x = last?.services[s];
    const errorRate = x && x.requests ? r6(x.errors / x.requests) : 0;
    const open = breakers.filter((b) => b.edge.split(/\s*->\s*|>/).includes(service)).length;
    const faulted = faults.filter((f) => f.active && f.target.split(/\s*->\s*|\./).includes(service)).length;
    const state = errorRate >= 0.05 || open > 0 ? 'bad' : errorRate >= 0.01 || faulted > 0 ? 'warn' : 'ok';
    return { service, perSecond: x ? r6(x.requests / seconds) : 0, errorRate, p99: x ? ms(x.latencyUs.p99) : 0, breakersOpen: open, faults: faulted, state };
  });
}

/** Each plan with its gates: the threshold and the last reading beside it. */
export function planRows(session: DrillSession, readings: ReadonlyMap<string, AuditEntry>) {
  const sc = session.scenario;
  return (session.controller?.planStates() ?? []).map((p) => {
    const plan = sc.rollouts.find((x) => x.flag === p.flag)!;
    return {
      ...p,
      holdSeconds: p.stage >= 0 ? plan.stages[p.stage].holdUs / 1e6 : null,
      gates: plan.gates.map((g) => {
        const r = readings.get(`${p.flag}\u0000${g.source}`);
        return {
          source: g.source,
          service: g.kind === 'threshold' ? g.filter.service : null,
          journey: g.kind === 'threshold' ? g.filter.journey : null,
          metric: g.kind === 'threshold' ? g.metric : null,
          limit: g.kind === 'threshold' ? (g.metric === 'req_duration' ? g.limit / 1000 : g.limit) : null,
          verdict: r?.gate?.verdict ?? null,
          value: r?.gate?.value ?? null,
          threshold: r?.gate?.threshold ?? null,
          detail: r?.gate?.detail ?? null,
          /** The reading in the words every report uses. */
          reading: r?.gate ? readingWords(r.gate) : null,
          atSeconds: r ? r.timeUs / 1e6 : null,
        };
      }),
    };
  });
}

/** An audit entry as the page shows it. */
export function auditRow(a: AuditEntry) {
  return {
    simSeconds: a.timeUs / 1e6, flag: a.flag, actor: a.actor, by: a.by ?? null, event: a.event, action: a.action ?? null,
    stage: a.stage === undefined ? null : a.stage + 1, percent: a.percent ?? null, configVersion: a.configVersion,
    reason: a.reason ?? (a.gate ? `${a.gate.gate}: ${a.gate.verdict}: ${readingWords(a.gate)}` : a.service ? `reached ${a.service}` : null),
  };
}

/** An action that switched on (or tried to), or removed, a fault marked hidden: nobody sees it until the debrief. */
export function isHiddenInjection(session: DrillSession, a: RecordedAction): boolean {
  const act = a.action;
  if (act.type === 'adhoc-fault') return act.fault.hidden === true;
  if (act.type === 'remove-fault') {
    return act.name.startsWith('hidden ad-hoc ') || session.scenario.faults.some((f) => f.name === act.name && f.start.kind === 'manual' && f.hidden);
  }
  return act.type === 'fault' && session.scenario.faults.some((f) => f.name === act.name && f.hidden);
}

/** A visible action as the page shows it; `n` numbers visible actions only (hidden ones leave no gap). */
export function actionRow(a: RecordedAction, n: number) {
  return { n, simSeconds: a.atUs / 1e6, wallTime: a.wallTime, by: a.by, role: a.role, what: describeAction(a.action, a.faultName), refused: a.refused };
}
