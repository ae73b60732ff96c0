/**
 * Runs the shop and measures it.
 *
 *   node realsys/run.mjs                 the three conditions (base, double, slowdb); writes test/fixtures/realsys/
 *   node realsys/run.mjs --quick [--out DIR]   a few seconds at base load, every span kept; checks that each
 *                                        service's file has spans and that the files join into whole traces
 *   options: --out DIR (where to write), --only base,double (some conditions), --seconds N (each condition's
 *   length instead of system.json's: for trying changes, not for fixtures), --blocks N (each condition in N turns
 *   instead of system.json's; with 1, the traces cover the whole condition), --sample-ratio R (the traced block's
 *   head-sampling ratio for every condition), --keep (keep the scratch folder)
 */
import { fork } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyFigures, round } from './lib/stats.mjs';
import { verifyTraces } from './verify.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const SYSTEM = JSON.parse(readFileSync(join(here, 'system.json'), 'utf8'));
const SERVICES = Object.keys(SYSTEM.services);

function parseArgs(argv) {
  const o = { quick: false, out: null, only: null, keep: false, seconds: null, blocks: null, sampleRatio: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--seconds') o.seconds = Number(argv[++i]);
    else if (a === '--blocks') o.blocks = Number(argv[++i]);
    else if (a === '--sample-ratio') o.sampleRatio = Number(argv[++i]);
    else {
      process.stderr.write(`realsys: unknown option "${a}" (--quick, --out DIR, --only base,double, --seconds N, --blocks N, --sample-ratio R, --keep)\n`);
      process.exit(2);
    }
  }
  const bad = (name, v, ok) => {
    if (v !== null && !ok(v)) {
      process.stderr.write(`realsys: ${name} ${v}: ${name === '--sample-ratio' ? 'a ratio above 0 and at most 1' : 'a positive whole number'} is needed\n`);
      process.exit(2);
    }
  };
  bad('--seconds', o.seconds, (v) => v > 0);
  bad('--blocks', o.blocks, (v) => Number.isInteger(v) && v > 0);
  bad('--sample-ratio', o.sampleRatio, (v) => v > 0 && v <= 1);
  for (const c of o.only ?? []) {
    if (!SYSTEM.conditions[c]) {
      process.stderr.write(`realsys: --only: no condition "${c}" in realsys/system.json (${Object.keys(SYSTEM.conditions).join(', ')})\n`);
      process.exit(2);
    }
  }
  return o;
}

/** A forked child and a way to wait for its next message of a type. */
function child(file, name) {
  const proc = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  proc.on('message', (m) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0].resolve(m);
  });
  proc.on('exit', (code) => {
    if (code !== 0 && !stopping) {
      process.stderr.write(`realsys: ${name} exited with code ${code}\n`);
      process.exit(1);
    }
  });
  return {
    name, proc,
    next: (type) => new Promise((resolve) => waiting.push({ type, resolve })),
    ask(message, type) {
      const p = this.next(type);
      proc.send(message);
      return p;
    },
  };
}

let stopping = false;

async function start() {
  const services = SERVICES.map((s) => child(join(here, 'services', `${s}.mjs`), s));
  const ports = await Promise.all(services.map((s) => s.next('listening')));
  const peers = Object.fromEntries(SERVICES.map((s, i) => [s, `http://127.0.0.1:${ports[i].port}`]));
  for (const s of services) s.proc.send({ type: 'peers', peers });
  const loadgen = child(join(here, 'loadgen.mjs'), 'loadgen');
  await loadgen.next('ready');
  return { services, loadgen, peers };
}

async function stop(system) {
  stopping = true;
  const exits = [...system.services, system.loadgen].map((c) => new Promise((r) => c.proc.once('exit', r)));
  for (const c of [...system.services, system.loadgen]) c.proc.send({ type: 'stop' });
  await Promise.all(exits);
}

const all = (system, message, type) => Promise.all(system.services.map((s) => s.ask(message, type)));

/**
 * One block of a condition: set the condition (sampling ratio, slow switch), warm up, reset every figure, run the
 * load, then add the block's spans and figures to the condition's share in each service.
 */
async function block(system, name, c, seconds, key, warmupSeconds, traced) {
  const sampleRatio = traced ? c.sampleRatio : 0;
  await Promise.all(system.services.map((s) => s.ask({ type: 'condition', sampleRatio, slowMs: c.slow?.service === s.name ? c.slow.addMs : 0 }, 'ok')));
  const load = { type: 'run', url: system.peers.frontend, rate: c.rate, journeys: SYSTEM.journeys };
  if (warmupSeconds > 0) await system.loadgen.ask({ ...load, seconds: warmupSeconds, seed: `${SYSTEM.seed}:${key}:warmup` }, 'done');
  await all(system, { type: 'reset' }, 'ok');
  const started = new Date(), load1 = loadavg()[0];
  const run = await system.loadgen.ask({ ...load, seconds, seed: `${SYSTEM.seed}:${key}` }, 'done');
  const flushed = await all(system, { type: 'flush', block: key }, 'flushed');
  return { ...run, key, traced, started, load1, declaredSeconds: seconds, loopDelayMaxMs: Math.max(...flushed.map((f) => f.loopDelayMaxMs)) };
}

/** Writes the spans of a condition's blocks, one file per service, into `dir`; returns each service's figures. */
const written = (system, runs, dir) => all(system, { type: 'write', blocks: runs.map((r) => r.key), dir, seconds: runs.reduce((a, r) => a + r.seconds, 0) }, 'written');

const meanOf = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values) => Float64Array.from(values).sort()[Math.floor((values.length - 1) / 2)];

/**
 * Blocks the machine disturbed beyond doubt: a mean latency over twice the median of the condition's blocks. The
 * machine is shared and sometimes stalls every process for a second; a model of the shop cannot know that. The
 * traced block is held to 1.3 times: a model is built from its traces, and should not learn the machine's stalls.
 */
function disturbed(runs) {
  const m = median(runs.map((r) => meanOf(r.latency)));
  return runs.filter((r) => meanOf(r.latency) > (r.traced ? 1.3 : 2) * m);
}

function figures(latencies, statuses, seconds) {
  const errors = statuses.filter((s) => s >= 400).length;
  return {
    requests: latencies.length,
    errors,
    errorRate: round(errors / latencies.length, 6),
    throughputPerSec: round(latencies.length / seconds, 3),
    latencyMs: latencyFigures(latencies),
  };
}

/** Per journey: indices of a run's requests. */
const byJourney = (run) => run.names.map((j, k) => [j, run.which.map((w, i) => (w === k ? i : -1)).filter((i) => i >= 0)]);

function blockFigures(r) {
  return {
    block: r.key, traced: r.traced, startedAt: r.started.toISOString(), seconds: r.declaredSeconds, loadavg1: round(r.load1, 2),
    sendLagMaxMs: round(Math.max(...r.sentAt.map((s, i) => s - r.at[i]))), eventLoopDelayMaxMs: round(r.loopDelayMaxMs),
    journeys: Object.fromEntries(byJourney(r).map(([j, idx]) => {
      const l = latencyFigures(idx.map((i) => r.latency[i]));
      return [j, { requests: idx.length, mean: l.mean, p99: l.p99 }];
    })),
  };
}

function summarize(name, c, runs, services, rejected = []) {
  const run = {
    names: runs[0].names,
    which: runs.flatMap((r) => r.which), latency: runs.flatMap((r) => r.latency), status: runs.flatMap((r) => r.status),
    lag: runs.flatMap((r) => r.sentAt.map((s, i) => s - r.at[i])),
  };
  const seconds = runs.reduce((a, r) => a + r.declaredSeconds, 0);
  const journeys = {};
  for (const [j, idx] of byJourney(run)) {
    journeys[j] = {
      request: `${SYSTEM.journeys[j].method} ${SYSTEM.journeys[j].path}`,
      ...figures(idx.map((i) => run.latency[i]), idx.map((i) => run.status[i]), seconds),
    };
  }
  const perService = {};
  SERVICES.forEach((s, i) => {
    const f = services[i];
    perService[s] = {
      requests: f.requests,
      workers: f.workers,
      utilization: round(f.utilization, 4),
      meanBusy: round(f.meanBusy, 3),
      meanQueued: round(f.meanQueued, 3),
      maxQueued: f.maxQueued,
      workerWaitMs: latencyFigures(f.waits),
      timerOvershootMs: latencyFigures(f.overshoot),
      eventLoopDelayMs: { mean: round(f.loopDelayMs.mean), p99: round(f.loopDelayMs.p99), max: round(f.loopDelayMs.max) },
    };
  });
  return {
    condition: name,
    declared: { rate: c.rate, seconds: c.seconds, ...(c.slow ? { slow: c.slow } : {}) },
    // The traces come from one block, one window without gaps, so that a rate can be read from them.
    // What users saw in that window, for comparing a model of the traces with the very requests they came from.
    traces: runs.filter((r) => r.traced).map((r) => ({
      block: r.key, startedAt: r.started.toISOString(), seconds: round(r.seconds, 3), requests: r.latency.length, sampleRatio: c.sampleRatio,
      spans: Object.fromEntries(SERVICES.map((s, i) => [s, services[i].spans])),
      journeys: Object.fromEntries(byJourney(r).map(([j, idx]) => [j, figures(idx.map((i) => r.latency[i]), idx.map((i) => r.status[i]), r.declaredSeconds)])),
    }))[0] ?? null,
    measuredAt: runs[0].started.toISOString(),
    measuredSeconds: round(runs.reduce((a, r) => a + r.seconds, 0), 3),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform },
    journeys,
    all: figures(run.latency, run.status, seconds),
    client: { sendLagMs: latencyFigures(run.lag) },
    services: perService,
    // The spread between blocks is how much the machine moved the figures while this ran.
    blocks: runs.map(blockFigures),
    // Blocks measured again because the machine disturbed them (see disturbed() in realsys/run.mjs); not counted above.
    rejectedBlocks: rejected.map(blockFigures),
  };
}

/** What a collector receiving every service's batches writes: one document, the batches in the order they came. */
function collectorFile(dir, out) {
  const batches = [];
  for (const s of SERVICES) {
    for (const line of readFileSync(join(dir, `${s}.batches.jsonl`), 'utf8').split('\n')) {
      if (line !== '') batches.push(JSON.parse(line));
    }
  }
  batches.sort((a, b) => a.at - b.at);
  writeFileSync(out, JSON.stringify({ resourceSpans: batches.flatMap((b) => b.request.resourceSpans) }));
}

function table(summaries) {
  const rows = [['condition', 'journey', 'requests', 'rate/s', 'errors', 'mean', 'p50', 'p95', 'p99 ms']];
  for (const s of summaries) {
    for (const [j, f] of Object.entries(s.journeys)) {
      rows.push([s.condition, j, f.requests, f.throughputPerSec, `${(f.errorRate * 100).toFixed(2)}%`, f.latencyMs.mean, f.latencyMs.p50, f.latencyMs.p95, f.latencyMs.p99].map(String));
    }
    const u = Object.entries(s.services).map(([n, v]) => `${n} ${(v.utilization * 100).toFixed(0)}%`).join(', ');
    rows.push([s.condition, `utilization: ${u}`]);
  }
  return rows.map((r) => (r.length === 2 ? `  ${r[0].padEnd(10)}${r[1]}` : r.map((c, i) => (i < 2 ? c.padEnd(10) : c.padStart(9))).join(''))).join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'realsys-'));
  const system = await start();
  try {
    if (o.quick) {
      const out = o.out ?? mkdtempSync(join(tmpdir(), 'realsys-quick-'));
      const c = SYSTEM.quick;
      const run = await block(system, 'quick', c, c.seconds, 'quick', 1, true);
      const services = await written(system, [run], out);
      const summary = summarize('quick', c, [run], services);
      writeFileSync(join(out, 'measured.json'), `${JSON.stringify(summary, null, 2)}\n`);
      for (const s of SERVICES) rmSync(join(out, `${s}.batches.jsonl`), { force: true });
      const check = verifyTraces(SERVICES.map((s) => join(out, `${s}.otlp.json`)), SERVICES);
      process.stdout.write(`${JSON.stringify({ out, seconds: (Date.now() - t0) / 1000, ...check, journeys: summary.journeys }, null, 2)}\n`);
      process.exitCode = check.ok ? 0 : 1;
      return;
    }
    const out = o.out ?? join(root, 'test', 'fixtures', 'realsys');
    const conditions = Object.entries(SYSTEM.conditions).filter(([name]) => !o.only || o.only.includes(name))
      .map(([name, c]) => [name, o.sampleRatio === null ? c : { ...c, sampleRatio: o.sampleRatio }]);
    const blocks = o.blocks ?? SYSTEM.blocks;
    const tracedBlock = Math.min(SYSTEM.tracedBlock, blocks - 1);
    // The conditions take turns, a block each, so that the machine's load (shared, and it moves) falls on all alike.
    const runs = Object.fromEntries(conditions.map(([name]) => [name, []]));
    const rejected = Object.fromEntries(conditions.map(([name]) => [name, []]));
    const seconds = (c) => (o.seconds ?? c.seconds) / blocks;
    // A first warm-up long enough for every process's code to be compiled and every connection opened.
    await system.loadgen.ask({ type: 'run', url: system.peers.frontend, rate: SYSTEM.conditions.base.rate, journeys: SYSTEM.journeys, seconds: 10, seed: 'start' }, 'done');
    for (let b = 0; b < blocks; b++) {
      for (const [name, c] of conditions) {
        runs[name].push(await block(system, name, c, seconds(c), `${name}#${b}`, SYSTEM.warmupSeconds, b === tracedBlock));
        process.stderr.write(`realsys: ${name} block ${b + 1}/${blocks} done at ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      }
    }
    for (const [name, c] of conditions) {
      for (let again = 0; again < 2; again++) {
        const bad = disturbed(runs[name]);
        if (bad.length === 0) break;
        for (const r of bad) {
          process.stderr.write(`realsys: ${name}: block ${r.key} disturbed (mean ${meanOf(r.latency).toFixed(1)} ms against a median of blocks of ${median(runs[name].map((x) => meanOf(x.latency))).toFixed(1)} ms); measuring it again\n`);
          runs[name].splice(runs[name].indexOf(r), 1);
          rejected[name].push(r);
          runs[name].push(await block(system, name, c, seconds(c), `${r.key}+${again + 1}`, SYSTEM.warmupSeconds, r.traced));
        }
      }
    }
    const summaries = [];
    for (const [name, c] of conditions) {
      const dir = join(scratch, name);
      const services = await written(system, runs[name], dir);
      const summary = summarize(name, o.seconds ? { ...c, seconds: o.seconds } : c, runs[name], services, rejected[name]);
      const target = join(out, name);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true });
      if (c.traces === 'per-service') for (const s of SERVICES) copyFileSync(join(dir, `${s}.otlp.json`), join(target, `${s}.otlp.json`));
      else collectorFile(dir, join(target, 'collector.otlp.json'));
      writeFileSync(join(target, 'measured.json'), `${JSON.stringify(summary, null, 2)}\n`);
      summaries.push(summary);
      process.stderr.write(`realsys: ${name} written to ${relative(process.cwd(), target) || '.'}\n`);
    }
    process.stdout.write(`${table(summaries)}\nrealsys: ${((Date.now() - t0) / 1000).toFixed(0)} s in all\n`);
  } finally {
    await stop(system);
    if (!o.keep) rmSync(scratch, { recursive: true, force: true });
    else process.stderr.write(`realsys: scratch kept in ${scratch}\n`);
  }
}

await main();
