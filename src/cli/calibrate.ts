/** `rehearse calibrate TRACES... --out FILE`: the command's logic, loaded only when it runs. */
import { checkWritable, writeText } from '../files/write.js';
import { calibrateFiles, parseGroupBy } from '../calibrate/calibrate.js';
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
}

export function calibrateCommand(files: string[], opts: CalibrateCliOptions, out: (s: string) => void, err: (s: string) => void): void {
  let sampleRate = 1;
  if (opts.sampleRate !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(opts.sampleRate.trim());
    sampleRate = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
    if (!(sampleRate > 0 && sampleRate <= 1)) throw new InputError([`--sample-rate: expected a share of traces kept, such as 10% or 0.1, got "${opts.sampleRate}"`]);
  }
  if (opts.duration !== undefined && !/^\d+(\.\d+)?(ms|s|m|h)$/.test(opts.duration)) throw new InputError([`--duration: expected a duration such as 10m, got "${opts.duration}"`]);
  if (opts.out) checkWritable(opts.out);
  const result = calibrateFiles(files, {
    groupBy: parseGroupBy(opts.groupBy ?? 'name'),
    latency: opts.latency,
    sampleRate,
    name: opts.name,
    duration: opts.duration,
  });
  for (const w of result.warnings) err(`warning: ${w}`);
  if (opts.out) writeText(opts.out, result.yaml);
  else out(result.yaml.trimEnd());
  if (!opts.quiet && opts.out) {
    const a = result.analysis;
    const services = new Set([...a.endpoints.values()].map((e) => e.service)).size;
    out(`${plural(a.spans, 'span')} in ${plural(a.traces, 'trace')} from ${plural(files.length, 'file')}: ` +
      `${plural(services, 'service')}, ${plural(a.endpoints.size, 'endpoint')}, ${plural(a.journeys.size, 'journey')}; scenario written to ${opts.out}`);
  }
}
