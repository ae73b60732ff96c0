/**
 * `rehearse gameday`: a live drill (lobby, paced simulation, dashboard, action API, journal, debrief) and
 * `gameday resume` (a drill continued from its journal). The drill itself is src/live/drill.ts; this file
 * prints, handles signals and exits. Ctrl-C ends the drill and writes the debrief; a second Ctrl-C stops at
 * once (exit 130) and SIGTERM stops at once (exit 143): the journal keeps the drill either way.
 */
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { checkWritable } from '../files/write.js';
import { filesPrefix } from './prefix.js';
import type { GateMode } from '../rollout/controller.js';
import { describeAction, isRecorded, type RecordedAction } from '../live/actions.js';
import { Drill, type DrillOptions, type Link } from '../live/drill.js';
import { ReplayStopped } from '../live/replay-slices.js';
import type { ServedAt } from '../live/journal.js';
import { tampered } from './gameday-record.js';
import { checkHiddenCases, drawCase, newSecret } from '../live/hidden.js';
import { readDrillScenario, type DrillSetup } from '../live/session.js';
import { END_WORDS, NOT_RECORDED } from '../live/end-words.js';
import { badName } from '../live/access.js';
import { clock as clockSeconds, plural } from '../units/format.js';
import { estimateRun, overLimits, refusal } from '../scenario/budget.js';
import type { Scenario } from '../scenario/types.js';
import { inline, quoted } from '../units/escape.js';

export interface GamedayOptions {
  speed: number;
  port: number;
  host: string;
  publicUrl?: string;
  case?: string;
  hiddenCase?: boolean;
  seed?: number;
  gates: GateMode;
  name: string;
  operator: string[];
  scribe: string[];
  observers?: boolean;
  /** Start at once, without a lobby. */
  start?: boolean;
  out?: string;
  exitOnEnd?: boolean;
  /** Wall milliseconds of countdown once every plan is done; null: none. */
  endWhenDone: number | null;
  /** Serve a drill whose work estimate is over the limits. */
  force?: boolean;
}

type Io = { out: (s: string) => void; err: (s: string) => void };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** A moment of the drill on the simulated clock, as every report says it: 7m00s, 1h05m00s. */
export const clock = (us: number) => clockSeconds(us / 1e6);

/**
 * Text people typed, safe for a terminal: each control character (an escape sequence, a line or paragraph separator,
 * a bidirectional override) written as its escape (\x1b, \u202e), as every report writes it.
 */
const printable = inline;

/**
 * What a terminal may print about an action: never the case or a hidden fault. One sent once the drill had ended is
 * not in the record, nor refused in it: it has no moment of the drill, and the line says it is not recorded.
 */
export function actionLine(a: RecordedAction): string {
  if (!isRecorded(a)) return printable(`[after the end] ${a.by} (${a.role}): ${describeAction(a.action, a.faultName)} — ${NOT_RECORDED}`);
  return printable(`[${clock(a.atUs)}] ${a.by} (${a.role}): ${describeAction(a.action, a.faultName)}${a.refused ? ` — refused: ${a.refused.split('\n').join(' ')}` : ''}`);
}

/** The warning printed when the drill is served beyond the loopback interface (null on loopback). */
export function hostWarning(host: string): string | null {
  return LOOPBACK.has(host) ? null
    : `warning: serving on ${host}, not the loopback interface: anyone who can reach it and has a link (with its token) can join the drill in that link's role`;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export async function gamedayCommand(file: string, o: GamedayOptions, io: Io): Promise<number> {
  if (o.case !== undefined && o.hiddenCase) throw new InputError(['--case and --hidden-case exclude each other']);
  if (o.publicUrl !== undefined) checkPublicUrl(o.publicUrl);
  checkPeople(o);
  const prefix = o.out === undefined ? undefined : filesPrefix('--out', o.out, ['.journal', '.json', '.html']);
  if (prefix !== undefined && o.hiddenCase) checkWritable(`${prefix}.secret`);
  const plain = readDrillScenario(file, null);
  const seed = o.seed ?? plain.scenario.seed;
  let secret: string | null = null;
  let caseName = o.case ?? null;
  if (o.hiddenCase) {
    const cases = new Map(plain.base.cases.map((c) => [c, readDrillScenario(file, c).scenario]));
    checkHiddenCases(file, cases);
    // Any case may be drawn: each is held to the limits, so that a refusal says nothing of the one drawn.
    if (!o.force) for (const scenario of cases.values()) checkWork(file, scenario);
    secret = newSecret();
    caseName = drawCase([...cases.keys()], secret);
  }
  const read = caseName === null ? plain : readDrillScenario(file, caseName);
  if (!o.force) checkWork(file, read.scenario);
  const setup: DrillSetup = { file: read.file, caseName, hiddenCase: !!o.hiddenCase, seed, gates: o.gates };
  const out = prefix ?? join('reports', `drill-${read.scenario.name.replace(/[^\w.-]+/g, '-')}-${stamp()}`);
  const warning = hostWarning(o.host);
  if (warning) io.err(warning);
  const run = await runner(o, out, io);
  const { drill, links } = await Drill.open(setup, read, secret, o.speed, run.options);
  // Its signals are the drill's before its links are printed: a SIGTERM sent on reading them stops it as the drill.
  const waiting = run.wait(drill);
  io.out(`game day: ${read.scenario.name}, seed ${seed}${o.hiddenCase ? ', case hidden until the debrief' : caseName ? `, case ${caseName}` : ''}, gates ${o.gates}, speed ${o.speed}x`);
  io.out(`journal: ${out}.journal (the drill as it happens; resume it with: rehearse gameday resume ${out}.journal)`);
  printLinks(links, io);
  if (o.start) drill.startNow();
  else io.out("the lobby is open: the clock starts when the facilitator starts the drill (the page's Start the drill, or: rehearse gameday ctl URL start)");
  return waiting;
}

export type ResumeOptions = Omit<GamedayOptions, 'speed' | 'case' | 'hiddenCase' | 'seed' | 'gates' | 'operator' | 'scribe' | 'observers' | 'out' | 'host' | 'port'>
  & { scenario?: string; host?: string; port?: number };

export async function resumeCommand(journal: string, o: ResumeOptions, io: Io): Promise<number> {
  if (o.publicUrl !== undefined) checkPublicUrl(o.publicUrl);
  const out = journal.replace(/\.journal$/, '');
  const run = await runner({ ...o, host: o.host ?? '', port: o.port ?? 0, operator: [], scribe: [] }, out, io);
  let resumed: Awaited<ReturnType<typeof Drill.resume>>;
  // The replay to where the drill stopped yields now and then (a drill forced past the work limit takes as long to
  // replay as it ran): a signal then stops it, the journal untouched.
  let signal: NodeJS.Signals | null = null;
  const stop = (s: NodeJS.Signals) => () => (signal = s);
  const onTerm = stop('SIGTERM');
  const onInt = stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  let said = Date.now();
  const replay = {
    begins: (atUs: number, actions: number) => { if (atUs > 0) io.out(`replaying the journal to ${clock(atUs)} simulated (${plural(actions, 'action')}) before it is served`); },
    progress: (share: number) => {
      if (Date.now() - said < 5000) return;
      said = Date.now();
      io.out(`replaying the journal: ${Math.floor(share * 100)}% done`);
    },
    stopped: () => signal !== null,
  };
  const replayDone = () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  };
  try {
    resumed = await Drill.resume(journal, { ...run.options, host: o.host, port: o.port, scenario: o.scenario, check: o.force ? undefined : checkWork, replay });
  } catch (e) {
    replayDone();
    if (e instanceof ReplayStopped) {
      io.out(`stopped (${signal}) while replaying the journal, before the drill was served; the journal is as it was: rehearse gameday resume ${journal}`);
      return signal === 'SIGINT' ? 130 : 143;
    }
    const lines = tampered(e, journal);
    if (!lines) throw e;
    for (const l of lines) io.err(l);
    return 1;
  }
  const { drill, links, atUs, served, before, taken } = resumed;
  // The drill's signal handlers are on before the replay's come off (with none, a SIGTERM would end the process
  // without a word), and before anything is printed: a SIGTERM sent on reading the links stops it as the drill. One
  // that came as the replay ended is the drill's.
  const waiting = run.wait(drill);
  replayDone();
  if (signal !== null) process.kill(process.pid, signal);
  const warning = hostWarning(served.host);
  if (warning) io.err(warning);
  // A drill stopped in its lobby is resumed in its lobby: it starts, it does not resume (a resume there is refused).
  io.out(drill.session.status === 'lobby'
    ? `game day resumed from ${journal} in its lobby: the clock starts when the facilitator starts the drill (the page's Start the drill, or: rehearse gameday ctl URL start)`
    : `game day resumed from ${journal} at ${clock(atUs)} simulated, the clock stopped: the facilitator resumes it (the page's Resume clock, or: rehearse gameday ctl URL resume)`);
  io.out(`${whereLinksStand(served, before, taken)}; a new one for the facilitator:`);
  printLinks(links, io);
  return waiting;
}

/**
 * A drill runs the scenario's whole simulation, paced, and its debrief runs it again with the policy alone: one that
 * `run` refuses for its work was served, and filled the heap (a 1 µs window) or held the event loop for a minute at a
 * time (1e9 journeys a second), where a signal waited for it.
 */
function checkWork(file: string, scenario: Scenario): void {
  const reasons = overLimits(estimateRun(scenario));
  if (reasons.length) throw new InputError(refusal(file, reasons));
}

/** Whether the links people had still work: only when the drill serves where it did, at the address they use. */
export function whereLinksStand(served: ServedAt, before: ServedAt | null, taken: string | null): string {
  const instead = `the links people had work with their address changed to ${served.url} (their tokens still work)`;
  if (before === null) return `the journal does not say where the drill was served (an older version wrote it): ${instead}`;
  if (taken !== null) return `the drill was served on ${before.host}:${before.port} and that port cannot be taken now (${taken}): the links people had (${before.url}) do not work; ${instead}`;
  if (served.url !== before.url || served.port !== before.port || served.host !== before.host) {
    return `the drill was served at ${before.url} (${before.host}:${before.port}) and is now served at ${served.url} (${served.host}:${served.port}): the links people had do not work; ${instead}`;
  }
  return `the links people had still work (${served.url})`;
}

/**
 * The people named on the command line, before anything is opened: a bad name or one given twice (one token each)
 * was a RosterError with a stack once the journal had been made.
 */
function checkPeople(o: Pick<GamedayOptions, 'name' | 'operator' | 'scribe'>): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [option, name] of [['--name', o.name], ...o.operator.map((n) => ['--operator', n]), ...o.scribe.map((n) => ['--scribe', n])] as [string, string][]) {
    const why = badName(name);
    if (why) problems.push(`${option} ${JSON.stringify(name)}: ${why}`);
    else if (seen.has(name)) problems.push(`${option} ${JSON.stringify(name)}: already given with ${seen.get(name)}: each person is in the drill once, with one link`);
    else seen.set(name, option);
  }
  if (problems.length) throw new InputError(problems);
}

function checkPublicUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError([`--public-url: ${quoted(url)} is not a URL (e.g. https://drill.example.com/)`]);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InputError([`--public-url: ${u.protocol} is not http: or https:`]);
  if (u.search || u.hash) throw new InputError(['--public-url: give the address without a query or fragment']);
}

function printLinks(links: Link[], io: Io): void {
  for (const l of links) io.out(`${l.role === 'observer' ? 'observers (read-only)' : `${l.role} ${l.name}`}: ${l.url}`);
  const f = links.find((l) => l.role === 'facilitator');
  if (f) {
    io.out(`from another terminal: rehearse gameday ctl '${f.url}' status`);
    io.out(`invite someone: REHEARSE_GAMEDAY_URL='${f.url}' rehearse gameday invite NAME --role operator`);
  }
}

/** The drill's terminal side: its callbacks, then waiting for the end (or a signal) and the exit code. */
async function runner(o: Pick<GamedayOptions, 'host' | 'port' | 'publicUrl' | 'endWhenDone' | 'name' | 'operator' | 'scribe' | 'observers' | 'exitOnEnd'>, out: string, io: Io) {
  let finished!: (code: number) => void;
  const done = new Promise<number>((r) => (finished = r));
  const options: DrillOptions = {
    host: o.host, port: o.port, publicUrl: o.publicUrl, endWhenDoneMs: o.endWhenDone, facilitator: o.name,
    operators: o.operator, scribes: o.scribe, observers: o.observers, out, exitOnEnd: o.exitOnEnd,
    onAction: (a) => io.out(actionLine(a)),
    // The page's banner, at the terminal too: the facilitator here may be the only one who can keep it going.
    // It stands still while the clock is paused (a resumed drill's is): "ends in 60 s" would read as if it ran on.
    onCountdown: (seconds, paused) => io.out(`every plan is done: the drill ends ${paused ? `${Math.round(seconds)} s of wall time after the clock runs again,` : `in ${Math.round(seconds)} s of wall time`} unless the facilitator keeps it going (the page's Keep the drill going, or: rehearse gameday ctl URL keep-going)`),
    onEnded: (d) => io.out(`drill ended at ${clock(d.session.endedUs!)} (${END_WORDS[d.session.endReason!]}); writing the debrief (Ctrl-C to stop now: the journal keeps the drill)`),
    onDebrief: (r, e) => {
      if (r) {
        io.out(`debrief written to ${out}.html and ${out}.json, digest ${r.digest}`);
        for (const l of r.summary) io.out(l);
        io.out(`replay it: rehearse gameday replay ${out}.json`);
        if (o.exitOnEnd) finished(0);
        else io.out('the dashboard stays up for the debrief; Ctrl-C to stop');
      } else {
        io.err(`gameday: the debrief could not be written: ${e?.message}; the journal keeps the drill: rehearse gameday debrief ${out}.journal`);
        finished(2);
      }
    },
    onError: (e) => io.err(`gameday: unexpected error answering a request: ${e.message}`),
  };
  return {
    options,
    wait: async (drill: Drill): Promise<number> => {
      let interrupts = 0;
      const onInt = () => {
        interrupts++;
        // Nobody started it: there is nothing to end or debrief (an end would be refused, as from the page).
        if (drill.session.status === 'lobby') {
          io.out('the drill never started: stopped, nothing to debrief');
          finished(0);
        } else if (interrupts === 1 && !drill.session.ended) {
          io.out('ending the drill (Ctrl-C again to stop at once: the journal keeps the drill)');
          drill.endByHand();
        } else if (drill.debrief) finished(0);
        else {
          io.out(`stopped; the journal keeps the drill: rehearse gameday debrief ${out}.journal${drill.session.ended ? '' : ` (or resume it: rehearse gameday resume ${out}.journal)`}`);
          finished(130);
        }
      };
      const onTerm = () => {
        // An ended drill cannot be resumed (resume refuses it): its journal gives the debrief, if it is not written yet.
        io.out(drill.debrief ? 'stopped (SIGTERM)' : `stopped (SIGTERM); the journal keeps the drill: ${drill.session.ended ? `rehearse gameday debrief ${out}.journal` : `rehearse gameday resume ${out}.journal`}`);
        finished(143);
      };
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const code = await done;
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // Let the last responses (the action that ended the drill) go out first.
      await new Promise((r) => setTimeout(r, 200));
      await drill.stop();
      return code;
    },
  };
}
