/**
 * What the measuring instruments cost and how exact they are, on this machine, now:
 * - Node's timers, which carry every service time: the delivered delay against the asked one, for delays of the
 *   sizes the shop draws;
 * - the OpenTelemetry SDK: CPU and latency per loopback HTTP request (one client and one server span) with no
 *   SDK, with the SDK sampling nothing, and with the SDK recording every span (batch processor, OTLP JSON
 *   encoding as the services write it). Each variant runs in its own process: the instrumentation patches http.
 *
 *   node realsys/check.mjs [--requests N]
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { latencyFigures, round } from './lib/stats.mjs';

const self = fileURLToPath(import.meta.url);

async function timers() {
  const out = {};
  for (const asked of [0.5, 1, 1.5, 2, 2.5, 3, 5, 30]) {
    const n = asked >= 30 ? 100 : 400;
    const error = [];
    for (let i = 0; i < n; i++) {
      // A little work between timers, so that calls fall anywhere within a millisecond, as requests do.
      await new Promise((r) => setImmediate(r));
      const t0 = performance.now();
      await sleep(asked);
      error.push(performance.now() - t0 - asked);
    }
    out[`${asked}ms`] = latencyFigures(error);
  }
  return out;
}

/** One variant, in this process: `none`, `sdk-off` (sampler ratio 0) or `sdk-on` (every span recorded). */
async function variant(kind, requests) {
  let http, tracing = null;
  if (kind === 'none') http = createRequire(import.meta.url)('node:http');
  else {
    const { startTracing, otlpJson } = await import('./lib/tracing.mjs');
    tracing = startTracing('check');
    tracing.setRatio(kind === 'sdk-on' ? 1 : 0);
    tracing.encode = otlpJson;
    http = tracing.http;
  }
  const server = http.createServer((req, res) => res.end('{}'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = `http://127.0.0.1:${server.address().port}/`;
  const once = () => new Promise((resolve) => http.get(url, { agent }, (res) => { res.resume(); res.on('end', resolve); }));
  for (let i = 0; i < 300; i++) await once(); // warm up the JIT and the connection
  if (tracing) await tracing.take();
  const latency = [];
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const s = performance.now();
    await once();
    latency.push(performance.now() - s);
  }
  let spans = 0, encodeUs = 0;
  if (tracing) {
    const batches = await tracing.take();
    const all = batches.flatMap((b) => b.spans);
    spans = all.length;
    const e0 = performance.now();
    tracing.encode(all);
    encodeUs = (performance.now() - e0) * 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  server.close();
  agent.destroy();
  return { kind, requests, spans, cpuUsPerRequest: (cpu.user + cpu.system) / requests, wallMsPerRequest: wall / requests, latencyMs: latencyFigures(latency), encodeUsPerSpan: spans > 0 ? encodeUs / spans : 0 };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--variant') {
    process.send(await variant(argv[1], Number(argv[2])));
    return;
  }
  const requests = argv[0] === '--requests' ? Number(argv[1]) : 3000;
  const timer = await timers();
  const variants = {};
  // Interleaved, twice, so that a change in the machine's load falls on every variant alike.
  for (const round of [1, 2]) {
    for (const kind of ['none', 'sdk-off', 'sdk-on']) {
      const child = fork(self, ['--variant', kind, String(requests)]);
      const r = await new Promise((resolve) => child.once('message', resolve));
      (variants[kind] ??= []).push(r);
      void round;
    }
  }
  const best = (kind) => variants[kind].reduce((a, b) => (a.cpuUsPerRequest <= b.cpuUsPerRequest ? a : b));
  const none = best('none'), off = best('sdk-off'), on = best('sdk-on');
  const spansPerRequest = on.spans / on.requests;
  process.stdout.write(`${JSON.stringify({
    timerErrorMs: timer,
    sdk: {
      requests, spansPerRequest: round(spansPerRequest, 3),
      cpuUsPerRequest: { none: round(none.cpuUsPerRequest, 1), sdkNotSampled: round(off.cpuUsPerRequest, 1), sdkRecording: round(on.cpuUsPerRequest, 1) },
      cpuUsPerRecordedSpan: round((on.cpuUsPerRequest - none.cpuUsPerRequest) / spansPerRequest, 1),
      cpuUsPerUnsampledRequest: round(off.cpuUsPerRequest - none.cpuUsPerRequest, 1),
      encodeUsPerSpan: round(on.encodeUsPerSpan, 2),
      latencyMsPerRequest: { none: none.latencyMs, sdkNotSampled: off.latencyMs, sdkRecording: on.latencyMs },
      runs: variants,
    },
  }, null, 2)}\n`);
}

await main();
