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
import { warningLines, writeScenario, type WriteOptions } from './scenario.js';
import { plural } from '../units/format.js';

export interface CalibrateResult {
  yaml: string;
  files: (FileRead & { file: string })[];
  warnings: string[];
  analysis: Analysis;
}

export function calibrateFiles(files: readonly string[], options: Partial<CalibrateOptions & WriteOptions> = {}): CalibrateResult {
  const analysis = new Analysis({ groupBy: options.groupBy ?? 'name', sampleRate: options.sampleRate ?? 1 });
  const reads: CalibrateResult['files'] = readTraceFiles(files, (spans) => analysis.addTrace(spans)).map((r, i) => ({ ...r, file: files[i] }));
  const sources = reads.map((r) => `${basename(r.file)}: ${r.format}${r.documents > 1 ? ` (JSON lines: ${r.documents} documents)` : ''}, ${plural(r.report.spans, 'span')} in ${plural(r.traces, 'trace')}` +
    (r.report.skippedTotal > 0 ? `, ${r.report.skippedTotal} bad spans skipped` : ''));
  const yaml = writeScenario(analysis, {
    latency: options.latency ?? 'empirical',
    name: options.name ?? 'calibrated',
    duration: options.duration ?? '10m',
    sources,
  });
  const loaded = parseScenarioText(yaml);
  if (!loaded.ok) throw new InputError(['the calibrated scenario does not validate (a bug in calibrate):', ...loaded.problems.map((p) => formatProblem('calibrated', p))]);
  const warnings = warningLines(analysis);
  for (const r of reads) {
    for (const [reason, n] of r.report.skipped) warnings.push(`${r.file}: skipped ${n} ${reason}${n > 1 ? ' (each)' : ''}`);
  }
  return { yaml, files: reads, warnings, analysis };
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
