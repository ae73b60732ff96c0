/**
 * What the dashboard shows of a running drill: only what a team's monitoring would show them (observed
 * telemetry, the flag system's audit trail, breakers, faults that are not hidden), never the case or the truth.
 * Window rows are sent from a cursor, so a page receives each closed window once.
 */
import type { DrillSession } from './session.js';
import type { PacedDriver } from './driver.js';
import { describeAction, type RecordedAction } from './actions.js';

export interface Cursor {
  windows: number;
  audit: number;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const ms = (us: number) => Math.round(us) / 1000;

export function liveSnapshot(session: DrillSession, driver: PacedDriver | null, cursor: Cursor, name?: string) {
  const sc = session.scenario;
  const sim = session.sim;
  const windows = sim.closedWindows;
  const from = Math.min(cursor.windows, windows.length);
  const exposure: { t: number; flag: string; share: number }[] = [];
  const services: { t: number; service: string; series: string; errorRate: number; p99: number; requests: number }[] = [];
  const journeys: { t: number; journey: string; errorRate: number; requests: number }[] = [];
  for (let w = from; w < windows.length; w++) {
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
        if (!f.evaluatedBy.includes(svc)) return;
        const split = win.serviceFlags[s][i];
        for (const [state, x] of [['on', split.on], ['off', split.off]] as const) {
          if (x.requests === 0 || x.errorRate === null || x.p99Us === null) continue;
          services.push({ t, service: svc, series: `${f.key} ${state}`, requests: x.requests, errorRate: r6(x.errorRate), p99: ms(x.p99Us) });
        }
      });
    });
    sim.model.journeyNames.forEach((j, k) => {
      const x = win.journeys[k];
      journeys.push({ t, journey: j, requests: x.requests, errorRate: x.requests ? r6(x.errors / x.requests) : 0 });
    });
  }
  let total = 0, failed = 0;
  for (const win of windows) for (const j of win.journeys) {
    total += j.requests;
    failed += j.errors;
  }
  const budget = 1 - sc.slo.availability;
  const audit = session.controller?.audit ?? [];
  const auditFrom = Math.min(cursor.audit, audit.length);
  const open = new Map<string, string>();
  for (const b of sim.breakerLog) open.set(b.breaker, b.to);
  const faults = sim.faults;
  return {
    cursor: { windows: windows.length, audit: audit.length } satisfies Cursor,
    meta: {
      name: sc.name,
      seed: session.setup.seed,
      case: session.setup.hiddenCase ? 'hidden until the debrief' : session.setup.caseName,
      gates: session.setup.gates,
      nowSeconds: session.nowUs / 1e6,
      horizonSeconds: sc.durationUs / 1e6,
      windowSeconds: sc.windowUs / 1e6,
      speed: driver?.speed ?? 0,
      paused: driver?.paused ?? false,
      ended: session.ended,
      endReason: session.endReason,
      operator: name ?? null,
    },
    plans: (session.controller?.planStates() ?? []).map((p) => ({
      ...p,
      gates: sc.rollouts.find((x) => x.flag === p.flag)!.gates.map((g) => g.kind === 'threshold'
        ? { source: g.source, service: g.filter.service, journey: g.filter.journey, metric: g.metric, limit: g.metric === 'req_duration' ? g.limit / 1000 : g.limit, aggregate: g.aggregate.kind }
        : { source: g.source, service: g.filter.service, journey: g.filter.journey, metric: null, limit: null, aggregate: null }),
    })),
    flags: sc.flags.map((f) => f.key),
    services: [...sim.model.serviceNames],
    journeys: [...sim.model.journeyNames],
    exposure,
    serviceRows: services,
    journeyRows: journeys,
    errorBudget: { journeys: total, failed, burned: total > 0 ? r6(failed / total / budget) : 0 },
    audit: audit.slice(auditFrom).map((a) => ({
      simSeconds: a.timeUs / 1e6, flag: a.flag, actor: a.actor, by: a.by ?? null, event: a.event, action: a.action ?? null,
      stage: a.stage === undefined ? null : a.stage + 1, percent: a.percent ?? null, configVersion: a.configVersion,
      reason: a.reason ?? (a.gate ? `${a.gate.gate}: ${a.gate.verdict}${a.gate.detail ? ` (${a.gate.detail})` : ''}` : a.service ? `reached ${a.service}` : null),
    })),
    // A hidden fault injected by the facilitator (gameday ctl) shows only through its effects, as scheduled ones do.
    actions: session.actions.filter((a) => !isHiddenInjection(session, a)).map((a) => ({
      simSeconds: a.atUs / 1e6, wallTime: a.wallTime, by: a.by, what: describeAction(a.action), refused: a.refused,
    })),
    breakersOpen: [...open].filter(([, to]) => to !== 'closed').map(([edge, to]) => ({ edge, state: to })),
    faults: sc.faults.flatMap((f, k) => f.hidden || faults.onAt[k] < 0 ? [] : [{
      name: f.name, kind: f.kind, target: `${f.from ? `${f.from} -> ` : ''}${f.to}${f.endpoint ? `.${f.endpoint}` : ''}`,
      active: faults.active[k] === 1, fromSeconds: faults.onAt[k] / 1e6, toSeconds: faults.active[k] === 1 ? null : faults.offAt[k] / 1e6,
    }]),
    catalogue: sc.faults.filter((f) => f.start.kind === 'manual' && !f.name.startsWith('adhoc-') && !f.hidden)
      .map((f) => ({ name: f.name, kind: f.kind, target: `${f.from ? `${f.from} -> ` : ''}${f.to}` })),
  };
}

export type LiveSnapshot = ReturnType<typeof liveSnapshot>;

/** An action that switched on a fault marked hidden. */
export function isHiddenInjection(session: DrillSession, a: RecordedAction): boolean {
  const act = a.action;
  if (act.type === 'adhoc-fault') return act.fault.hidden === true;
  return act.type === 'fault' && session.scenario.faults.some((f) => f.name === act.name && f.hidden);
}
