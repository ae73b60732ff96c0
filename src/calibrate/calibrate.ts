/**
 * `rehearse calibrate`: trace files in, a scenario out. Reads the files streaming, joins their spans by trace id
 * across files, analyses the traces one at a time, writes the scenario and checks that it loads.
 */
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { readTraceFiles, type FileRead } from '../interop/traces/read.js';
import { parseScenarioText } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import { Analysis, type CalibrateOptions } from './analyze.js';
import { givenCapacities, type CapacityOptions } from './capacity.js';
import { checkAgainst, EndpointSpans, type CheckResult } from './check.js';
import { capacityNotes, type CapacityNote } from './notes.js';
import { PoolWaits, poolEvidence, type PoolEvidence, type WaitAttribute } from './pool-waits.js';
import { warningLines, writeScenario, type WriteOptions } from './scenario.js';
import { plural } from '../units/format.js';

export interface CalibrateResult {
  yaml: string;
  files: (FileRead & { file: string })[];
  warnings: string[];
  analysis: Analysis;
  /** Per service: its capacity given, inferred or unknown, with the evidence. */
  capacities: CapacityNote[];
  /** What a wait attribute showed of each service's pool (with --wait-attribute). */
  pools: Map<string, PoolEvidence>;
}

export function calibrateFiles(files: readonly string[], options: Partial<CalibrateOptions & WriteOptions> & CapacityOptions & { waitAttribute?: WaitAttribute } = {}): CalibrateResult {
  const analysis = new Analysis({ groupBy: options.groupBy ?? 'name', sampleRate: options.sampleRate ?? 1 });
  const waits = options.waitAttribute ? new PoolWaits(options.waitAttribute) : null;
  if (waits) analysis.ownWait = (s) => waits.waitOf(s);
  const reads: CalibrateResult['files'] = readTraceFiles(files, (spans) => {
    waits?.add(spans);
    analysis.addTrace(spans);
  }).map((r, i) => ({ ...r, file: files[i] }));
  const sources = reads.map((r) => `${basename(r.file)}: ${r.format}${r.documents > 1 ? ` (JSON lines: ${r.documents} documents)` : ''}, ${plural(r.report.spans, 'span')} in ${plural(r.traces, 'trace')}` +
    (r.report.skippedTotal > 0 ? `, ${r.report.skippedTotal} bad spans skipped` : ''));
  const services = [...new Set([...analysis.endpoints.values(), ...analysis.leaves.values()].map((e) => e.service))].sort();
  const { given, warnings: capacityWarnings } = givenCapacities(services, options);
  const pools = waits ? poolEvidence(waits, analysis.options.sampleRate, analysis.coarseTraces > 0 ? 1000 : 1) : new Map<string, PoolEvidence>();
  for (const [service, p] of pools) {
    if (given.has(service)) continue;
    if (p.capacity !== null) given.set(service, { replicas: 1, concurrency: p.capacity, why: p.why });
    else if (p.waited > 0) capacityWarnings.push(`${service}: ${p.why}; its waits are left out of its own latency, so give its capacity (--capacity ${service}=N) for the run to queue as it did`);
  }
  if (waits && waits.services.size === 0) capacityWarnings.push(`--wait-attribute ${waits.attribute.name}: no span carries it`);
  if (waits && waits.bad > 0) capacityWarnings.push(`--wait-attribute ${waits.attribute.name}: ${plural(waits.bad, 'span')} with a value that is not a number of at least 0 (ignored)`);
  const yaml = writeScenario(analysis, {
    capacities: given,
    latency: options.latency ?? 'empirical',
    name: options.name ?? 'calibrated',
    duration: options.duration ?? '10m',
    sources,
  });
  const loaded = parseScenarioText(yaml);
  if (!loaded.ok) throw new InputError(['the calibrated scenario does not validate (a bug in calibrate):', ...loaded.problems.map((p) => formatProblem('calibrated', p))]);
  const warnings = [...warningLines(analysis), ...capacityWarnings];
  for (const r of reads) {
    for (const [reason, n] of r.report.skipped) warnings.push(`${r.file}: skipped ${n} ${reason}${n > 1 ? ' (each)' : ''}`);
  }
  return { yaml, files: reads, warnings, analysis, capacities: capacityNotes(yaml, given, pools), pools };
}

/** `--group-by name | http.route | regex:PATTERN` */
export function parseGroupBy(value: string): CalibrateOptions['groupBy'] {
  if (value === 'name' || value === 'http.route') return value;
  if (value.startsWith('regex:')) {
    try {
      return new RegExp(value.slice(6));
    } catch (e) {
      throw new InputError([`--group-by: invalid regular expression: ${(e as Error).message}`]);
    }
  }
  throw new InputError([`--group-by: expected name, http.route or regex:PATTERN, got "${value}"`]);
}

/** Runs a calibrated scenario at the conditions of other trace files and compares it with them, journey by journey. */
export function checkCalibration(calibrated: Pick<CalibrateResult, 'yaml' | 'capacities' | 'warnings'>, files: readonly string[], options: CalibrateOptions): CheckResult {
  const other = new Analysis(options);
  const spans = new EndpointSpans((s) => other.endpointName(s));
  readTraceFiles(files, (trace) => {
    spans.add(trace);
    other.addTrace(trace);
  });
  const loaded = parseScenarioText(calibrated.yaml);
  if (!loaded.ok) throw new InputError(['the calibrated scenario does not validate (a bug in calibrate)']);
  return checkAgainst(loaded.scenario, other, spans, { capacities: calibrated.capacities, warnings: calibrated.warnings });
}
