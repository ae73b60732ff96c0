/**
 * The dashboard's feed: one update built on a fixed cadence (four a second, whatever happens, so that the
 * rhythm of updates says nothing about hidden events) and sent as is to every page. Each update holds the
 * state (clock, plans, health, faults) and the rows that are new since the one before (closed windows, audit
 * entries, visible actions), under an id. A page that reconnects sends the last id it saw (Last-Event-ID)
 * and gets the updates after it, so no row arrives twice; one that is too far behind (or from another run of
 * the server) gets a reset: everything so far, once, in one update.
 *
 * The facilitator's pages alone get two fields more in each (hiddenFaults: the hidden faults they may remove now;
 * hiddenSpans: when each hidden fault injected was on, past ones included, for their charts), spliced in as the
 * update is sent: every other page gets the update's text as built, in which no hidden fault is.
 */
import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '../rollout/controller.js';
import type { Role } from './access.js';
import { budget } from '../units/format.js';
import type { PacedDriver } from './driver.js';
import { evaluators, hiddenFaultsAlike, type Evaluators } from './hidden.js';
import { readDrillScenario, type DrillSession } from './session.js';
import type { DebriefStatus } from './debrief-job.js';
import {
  actionRow, allowedFailures, auditRow, catalogue, healthGrid, hiddenFaultSpans, isHiddenInjection, openBreakers, planRows, removableHiddenFaults, rowsPerWindow, visibleFaults,
  windowRows,
} from './view.js';
import { quoted } from '../units/escape.js';

/** What the host adds to each update: who is connected, the countdown, the debrief's progress. */
export interface HostStatus {
  people: { name: string; role: string; connected: boolean }[];
  countdown: { remainingSeconds: number; running: boolean } | null;
  plansDone: boolean;
  debrief: DebriefStatus;
}

export interface FeedUpdate {
  id: string;
  seq: number;
  /** Wall time the update was due (its cadence tick) and built, in ms since the epoch. */
  dueAt: number;
  /** What every page gets. */
  text: string;
  /**
   * The facilitator's fields more, as the members of a JSON object: the hidden faults they may remove as of this
   * update (`"hiddenFaults":[...]`) and the spans of those injected (`"hiddenSpans":[...]`).
   */
  hiddenFaults: string;
}

/** What a person in `role` is sent of an update or a state: the facilitator's with their fields more. */
export function textFor(role: Role, u: { text: string; hiddenFaults: string }): string {
  return role === 'facilitator' ? `${u.text.slice(0, -1)},${u.hiddenFaults}}` : u.text;
}

/** A `since` cursor that is not one this drill answered: a bad request. */
export class CursorError extends Error {}

const RING = 1200; // five minutes of updates at four a second
/** What the ring may hold in all (a page further behind gets a reset, itself bounded by SERIES_ROWS). */
const RING_BYTES = 32 * 2 ** 20;
/**
 * Rows of closed windows one update or state may carry (about 100 bytes each): the page charts the most recent
 * windows that fit, with the totals beside them. An ordinary drill never reaches it (a 2-hour drill of 1-minute
 * windows over 40 series is 4,800 rows); one forced past the work limit (1 us windows) closes hundreds of
 * thousands of windows a second, and every full state carried all of them (140 MB after 30 s).
 */
export const SERIES_ROWS = 50_000;

export class Feed {
  /** Ids are `epoch-seq`: an id from another run of the server never matches this one's. */
  readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly ring: FeedUpdate[] = [];
  private ringBytes = 0;
  /** How many closed windows an update or a state carries at most (SERIES_ROWS over the rows of one window). */
  readonly seriesWindows: number;
  private readonly cursor = { windows: 0, audit: 0, scanned: 0, visible: 0, failed: 0 };
  private readonly readings = new Map<string, AuditEntry>();
  private readonly allowed: number;
  private readonly waiting = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private nudged: NodeJS.Immediate | null = null;
  /** Which services' flag series and propagation the page shows (alike for every case of a hidden-case drill). */
  private readonly shown: Evaluators;
  /** Whether the facilitator's page may describe a hidden fault (one alike in every case of a hidden-case drill). */
  private readonly described: (name: string) => boolean;

  constructor(private readonly session: DrillSession, private readonly driver: PacedDriver, private readonly host: () => HostStatus,
    private readonly cadenceMs = 250) {
    this.allowed = allowedFailures(session.scenario);
    const { file, hiddenCase } = session.setup;
    const byCase = hiddenCase ? readDrillScenario(file, null).base.cases.map((c) => readDrillScenario(file, c).scenario) : [session.scenario];
    this.shown = evaluators(byCase);
    this.described = hiddenFaultsAlike(byCase);
    this.seriesWindows = Math.max(1, Math.floor(SERIES_ROWS / rowsPerWindow(session, this.shown)));
  }

  /** The first of the closed windows [from, to) that an update carries: the most recent ones that fit. */
  private firstSent(from: number, to: number): number {
    return Math.max(from, to - this.seriesWindows);
  }

  start(): void {
    let due = Date.now();
    const tick = () => {
      this.produce(due);
      due += this.cadenceMs;
      // Keep to the cadence: a late tick does not push the ones after it.
      const wait = Math.max(0, due - Date.now());
      if (wait === 0) due = Date.now();
      this.timer = setTimeout(tick, wait || this.cadenceMs);
      this.timer.unref?.();
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.nudged) clearImmediate(this.nudged);
    this.timer = null;
    for (const wake of this.waiting) wake();
  }

  /** Something people can see has happened: an update goes out now, not at the next tick. */
  nudge(): void {
    this.nudged ??= setImmediate(() => {
      this.nudged = null;
      this.produce(Date.now());
    });
  }

  get lastId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  /** The updates after `lastId`, or null when they are no longer kept (the page needs a reset). */
  since(lastId: string | null): FeedUpdate[] | null {
    if (lastId === null) return null;
    const m = /^([0-9a-f]{8})-(\d+)$/.exec(lastId);
    if (!m || m[1] !== this.epoch) return null;
    const n = Number(m[2]);
    if (n > this.seq) return null;
    if (n === this.seq) return [];
    const first = this.ring[0]?.seq ?? this.seq + 1;
    if (n + 1 < first) return null;
    return this.ring.slice(n + 1 - first);
  }

  /** Resolves when a new update is out (or the feed stops). */
  next(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.waiting.delete(wake);
        resolve();
      };
      this.waiting.add(wake);
    });
  }

  /** Everything so far, as one update under the latest id (a new page, or one too far behind). */
  reset(): FeedUpdate {
    return { id: this.lastId, seq: this.seq, dueAt: Date.now(), text: JSON.stringify(this.bodySince(null)), hiddenFaults: this.hiddenFaults() };
  }

  /**
   * The state now, with only the rows after a page's cursor (`GET /api/state?since=CURSOR`): a page that polls a
   * long drill gets what is new, not the whole drill again. The cursor says how many closed windows, audit entries
   * and visible actions the page has (`epoch.windows.audit.actions`, answered as `next` with every state); one
   * from another run of the server (a resumed drill) gets everything, marked `reset`. Null: everything.
   */
  stateSince(cursor: string | null): { next: string; text: string; hiddenFaults: string } {
    let from: { windows: number; audit: number; visible: number } | null = null;
    if (cursor !== null) {
      const m = /^([0-9a-f]{8})\.(\d{1,9})\.(\d{1,9})\.(\d{1,9})$/.exec(cursor);
      if (!m) throw new CursorError(`since: ${quoted(cursor.slice(0, 60))} is not a cursor this drill answered (it reads EPOCH.WINDOWS.AUDIT.ACTIONS, the "next" of a state)`);
      const [w, a, v] = [Number(m[2]), Number(m[3]), Number(m[4])];
      if (m[1] === this.epoch) {
        if (w > this.cursor.windows || a > this.cursor.audit || v > this.cursor.visible) throw new CursorError(`since: ${quoted(cursor)} is ahead of this drill`);
        from = { windows: w, audit: a, visible: v };
      }
    }
    return { next: this.cursorNow(), text: JSON.stringify(this.bodySince(from)), hiddenFaults: this.hiddenFaults() };
  }

  /** The cursor of everything the feed has sent so far. */
  cursorNow(): string {
    return `${this.epoch}.${this.cursor.windows}.${this.cursor.audit}.${this.cursor.visible}`;
  }

  /** The facilitator's fields, as JSON members. */
  private hiddenFaults(): string {
    return `"hiddenFaults":${JSON.stringify(removableHiddenFaults(this.session, this.described))},"hiddenSpans":${JSON.stringify(hiddenFaultSpans(this.session, this.described))}`;
  }

  private bodySince(from: { windows: number; audit: number; visible: number } | null) {
    const rows = windowRows(this.session, this.firstSent(from?.windows ?? 0, this.cursor.windows), this.cursor.windows, this.shown);
    const audit = this.session.controller?.audit.slice(from?.audit ?? 0, this.cursor.audit) ?? [];
    const visible = this.session.actions.slice(0, this.cursor.scanned).filter((a) => !isHiddenInjection(this.session, a));
    const actions = visible.map((a, i) => actionRow(a, i + 1)).slice(from?.visible ?? 0);
    return this.body(from === null, rows, audit, actions, Date.now());
  }

  /** Builds the next update: the state now and the rows since the last one. */
  produce(dueAt: number): FeedUpdate {
    const s = this.session;
    const c = this.cursor;
    const rows = windowRows(s, this.firstSent(c.windows, s.sim.closedWindows.length), s.sim.closedWindows.length, this.shown);
    for (let w = c.windows; w < rows.windows; w++) for (const j of s.sim.closedWindows[w].journeys) c.failed += j.errors;
    c.windows = rows.windows;
    const auditAll = s.controller?.audit ?? [];
    const audit = auditAll.slice(c.audit);
    c.audit = auditAll.length;
    for (const a of audit) if (a.event === 'gate' && a.gate) this.readings.set(`${a.flag}\u0000${a.gate.gate}`, a);
    const actions: ReturnType<typeof actionRow>[] = [];
    for (; c.scanned < s.actions.length; c.scanned++) {
      const a = s.actions[c.scanned];
      if (!isHiddenInjection(s, a)) actions.push(actionRow(a, ++c.visible));
    }
    this.seq++;
    const text = JSON.stringify(this.body(false, rows, audit, actions, dueAt));
    const update: FeedUpdate = { id: this.lastId, seq: this.seq, dueAt, text, hiddenFaults: this.hiddenFaults() };
    this.ring.push(update);
    this.ringBytes += update.text.length + update.hiddenFaults.length;
    while (this.ring.length > RING || (this.ring.length > 1 && this.ringBytes > RING_BYTES)) {
      const gone = this.ring.shift()!;
      this.ringBytes -= gone.text.length + gone.hiddenFaults.length;
    }
    for (const wake of [...this.waiting]) wake();
    return update;
  }

  private body(reset: boolean, rows: ReturnType<typeof windowRows>, audit: readonly AuditEntry[], actions: ReturnType<typeof actionRow>[], dueAt: number) {
    const s = this.session;
    const d = this.driver;
    const sc = s.scenario;
    const host = this.host();
    const faults = visibleFaults(s);
    const breakers = openBreakers(s);
    return {
      reset,
      meta: {
        name: sc.name,
        seed: s.setup.seed,
        case: s.setup.hiddenCase ? 'hidden until the debrief' : s.setup.caseName,
        gates: s.setup.gates,
        status: s.status === 'running' && d.paused ? 'paused' : s.status,
        nowSeconds: s.nowUs / 1e6,
        horizonSeconds: sc.durationUs / 1e6,
        windowSeconds: sc.windowUs / 1e6,
        speed: d.speed,
        achievedSpeed: Math.round(d.achievedSpeed * 10) / 10,
        behindSeconds: Math.round(d.behindUs / 1e5) / 10,
        lostSeconds: Math.round(d.lostUs / 1e5) / 10,
        // Behind and lost are counted from here on: the simulated instant the speed was last set (null: the start).
        paceSinceSeconds: d.paceFromUs === null ? null : d.paceFromUs / 1e6,
        paceSince: d.paceFrom,
        endReason: s.endReason,
        dueAt,
        sentAt: Date.now(),
        plansDone: host.plansDone,
        countdown: host.countdown,
        debrief: host.debrief,
      },
      lists: reset ? { flags: sc.flags.map((f) => f.key), services: [...s.sim.model.serviceNames], journeys: [...s.sim.model.journeyNames] } : null,
      people: host.people,
      plans: planRows(s, this.readings),
      health: healthGrid(s, breakers, faults),
      faults,
      breakers,
      catalogue: catalogue(sc),
      budget: { failed: this.cursor.failed, allowed: Math.round(this.allowed * 10) / 10, consumed: Math.round((this.cursor.failed / this.allowed) * 1e6) / 1e6, text: budget(this.cursor.failed / this.allowed) },
      rows: { exposure: rows.exposure, services: rows.services, journeys: rows.journeys },
      // The windows closed so far, and how many of the latest the page charts (the rows carry no more than these).
      series: { windows: rows.windows, charted: this.seriesWindows },
      // A hidden-case drill's propagation to a service that evaluates the flag in some cases only is the debrief's.
      audit: audit.filter((a) => a.event !== 'propagated' || a.service === undefined || this.shown.propagation(a.flag, a.service)).map(auditRow),
      actions,
    };
  }
}

export type FeedBody = ReturnType<Feed['reset']>;
