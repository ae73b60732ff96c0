/** `rehearse calibrate TRACES... --out FILE`: the command's logic, loaded only when it runs. */
import { checkWritable, writeText } from '../files/write.js';
import { calibrateFiles, checkCalibration, parseGroupBy } from '../calibrate/calibrate.js';
import { parseWaitAttribute } from '../calibrate/pool-waits.js';
import { checkReportHtml, relativeError } from '../report/html/check.js';
import { textTable } from '../report/table.js';
import { InputError } from '../errors.js';
import { plural } from '../units/format.js';

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
}

function share(flag: string, text: string | undefined): number {
  if (text === undefined) return 1;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const x = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(x > 0 && x <= 1)) throw new InputError([`${flag}: expected a share of traces kept, such as 10% or 0.1, got "${text}"`]);
  return x;
}

export function calibrateCommand(files: string[], opts: CalibrateCliOptions, out: (s: string) => void, warn: (s: string) => void): void {
  const sampleRate = share('--sample-rate', opts.sampleRate);
  const checkRate = share('--check-sample-rate', opts.checkSampleRate);
  for (const [flag, v] of [['--check-json', opts.checkJson], ['--check-html', opts.checkHtml]] as const) {
    if (v !== undefined && !opts.check?.length) throw new InputError([`${flag}: give the traces to compare with (--check FILE)`]);
  }
  for (const path of [opts.out, opts.checkJson, opts.checkHtml]) if (path) checkWritable(path);
  const waitAttribute = opts.waitAttribute !== undefined ? parseWaitAttribute(opts.waitAttribute) : undefined;
  if (opts.duration !== undefined && !/^\d+(\.\d+)?(ms|s|m|h)$/.test(opts.duration)) throw new InputError([`--duration: expected a duration such as 10m, got "${opts.duration}"`]);
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
  });
  for (const w of result.warnings) warn(`warning: ${w}`);
  if (opts.out) writeText(opts.out, result.yaml);
  else out(result.yaml.trimEnd());
  if (!opts.quiet && opts.out) {
    const a = result.analysis;
    const services = new Set([...a.endpoints.values()].map((e) => e.service)).size;
    out(`${plural(a.spans, 'span')} in ${plural(a.traces, 'trace')} from ${plural(files.length, 'file')}: ` +
      `${plural(services, 'service')}, ${plural(a.endpoints.size, 'endpoint')}, ${plural(a.journeys.size, 'journey')}; scenario written to ${opts.out}`);
  }
  if (opts.check?.length) {
    const check = checkCalibration(result, opts.check, { groupBy: parseGroupBy(opts.groupBy ?? 'name'), sampleRate: checkRate });
    if (opts.checkJson) writeText(opts.checkJson, `${JSON.stringify(check, null, 2)}\n`);
    if (opts.checkHtml) writeText(opts.checkHtml, checkReportHtml(check));
    out('');
    out(`checked against ${plural(opts.check.length, 'file')} at their rate, ${check.ratePerSec.toFixed(1)}/s (root spans on both sides; ms):`);
    const err = relativeError;
    const rows = check.journeys.flatMap((j) => (['meanMs', 'p50Ms', 'p95Ms', 'p99Ms'] as const).map((k, i) => [
      i === 0 ? `${j.journey} (${j.measured.requests})` : '', k.slice(0, -2), j.measured[k].toFixed(1), j.predicted[k].toFixed(1), err(j.predicted[k], j.measured[k]),
    ]).concat([['', 'errors', `${(j.measured.errorRate * 100).toFixed(2)}%`, `${(j.predicted.errorRate * 100).toFixed(2)}%`, `${((j.predicted.errorRate - j.measured.errorRate) * 100).toFixed(2)} pt`]]));
    for (const line of textTable(['journey (traces)', 'figure', 'measured', 'predicted', 'error'], rows, ['left', 'left', 'right', 'right', 'right'])) out(line);
    for (const m of check.missing) warn(`warning: journey ${m} of the --check traces is not in the calibrated scenario`);
    if (opts.checkJson) out(`comparison written to ${opts.checkJson}`);
    if (opts.checkHtml) out(`comparison page written to ${opts.checkHtml}`);
  }
}
