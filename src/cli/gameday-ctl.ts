/**
 * `gameday ctl URL ACTION [ARGS...]` and `gameday invite NAME --role ROLE`: one HTTP request to a running
 * drill. Loaded by the entry point without the rest of the command line (no commander, no schema, no
 * simulator), so that it answers at once; the server validates the body and says what is wrong with it.
 * Exit codes: 0 done, 1 refused by the drill (the action does not apply now), 2 usage or access.
 */
import { parseArgs } from 'node:util';
import { clock, count, planPhase } from '../units/format.js';
import { END_WORDS, NOT_RECORDED } from '../live/end-words.js';
import { inline, quoted } from '../units/escape.js';

type Io = { out: (s: string) => void; err: (s: string) => void };

class Usage extends Error {}
/** The drill could not be asked: nothing answers at its address, or it answers that it cannot serve now (503). */
class Unreachable extends Error {}

/**
 * Exit codes: 0 done, 1 the drill refused the action, 2 bad usage or a token or role it refuses, 3 the drill was
 * not reached or could not serve (stopped, not yet listening, replayed after a resume): the same command may work
 * when it is up again, which a script can tell from a mistake of its own.
 */
const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;
const EXIT_UNREACHABLE = 3;

const KNOWN = ['status', 'start', 'pause', 'resume', 'speed', 'promote', 'rollback', 'approve', 'fault', 'adhoc-fault', 'remove-fault', 'note', 'keep-going', 'end'];
const ACTIONS = 'status [--since CURSOR] [--watch SECONDS], start, pause [FLAG], resume [FLAG], speed N, promote FLAG, rollback FLAG, approve FLAG, fault NAME, adhoc-fault YAML, remove-fault NAME, note TEXT, keep-going, end';

export const CTL_HELP = `Usage: rehearse gameday ctl [--reason TEXT] URL ACTION [ARGS...]

Act on a running drill with the link it gave you (your token says who you are and what you may do).
Actions: ${ACTIONS}.
status prints the clock and the plans, then people's actions and the plans' decisions after --since CURSOR
(all of them without it) and the cursor to pass next; --watch polls every SECONDS until the drill ends, each
poll asking only for what is new.

Usage: rehearse gameday invite NAME [--role operator|scribe|observer] [--url FACILITATOR_URL]

Add a person to a running drill and print their link; the facilitator's link comes from --url or the
environment variable REHEARSE_GAMEDAY_URL.

Exit codes: 0 done, 1 the drill refused the action, 2 bad usage (or a token or role it refuses), 3 the drill was
not reached or answered that it cannot serve now (503, or a proxy's 502 or 504): try again once it is up.`;


function drillUrl(url: string): { origin: string; base: URL; token: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Usage(`${quoted(url)} is not a URL: pass the link the game day printed (with its token)`);
  }
  const token = u.searchParams.get('token');
  if (!token) throw new Usage('the URL has no token: pass the link exactly as the game day printed it');
  u.search = '';
  return { origin: u.origin, base: u, token };
}

/** One request with node:http (fetch would load undici first, a tenth of a second before anything is sent). */
async function request(base: URL, path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const target = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const { request: send } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = send(target, {
      method: payload === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: base.origin, ...(payload ? { 'Content-Length': Buffer.byteLength(payload) } : {}) },
      timeout: 10_000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(payload);
  }).catch((e: NodeJS.ErrnoException) => {
    throw new Unreachable(`cannot reach the drill at ${base.origin}: ${e.code === 'ECONNREFUSED' ? 'connection refused (has it stopped?)' : e.code ?? e.message}`);
  });
  let json: Record<string, unknown> = {};
  try {
    json = answer.text ? JSON.parse(answer.text) as Record<string, unknown> : {};
  } catch { /* not JSON */ }
  return { status: answer.status, json };
}

/** What to do next after a refusal (the drill's words are recorded as they are; the advice is the terminal's). */
const NEXT: [RegExp, string][] = [
  [/^the drill has ended$/, '`gameday ctl URL status` says where the debrief is'],
  [/^the drill has not started/, 'the facilitator starts it: `gameday ctl URL start`'],
  [/^fault .* has already been injected$/, 'a catalogue fault is injected once; to inject the same again, give its kind, target and size as an ad-hoc fault: `gameday ctl URL adhoc-fault \'{kind: latency, target: SERVICE, add: 300ms, for: 5m}\'`'],
  [/^fault .* has not been injected$/, 'only a fault injected during the drill can be removed: `gameday ctl URL status` lists the faults on now, by name (`ad-hoc 1`, a catalogue fault\'s name)'],
  [/^fault .* has already (been removed|ended)/, 'nothing to remove: `gameday ctl URL status` lists the faults on now'],
  [/^the clock is already paused$/, 'the clock goes on with `gameday ctl URL resume`'],
  [/^the clock is already running$/, 'to pause a plan rather than the clock: `gameday ctl URL pause FLAG`'],
  [/ is not paused$/, 'resume takes up a paused plan; a rolled-back one goes on with `promote FLAG` (to the stage it left)'],
  [/ has not started$/, 'a plan that has not started exposes nobody; it starts by itself in its turn, or now with `gameday ctl URL promote FLAG`'],
  [/ has already completed$/, 'a completed plan goes no further; `gameday ctl URL rollback FLAG` takes it back to 0%'],
  [/ has already been rolled back$/, 'a rolled-back plan goes on with `gameday ctl URL promote FLAG` (to the stage it left)'],
  [/ has already been paused$/, 'a paused plan goes on with `gameday ctl URL resume FLAG`'],
  [/ is not waiting for an approval(: .*)?$/s, '`gameday ctl URL status` shows where each plan is'],
  [/^there is no countdown to cancel$/, 'the countdown starts once every plan is done; until then the drill goes on by itself'],
];

function failure(status: number, json: Record<string, unknown>, io: Io): number {
  if (status === 401) io.err('401: the token was refused (pass the link exactly as printed)');
  // Once the drill has ended the action is answered, not recorded: said as the drill's terminal says it.
  else if (status === 409 && json.recorded === false) io.err(`409: ${NOT_RECORDED}`);
  else io.err(`${status}: ${String(json.refused ?? json.error ?? 'failed')}`);
  const next = status === 409 ? NEXT.find(([re]) => re.test(String(json.refused))) : undefined;
  if (next) io.err(`next: ${next[1]}`);
  return status === 409 ? EXIT_REFUSED : [502, 503, 504].includes(status) ? EXIT_UNREACHABLE : EXIT_USAGE;
}

const withToken = (base: URL, token: string) => {
  const u = new URL(base.href);
  u.searchParams.set('token', token);
  return u;
};

/** How the drill ended, in the words of its terminal and the debrief (the state says `by-hand`). */
const endWords = (r: string | null | undefined) => (r && r in END_WORDS ? END_WORDS[r as keyof typeof END_WORDS] : r ?? 'by hand');
/**
 * Text people typed, safe for a terminal: each control character (an escape sequence, a line or paragraph separator,
 * a bidirectional override) written as its escape (\x1b, \u202e), as the drill's terminal and every report write it.
 */
const printable = inline;

export interface StateAnswer {
  you: { name: string; role: string };
  next: string;
  state: {
    reset: boolean;
    meta: {
      name: string; nowSeconds: number; horizonSeconds: number; speed: number; status: string; achievedSpeed?: number; behindSeconds?: number; lostSeconds?: number; paceSinceSeconds?: number | null; paceSince?: 'speed' | 'resume';
      endReason?: string | null; countdown?: { remainingSeconds: number; running: boolean } | null;
      debrief?: { state: string; progress: number; step?: string; error?: string; files?: { html: string; json: string } | null; served?: boolean } | null;
    };
    plans: { flag: string; phase: string; stage: number; stages: number; percent: number; version: number }[];
    faults?: { name: string; kind: string; target: string; size: string; active: boolean; fromSeconds: number; untilSeconds: number | null }[];
    budget?: { failed: number; allowed: number; text: string };
    actions: { simSeconds: number; by: string; role: string; what: string; refused: string | null }[];
    audit: { simSeconds: number; flag: string; actor: string; by: string | null; event: string; action: string | null; stage: number | null; percent: number | null; reason: string | null }[];
  };
}

/**
 * The clock, the plans, and what the page's banners and panels show beside them (the pace when the clock runs
 * behind, the faults on now, the error budget, the countdown once every plan is done, the debrief once it has
 * ended): the same lines whether the answer was the whole state or a poll since a cursor.
 */
export function stateLines(s: StateAnswer, url: URL): string[] {
  const m = s.state.meta;
  const behind = (m.behindSeconds ?? 0) + (m.lostSeconds ?? 0);
  // A clock that stands still runs next at the speed asked, which may have been set while it stood (as the page shows it).
  const pace = m.status === 'paused' ? `paused: runs at ${m.speed}x when resumed` : m.status === 'lobby' ? `in the lobby: runs at ${m.speed}x once started`
    : m.status !== 'running' ? m.status
    : behind > 1 ? `running at ${m.speed}x asked, ${m.achievedSpeed ?? 0}x achieved, ${clock(behind)} simulated behind the wall clock${(m.paceSinceSeconds ?? 0) > 0 ? ` since the ${m.paceSince === 'resume' ? 'drill was resumed' : 'speed was set'} at ${clock(m.paceSinceSeconds!)}` : ''}` : `running at ${m.speed}x`;
  const lines = [
    `${m.name}: ${clock(m.nowSeconds)} of ${clock(m.horizonSeconds)}, ${pace} (you: ${s.you.name}, ${s.you.role})`,
    ...s.state.plans.map((p) => `  ${p.flag}: ${planPhase(p.phase, p.stage)}, ${p.stage < 0 ? `not started (${p.stages} ${p.stages === 1 ? 'stage' : 'stages'})` : `stage ${p.stage + 1} of ${p.stages}`}, ${p.percent}% of users targeted, config v${p.version}`),
  ];
  for (const f of (s.state.faults ?? []).filter((x) => x.active)) {
    lines.push(`  fault on: ${f.name} (${f.kind} on ${f.target}, ${f.size}) since ${clock(f.fromSeconds)}${f.untilSeconds === null ? '' : ` until ${clock(f.untilSeconds)}`}`);
  }
  const b = s.state.budget;
  if (b) lines.push(`  error budget: ${b.text} (${count(b.failed)} failed journeys of the ${count(Math.round(b.allowed * 10) / 10)} the SLO allows over the whole horizon)`);
  const cd = m.countdown;
  if (cd && m.status !== 'ended') {
    lines.push(cd.running
      // The countdown stands still while the clock is paused: "ends in 58 s" read as if it ran on.
      ? `  every plan is done: the drill ends ${m.status === 'paused' ? `${Math.ceil(cd.remainingSeconds)} s after the clock runs again,` : `in ${Math.ceil(cd.remainingSeconds)} s`} unless the facilitator keeps it going (gameday ctl URL keep-going)`
      : '  every plan is done; the facilitator keeps the drill going (it ends by hand: gameday ctl URL end)');
  }
  const d = m.debrief;
  if (m.status === 'ended' && d) {
    const served = d.served !== false ? `; open it at ${new URL(`debrief?token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`, url).href}` : '';
    lines.push(d.state === 'ready' ? `  ended (${endWords(m.endReason)}): the debrief is written to ${d.files ? `${d.files.html} and ${d.files.json}` : 'its files'}${served}`
      : d.state === 'failed' ? `  ended (${endWords(m.endReason)}): the debrief could not be written${d.error ? `: ${d.error}` : ''}`
        : `  ended (${endWords(m.endReason)}): writing the debrief${d.files ? ` to ${d.files.html} and ${d.files.json}` : ''}: ${d.step ?? ''} (${Math.round(d.progress * 100)}%)`);
  }
  return lines.map(printable);
}

/** What is new in an answer: people's actions as the drill's terminal prints them, and the plans' decisions. */
function newLines(s: StateAnswer): string[] {
  const lines: { at: number; text: string }[] = [
    ...s.state.actions.map((a) => ({ at: a.simSeconds, text: `[${clock(a.simSeconds)}] ${a.by} (${a.role}): ${a.what}${a.refused ? ` — refused: ${a.refused.split('\n').join(' ')}` : ''}` })),
    ...s.state.audit.filter((a) => a.event === 'decision').map((a) => ({
      at: a.simSeconds,
      text: `[${clock(a.simSeconds)}] ${a.flag}: ${a.by ? `${a.actor} ${a.by}` : a.actor} ${a.action ?? a.event}${a.stage === null ? '' : ` at stage ${a.stage}`}${a.percent === null ? '' : ` (${a.percent}%)`}${a.reason ? `: ${a.reason}` : ''}`,
    })),
  ];
  // Actions first at the same instant: a person's act comes before the decision it made.
  return lines.map((l, i) => ({ ...l, i })).sort((a, b) => a.at - b.at || a.i - b.i).map((l) => printable(l.text));
}

/**
 * `status`: one poll of `GET /api/state`, since a cursor when given (the `next` of the last answer), so that a
 * program or a person polling a long drill is sent what is new, not the whole drill again; `--watch` polls on,
 * each poll since the last. The clock and plans are printed whole at every poll (the state is always whole).
 */
async function status(base: URL, token: string, since: string | undefined, watchSeconds: number | null, io: Io, sleep: (ms: number) => Promise<void>): Promise<number> {
  let cursor = since;
  let shown = '';
  let ended = false;
  for (;;) {
    let r: Awaited<ReturnType<typeof request>>;
    try {
      r = await request(base, `api/state${cursor === undefined ? '' : `?since=${encodeURIComponent(cursor)}`}`, token);
    } catch (e) {
      // Watching an ended drill whose server stopped once its debrief was written (--exit-on-end): that is the end.
      if (!ended || !(e instanceof Unreachable)) throw e;
      io.out('  the drill\'s server has stopped: the debrief is in the files named above');
      io.out(`next: --since ${cursor}`);
      return 0;
    }
    if (r.status !== 200) return failure(r.status, r.json, io);
    const s = r.json as unknown as StateAnswer;
    const lines = stateLines(s, withToken(base, token));
    // Watching, the clock and plans are printed when they change; new actions and decisions as they come.
    if (watchSeconds === null || lines.join('\n') !== shown) for (const l of lines) io.out(l);
    shown = lines.join('\n');
    if (cursor !== undefined && s.state.reset) io.out('  (the drill was served again since that cursor: everything since the start follows)');
    for (const l of newLines(s)) io.out(`  ${l}`);
    cursor = s.next;
    ended = s.state.meta.status === 'ended';
    // Watching, an ended drill is followed until its debrief is written (or could not be), which status then names.
    const debrief = s.state.meta.debrief?.state;
    if (watchSeconds === null || (ended && debrief !== 'writing' && debrief !== 'none')) {
      io.out(`next: --since ${cursor}`);
      return 0;
    }
    await sleep(watchSeconds * 1000);
  }
}

async function ctl(url: string, action: string, args: string[], reason: string | undefined, io: Io, poll: { since?: string; watch?: string } = {}, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<number> {
  const { base, token } = drillUrl(url);
  const need = (what: string) => {
    if (args.length === 0) throw new Usage(`${action} needs ${what}`);
    return args.join(' ');
  };
  const why = reason ? { reason } : {};
  // What an action takes: nothing, one word (a flag, a fault's name) or text; more is a mistake, not ignored.
  const most = (n: number, what: string) => {
    // The hint only where a reason is taken: --reason on a speed or a fault is refused (below).
    const takesReason = ['promote', 'rollback', 'approve', 'pause', 'resume', 'end'].includes(action);
    if (args.length > n) throw new Usage(`${action} takes ${what}, not ${quoted(args.join(' '))}${reason === undefined && takesReason ? ' (give a reason with --reason TEXT)' : action === 'fault' ? ' (one fault at a time)' : ''}`);
  };
  // A reason goes into the record with a plan action or the end; given to any other action it was dropped unsaid.
  const planAction = ['promote', 'rollback', 'approve'].includes(action) || (['pause', 'resume'].includes(action) && args.length > 0);
  if (reason !== undefined && !planAction && action !== 'end' && KNOWN.includes(action)) {
    throw new Usage(`--reason goes with a plan action (promote, pause FLAG, resume FLAG, rollback, approve) or end, not ${action}${action === 'note' ? ': a note is its text' : ['pause', 'resume'].includes(action) ? ' of the clock (a note says why: gameday ctl URL note TEXT)' : ''}`);
  }
  if (['status', 'start', 'keep-going', 'end'].includes(action)) most(0, 'no arguments');
  if (action !== 'status' && (poll.since !== undefined || poll.watch !== undefined)) throw new Usage('--since and --watch are for status');
  if (['pause', 'resume'].includes(action)) most(1, 'a flag or nothing (the clock)');
  if (['promote', 'rollback', 'approve'].includes(action)) most(1, 'one flag');
  if (action === 'speed' || action === 'fault') most(1, action === 'speed' ? 'one number' : 'the name of one fault');
  let body: unknown;
  switch (action) {
    case 'status': {
      const watch = poll.watch === undefined ? null : Number(poll.watch);
      // Seconds written in decimals: Number alone took 0x10 for 16 and " 1" for 1.
      if (watch !== null && !(/^(\d+\.?\d*|\.\d+)$/.test(poll.watch!) && watch >= 0.1 && watch <= 3600)) throw new Usage(`${WATCH_NEEDS}, not ${quoted(String(poll.watch))}`);
      if (poll.since !== undefined && !/^[0-9a-f]{8}\.\d{1,9}\.\d{1,9}\.\d{1,9}$/.test(poll.since)) throw new Usage(`${SINCE_NEEDS}, not ${JSON.stringify(poll.since)}`);
      return await status(base, token, poll.since, watch, io, sleep);
    }
    case 'start': body = { type: 'start' }; break;
    case 'pause': case 'resume':
      body = args.length ? { type: 'plan', flag: args[0], op: action, ...why } : { type: 'clock', op: action };
      break;
    case 'speed': {
      const text = need('a speed factor, e.g. 600');
      const speed = Number(text);
      if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || !Number.isFinite(speed)) throw new Usage(`speed needs a number (simulated seconds per wall second, e.g. 600), not ${quoted(text)}`);
      body = { type: 'speed', speed };
      break;
    }
    case 'promote': case 'rollback': case 'approve': {
      const flag = need('a flag');
      // A promote carries the plan's configuration version as the drill has it now, as the page sends the one it
      // shows: two people promoting at once move the plan one stage, and the second is told where it is.
      // Its phase too: someone's pause publishes no new version, and a promote sent as it lands is refused with it.
      let seen: { version: number; phase: string } | undefined;
      if (action === 'promote') {
        const now = await request(base, 'api/state', token);
        if (now.status !== 200) return failure(now.status, now.json, io);
        seen = (now.json as unknown as StateAnswer).state.plans.find((p) => p.flag === flag);
      }
      body = { type: 'plan', flag, op: action, ...why, ...(seen === undefined ? {} : { version: seen.version, phase: seen.phase }) };
      break;
    }
    case 'fault': body = { type: 'fault', name: need('the name of a fault in the catalogue') }; break;
    case 'adhoc-fault': {
      const text = need('a fault, e.g. "{kind: latency, target: web -> pay, add: 200ms, for: 5m}"');
      const { parse } = await import('yaml');
      let fault: unknown;
      try {
        fault = parse(text);
      } catch (e) {
        throw new Usage(`the fault is not YAML: ${(e as Error).message.split('\n')[0].replace(/:$/, '')}`);
      }
      body = { type: 'adhoc-fault', fault };
      break;
    }
    // An ad-hoc fault's name has a space (`ad-hoc 1`): its words are taken together, quoted or not.
    case 'remove-fault': body = { type: 'remove-fault', name: need('the name of a fault injected earlier (a catalogue fault\'s, or `ad-hoc 1`)') }; break;
    case 'note': body = { type: 'note', text: need('the text of the note') }; break;
    case 'keep-going': body = { type: 'countdown', op: 'cancel' }; break;
    case 'end': body = { type: 'end', ...why }; break;
    default:
      throw new Usage(`unknown action ${quoted(action)}: ${ACTIONS}`);
  }
  const r = await request(base, 'api/actions', token, body);
  if (r.status !== 200) return failure(r.status, r.json, io);
  io.out(printable(`done at ${clock(Number(r.json.atSeconds))} simulated by ${String(r.json.by)}: ${String(r.json.what)}`));
  return 0;
}

async function invite(name: string, role: string, url: string | undefined, io: Io): Promise<number> {
  if (!url) throw new Usage('invite needs the facilitator\'s link: --url URL, or REHEARSE_GAMEDAY_URL');
  const { base, token } = drillUrl(url);
  const r = await request(base, 'api/invite', token, { name, role });
  if (r.status !== 200) return failure(r.status, r.json, io);
  io.out(`${String(r.json.role)} ${String(r.json.name)}: ${String(r.json.url)}`);
  return 0;
}

const SINCE_NEEDS = '--since needs the cursor a status printed (next: --since CURSOR): EPOCH.WINDOWS.AUDIT.ACTIONS, 8 hex digits then three whole numbers, such as 0f3a9c2e.12.4.1';
const WATCH_NEEDS = '--watch needs seconds between polls, 0.1 to 3600';

/**
 * --since and --watch followed by a value that begins with "-" (a cursor or seconds mistyped as -1): util's
 * parseArgs calls that ambiguous and answers in its own words; the value is taken as given, so that it is
 * judged as any other. An option's value left out (the option last, or an option in its place) is said in ours.
 */
function pollValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return [...out, ...args.slice(i)];
    if (a !== '--since' && a !== '--watch') {
      out.push(a);
      continue;
    }
    const next = args[i + 1];
    const needs = a === '--since' ? SINCE_NEEDS : WATCH_NEEDS;
    if (next === undefined || /^--?(reason|role|url|help|h|since|watch)(=|$)/.test(next)) throw new Usage(`${needs}: none given`);
    out.push(`${a}=${next}`);
    i++;
  }
  return out;
}

/** `args` after "gameday": ["ctl", URL, ACTION, ...] or ["invite", NAME, ...]. */
export async function ctlMain(args: string[], io: Io, env: Record<string, string | undefined> = process.env,
  sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: pollValues(args.slice(1)), allowPositionals: true, strict: true,
      options: {
        reason: { type: 'string' }, role: { type: 'string', default: 'operator' }, url: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        since: { type: 'string' }, watch: { type: 'string' },
      },
    });
    if (values.help) {
      io.out(CTL_HELP);
      return 0;
    }
    if (args[0] === 'invite') {
      if (positionals.length !== 1) throw new Usage('invite takes one name (quote a name with spaces)');
      if (values.reason !== undefined || values.since !== undefined || values.watch !== undefined) throw new Usage('--reason, --since and --watch are for ctl actions');
      return await invite(positionals[0], values.role!, values.url ?? env.REHEARSE_GAMEDAY_URL, io);
    }
    if (values.url !== undefined || args.some((a) => a.startsWith('--role'))) throw new Usage('--url and --role are for invite');
    if (positionals.length < 2) throw new Usage(`ctl needs the drill's link and an action: rehearse gameday ctl URL ACTION (URL is a link the game day printed; actions: ${ACTIONS})`);
    return await ctl(positionals[0], positionals[1], positionals.slice(2), values.reason, io, { since: values.since, watch: values.watch }, sleep);
  } catch (e) {
    if (e instanceof Unreachable) {
      io.err(`error: ${e.message}`);
      return EXIT_UNREACHABLE;
    }
    if (e instanceof Usage || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(e as Error).message}`);
      if (!(e instanceof Usage)) io.err(CTL_HELP);
      return EXIT_USAGE;
    }
    throw e;
  }
}
