/** `rehearse export k6`: a scenario's journeys and gates as a k6 load test script, and its users beside it. */
import { basename, dirname, join } from 'node:path';
import { readInput } from '../files/read.js';
import { InputError } from '../errors.js';
import { parseFlagText } from '../interop/document.js';
import { k6Script, type K6Export } from '../interop/k6/index.js';
import { checkWritable, writeText } from '../files/write.js';
import { loadScenarioFile } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import { quoted } from '../units/escape.js';

export interface ExportK6Options {
  baseUrl: string;
  out?: string;
  keyHeader?: string;
}

/** The users file written beside a script: checkout.k6.ts -> checkout.k6.users.json. */
export function usersFileFor(script: string | undefined): string {
  return script === undefined ? 'users.json' : `${basename(script).replace(/\.(ts|js|mjs|cjs)$/i, '')}.users.json`;
}

export function exportK6(file: string, opts: ExportK6Options): K6Export {
  if (!/^https?:\/\/[^\s]+$/.test(opts.baseUrl)) throw new InputError([`--base-url: an http(s) URL, e.g. https://staging.example.com (got ${quoted(opts.baseUrl)})`]);
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new InputError(loaded.problems.map((p) => formatProblem(file, p)));
  const doc = parseFlagText(readInput(file, 'scenario'), file);
  return k6Script(loaded.scenario, loaded.input, {
    baseUrl: opts.baseUrl.replace(/\/$/, ''), keyHeader: opts.keyHeader, file, position: (p) => doc.position(p), usersFile: usersFileFor(opts.out),
  });
}

export function exportK6Command(file: string, opts: ExportK6Options, out: (s: string) => void): void {
  if (opts.out) checkWritable(opts.out);
  const { script, users } = exportK6(file, opts);
  if (opts.out) {
    // The users file beside the script is checked too, before the script is written.
    const usersPath = users ? join(dirname(opts.out), users.file) : null;
    if (usersPath) checkWritable(usersPath);
    writeText(opts.out, script);
    if (users && usersPath) writeText(usersPath, users.json);
    out(`k6 script written to ${opts.out}${usersPath ? `, its users to ${usersPath}` : ''}`);
  } else if (users) {
    throw new InputError([`${file}: the script reads its users from a JSON file beside it: give --out FILE to write both`]);
  } else {
    out(script.trimEnd());
  }
}
