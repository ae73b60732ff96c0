/** `rehearse ci`: the I/O around a CI run (finding files, running, writing reports). */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../errors.js';
import { junitXml } from '../report/junit.js';
import { markdownSummary } from '../report/markdown.js';
import { writeJson } from '../report/json.js';
import { writeText } from '../report/text.js';
import { ciIndexHtml, pageName } from '../report/html/ci.js';
import { runReportHtml } from '../report/html/run.js';
import { loadScenarioFile } from '../scenario/load.js';
import { formatProblem } from '../scenario/problems.js';
import { caseFromResult, caseName, ciReport, compareWithBaseline, type CiCase, type CiReport } from '../score/ci.js';
import { runScenario } from '../score/result.js';
import { VERSION } from '../version.js';

export interface CiOptions {
  junit?: string;
  summary?: string;
  json?: string;
  baseline?: string;
  seed?: number;
  htmlDir?: string;
  /** Report outcomes worse than the baseline without failing. */
  baselineWarn?: boolean;
  /** A case with no acceptance criteria fails instead of showing "no criteria". */
  requireCriteria?: boolean;
}

function scenarioFiles(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new InputError([`${dir}: no such directory`]);
  }
  if (!st.isDirectory()) throw new InputError([`${dir}: not a directory (rehearse ci takes a directory of scenarios)`]);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  if (out.length === 0) throw new InputError([`${dir}: no scenario files (.yaml, .yml, .json)`]);
  return out;
}

function readBaseline(file: string): CiReport {
  const notReport = `not a rehearse ci report (schema rehearse/ci@1): write one with rehearse ci --json`;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError([`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : notReport}`]);
  }
  if ((doc as { schema?: string } | null)?.schema !== 'rehearse/ci@1') throw new InputError([`${file}: ${notReport}`]);
  return doc as CiReport;
}

export function runCi(dir: string, opts: CiOptions, out: (s: string) => void): CiReport {
  const files = scenarioFiles(dir);
  const baseline = opts.baseline ? readBaseline(opts.baseline) : null;
  const started = performance.now();
  const cases: CiCase[] = [];
  const report = (c: CiCase) => {
    cases.push(c);
    if (opts.requireCriteria && c.status === 'no-criteria') {
      c.status = 'failed';
      c.messages.push('no acceptance criteria apply to this case (--require-criteria)');
    }
    const label = c.status === 'passed' ? 'PASS' : c.status === 'failed' ? 'FAIL' : c.status === 'invalid' ? 'INVALID' : c.status === 'no-criteria' ? 'NO CRITERIA' : 'CRASH';
    out(`${label.padEnd(c.status === 'no-criteria' ? 11 : 7)} ${caseName(c)}  (${c.seconds.toFixed(1)}s)`);
    for (const m of c.messages) out(`          ${m.split('\n').join('\n          ')}`);
  };
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    const base = loadScenarioFile(file);
    if (!base.ok) {
      report(broken(shown, base.problems.map((p) => formatProblem(shown, p)), 'invalid'));
      continue;
    }
    const names = base.scenario.cases.length ? base.scenario.cases : [undefined];
    for (const name of names) {
      const t0 = performance.now();
      const loaded = name === undefined ? base : loadScenarioFile(file, name);
      if (!loaded.ok) {
        report({ ...broken(shown, loaded.problems.map((p) => formatProblem(shown, p)), 'invalid'), scenario: base.scenario.name, case: name ?? null });
        continue;
      }
      try {
        const result = runScenario(loaded.scenario, { seed: opts.seed });
        const c = caseFromResult(shown, result, (performance.now() - t0) / 1000);
        if (opts.htmlDir) {
          c.page = pageName(c);
          writeText(join(opts.htmlDir, c.page), runReportHtml(result));
        }
        report(c);
      } catch (err) {
        report({ ...broken(shown, [`${(err as Error).name}: ${(err as Error).message}`], 'crashed'), scenario: base.scenario.name, case: name ?? null });
      }
    }
  }
  if (baseline) compareWithBaseline(cases, baseline);
  const doc = ciReport(cases, VERSION, (performance.now() - started) / 1000, !opts.baselineWarn);
  out('');
  out(summaryTable(doc));
  if (doc.counts.worse > 0) {
    out('');
    out(`worse than the baseline${opts.baselineWarn ? ' (--baseline-warn: reported, not failed)' : ''}:`);
    for (const c of cases) if (c.regressions.length) out(`  ${caseName(c)}: ${c.regressions.join('; ')}`);
  }
  if (opts.junit) writeText(opts.junit, junitXml(doc));
  if (opts.summary) writeText(opts.summary, markdownSummary(doc));
  if (opts.json) writeJson(opts.json, doc);
  if (opts.htmlDir) {
    writeText(join(opts.htmlDir, 'index.html'), ciIndexHtml(doc));
    out(`reports written to ${join(opts.htmlDir, 'index.html')}`);
  }
  return doc;
}

function broken(file: string, messages: string[], status: 'invalid' | 'crashed'): CiCase {
  const name = file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '');
  return { scenario: name, file, case: null, status, messages, seconds: 0, acceptance: [], flags: {}, errorBudgetBurned: null, regressions: [] };
}

function summaryTable(doc: CiReport): string {
  const rows = doc.cases.map((c) => [
    c.status.toUpperCase(),
    caseName(c),
    Object.entries(c.flags).map(([k, f]) => `${k} ${f.outcome} ${f.final_percent}%`).join(', ') || '-',
    Object.values(c.flags).map((f) => String(f.blast_radius_users)).join(', ') || '-',
    c.regressions.length ? `${c.regressions.length} worse` : '',
  ]);
  const head = ['result', 'rehearsal', 'flags', 'users hurt', 'vs baseline'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  const c = doc.counts;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    `${c.cases} cases: ${c.passed} passed, ${c.failed} failed, ${c.invalid} invalid, ${c.crashed} crashed${c['no-criteria'] ? `, ${c['no-criteria']} with no criteria` : ''}${c.worse ? `; ${c.worse} worse than the baseline` : ''}`].join('\n');
}
