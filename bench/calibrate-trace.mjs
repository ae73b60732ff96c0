// Calibration benchmark of one large trace: a batch job's root span (service batch) making BENCH_SPANS / 3 calls
// in a row, each a client span, the worker's server span under it, and the worker's client span to a database
// that writes no spans (200,000 spans by default), in one OTLP JSON file. `calibrate` runs on it in a fresh
// process: wall time, CPU time and peak memory (max RSS).
//   node bench/calibrate-trace.mjs                 the build in dist/
//   node bench/calibrate-trace.mjs DIST_A DIST_B   builds side by side (each a dist/ folder), alternating, BENCH_RUNS times
// BENCH_SHAPE: sequential (the calls one after another), parallel (100 in flight at a time), names (each database call
// named by its statement: an endpoint each). BENCH_BATCH=N: N spans per resourceSpans element (default: one element
// per service, as run --traces writes). BENCH_OUT=FILE: write the trace there and calibrate nothing.
// A benchmark, not a test: nothing here fails on speed.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const target = Number(process.env.BENCH_SPANS ?? 200_000);
const shape = process.env.BENCH_SHAPE ?? 'sequential';
const runs = Number(process.env.BENCH_RUNS ?? 2);
const dists = process.argv.length > 2 ? process.argv.slice(2).map((d) => resolve(d)) : [fileURLToPath(new URL('../dist', import.meta.url))];

const hex = (n, width) => n.toString(16).padStart(width, '0');
const attr = (key, value) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });

async function write(file) {
  const out = createWriteStream(file);
  const put = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const traceId = hex(0xabc, 32);
  const t0 = 1_700_000_000_000_000_000n; // ns
  const calls = Math.max(1, Math.floor((target - 1) / 3));
  let x = 7;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  // Durations in us: the worker's db call, its own time, the network between batch and worker.
  const batch = [], worker = [];
  let at = 10n; // us after t0
  const span = (id, parent, name, kind, startUs, endUs, attributes) => JSON.stringify({
    traceId, spanId: hex(id, 16), ...(parent ? { parentSpanId: hex(parent, 16) } : {}), name, kind,
    startTimeUnixNano: String(t0 + startUs * 1000n), endTimeUnixNano: String(t0 + endUs * 1000n), attributes, status: {},
  });
  let id = 2;
  for (let i = 0; i < calls; i++) {
    const db = BigInt(100 + Math.floor(rand() * 400));
    const own = BigInt(50 + Math.floor(rand() * 200));
    const net = BigInt(20 + Math.floor(rand() * 60));
    const cs = at, ss = at + net / 2n, ds = ss + own / 2n, de = ds + db, se = de + own - own / 2n, ce = se + net - net / 2n;
    const c = id++, s = id++, d = id++;
    batch.push(span(c, 1, 'POST', 3, cs, ce, [attr('http.request.method', 'POST'), attr('server.address', 'worker'), attr('server.port', 8080)]));
    worker.push(span(s, c, 'POST /item', 2, ss, se, [attr('http.request.method', 'POST'), attr('http.route', '/item')]));
    // names: each database call named by its statement, as some instrumentations name them (an endpoint each).
    worker.push(span(d, s, shape === 'names' ? `SELECT * FROM items WHERE id = ${i}` : 'SELECT items', 3, ds, de, [attr('db.system', 'postgresql'), attr('db.name', 'items'), attr('server.address', '10.0.0.9')]));
    // parallel: the calls overlap, 100 in flight at a time.
    at = shape === 'parallel' ? (i % 100 === 99 ? ce : at + 1n) : ce + BigInt(Math.floor(rand() * 20));
  }
  batch.unshift(span(1, 0, 'run batch', 2, 0n, at + 10n, []));
  const resource = (name) => ({ attributes: [attr('service.name', name)] });
  await put('{"resourceSpans":[');
  let first = true;
  // A resourceSpans element per service, as `rehearse run --traces` writes one (BENCH_BATCH: that many spans in
  // each, as a collector batches them).
  const batchSize = Number(process.env.BENCH_BATCH ?? Infinity);
  for (const [name, spans] of [['batch', batch], ['worker', worker]]) {
    for (let from = 0; from < spans.length; from += batchSize) {
      await put(`${first ? '' : ','}{"resource":${JSON.stringify(resource(name))},"scopeSpans":[{"scope":{"name":"bench"},"spans":[`);
      first = false;
      const to = Math.min(spans.length, from + batchSize);
      for (let i = from; i < to; i++) await put((i > from ? ',\n' : '\n') + spans[i]);
      await put(']}]}');
    }
  }
  await put(']}\n');
  out.end();
  await once(out, 'finish');
  return 1 + calls * 3;
}

const dir = mkdtempSync(join(tmpdir(), 'rehearse-bench-trace-'));
try {
  const file = process.env.BENCH_OUT ?? join(dir, 'batch.otlp.json');
  const spans = await write(file);
  console.log(`one trace of ${spans.toLocaleString('en-US')} spans: ${file} (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB)`);
  for (let run = 0; run < runs && process.env.BENCH_OUT === undefined; run++) {
    for (const dist of dists) {
      const child = `
        const { calibrateFiles } = await import(${JSON.stringify(new URL(`file://${join(dist, 'calibrate', 'calibrate.js')}`).href)});
        const t0 = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        const r = calibrateFiles([${JSON.stringify(file)}]);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        const c = process.cpuUsage(c0);
        console.log(JSON.stringify({ seconds: s, cpu: (c.user + c.system) / 1e6, spans: r.analysis.spans, rssMiB: process.resourceUsage().maxRSS / 1024 }));`;
      const out = spawnSync(process.execPath, [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), '--input-type=module', '-e', child], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (out.status !== 0) {
        console.error(out.stderr);
        process.exit(1);
      }
      const r = JSON.parse(out.stdout.trim().split('\n').pop());
      console.log(`${dist}: calibrate ${r.spans.toLocaleString('en-US')} spans in ${r.seconds.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, peak memory ${r.rssMiB.toFixed(0)} MiB (max RSS)`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
