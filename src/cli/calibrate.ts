/** `rehearse calibrate TRACES... --out FILE`: the command's logic, loaded only when it runs. */
import { checkWritable, writeText } from '../files/write.js';
import { openInput } from '../files/read.js';
import { calibrateFiles, checkCalibration, parseGroupBy, predictAt, type Progress } from '../calibrate/calibrate.js';
import { stepProgress, type StepProgress } from './progress.js';
import { peerLines, renamedLines } from '../calibrate/names.js';
import { readNoteLines } from '../calibrate/read-notes.js';
import { checkTable, poolWaitLines, predictionTable, resamplingLines, saturationLines } from '../report/calibration-text.js';
import { RESAMPLES } from '../calibrate/resample.js';
import { sameNames } from '../calibrate/check.js';
import { parseDuration, parseRate } from '../units/parse.js';
import { stabilityWarnings } from '../scenario/stability.js';
import type { Scenario } from '../scenario/types.js';

/** What validate and run would say of the scenario at a rate: saturated services, unknown capacities. */
const atRate = (s: Scenario, perSec: number): string[] => stabilityWarnings({ ...s, traffic: { ...s.traffic, perSec } });
import { parseWaitAttribute } from '../calibrate/pool-waits.js';
import { checkReportHtml } from '../report/html/check.js';
import { InputError } from '../errors.js';
import { plural } from '../units/format.js';
import { withPrintedSchemaLine, withSchemaLine } from './schema-ref.js';
import { dirname } from 'node:path';
import { quoted } from '../units/escape.js';

export interface CalibrateCliOptions {
  out?: string;
  groupBy?: string;
  latency?: 'empirical' | 'lognormal';
  sampleRate?: string;
  name?: string;
  duration?: string;
  quiet?: boolean;
  capacity?: string;
  deployment?: string;
  replicaConcurrency?: string;
  check?: string[];
  checkSampleRate?: string;
  checkJson?: string;
  checkHtml?: string;
  waitAttribute?: string;
  checkRate?: string;
  predict?: string;
  resamples?: string;
}

/**
 * The scenario's horizon: a duration the scenario format holds. 0s and 10000000h passed here and were then refused in the
 * scenario written, as "a bug in calibrate".
 */
function checkDuration(text: string): void {
  const d = /^\d+(\.\d+)?(ms|s|m|h)$/.test(text) ? parseDuration(text) : null;
  if (d === null) throw new InputError([`--duration: expected a duration such as 10m, got ${quoted(text)}`]);
  if (!d.ok) throw new InputError([`--duration: ${d.message}`]);
  if (d.value <= 0) throw new InputError([`--duration: ${quoted(text)}: the scenario's horizon must be longer than zero`]);
}

/** `100/s`; for --predict also `2x` the traces' rate. */
function rateOption(flag: '--predict' | '--check-rate', text: string, base: number): number {
  const x = flag === '--predict' ? /^(\d+(?:\.\d+)?)x$/.exec(text.trim()) : null;
  if (x) {
    if (!(Number(x[1]) > 0)) throw new InputError([`${flag}: ${text}: a multiple must be greater than zero`]);
    return Number(x[1]) * base;
  }
  const r = parseRate(text);
  if (!r.ok) throw new InputError([`${flag}: ${r.message}${flag === '--predict' ? ', or a multiple of the traces\' rate such as 2x' : ''}`]);
  return r.value;
}

/** `--resamples`: 0 for no ranges, or enough for a 90% range's ends to mean something. */
function resamplesOption(text: string | undefined): number {
  if (text === undefined) return RESAMPLES;
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (n === 0 || (n >= 20 && n <= 1000)) return n;
  throw new InputError([`--resamples: expected 0 (no ranges) or a whole number from 20 to 1000 (fewer cannot place a 90% range's ends), got ${quoted(text)}`]);
}

function share(flag: string, text: string | undefined): number {
  if (text === undefined) return 1;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const x = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(x > 0 && x <= 1)) throw new InputError([`${flag}: expected a share of traces kept, such as 10% or 0.1, got ${quoted(text)}`]);
  return x;
}

/** The runs of --check or --predict, with a bar on `stream` (a terminal only; none with -q) drawn from before the first. */
function withRunsBar<T>(label: string, stream: NodeJS.WriteStream | null, work: (onProgress: Progress) => T): T {
  const shown: { bar: StepProgress | null } = { bar: null };
  if (stream === null) return work(() => {});
  try {
    return work((done, total) => {
      if (done === 0) shown.bar = stepProgress(label, 'runs', total, stream);
      else shown.bar?.step(done);
    });
  } finally {
    shown.bar?.stop();
  }
}

export function calibrateCommand(files: string[], opts: CalibrateCliOptions, out: (s: string) => void, warn: (s: string) => void, progress: NodeJS.WriteStream = process.stderr): void {
  const sampleRate = share('--sample-rate', opts.sampleRate);
  const checkShare = share('--check-sample-rate', opts.checkSampleRate);
  for (const [flag, v] of [['--check-json', opts.checkJson], ['--check-html', opts.checkHtml]] as const) {
    if (v !== undefined && !opts.check?.length) throw new InputError([`${flag}: give the traces to compare with (--check FILE)`]);
  }
  for (const path of [opts.out, opts.checkJson, opts.checkHtml]) if (path) checkWritable(path);
  for (const [flag, v] of [['--check-rate', opts.checkRate], ['--check-sample-rate', opts.checkSampleRate]] as const) {
    if (v !== undefined && !opts.check?.length) throw new InputError([`${flag}: give the traces to compare with (--check FILE)`]);
  }
  // An empty list ("$CAPACITY" unset, or only commas) was taken as none given: refused, as other empty options are.
  for (const [flag, v] of [['--capacity', opts.capacity], ['--replica-concurrency', opts.replicaConcurrency]] as const) {
    if (v !== undefined && v.split(',').every((x) => x.trim() === '')) throw new InputError([`${flag}: an empty list (a variable that is not set?): give NAME=N or NAME=REPLICASxN${flag === '--replica-concurrency' ? ', or N' : ''}, separated by commas`]);
  }
  if (opts.name !== undefined && opts.name.trim() === '') throw new InputError(['--name: an empty name (a variable that is not set?): give the scenario\'s name']);
  if (opts.replicaConcurrency !== undefined && opts.deployment === undefined) throw new InputError(['--replica-concurrency: it sets the workers of the replicas --deployment reads: give --deployment DIR (or the capacity itself with --capacity)']);
  if (opts.resamples !== undefined && !opts.check?.length && opts.predict === undefined) throw new InputError(['--resamples: it sets the ranges of --check and --predict: give one of them']);
  const resamples = resamplesOption(opts.resamples);
  const checkRate = opts.checkRate === undefined ? undefined : rateOption('--check-rate', opts.checkRate, 1);
  // A mistyped --predict is refused before the traces are read and the scenario printed (its multiple of the
  // traces' rate is worked out once they are).
  if (opts.predict !== undefined) rateOption('--predict', opts.predict, 1);
  const waitAttribute = opts.waitAttribute !== undefined ? parseWaitAttribute(opts.waitAttribute) : undefined;
  // Traces to compare with that cannot be opened are refused before the scenario is written (--out).
  for (const f of opts.check ?? []) openInput(f, 'traces').close();
  if (opts.duration !== undefined) checkDuration(opts.duration);
  const result = calibrateFiles(files, {
    groupBy: parseGroupBy(opts.groupBy ?? 'name'),
    latency: opts.latency,
    sampleRate,
    name: opts.name,
    duration: opts.duration,
    capacity: opts.capacity,
    deployment: opts.deployment,
    replicaConcurrency: opts.replicaConcurrency,
    waitAttribute,
    keep: resamples > 0 && (opts.check?.length !== undefined && opts.check.length > 0 || opts.predict !== undefined),
  });
  for (const w of result.warnings) warn(`warning: ${w}`);
  // Names the comparison could not tell apart are refused before anything is written.
  const compared = opts.check?.length ? '--check' : opts.predict !== undefined ? '--predict' : null;
  const clashes = compared ? sameNames([result.analysis]) : [];
  if (clashes.length) throw new InputError(clashes.map((c) => `${compared}: ${c}`));
  if (opts.out) writeText(opts.out, withSchemaLine(result.yaml, dirname(opts.out)));
  else out(withPrintedSchemaLine(result.yaml).trimEnd());
  // A blank line between blocks, not before the first.
  let printed = !opts.out;
  const block = () => {
    if (printed) out('');
    printed = true;
  };
  if (!opts.quiet && opts.out) {
    const a = result.analysis;
    const services = new Set([...a.endpoints.values()].map((e) => e.service)).size;
    out(`${plural(a.spans, 'span')} in ${plural(a.traces, 'trace')} from ${plural(files.length, 'file')}: ` +
      `${plural(services, 'service')}, ${plural(a.endpoints.size, 'endpoint')}, ${plural(a.journeys.size, 'journey')}; scenario written to ${opts.out}`);
    for (const line of peerLines(result.analysis)) out(line);
    for (const line of renamedLines(result.renamed)) out(line);
    for (const line of readNoteLines(result.files)) out(line);
    printed = true;
  }
  if (opts.check?.length) {
    const files = opts.check;
    // What reading the checked files warned of, as for calibrate's own (a file given to both is warned of once).
    const said = new Set(result.warnings);
    const readWarning = (w: string) => {
      if (!said.has(w)) warn(`warning: ${w}`);
      said.add(w);
    };
    const check = withRunsBar('check', opts.quiet ? null : progress, (onProgress) => checkCalibration(result, files, { groupBy: parseGroupBy(opts.groupBy ?? 'name'), sampleRate: checkShare, ratePerSec: checkRate, resamples, onProgress, warn: readWarning }));
    if (opts.checkJson) writeText(opts.checkJson, `${JSON.stringify(check, null, 2)}\n`);
    if (opts.checkHtml) writeText(opts.checkHtml, checkReportHtml(check));
    block();
    out(`checked against ${plural(opts.check.length, 'file')} at ${checkRate === undefined ? 'their rate' : 'the rate given'}, ${check.ratePerSec.toFixed(1)}/s (root spans on both sides; ms):`);
    for (const line of checkTable(check)) out(line);
    for (const line of poolWaitLines(check.pools)) out(line);
    for (const line of resamplingLines(check.resampling, true)) out(line);
    for (const m of check.missing) warn(`warning: journey ${m} of the --check traces is not in the calibrated scenario`);
    for (const w of [...atRate(result.scenario, check.ratePerSec), ...saturationLines(check.resampling)]) warn(`warning: --check at ${check.ratePerSec.toFixed(1)}/s: ${w}`);
    if (opts.checkJson) out(`comparison written to ${opts.checkJson}`);
    if (opts.checkHtml) out(`comparison page written to ${opts.checkHtml}`);
  }
  if (opts.predict !== undefined) {
    const base = result.scenario.calibration?.ratePerSec ?? result.scenario.traffic.perSec;
    const rate = rateOption('--predict', opts.predict, base);
    const p = withRunsBar('predict', opts.quiet ? null : progress, (onProgress) => predictAt(result, rate, resamples, onProgress));
    block();
    out(`predicted at ${rate.toFixed(1)}/s (${(rate / base).toFixed(2)}x the traces' ${base.toFixed(1)}/s; ms):`);
    for (const line of predictionTable(p)) out(line);
    for (const line of poolWaitLines(p.pools)) out(line);
    for (const line of resamplingLines(p.resampling, false)) out(line);
    for (const w of [...atRate(result.scenario, rate), ...saturationLines(p.resampling)]) warn(`warning: --predict ${opts.predict}: ${w}`);
  }
}
