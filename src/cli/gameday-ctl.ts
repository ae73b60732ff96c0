/**
 * `gameday ctl URL ACTION [ARGS...]` and `gameday invite NAME --role ROLE`: one HTTP request to a running
 * drill. Loaded by the entry point without the rest of the command line (no commander, no schema, no
 * simulator), so that it answers at once; the server validates the body and says what is wrong with it.
 * Exit codes: 0 done, 1 refused by the drill (the action does not apply now), 2 usage or access.
 */
import { parseArgs } from 'node:util';
import { clock } from '../units/format.js';

type Io = { out: (s: string) => void; err: (s: string) => void };

class Usage extends Error {}

const ACTIONS = 'status, start, pause [FLAG], resume [FLAG], speed N, promote FLAG, rollback FLAG, approve FLAG, fault NAME, adhoc-fault YAML, note TEXT, keep-going, end';

export const CTL_HELP = `Usage: rehearse gameday ctl [--reason TEXT] URL ACTION [ARGS...]

Act on a running drill with the link it gave you (your token says who you are and what you may do).
Actions: ${ACTIONS}.

Usage: rehearse gameday invite NAME [--role operator|scribe|observer] [--url FACILITATOR_URL]

Add a person to a running drill and print their link; the facilitator's link comes from --url or the
environment variable REHEARSE_GAMEDAY_URL.`;


function drillUrl(url: string): { origin: string; base: URL; token: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Usage(`"${url}" is not a URL: pass the link the game day printed (with its token)`);
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
    throw new Usage(`cannot reach the drill at ${base.origin}: ${e.code === 'ECONNREFUSED' ? 'connection refused (has it stopped?)' : e.code ?? e.message}`);
  });
  let json: Record<string, unknown> = {};
  try {
    json = answer.text ? JSON.parse(answer.text) as Record<string, unknown> : {};
  } catch { /* not JSON */ }
  return { status: answer.status, json };
}

function failure(status: number, json: Record<string, unknown>, io: Io): number {
  if (status === 401) io.err('401: the token was refused (pass the link exactly as printed)');
  else io.err(`${status}: ${String(json.refused ?? json.error ?? 'failed')}`);
  return status === 409 ? 1 : 2;
}

async function ctl(url: string, action: string, args: string[], reason: string | undefined, io: Io): Promise<number> {
  const { base, token } = drillUrl(url);
  const need = (what: string) => {
    if (args.length === 0) throw new Usage(`${action} needs ${what}`);
    return args.join(' ');
  };
  const why = reason ? { reason } : {};
  // What an action takes: nothing, one word (a flag, a fault's name) or text; more is a mistake, not ignored.
  const most = (n: number, what: string) => {
    if (args.length > n) throw new Usage(`${action} takes ${what}, not "${args.join(' ')}"${reason === undefined && n > 0 ? ' (give a reason with --reason TEXT)' : ''}`);
  };
  if (['status', 'start', 'keep-going', 'end'].includes(action)) most(0, 'no arguments');
  if (['pause', 'resume'].includes(action)) most(1, 'a flag or nothing (the clock)');
  if (['promote', 'rollback', 'approve'].includes(action)) most(1, 'one flag');
  if (action === 'speed' || action === 'fault') most(1, action === 'speed' ? 'one number' : 'the name of one fault');
  let body: unknown;
  switch (action) {
    case 'status': {
      const r = await request(base, 'api/state', token);
      if (r.status !== 200) return failure(r.status, r.json, io);
      const s = r.json as { you: { name: string; role: string }; state: { meta: { name: string; nowSeconds: number; horizonSeconds: number; speed: number; status: string }; plans: { flag: string; phase: string; stage: number; stages: number; percent: number; version: number }[] } };
      const m = s.state.meta;
      io.out(`${m.name}: ${clock(m.nowSeconds)} of ${clock(m.horizonSeconds)}, ${m.status === 'running' ? `running at ${m.speed}x` : m.status} (you: ${s.you.name}, ${s.you.role})`);
      for (const p of s.state.plans) io.out(`  ${p.flag}: ${p.phase}, stage ${p.stage + 1} of ${p.stages}, ${p.percent}%, config v${p.version}`);
      return 0;
    }
    case 'start': body = { type: 'start' }; break;
    case 'pause': case 'resume':
      body = args.length ? { type: 'plan', flag: args[0], op: action, ...why } : { type: 'clock', op: action };
      break;
    case 'speed': {
      const text = need('a speed factor, e.g. 600');
      const speed = Number(text);
      if (text.trim() === '' || !Number.isFinite(speed)) throw new Usage(`speed needs a number (simulated seconds per wall second, e.g. 600), not "${text}"`);
      body = { type: 'speed', speed };
      break;
    }
    case 'promote': case 'rollback': case 'approve':
      body = { type: 'plan', flag: need('a flag'), op: action, ...why };
      break;
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
    case 'note': body = { type: 'note', text: need('the text of the note') }; break;
    case 'keep-going': body = { type: 'countdown', op: 'cancel' }; break;
    case 'end': body = { type: 'end', ...why }; break;
    default:
      throw new Usage(`unknown action "${action}": ${ACTIONS}`);
  }
  const r = await request(base, 'api/actions', token, body);
  if (r.status !== 200) return failure(r.status, r.json, io);
  io.out(`done at ${clock(Number(r.json.atSeconds))} simulated by ${String(r.json.by)}: ${String(r.json.what)}`);
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

/** `args` after "gameday": ["ctl", URL, ACTION, ...] or ["invite", NAME, ...]. */
export async function ctlMain(args: string[], io: Io, env: Record<string, string | undefined> = process.env): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: args.slice(1), allowPositionals: true, strict: true,
      options: { reason: { type: 'string' }, role: { type: 'string', default: 'operator' }, url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.out(CTL_HELP);
      return 0;
    }
    if (args[0] === 'invite') {
      if (positionals.length !== 1) throw new Usage('invite takes one name (quote a name with spaces)');
      if (values.reason !== undefined) throw new Usage('--reason is for ctl actions');
      return await invite(positionals[0], values.role!, values.url ?? env.REHEARSE_GAMEDAY_URL, io);
    }
    if (values.url !== undefined || args.some((a) => a.startsWith('--role'))) throw new Usage('--url and --role are for invite');
    if (positionals.length < 2) throw new Usage('ctl needs the drill\'s link and an action');
    return await ctl(positionals[0], positionals[1], positionals.slice(2), values.reason, io);
  } catch (e) {
    if (e instanceof Usage || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(e as Error).message}`);
      if (!(e instanceof Usage)) io.err(CTL_HELP);
      return 2;
    }
    throw e;
  }
}
