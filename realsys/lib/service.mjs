/**
 * What every service of the shop shares: its tracing, an HTTP server on a free loopback port, its worker pool,
 * its work as timers (no CPU burnt: the machine is shared), keep-alive calls to its peers, and the control channel
 * to the process that started it (peers, sampling ratio, the slow switch, and writing its spans to a file).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { stream } from './draw.mjs';
import { WorkerPool } from './pool.mjs';
import { otlpJson, setRoute, startTracing } from './tracing.mjs';

export const SYSTEM = JSON.parse(readFileSync(new URL('../system.json', import.meta.url), 'utf8'));

/**
 * Starts service `name` with its handlers: `{ 'GET /product': async (ctx) => status }`. A handler runs holding a
 * worker; `ctx.work(endpoint)` waits the endpoint's drawn service time, `ctx.call('catalog', 'GET /item')` calls a
 * peer and resolves with its status (599 when the connection fails).
 */
export function runService(name, handlers) {
  const declared = SYSTEM.services[name];
  const tracing = startTracing(name);
  const { http } = tracing;
  const pool = new WorkerPool(declared.workers);
  const rng = stream(SYSTEM.seed, name);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let peers = {};
  let slowMs = 0;
  let requests = {};
  let overshoot = [];

  const ctx = {
    uniform: () => rng.uniform(),
    endpoint: (route) => declared.endpoints[route],
    /** The endpoint's own work: a timer of a drawn length (plus the slow switch), measured as delivered. */
    async work(route) {
      const ms = rng.draw(declared.endpoints[route].work) + slowMs;
      const t0 = performance.now();
      await sleep(ms);
      overshoot.push(performance.now() - t0 - ms);
    },
    call(peer, route) {
      const [method, path] = route.split(' ');
      return new Promise((resolve) => {
        const req = http.request(`${peers[peer]}${path}`, { method, agent, headers: { 'content-length': 0 } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', () => resolve(599));
        req.end();
      });
    },
  };

  const server = http.createServer(async (req, res) => {
    const route = `${req.method} ${new URL(req.url, 'http://x').pathname}`;
    const handler = handlers[route];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    setRoute(route.slice(route.indexOf(' ') + 1));
    const waited = await pool.acquire();
    // The wait for a worker happens inside the server span (the HTTP server accepted the request at once).
    trace.getActiveSpan()?.setAttribute('worker_pool.wait_us', Math.round(waited * 1000));
    let status = 500;
    try {
      status = await handler(ctx);
    } finally {
      res.writeHead(status, { 'content-type': 'application/json' }).end(`{"status":${status}}`);
      pool.release();
      requests[route] = (requests[route] ?? 0) + 1;
    }
  });
  server.keepAliveTimeout = 60_000;

  // Measurements come in blocks (the conditions take turns, so that the machine's load falls on each alike): a
  // block starts with `reset` after its warm-up and ends with `flush`, which keeps what it saw under the block's
  // key; `write` puts the blocks of a condition together.
  const kept = new Map();
  process.on('message', async (m) => {
    if (m.type === 'peers') peers = m.peers;
    else if (m.type === 'condition') {
      tracing.setRatio(m.sampleRatio);
      slowMs = m.slowMs;
      process.send({ type: 'ok' });
    } else if (m.type === 'reset') {
      await tracing.take();
      pool.reset();
      loopDelay.reset();
      requests = {};
      overshoot = [];
      process.send({ type: 'ok' });
    } else if (m.type === 'flush') {
      const loop = { count: loopDelay.count, mean: loopDelay.mean / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
      kept.set(m.block, { batches: await tracing.take(), ...pool.snapshot(), overshoot, requests, loop });
      process.send({ type: 'flushed', loopDelayMaxMs: loop.max });
    } else if (m.type === 'write') {
      const blocks = m.blocks.map((b) => kept.get(b));
      const batches = blocks.flatMap((b) => b.batches);
      const spans = batches.flatMap((b) => b.spans);
      mkdirSync(m.dir, { recursive: true });
      writeFileSync(join(m.dir, `${name}.otlp.json`), otlpJson(spans));
      // Each exported batch as its own request, for the collector's view of all services together.
      writeFileSync(join(m.dir, `${name}.batches.jsonl`), batches.map((b) => `{"at":${b.at},"request":${otlpJson(b.spans)}}\n`).join(''));
      const ms = m.seconds * 1000;
      const sum = (f) => blocks.reduce((a, b) => a + f(b), 0);
      const requestsOf = {};
      for (const b of blocks) for (const [r, n] of Object.entries(b.requests)) requestsOf[r] = (requestsOf[r] ?? 0) + n;
      process.send({
        type: 'written', spans: spans.length, requests: requestsOf, workers: declared.workers,
        utilization: sum((b) => b.busyArea) / ms / declared.workers, meanBusy: sum((b) => b.busyArea) / ms,
        meanQueued: sum((b) => b.queueArea) / ms, maxQueued: Math.max(...blocks.map((b) => b.maxQueued)),
        waits: blocks.flatMap((b) => b.waits), overshoot: blocks.flatMap((b) => b.overshoot),
        // Percentiles of blocks do not add up: the condition's p99 is its worst block's.
        loopDelayMs: {
          mean: sum((b) => b.loop.mean * b.loop.count) / sum((b) => b.loop.count),
          p99: Math.max(...blocks.map((b) => b.loop.p99)), max: Math.max(...blocks.map((b) => b.loop.max)),
        },
      });
      for (const b of m.blocks) kept.delete(b);
    } else if (m.type === 'stop') {
      server.close();
      agent.destroy();
      await tracing.shutdown();
      process.exit(0);
    }
  });

  server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
}
