// Calibration benchmark: 1,000,000 spans (BENCH_SPANS) traced from scenarios/hotrod.yaml into a Jaeger JSON file
// (BENCH_FORMAT=otlp|zipkin for the others), then `calibrate` on it in a fresh process: wall time, spans per second
// (and CPU time, steadier than wall time on a busy machine) and peak memory (max RSS). A benchmark, not a test: nothing here fails on speed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../dist/load/scenario.js';
import { runScenario } from '../dist/score/result.js';
import { TraceRecorder } from '../dist/observe/tracing.js';
import { writeTraces } from '../dist/interop/traces/write.js';

const target = Number(process.env.BENCH_SPANS ?? 1_000_000);
const format = process.env.BENCH_FORMAT ?? 'jaeger';
const loaded = loadScenarioFile(fileURLToPath(new URL('../scenarios/hotrod.yaml', import.meta.url)));
if (!loaded.ok) process.exit(2);
// About 52 spans per dispatch at 2 journeys a second.
const seconds = Math.ceil(target / 50 / 2);
const dir = mkdtempSync(join(tmpdir(), 'rehearse-bench-'));
try {
  const t0 = Date.now();
  const tracer = new TraceRecorder({ rate: 1, errors: false, maxSpans: target });
  runScenario({ ...loaded.scenario, durationUs: seconds * 1e6 }, { tracer });
  const file = join(dir, `hotrod.${format}.json`);
  writeTraces(file, tracer.traces(), format);
  const mb = statSync(file).size / 2 ** 20;
  console.log(`generated ${tracer.keptSpans.toLocaleString('en-US')} spans in ${tracer.keptTraces.toLocaleString('en-US')} traces: ${file} (${format}, ${mb.toFixed(0)} MiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const child = `
    const { calibrateFiles } = await import(${JSON.stringify(new URL('../dist/calibrate/calibrate.js', import.meta.url).href)});
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const r = calibrateFiles([${JSON.stringify(file)}]);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ seconds: s, cpu: (c.user + c.system) / 1e6, spans: r.analysis.spans, traces: r.analysis.traces, rssMiB: process.resourceUsage().maxRSS / 1024 }));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
  if (out.status !== 0) {
    console.error(out.stderr);
    process.exit(1);
  }
  const r = JSON.parse(out.stdout.trim().split('\n').pop());
  console.log(`calibrate: ${r.spans.toLocaleString('en-US')} spans, ${r.traces.toLocaleString('en-US')} traces in ${r.seconds.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU ` +
    `(${Math.round(r.spans / r.seconds).toLocaleString('en-US')} spans/s), peak memory ${r.rssMiB.toFixed(0)} MiB (max RSS of the calibrating process)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
