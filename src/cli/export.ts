/** `rehearse export k6`: a scenario's journeys and gates as a k6 load test script. */
import { readInput } from '../files/read.js';
import { InputError } from '../errors.js';
import { parseFlagText } from '../interop/document.js';
import { k6Script } from '../interop/k6/index.js';
import { checkWritable, writeText } from '../files/write.js';
import { loadScenarioFile } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';

export interface ExportK6Options {
  baseUrl: string;
  out?: string;
  keyHeader?: string;
}

export function exportK6(file: string, opts: ExportK6Options): string {
  if (!/^https?:\/\/[^\s]+$/.test(opts.baseUrl)) throw new InputError([`--base-url: an http(s) URL, e.g. https://staging.example.com (got "${opts.baseUrl}")`]);
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new InputError(loaded.problems.map((p) => formatProblem(file, p)));
  const doc = parseFlagText(readInput(file, 'scenario'), file);
  return k6Script(loaded.scenario, loaded.input, {
    baseUrl: opts.baseUrl.replace(/\/$/, ''), keyHeader: opts.keyHeader, file, position: (p) => doc.position(p),
  });
}

export function exportK6Command(file: string, opts: ExportK6Options, out: (s: string) => void): void {
  if (opts.out) checkWritable(opts.out);
  const script = exportK6(file, opts);
  if (opts.out) {
    writeText(opts.out, script);
    out(`k6 script written to ${opts.out}`);
  } else {
    out(script.trimEnd());
  }
}
