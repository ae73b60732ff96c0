/**
 * `rehearse gameday`: a live drill (paced simulation, dashboard, action API, debrief), `gameday ctl` (the same
 * API from a terminal) and `gameday replay` (the record re-run, checked byte for byte).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { writeText } from '../files/write.js';
import type { GateMode } from '../rollout/controller.js';
import { loadScenarioFile } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import { ActionBody, describeAction, type Action, type RecordedAction } from '../live/actions.js';
import { drillDocument, drillHtml, type DrillDocument } from '../live/debrief.js';
import { PacedDriver } from '../live/driver.js';
import { startDrillServer, type DrillServer } from '../live/server.js';
import { isHiddenInjection } from '../live/view.js';
import { DrillSession, drawCase, type DrillSetup } from '../live/session.js';
import { clock as clockSeconds, plural } from '../units/format.js';
import { issueLines, plainError } from '../units/issues.js';

export interface GamedayOptions {
  speed: number;
  port: number;
  host: string;
  case?: string;
  hiddenCase?: boolean;
  seed?: number;
  gates: GateMode;
  name?: string;
  out?: string;
  exitOnEnd?: boolean;
}

type Io = { out: (s: string) => void; err: (s: string) => void };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** A moment of the drill on the simulated clock, as every report says it: 7m00s, 1h05m00s. */
const clock = (us: number) => clockSeconds(Math.floor(us / 1e6));

/** Text people typed, safe for a terminal: control characters (escape sequences) shown as "?". */
const printable = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** What a terminal may print about an action: never the case or a hidden fault. */
export function actionLine(a: RecordedAction): string {
  return printable(`[${clock(a.atUs)}] ${a.by}: ${describeAction(a.action)}${a.refused ? ` — refused: ${a.refused.split('\n')[0]}` : ''}`);
}

/** The warning printed when the drill is served beyond the loopback interface (null on loopback). */
export function hostWarning(host: string): string | null {
  return LOOPBACK.has(host) ? null
    : `warning: serving on ${host}, not the loopback interface: anyone who can reach it and has the URL (with its token) can steer the drill`;
}

export async function gamedayCommand(file: string, o: GamedayOptions, io: Io): Promise<number> {
  const base = loadScenarioFile(file);
  if (!base.ok) throw new InputError(base.problems.map((p) => formatProblem(file, p)));
  if (o.case !== undefined && o.hiddenCase) throw new InputError(['--case and --hidden-case exclude each other']);
  const seed = o.seed ?? base.scenario.seed;
  let caseName: string | null = o.case ?? null;
  if (o.hiddenCase) {
    if (base.scenario.cases.length === 0) throw new InputError([`${file}: --hidden-case needs cases in the scenario (none found)`]);
    caseName = drawCase(base.scenario.cases, seed);
  }
  const setup: DrillSetup = { file, caseName, hiddenCase: !!o.hiddenCase, seed, gates: o.gates };
  const session = new DrillSession(setup);
  const out = o.out ?? join('reports', `drill-${session.scenario.name.replace(/[^\w.-]+/g, '-')}`);
  let debrief: { html: string; json: string } | null = null;
  let server: DrillServer | null = null;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const driver = new PacedDriver(session, {
    speed: o.speed,
    onTick: () => server?.changed(),
    onEnd: () => {
      const doc = drillDocument(session);
      debrief = { json: `${JSON.stringify(doc, null, 2)}\n`, html: drillHtml(doc) };
      writeText(`${out}.json`, debrief.json);
      writeText(`${out}.html`, debrief.html);
      io.out(`drill ended at ${clock(session.endedUs!)} (${session.endReason}); debrief written to ${out}.html and ${out}.json`);
      io.out(`replay it: rehearse gameday replay ${out}.json`);
      server?.changed();
      if (o.exitOnEnd) finished();
      else io.out('the dashboard stays up for the debrief; Ctrl+C to stop');
    },
  });
  const warning = hostWarning(o.host);
  if (warning) io.err(warning);
  server = await startDrillServer({
    session, driver, host: o.host, port: o.port, defaultName: o.name ?? 'operator',
    onAction: (a) => {
      if (!isHiddenInjection(session, a)) io.out(actionLine(a));
    },
    debrief: () => debrief,
    onError: (e) => io.err(`gameday: unexpected error answering a request: ${e.message}`),
  });
  io.out(`game day: ${session.scenario.name}, seed ${seed}${o.hiddenCase ? ', case hidden until the debrief' : caseName ? `, case ${caseName}` : ''}, gates ${o.gates}, speed ${o.speed}x`);
  io.out(`dashboard: ${server.url}`);
  io.out(`from another terminal: rehearse gameday ctl '${server.url}' status`);
  const stop = () => {
    if (!session.ended) {
      session.act({ type: 'end' }, o.name ?? 'operator', new Date().toISOString());
      driver.tick();
    }
    finished();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  driver.start();
  await done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  driver.stop();
  // Let the last responses (the action that ended the drill) go out first.
  await new Promise((r) => setTimeout(r, 200));
  await server.close();
  return 0;
}

/** `gameday ctl URL ACTION [ARGS...]`: one action through the HTTP API, or the state. */
export async function ctlCommand(url: string, action: string, args: string[], o: { name?: string; reason?: string }, io: Io): Promise<number> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError([`"${url}" is not a URL: pass the dashboard URL the game day printed (with its token)`]);
  }
  const token = u.searchParams.get('token');
  if (!token) throw new InputError(['the URL has no token: pass the dashboard URL exactly as the game day printed it']);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const fetch = async (target: URL, init?: RequestInit) => {
    try {
      return await globalThis.fetch(target, { ...init, signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      const c = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
      const cause = c?.code ?? c?.errors?.[0]?.code;
      throw new InputError([`cannot reach the drill at ${u.origin}: ${cause === 'ECONNREFUSED' ? 'connection refused (has it ended?)' : cause ?? (c as { message?: string } | undefined)?.message ?? (e as Error).message}`]);
    }
  };
  const need = (what: string) => {
    if (args.length === 0) throw new InputError([`${action} needs ${what}`]);
    return args.join(' ');
  };
  const by = o.name ? { by: o.name } : {};
  const reason = o.reason ? { reason: o.reason } : {};
  let body: unknown;
  switch (action) {
    case 'status': {
      const r = await fetch(new URL('/api/state', u.origin), { headers });
      if (r.status !== 200) return httpFailure(r.status, await r.text(), io);
      const s = await r.json() as { meta: { name: string; nowSeconds: number; horizonSeconds: number; speed: number; paused: boolean; ended: boolean }; plans: { flag: string; phase: string; stage: number; stages: number; percent: number; version: number }[] };
      io.out(`${s.meta.name}: ${clock(s.meta.nowSeconds * 1e6)} of ${clock(s.meta.horizonSeconds * 1e6)}, ${s.meta.ended ? 'ended' : s.meta.paused ? 'paused' : `running at ${s.meta.speed}x`}`);
      for (const p of s.plans) io.out(`  ${p.flag}: ${p.phase}, stage ${p.stage + 1} of ${p.stages}, ${p.percent}%, config v${p.version}`);
      return 0;
    }
    case 'pause': case 'resume':
      body = args.length ? { type: 'plan', flag: args[0], op: action, ...reason, ...by } : { type: 'clock', op: action, ...by };
      break;
    case 'speed':
      body = { type: 'speed', speed: Number(need('a speed factor, e.g. 600')), ...by };
      break;
    case 'promote': case 'rollback': case 'approve':
      body = { type: 'plan', flag: need('a flag'), op: action, ...reason, ...by };
      break;
    case 'fault':
      body = { type: 'fault', name: need('the name of a fault in the catalogue'), ...by };
      break;
    case 'adhoc-fault': {
      let fault: unknown;
      try {
        fault = parseYaml(need('a fault, e.g. "{kind: latency, target: web -> pay, add: 200ms, for: 5m}"'));
      } catch (e) {
        throw new InputError([`the fault is not YAML: ${(e as Error).message.split('\n')[0]}`]);
      }
      body = { type: 'adhoc-fault', fault, ...by };
      break;
    }
    case 'note':
      body = { type: 'note', text: need('the text of the note'), ...by };
      break;
    case 'end':
      body = { type: 'end', ...by };
      break;
    default:
      throw new InputError([`unknown action "${action}": status, pause [FLAG], resume [FLAG], speed N, promote FLAG, rollback FLAG, approve FLAG, fault NAME, adhoc-fault YAML, note TEXT, end`]);
  }
  const checked = ActionBody.safeParse(body, { error: plainError });
  if (!checked.success) throw new InputError(issueLines(checked.error.issues).map((l) => `${action}: ${l}`));
  const r = await fetch(new URL('/api/actions', u.origin), { method: 'POST', headers, body: JSON.stringify(checked.data) });
  const text = await r.text();
  if (r.status === 200) {
    const j = JSON.parse(text) as { atSeconds: number };
    io.out(`done at ${clock(j.atSeconds * 1e6)} simulated: ${describeAction(checked.data as Action)}`);
    return 0;
  }
  return httpFailure(r.status, text, io);
}

function httpFailure(status: number, text: string, io: Io): number {
  let message = text;
  try {
    const j = JSON.parse(text) as { refused?: string; error?: string };
    message = j.refused ?? j.error ?? text;
  } catch { /* not JSON */ }
  if (status === 401) io.err('401: the token was refused (pass the dashboard URL exactly as printed)');
  else io.err(`${status}: ${message}`);
  return status === 409 ? 1 : 2;
}

const DrillRecord = z.object({
  schema: z.literal('rehearse/drill@1'),
  scenario: z.object({ file: z.string(), seed: z.int(), case: z.string().nullable(), hiddenCase: z.boolean(), gates: z.enum(['on', 'advisory', 'off']) }),
  ended: z.object({ atUs: z.int().min(0), reason: z.enum(['horizon', 'plans-done', 'by-hand']).nullable() }),
  adhocFaults: z.array(z.unknown()),
  actions: z.array(z.object({
    atUs: z.int().min(0), wallTime: z.string(), by: z.string(), action: ActionBody, refused: z.string().nullable(), configVersion: z.int().optional(),
  })),
  team: z.unknown(),
}).loose();

/** Re-runs a drill's record; 0 when the result is byte-identical to the recorded one, 1 when it differs. */
export function replayCommand(drillFile: string, o: { scenario?: string; out?: string }, io: Io): number {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(drillFile, 'utf8'));
  } catch (e) {
    throw new InputError([`${drillFile}: cannot read the drill record: ${(e as Error).message.split('\n')[0]}`]);
  }
  const parsed = DrillRecord.safeParse(raw, { error: plainError });
  if (!parsed.success) throw new InputError([`${drillFile}: not a drill record (rehearse/drill@1):`, ...issueLines(parsed.error.issues).map((l) => `${drillFile}: ${l}`)]);
  const rec = parsed.data;
  // The scenario as recorded, else beside the drill file.
  const file = o.scenario ?? (existsSync(rec.scenario.file) ? rec.scenario.file : resolve(dirname(drillFile), rec.scenario.file));
  const setup: DrillSetup = { file, caseName: rec.scenario.case, hiddenCase: rec.scenario.hiddenCase, seed: rec.scenario.seed, gates: rec.scenario.gates };
  const session = DrillSession.replay(setup, {
    actions: rec.actions as RecordedAction[], adhoc: rec.adhocFaults as never[], endedUs: rec.ended.atUs, endReason: rec.ended.reason,
  });
  const fresh = drillDocument(session);
  const doc: DrillDocument = { ...fresh, scenario: { ...fresh.scenario, file: rec.scenario.file } };
  if (o.out) {
    writeText(`${o.out}.json`, `${JSON.stringify(doc, null, 2)}\n`);
    writeText(`${o.out}.html`, drillHtml(doc));
    io.out(`replayed drill written to ${o.out}.json and ${o.out}.html`);
  }
  const same = JSON.stringify(doc.team) === JSON.stringify(rec.team);
  io.out(same
    ? `replay identical: ${plural(rec.actions.length, 'action')} re-applied at their simulated instants, the same result byte for byte`
    : 'replay differs from the record (another version of rehearse, or another scenario file?)');
  return same ? 0 : 1;
}
