/** Round trip: simulate a scenario with every journey traced, write the traces, calibrate, simulate the result. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { writeTraces } from '../src/interop/traces/write.js';
import type { TraceFormat } from '../src/interop/traces/read.js';
import { parseScenarioText } from '../src/load/scenario.js';
import type { Scenario } from '../src/scenario/types.js';
import { runScenario, type RunResult } from '../src/score/result.js';
import { TraceRecorder } from '../src/observe/tracing.js';

export interface RoundTrip {
  original: Scenario;
  calibrated: Scenario;
  /** The original run for the rerun's duration (the system itself, measured at length). */
  traced: RunResult;
  /** The run whose traces were calibrated from (the scenario's own duration). */
  sample: RunResult;
  rerun: RunResult;
  yaml: string;
  spans: number;
}

export function load(text: string): Scenario {
  const loaded = parseScenarioText(text);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.scenario;
}

/** Traces `text` as written; then runs the original and the calibrated scenario for `rerunDuration` each. */
export function roundTrip(text: string, format: TraceFormat, rerunDuration: string): RoundTrip {
  const original = load(text);
  const tracer = new TraceRecorder({ rate: 1, errors: false });
  const sample = runScenario(original, { tracer });
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-rt-'));
  try {
    const file = join(dir, `traces.${format}.json`);
    writeTraces(file, tracer.kept, format);
    const cal = calibrateFiles([file], { duration: rerunDuration });
    const calibrated = load(cal.yaml);
    const rerun = runScenario(calibrated);
    const long = load(text.replace(/^duration: .*$/m, `duration: ${rerunDuration}`));
    return { original, calibrated, traced: runScenario(long), sample, rerun, yaml: cal.yaml, spans: tracer.keptSpans };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The call structure of every endpoint: kinds, targets, repeats, async, parallel groups and limits, retries. */
export function structure(s: Scenario): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const call = (c: Scenario['services'][number]['endpoints'][number]['operations'][number] & { kind: 'call' } extends { call: infer C } ? C : never) =>
    `${c.service}.${c.endpoint}${c.repeat > 1 ? ` x${c.repeat}` : ''}${c.async ? ' async' : ''}${c.retry ? ` retry ${c.retry.attempts}` : ''}${c.probability < 1 ? ' conditional' : ''}`;
  for (const svc of s.services) {
    for (const e of svc.endpoints) {
      out[`${svc.name}.${e.name}`] = e.operations.map((op) => op.kind === 'call'
        ? call(op.call)
        : `parallel[${op.calls.map(call).sort().join(', ')}]${op.limit > 0 ? ` limit ${op.limit}` : ''}`);
    }
  }
  return out;
}
