/**
 * A drill being run: the session, its paced driver, the journal that records it as it happens, the feed and
 * the server, the countdown once every plan is done, and the debrief written in a worker when it ends. The
 * command line opens one (or resumes one from its journal) and handles signals; everything else is here.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import { VERSION } from '../version.js';
import { Roster, type Person, type Role } from './access.js';
import type { Action, RecordedAction } from './actions.js';
import { startDebrief, type DebriefJob, type DebriefResult, type DebriefStatus } from './debrief-job.js';
import { PacedDriver } from './driver.js';
import { Feed } from './feed.js';
import { recordScenario, secretOf } from './from-journal.js';
import { commitment } from './hidden.js';
import { JournalWriter, readJournal, type ServedAt } from './journal.js';
import { lockJournal } from './journal-lock.js';
import { metricsText } from './metrics.js';
import { recordFromJournal } from './record.js';
import { holdPort, replayInSlices } from './replay-slices.js';
import { startDrillServer, type DrillServer } from './server.js';
import { DrillSession, type DrillScenario, type DrillSetup } from './session.js';
import { isHiddenInjection } from './view.js';
import { clock } from '../units/format.js';

export interface DrillOptions {
  host: string;
  port: number;
  publicUrl?: string;
  /** Wall milliseconds of countdown once every plan is done (the facilitator can cancel it); null: none. */
  endWhenDoneMs: number | null;
  /** The facilitator's name (the person at this terminal). */
  facilitator: string;
  operators?: string[];
  scribes?: string[];
  /** A link for observers, shared (read-only). */
  observers?: boolean;
  /** PREFIX of the drill's files: PREFIX.journal, PREFIX.secret, PREFIX.json, PREFIX.html. */
  out: string;
  /** An action was recorded (refused or not) that people may see: for the terminal. */
  onAction?(rec: RecordedAction): void;
  /**
   * Every plan is done: the drill ends after this many wall seconds of the clock running (`paused`: it is
   * stopped now, as in a drill just resumed) unless the facilitator keeps it going.
   */
  onCountdown?(seconds: number, paused: boolean): void;
  /** The drill ended; then the debrief was written (or could not be). */
  onEnded?(drill: Drill): void;
  onDebrief?(result: DebriefResult | null, error: Error | null): void;
  onError?(err: Error): void;
  /** The server stops once the debrief is written (the page then names its files and offers no link). */
  exitOnEnd?: boolean;
  /** Updates per second to the pages (default 4). */
  cadenceMs?: number;
}

/**
 * Where a resumed drill serves, beside where its journal says it served before (null: a journal written before
 * that was recorded). `taken`: the error that kept it from the port it served on before (then any free port).
 */
export interface Resumed {
  drill: Drill;
  links: Link[];
  atUs: number;
  served: ServedAt;
  before: ServedAt | null;
  taken: string | null;
}

export interface Link {
  name: string;
  role: Role;
  url: string;
}

const wall = () => new Date().toISOString();
const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export class Drill {
  readonly roster = new Roster();
  readonly driver: PacedDriver;
  readonly feed: Feed;
  server!: DrillServer;
  debrief: DebriefResult | null = null;
  debriefStatus: DebriefStatus = { state: 'none', progress: 0, step: '' };
  /** Resolves once the debrief is written (or failed: null). */
  readonly debriefDone: Promise<DebriefResult | null>;
  private resolveDebrief!: (r: DebriefResult | null) => void;
  private readonly connected = new Map<string, number>();
  private countdown: { remainingMs: number; running: boolean } | null = null;
  private pulse: NodeJS.Timeout | null = null;
  private lastClock = { atUs: -1, paused: false };
  private lastPulse = Date.now();
  private job: DebriefJob | null = null;
  private stopping = false;
  /** Releases the journal's lock (one process writes it at a time): once the journal is closed. */
  private unlock: () => void = () => {};

  private constructor(readonly session: DrillSession, readonly journal: JournalWriter, private readonly secret: string | null,
    speed: number, private readonly o: DrillOptions) {
    this.debriefDone = new Promise((r) => (this.resolveDebrief = r));
    this.driver = new PacedDriver(session, { speed, onEnd: () => this.ended() });
    this.feed = new Feed(session, this.driver, () => ({
      people: this.roster.list().map((p) => ({ name: p.name, role: p.role, connected: (this.connected.get(p.name) ?? 0) > 0 })),
      countdown: this.countdown ? { remainingSeconds: Math.max(0, this.countdown.remainingMs / 1000), running: this.countdown.running } : null,
      plansDone: session.status === 'running' && session.plansDone(),
      debrief: this.debriefStatus,
    }), o.cadenceMs);
    session.onRecord = (rec) => this.journal.append({ kind: 'action', ...rec });
  }

  /** A new drill: the journal started, people's tokens made, the server up, the lobby open. */
  static async open(setup: DrillSetup, read: DrillScenario, secret: string | null, speed: number, o: DrillOptions): Promise<{ drill: Drill; links: Link[] }> {
    if (setup.hiddenCase !== (secret !== null)) throw new Error('a hidden case needs its secret');
    const journal = JournalWriter.create(`${o.out}.journal`, {
      kind: 'drill', schema: 'rehearse/journal@1', version: VERSION, wall: wall(),
      scenario: { file: read.file, sha256: read.sha256, name: read.scenario.name }, seed: setup.seed, gates: setup.gates, speed,
      case: secret === null ? { hidden: false, name: setup.caseName } : { hidden: true, commitment: commitment(secret) },
    });
    let unlock: () => void;
    try {
      unlock = lockJournal(journal.path);
    } catch (e) {
      journal.close();
      rmSync(journal.path, { force: true });
      throw e;
    }
    // The secret is the facilitator's alone until the end: readable by its owner only.
    if (secret !== null) writeFileSync(`${o.out}.secret`, `${secret}\n`, { mode: 0o600 });
    const drill = new Drill(new DrillSession(setup, read.scenario), journal, secret, speed, o);
    drill.unlock = unlock;
    const links: Link[] = [];
    const invite = (name: string, role: Role) => links.push({ name, role, url: drill.invite(name, role) });
    try {
      await drill.listen(o.port);
    } catch (e) {
      // Nothing happened yet: the journal (its header alone) goes, so that the same --out can be used again.
      journal.close();
      rmSync(journal.path, { force: true });
      unlock();
      if (secret !== null) rmSync(`${o.out}.secret`, { force: true });
      throw new InputError([`cannot serve on ${o.host}:${o.port}: ${errorCode(e)}`]);
    }
    drill.journal.append({ kind: 'serve', wall: wall(), ...drill.served() });
    invite(o.facilitator, 'facilitator');
    for (const n of o.operators ?? []) invite(n, 'operator');
    for (const n of o.scribes ?? []) invite(n, 'scribe');
    if (o.observers) invite('observers', 'observer');
    drill.start();
    return { drill, links };
  }

  /**
   * A drill resumed from its journal: replayed to the instant the journal reached, the clock stopped there, and
   * served where the journal says it was (so that people's links still work) unless `o` says where: on the
   * same host, port and public URL; when that port cannot be taken now, on any free one (`taken` says why).
   */
  static async resume(path: string, o: Omit<DrillOptions, 'host' | 'port'> & {
    host?: string; port?: number; scenario?: string; check?: (file: string, scenario: Scenario) => void;
    /** The replay to where the drill stopped: begun (to `atUs`), its share done now and then, stopped (a signal). */
    replay?: { begins?: (atUs: number, actions: number) => void; progress?: (share: number) => void; stopped?: () => boolean };
  }): Promise<Resumed> {
    const j = readJournal(path);
    if (j.end) throw new InputError([`${path}: this drill has ended: write its debrief with rehearse gameday debrief ${path}`]);
    const secret = secretOf(j, path);
    const record = recordFromJournal(j, secret);
    const { read, caseName } = recordScenario(record, path, o.scenario);
    // Before it is replayed to where it stopped: the caller's limits (a drill's work).
    o.check?.(read.file, read.scenario);
    const setup: DrillSetup = { file: read.file, caseName, hiddenCase: j.header.case.hidden, seed: j.header.seed, gates: j.header.gates };
    const unlock = lockJournal(path);
    const before = j.served;
    const host = o.host ?? before?.host ?? '127.0.0.1';
    const port = o.port ?? before?.port ?? 0;
    o.replay?.begins?.(j.lastAtUs, j.actions.length);
    // While it is replayed, where it will be served says so (503) to people's pages and `gameday ctl`.
    const held = await holdPort(host, port);
    let session: DrillSession;
    try {
      session = await replayInSlices(setup, read.scenario, j.actions, j.lastAtUs, o.replay);
      // Ended by hand before the process stopped, though the end line never made it to the journal (a SIGTERM or a
      // crash just after the end): served again, it ended at once, and its debrief said it had been resumed.
      if (session.ended) {
        throw new InputError([`${path}: this drill has ended (by hand, at ${clock(session.nowUs / 1e6)} simulated): write its debrief with rehearse gameday debrief ${path}`]);
      }
    } catch (e) {
      unlock();
      throw e;
    } finally {
      await held();
    }
    const publicUrl = o.publicUrl ?? before?.publicUrl;
    const drill = new Drill(session, JournalWriter.reopen(path, j), secret, j.speed, { ...o, host, port, publicUrl });
    drill.unlock = unlock;
    for (const p of j.people) drill.roster.add(p);
    // A countdown the facilitator cancelled stays cancelled: the drill goes on until ended by hand, as it would
    // have without the interruption (a plan started again since clears it on the first pulse, as it would have).
    if (j.countdown === 'cancelled' && o.endWhenDoneMs !== null) drill.countdown = { remainingMs: o.endWhenDoneMs, running: false };
    // The clock stays stopped until the facilitator resumes it (a drill still in its lobby waits for its start).
    if (session.status === 'running') {
      drill.driver.pause();
      if (session.nowUs > 0) drill.driver.resumedHere();
    }
    let taken: string | null = null;
    try {
      try {
        await drill.listen(port);
      } catch (e) {
        // The recorded port, not one asked for: another process may hold it now; then any free port, said plainly.
        if (o.port !== undefined || port === 0) throw e;
        taken = errorCode(e);
        await drill.listen(0);
      }
    } catch (e) {
      drill.journal.close();
      unlock();
      throw new InputError([`cannot serve on ${host}:${port}: ${errorCode(e)}`]);
    }
    drill.journal.append({ kind: 'resume', atUs: session.nowUs, wall: wall() });
    const served = drill.served();
    drill.journal.append({ kind: 'serve', wall: wall(), ...served });
    const facilitator = j.people.find((p) => p.role === 'facilitator')?.name ?? o.facilitator;
    const { token, person } = drill.roster.reissue(facilitator);
    drill.journal.append({ kind: 'person', wall: wall(), name: person.name, role: person.role, token: person.tokenDigest });
    drill.start();
    return { drill, links: [{ name: facilitator, role: 'facilitator', url: drill.server.link(token) }], atUs: session.nowUs, served, before, taken };
  }

  /** Where the drill is served, as its journal records it. */
  private served(): ServedAt {
    return { host: this.o.host, port: this.server.port, ...(this.o.publicUrl ? { publicUrl: this.o.publicUrl } : {}), url: this.server.url };
  }

  private async listen(port: number): Promise<void> {
    this.server = await startDrillServer({
      host: this.o.host, port, publicUrl: this.o.publicUrl, roster: this.roster, feed: this.feed, title: this.session.scenario.name,
      check: (action) => this.session.check(action),
      act: (action, person) => this.act(action, person),
      invite: (name, role) => ({ token: this.inviteToken(name, role) }),
      metrics: () => metricsText(this.session),
      debrief: () => this.debrief,
      onPresence: (p, d) => this.connected.set(p.name, (this.connected.get(p.name) ?? 0) + d),
      onError: this.o.onError,
    });
  }

  private start(): void {
    this.driver.start();
    this.feed.start();
    this.pulse = setInterval(() => this.onPulse(), 250);
    this.pulse.unref?.();
  }

  /** Adds a person during the drill; returns their link. */
  invite(name: string, role: Role): string {
    return this.server.link(this.inviteToken(name, role));
  }

  private inviteToken(name: string, role: Role): string {
    const { token, person } = this.roster.invite(name, role);
    this.journal.append({ kind: 'person', wall: wall(), name, role, token: person.tokenDigest });
    return token;
  }

  /** A person's action: the pace carried out by the driver, the rest by the session; recorded either way. */
  act(action: Action, person: Person): RecordedAction {
    const s = this.session;
    let refused: string | null = null;
    if (action.type === 'clock' && s.status === 'running') {
      if (action.op === 'pause' && this.driver.paused) refused = 'the clock is already paused';
      else if (action.op === 'resume' && !this.driver.paused) refused = 'the clock is already running';
    }
    if (action.type === 'countdown' && !this.countdown?.running) refused = 'there is no countdown to cancel';
    const wasLobby = s.status === 'lobby';
    const rec = s.act(action, person, wall(), refused);
    if (rec.refused === null) {
      if (action.type === 'clock') {
        if (action.op === 'pause') this.driver.pause();
        else this.driver.resume();
      }
      if (action.type === 'speed') this.driver.setSpeed(action.speed);
      if (action.type === 'countdown') {
        this.countdown!.running = false;
        this.journal.append({ kind: 'countdown', op: 'cancel', atUs: s.nowUs, wall: wall(), by: person.name });
      }
    }
    if (wasLobby && s.status === 'running') this.driver.started();
    if (action.type === 'clock' || action.type === 'speed') this.writeClock();
    if (!isHiddenInjection(s, rec)) {
      this.feed.nudge();
      this.o.onAction?.(rec);
    }
    // The drill ends (and its debrief is written) after this response has gone.
    if (s.ended) setTimeout(() => this.driver.tick(), 20);
    return rec;
  }

  /** The facilitator starts the drill from the terminal (no lobby). */
  startNow(): void {
    this.act({ type: 'start' }, this.facilitator());
  }

  private facilitator(): Person {
    return this.roster.list().find((p) => p.role === 'facilitator')!;
  }

  /** The facilitator ends the drill from the terminal (the first Ctrl-C). */
  endByHand(): void {
    if (this.session.ended) return;
    this.act({ type: 'end', reason: 'Ctrl-C at the terminal' }, this.facilitator());
  }

  /** Four times a second: the clock into the journal, and the countdown once every plan is done. */
  private onPulse(): void {
    const now = Date.now();
    const dt = now - this.lastPulse;
    this.lastPulse = now;
    const s = this.session;
    if (s.status !== 'running') return;
    this.writeClock();
    if (this.o.endWhenDoneMs === null) return;
    const done = s.plansDone();
    if (done && !this.countdown) {
      this.countdown = { remainingMs: this.o.endWhenDoneMs, running: true };
      this.journal.append({ kind: 'countdown', op: 'start', atUs: s.nowUs, wall: wall() });
      this.o.onCountdown?.(this.o.endWhenDoneMs / 1000, this.driver.paused);
    } else if (!done && this.countdown) {
      // A plan is on its way again (a person promoted it): no countdown until every plan is done again.
      this.countdown = null;
    } else if (this.countdown?.running && !this.driver.paused) {
      this.countdown.remainingMs -= dt;
      if (this.countdown.remainingMs <= 0) {
        this.journal.append({ kind: 'countdown', op: 'expired', atUs: s.nowUs, wall: wall() });
        s.finish('plans-done');
        this.driver.tick();
      }
    }
  }

  private writeClock(): void {
    const s = this.session;
    if (this.lastClock.atUs === s.nowUs && this.lastClock.paused === this.driver.paused) return;
    this.lastClock = { atUs: s.nowUs, paused: this.driver.paused };
    this.journal.append({ kind: 'clock', atUs: s.nowUs, wall: wall(), speed: this.driver.speed, paused: this.driver.paused });
  }

  /** The drill has ended: the end (and a hidden case's secret) into the journal, then the debrief in a worker. */
  private ended(): void {
    const s = this.session;
    if (this.pulse) clearInterval(this.pulse);
    this.countdown = null;
    this.journal.append({ kind: 'end', atUs: s.endedUs!, wall: wall(), reason: s.endReason === 'interrupted' ? 'by-hand' : s.endReason!, ...(this.secret ? { secret: this.secret } : {}) });
    this.journal.close();
    this.unlock();
    s.closeRun();
    // Where the debrief goes is said from the start: with exitOnEnd the server stops once it is written, and a
    // page or a poll may not see it ready; then the page says where it is, with no link to it.
    const files = { html: `${this.o.out}.html`, json: `${this.o.out}.json` };
    this.debriefStatus = { state: 'writing', progress: 0, step: 'starting', files };
    this.feed.nudge();
    this.o.onEnded?.(this);
    this.job = startDebrief({ journal: this.journal.path, out: this.o.out, scenario: this.session.setup.file }, (st) => {
      this.debriefStatus = st.state === 'ready' ? { ...st, files, served: !this.o.exitOnEnd } : { ...st, files };
    });
    this.job.done.then((r) => {
      this.debrief = r;
      this.feed.nudge();
      this.resolveDebrief(r);
      this.o.onDebrief?.(r, null);
    }, (e: Error) => {
      if (this.stopping) return;
      this.feed.nudge();
      this.resolveDebrief(null);
      this.o.onDebrief?.(null, e);
    });
  }

  /** Stops serving. The journal keeps the drill as far as it went (resume it, or debrief it). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pulse) clearInterval(this.pulse);
    this.driver.stop();
    if (!this.journal.closed) {
      this.writeClock();
      this.journal.close();
    }
    this.unlock();
    this.job?.stop();
    this.feed.stop();
    await this.server.close();
  }
}
