/** `rehearse lint`: governance checks over scenario files (also run by validate, and by ci --strict). */
import { jsonText } from './json-out.js';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { formatFinding, lintScenario, type Finding, type LintOptions } from '../lint/lint.js';
import { loadScenarioFile } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';

/** Findings of every file; a file that does not load is an InputError. */
export function lintFiles(files: readonly string[], opts: LintOptions = {}): Finding[] {
  const errors: string[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) errors.push(...loaded.problems.map((p) => formatProblem(file, p)));
    else findings.push(...lintScenario(file, loaded.scenario, loaded.input, opts));
  }
  if (errors.length) throw new InputError(errors);
  return findings;
}

/** Scenario files of a directory, as rehearse ci finds them. */
export function scenarioFilesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function lintCommand(files: string[], opts: LintOptions & { json?: boolean }, out: (s: string) => void): number {
  const findings = lintFiles(files, opts);
  if (opts.json) out(jsonText(findings));
  else {
    for (const f of findings) out(formatFinding(f));
    out(findings.length ? `${findings.length} finding${findings.length === 1 ? '' : 's'}` : `${files.length} file${files.length === 1 ? '' : 's'}: no findings`);
  }
  return findings.length ? 1 : 0;
}

export { formatFinding };
