/**
 * `rehearse calibrate`: trace files in, a scenario out. Reads the files streaming, joins their spans by trace id
 * across files, analyses the traces one at a time, writes the scenario and checks that it loads.
 */
import { basename } from 'node:path';
import { re2Compile, type RE2JS } from '../lang/re2.js';
import { InputError } from '../errors.js';
import { readTraceFiles, type FileRead } from '../interop/traces/read.js';
import { parseScenarioText } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import { Analysis, type CalibrateOptions } from './analyze.js';
import { givenCapacities, type CapacityOptions } from './capacity.js';
import { checkAgainst, EndpointSpans, predictedFigures, rateOf, REQUESTS, sameNames, type CheckResult, type Prediction, type Resampling, type RowRanges } from './check.js';
import { resampledRanges } from './ranges.js';
import { blockLength, RANGE, runAt, TraceKeeper, withCapacitiesOf } from './resample.js';
import { capacityNotes, type CapacityNote } from './notes.js';
import { PoolWaits, poolEvidence, type PoolEvidence, type WaitAttribute } from './pool-waits.js';
import { allEndpoints, safe, serviceNames, type Renamed } from './names.js';
import { cyclicCalls, deepestCalls } from './call-graph.js';
import { LIMITS } from '../scenario/defaults.js';
import { quoted } from '../units/escape.js';
import { cutTraceIds, fileWarnings, paddedTraceIds, readClauses } from './read-notes.js';
import { warningLines, writeNamedScenario, writeScenario, type WriteOptions } from './scenario.js';
import { queueWaits, sampledGapWarnings } from './waits.js';
import type { Scenario } from '../scenario/types.js';
import type { Span } from '../observe/span.js';
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
  /** The names of the traces written reduced, each with a comment giving the traces' name. */
  renamed: Renamed[];
  /** The scenario as loaded. */
  scenario: Scenario;
  /** With `keep`: the traces, for resampling, and a scenario calibrated the same way from other traces. */
  resampling: { kept: TraceKeeper; recalibrate: (traces: Span[][], seed: number) => Scenario | null } | null;
}

/**
 * Calls that nest deeper than a scenario holds (LIMITS.callDepth): said of the traces, with the endpoint the chain
 * starts from, before a scenario is written that its own validation would refuse ("a bug in calibrate").
 */
function refuseDeepCalls(analysis: Analysis, files: readonly string[]): void {
  const all = allEndpoints(analysis);
  const deepest = deepestCalls(all, cyclicCalls(all));
  if (deepest === null || deepest.length <= LIMITS.callDepth || deepest.from === null) return;
  const from = `${quoted(deepest.from.service)}, endpoint ${quoted(deepest.from.endpoint)}`;
  throw new InputError([`${files.join(', ')}: the traces' calls nest ${deepest.length.toLocaleString('en-US')} deep, from service ${from}; a scenario holds calls at most ${LIMITS.callDepth} deep (docs/limits.md, "Hostile input and limits")`]);
}

export type FileOptions = Partial<CalibrateOptions & WriteOptions> & CapacityOptions & { waitAttribute?: WaitAttribute; keep?: boolean };

export function calibrateFiles(files: readonly string[], options: FileOptions = {}): CalibrateResult {
  const analysis = new Analysis({ groupBy: options.groupBy ?? 'name', sampleRate: options.sampleRate ?? 1 });
  const waits = options.waitAttribute ? new PoolWaits(options.waitAttribute) : null;
  if (waits) analysis.ownWait = (s) => waits.waitOf(s);
  const kept = options.keep ? new TraceKeeper() : null;
  const traceIds = new Set<string>();
  const reads: CalibrateResult['files'] = readTraceFiles(files, (spans) => {
    traceIds.add(spans[0].traceId);
    kept?.keep(spans);
    waits?.add(spans);
    analysis.addTrace(spans);
  }).map((r, i) => ({ ...r, file: files[i] }));
  const sources = reads.map((r) => `${basename(r.file)}: ${r.format}${r.documents > 1 ? ` (JSON lines: ${r.documents} documents)` : ''}, ${plural(r.report.spans, 'span')} in ${plural(r.traces, 'trace')}` +
    (r.report.skippedTotal > 0 ? `, ${r.report.skippedTotal} bad spans skipped` : '') + readClauses(r.report));
  const services = [...new Set([...analysis.endpoints.values(), ...analysis.leaves.values()].map((e) => e.service))].sort();
  // Every span skipped (a timestamp of -1, no id): the scenario written had no journeys and no services, and was
  // refused as "a bug in calibrate". Each file's skipped spans are said, at the first of each reason.
  if (services.length === 0) {
    throw new InputError(['no span to calibrate from:', ...reads.flatMap((r) => (r.report.skipped.size === 0
      ? [`${r.file}: ${plural(r.report.spans, 'span')}, none usable`]
      : [...r.report.skipped].map(([why, n]) => `${r.file}${r.report.skippedAt.get(why) ? `:${r.report.skippedAt.get(why)}` : ''}: ${plural(n, 'span')} skipped: ${why}`)))]);
  }
  refuseDeepCalls(analysis, files);
  const { given, warnings: capacityWarnings } = givenCapacities(services, options, serviceNames(analysis));
  const pools = waits ? poolEvidence(waits, analysis.options.sampleRate, analysis.coarseTraces > 0 ? 1000 : 1) : new Map<string, PoolEvidence>();
  for (const [service, p] of pools) {
    const g = given.get(service);
    if (g) {
      const workers = g.concurrency === null ? null : g.replicas * g.concurrency;
      if (p.capacity !== null && g.replicas === 1 && workers !== null && workers !== p.capacity) {
        capacityWarnings.push(`${service}: given ${workers} workers (${g.why}), but its waits show ${p.capacity} (${p.why}); the run uses the ${workers} given`);
      }
      continue;
    }
    if (p.capacity !== null) given.set(service, { replicas: 1, concurrency: p.capacity, why: p.why });
    else if (p.waited > 0) capacityWarnings.push(`${service}: ${p.why}; its waits are left out of its own latency, so give its capacity (--capacity ${service}=N) for the run to queue as it did`);
  }
  capacityWarnings.push(...sampledGapWarnings(analysis, new Map([...given].flatMap(([service, g]) => (g.concurrency === null ? [] : [[service, g.replicas * g.concurrency] as const])))));
  if (waits && waits.services.size === 0) capacityWarnings.push(`--wait-attribute ${waits.attribute.name}: no span carries it`);
  if (waits && waits.bad > 0) capacityWarnings.push(`--wait-attribute ${waits.attribute.name}: ${plural(waits.bad, 'span')} with a value that is not a number of at least 0 (ignored)`);
  const write = { capacities: given, latency: options.latency ?? 'empirical', name: options.name ?? 'calibrated', duration: options.duration ?? '10m' } as const;
  const { yaml, renamed } = writeNamedScenario(analysis, { ...write, sources });
  const loaded = parseScenarioText(yaml);
  if (!loaded.ok) throw new InputError(['the calibrated scenario does not validate (a bug in calibrate):', ...loaded.problems.map((p) => formatProblem('calibrated', p))]);
  const full = loaded.scenario;
  // A resample repeats traces, which then overlap themselves: which calls waited for a worker is the whole set's.
  const waitsOfAll = queueWaits(analysis);
  const recalibrate = (traces: Span[][], seed: number): Scenario | null => {
    const a = new Analysis(analysis.options);
    a.ownWait = analysis.ownWait;
    for (const t of traces) a.addTrace(t);
    const again = parseScenarioText(writeScenario(a, { ...write, sources: [], waits: waitsOfAll }));
    return again.ok ? withCapacitiesOf(full, again.scenario, seed) : null;
  };
  const warnings = [...warningLines(analysis), ...cutTraceIds(traceIds), ...paddedTraceIds(reads), ...capacityWarnings];
  warnings.push(...fileWarnings(reads));
  if (kept?.overflow) warnings.push(`more than ${kept.limit.toLocaleString('en-US')} spans: too many to keep for resampling, so the figures get no ranges`);
  return { yaml, renamed, files: reads, warnings, analysis, capacities: capacityNotes(yaml, given, pools), pools, scenario: full, resampling: kept && !kept.overflow ? { kept, recalibrate } : null };
}

/** `--group-by name | http.route | regex:PATTERN` */
export function parseGroupBy(value: string): CalibrateOptions['groupBy'] {
  if (value === 'name' || value === 'http.route') return value;
  if (value.startsWith('regex:')) {
    // RE2's syntax and linear-time search (re2js), as the trace tools' own Go regexps: span names come from the
    // traces, and a backtracking pattern such as (a+)+$ would hang on a name of 30 a's and one other character.
    let re: RE2JS;
    try {
      re = re2Compile(value.slice(6));
    } catch (e) {
      throw new InputError([`--group-by: invalid regular expression: ${(e as Error).message.replace(/^error parsing regexp: /, '')}`]);
    }
    // A pattern that matches the empty text names endpoints "" where it matches nothing else: every one of them "op",
    // a service's endpoints merged into one without a word.
    if (re.matcher('').find()) throw new InputError([`--group-by: ${JSON.stringify(value.slice(6))} matches the empty text, so spans it matches there would all get one name: give a pattern that matches part of the name, such as regex:^GET /api/[^/]+`]);
    const groups = re.groupCount();
    return {
      exec: (text) => {
        const m = re.matcher(text);
        return m.find() ? [m.group(0) ?? '', groups >= 1 ? m.group(1) ?? undefined : undefined] : null;
      },
    };
  }
  throw new InputError([`--group-by: expected name, http.route or regex:PATTERN, got ${quoted(value)}`]);
}

export interface CheckOptions extends CalibrateOptions {
  /** The rate the checked traces were made at, when known (else estimated from their root spans). */
  readonly ratePerSec?: number;
  /** Resamples for the ranges (0: none). */
  readonly resamples: number;
  readonly onProgress?: Progress;
  /** Told what reading the checked files warned of, as calibrate's own files' warnings are told (file:line:column, once a field a file). */
  readonly warn?: (line: string) => void;
}

/** Told (0, total) before the first of the runs and (done, total) after each: the CLI draws it on a terminal. */
export type Progress = (done: number, total: number) => void;

const noRanges = (c: Pick<CalibrateResult, 'resampling'>, resamples: number): { none: string } | null =>
  resamples <= 0 ? { none: 'no resampling (--resamples 0)' } : c.resampling === null ? { none: 'too many spans to keep for resampling' } : null;

/** Runs a calibrated scenario at the conditions of other trace files and compares it with them, journey by journey. */
export function checkCalibration(calibrated: Pick<CalibrateResult, 'yaml' | 'capacities' | 'warnings' | 'resampling' | 'files' | 'analysis'>, files: readonly string[], options: CheckOptions): CheckResult {
  const other = new Analysis(options);
  const spans = new EndpointSpans((s) => other.endpointName(s));
  const kept = new TraceKeeper();
  const reads = readTraceFiles(files, (trace) => {
    kept.keep(trace);
    spans.add(trace);
    other.addTrace(trace);
  }).map((r, i) => ({ ...r, file: files[i] }));
  for (const w of [...paddedTraceIds(reads), ...fileWarnings(reads)]) options.warn?.(w);
  const clashes = sameNames([calibrated.analysis, other]);
  if (clashes.length) throw new InputError(clashes.map((c) => `--check: ${c}`));
  const loaded = parseScenarioText(calibrated.yaml);
  if (!loaded.ok) throw new InputError(['the calibrated scenario does not validate (a bug in calibrate)']);
  const estimated = rateOf(other);
  const ratePerSec = options.ratePerSec ?? estimated?.ratePerSec ?? loaded.scenario.traffic.perSec;
  const rootSpans = options.ratePerSec !== undefined || estimated === null ? null : estimated.rootSpans;
  const none = noRanges(calibrated, options.resamples) ?? (kept.overflow ? { none: `more than ${kept.limit.toLocaleString('en-US')} spans in the checked traces: too many to keep for resampling` } : null);
  let ranges: Map<string, RowRanges> | null = null;
  let resampling: CheckResult['resampling'] = none ?? { none: '' };
  // The resamples' runs, then the check's own.
  const runs = (none === null && calibrated.resampling ? options.resamples : 0) + 1;
  options.onProgress?.(0, runs);
  if (none === null && calibrated.resampling) {
    const calibration = calibrated.resampling.kept.traces();
    const check = kept.traces();
    const r = resampledRanges({
      calibration, recalibrate: calibrated.resampling.recalibrate, ratePerSec, rootSpans, resamples: options.resamples, requests: REQUESTS,
      check: { traces: check, measure: (traces) => {
        const a = new Analysis(options);
        for (const t of traces) a.addTrace(t);
        return a;
      } },
      onResample: (b) => options.onProgress?.(b, runs),
    });
    ranges = r.ranges;
    resampling = {
      resamples: options.resamples, range: RANGE,
      calibration: { traces: calibration.length, block: blockLength(calibration.length) },
      check: { traces: check.length, block: blockLength(check.length) },
      rate: rootSpans === null ? { given: true } : { given: false, rootSpans },
      saturated: r.saturated,
      ...(r.saturatedPools.length ? { saturatedPools: r.saturatedPools } : {}),
    } satisfies Resampling;
  }
  const result = checkAgainst(loaded.scenario, other, spans, { capacities: calibrated.capacities, warnings: calibrated.warnings }, { ratePerSec, ranges, resampling, files: { calibration: calibrated.files.map((f) => basename(f.file)), checked: files.map((f) => basename(f)) } });
  options.onProgress?.(runs, runs);
  return result;
}


/** The calibrated scenario run at another rate (a what-if), each journey's figures with their ranges. */
export function predictAt(calibrated: Pick<CalibrateResult, 'scenario' | 'resampling' | 'analysis'>, ratePerSec: number, resamples: number, onProgress?: Progress): Prediction {
  const clashes = sameNames([calibrated.analysis]);
  if (clashes.length) throw new InputError(clashes.map((c) => `--predict: ${c}`));
  const none = noRanges(calibrated, resamples);
  // The prediction's own run, then the resamples'.
  const runs = 1 + (none === null && calibrated.resampling ? resamples : 0);
  onProgress?.(0, runs);
  const run = runAt(calibrated.scenario, ratePerSec, REQUESTS);
  onProgress?.(1, runs);
  let ranges: Map<string, RowRanges> | null = null;
  let resampling: Prediction['resampling'] = none ?? { none: '' };
  if (none === null && calibrated.resampling) {
    const calibration = calibrated.resampling.kept.traces();
    const r = resampledRanges({ calibration, recalibrate: calibrated.resampling.recalibrate, check: null, ratePerSec, rootSpans: null, resamples, requests: REQUESTS, onResample: (b) => onProgress?.(1 + b, runs) });
    ranges = r.ranges;
    resampling = { resamples, range: RANGE, calibration: { traces: calibration.length, block: blockLength(calibration.length) }, check: null, rate: { given: true }, saturated: r.saturated, ...(r.saturatedPools.length ? { saturatedPools: r.saturatedPools } : {}) };
  }
  const traces = new Map([...calibrated.analysis.journeys].map(([name, j]) => [safe(name), { count: j.count, errors: j.errors }]));
  const journeys = Object.entries(run.journeys).map(([journey, sim]) => ({ journey: safe(journey), predicted: predictedFigures(sim), ranges: ranges?.get(journey) ?? null, traces: traces.get(journey) ?? null }));
  return { ratePerSec, journeys, resampling, ...(run.pools ? { pools: run.pools } : {}) };
}
