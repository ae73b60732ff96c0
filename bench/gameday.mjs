// A drill under load, measured from outside: the built CLI serves a drill of the scenario at the given speed in
// its own process, started at once (no lobby), with three pages' event streams open, people acting every few
// hundred milliseconds (state, /metrics, notes, plan actions) and an ad-hoc fault (some hidden) every few
// seconds. It runs to the scenario's horizon, then on while the debrief is written in its worker.
// Reported: each HTTP answer's latency (request to last byte) and each SSE update's (from when it was due to its
// arrival), as percentiles, during the drill and while the debrief is written; the pace; and `gameday ctl`.
// With --alone: nobody acts and no page is open, so the pace is the drill's own (`rehearse gameday FILE --speed X`
// as one runs it to see how fast it can go).
// Usage: node bench/gameday.mjs [scenario] [speed] [--alone]     (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const alone = args.includes('--alone');
const [file = 'scenarios/checkout.yaml', speed = '60'] = args.filter((a) => a !== '--alone');
const root = new URL('..', import.meta.url).pathname;
const out = join(mkdtempSync(join(tmpdir(), 'rehearse-bench-')), 'drill');
const child = spawn(process.execPath, [join(root, 'bin/rehearse.js'), 'gameday', file, '--speed', speed, '--start', '--operator', 'ada',
  '--observers', '--end-when-done', 'off', '--exit-on-end', '--out', out], { stdio: ['ignore', 'pipe', 'inherit'] });
let printed = '';
child.stdout.on('data', (d) => (printed += d));
const line = async (re) => {
  for (;;) {
    const m = printed.match(re);
    if (m) return m[1];
    if (child.exitCode !== null) throw new Error(printed);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const fran = new URL(await line(/^facilitator facilitator: (\S+)$/m));
const ada = new URL(await line(/^operator ada: (\S+)$/m));
const observers = new URL(await line(/^observers \(read-only\): (\S+)$/m));

let phase = 'drill';
const samples = { drill: {}, debrief: {} };
const note = (kind, ms) => ((samples[phase][kind] ??= []).push(ms));

function call(link, method, path, body) {
  const started = performance.now();
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(new URL(path, link.origin), {
      method, headers: { Authorization: `Bearer ${link.searchParams.get('token')}`, 'Content-Type': 'application/json', ...(payload ? { 'Content-Length': Buffer.byteLength(payload) } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, text: '', ms: performance.now() - started }));
    req.end(payload);
  });
}

// Three pages' event streams: each update's latency from when it was due (server's wall clock, same machine).
const streams = (alone ? [] : [fran, ada, observers]).map((link) => {
  const req = request(new URL('/api/events', link.origin), { headers: { Authorization: `Bearer ${link.searchParams.get('token')}` } }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (d) => {
      buffer += d;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (!block.includes('event: update')) continue;
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
        const m = /"dueAt":(\d+)/.exec(data);
        if (m) note(data.includes('"reset":true') ? 'sse reset' : 'sse update', Date.now() - Number(m[1]));
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return req;
});

let faults = 0;
let ended = false;
const kinds = [
  { kind: 'latency', target: 'payments', add: '150ms', for: '2m' },
  { kind: 'abort', target: 'inventory', percent: '20%', for: '1m', hidden: true },
  { kind: 'cpu-stress', target: 'catalog', factor: 2, for: '2m' },
  { kind: 'latency', target: 'frontend -> cart', add: '40ms', for: '3m', hidden: true },
];
let lastState = null;
const people = (async () => {
  for (let i = 0; !ended && !alone; i++) {
    const step = i % 6;
    const r = step === 0 ? await call(fran, 'GET', '/api/state')
      : step === 1 ? await call(observers, 'GET', '/metrics')
        : step === 2 ? await call(ada, 'POST', '/api/actions', { type: 'note', text: `note ${i}` })
          : step === 3 ? await call(ada, 'POST', '/api/actions', { type: 'plan', flag: 'new-checkout', op: i % 12 === 3 ? 'pause' : 'resume', reason: 'bench' })
            : step === 4 ? await call(ada, 'GET', '/api/state')
              : await call(fran, 'POST', '/api/actions', { type: 'speed', speed: Number(speed) });
    note(['GET /api/state', 'GET /metrics', 'POST note', 'POST plan action', 'GET /api/state', 'POST speed'][step], r.ms);
    if (step === 0 && r.status === 200) lastState = JSON.parse(r.text).state;
    if (i % 25 === 24 && phase === 'drill') {
      const f = await call(fran, 'POST', '/api/actions', { type: 'adhoc-fault', fault: kinds[faults % kinds.length] });
      note('POST ad-hoc fault', f.ms);
      faults++;
    }
    await new Promise((r) => setTimeout(r, 40));
  }
})();

const t0 = performance.now();
await line(/^drill ended at (.*)$/m);
const drillWall = (performance.now() - t0) / 1000;
if (alone) lastState = JSON.parse((await call(fran, 'GET', '/api/state')).text).state;
const simulated = lastState?.meta.nowSeconds ?? 0;
phase = 'debrief';
const d0 = performance.now();
await line(/^(debrief written to .*)$/m);
const debriefWall = (performance.now() - d0) / 1000;
ended = true;
await people;
for (const s of streams) s.destroy();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const row = (name, xs) => `${name.padEnd(22)} ${String(xs.length).padStart(6)} ${[50, 95, 99].map((p) => pct(xs, p).toFixed(1).padStart(8)).join('')} ${Math.max(...xs).toFixed(1).padStart(8)}`;
const horizon = lastState?.meta.horizonSeconds ?? simulated;
console.log(`${file} at ${speed}x asked${alone ? ', nobody acting, no page open' : ''}: ${horizon.toFixed(0)} simulated s in ${drillWall.toFixed(2)} s wall (${(horizon / drillWall).toFixed(1)}x achieved), ${faults} ad-hoc faults; the debrief took ${debriefWall.toFixed(1)} s in its worker; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const ph of alone ? [] : ['drill', 'debrief']) {
  console.log(`\n${ph === 'drill' ? 'during the drill' : 'while the debrief was written'} (ms)        n      p50     p95     p99     max`);
  const all = { http: [], sse: [] };
  for (const [kind, xs] of Object.entries(samples[ph])) {
    console.log(row(kind, xs));
    (kind.startsWith('sse') ? all.sse : all.http).push(...xs);
  }
  if (all.http.length) console.log(row('every HTTP answer', all.http));
  if (all.sse.length) console.log(row('every SSE update', all.sse));
}
await new Promise((r) => child.once('exit', r));
const time = (args) => {
  const a = performance.now();
  try {
    execFileSync(process.execPath, args, { stdio: 'ignore' });
  } catch { /* refused: the drill has stopped */ }
  return performance.now() - a;
};
const ctl = Array.from({ length: 5 }, () => time([join(root, 'bin/rehearse.js'), 'gameday', 'ctl', fran.href, 'status']));
const bare = Array.from({ length: 5 }, () => time(['-e', '0']));
console.log(`\ngameday ctl (to a stopped drill: start-up, arguments, one connection): median ${pct(ctl, 50).toFixed(0)} ms; node -e 0 alone: median ${pct(bare, 50).toFixed(0)} ms`);
