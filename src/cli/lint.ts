/** `rehearse lint`: governance checks over scenario files (also run by validate, and by ci --strict). */
import { jsonText } from './json-out.js';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { formatFinding, lintScenario, type Finding, type LintOptions } from '../lint/lint.js';
import { loadScenarioFile } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import { lintRollouts } from '../interop/argo/index.js';
import { readInput } from '../files/read.js';
import { quoted } from '../units/escape.js';

/** A Kubernetes file (its documents have an apiVersion, which no scenario has), and its text. */
function kubernetesText(file: string): string | null {
  let text: string;
  try {
    text = readInput(file, 'resource');
  } catch {
    return null; // the scenario reader says why
  }
  return /^(?:apiVersion|"apiVersion")\s*:|"apiVersion"\s*:/m.test(text) ? text : null;
}

/**
 * Each Rollout of a Kubernetes file checked as a plan would read it, one by one, as \`kubectl argo rollouts lint\`
 * checks each (cmd/lint/lint.go lintResource): a Rollout rehearse cannot rehearse as written is a finding at its place.
 */
function rolloutFindings(file: string, text: string): { findings: Finding[]; errors: string[] } {
  const findings: Finding[] = [];
  const errors: string[] = [];
  for (const { rollout, result } of lintRollouts([{ file, text }])) {
    if (result.ok) continue;
    // Without a Rollout, or unread, the file is no input for this check.
    if (rollout === null) {
      errors.push(...result.problems);
      continue;
    }
    for (const p of result.problems) {
      const m = /^(.*?):(\d+):(\d+): ([^]*)$/.exec(p);
      const at = m && m[1] === file ? { line: Number(m[2]), column: Number(m[3]), message: m[4] } : { line: 1, column: 1, message: p };
      findings.push({ id: 'argo-rollout', file, ...at, fix: `the Rollout ${quoted(rollout)} as the controller reads it: rehearse import argo ${file} --rollout ${rollout} says the same` });
    }
  }
  return { findings, errors };
}

/** Findings of every file (scenarios, and the Rollouts of Kubernetes files); a file that does not load is an InputError. */
export function lintFiles(files: readonly string[], opts: LintOptions = {}): Finding[] {
  const errors: string[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const kube = kubernetesText(file);
    if (kube !== null) {
      const r = rolloutFindings(file, kube);
      errors.push(...r.errors);
      findings.push(...r.findings);
      continue;
    }
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
