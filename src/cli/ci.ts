/** `rehearse ci`: the I/O around a CI run (finding files, running, writing reports). */
import { createHash } from 'node:crypto';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../errors.js';
import { readDocument } from './documents.js';
import { junitXml } from '../report/junit.js';
import { markdownSummary } from '../report/markdown.js';
import { writeJson } from '../report/json.js';
import { checkWritable, writeText } from '../files/write.js';
import { estimateRun, overLimits, refusal } from '../scenario/budget.js';
import { caseLines, ciSummaryTable } from '../report/ci-terminal.js';
import { plural } from '../units/format.js';
import { ciIndexHtml, pageName } from '../report/html/ci.js';
import { SHARED_SCRIPT, chartLibraries } from '../report/html/page.js';
import { runReportHtml } from '../report/html/run.js';
import { loadScenarioFile } from '../load/scenario.js';
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
  force?: boolean;
  /** Report outcomes worse than the baseline without failing. */
  baselineWarn?: boolean;
  /** A case with no acceptance criteria fails instead of showing "no criteria". */
  requireCriteria?: boolean;
}

/**
 * Distinct file names for the pages of one CI run. Names that normalise alike (two scenarios called
 * "checkout" in different folders, cases "A B" and "a-b") get a short hash of their file and case; very long
 * names are cut and hashed. Only letters, digits and dashes: no path can leave the folder.
 */
export class PageNames {
  private readonly used = new Set<string>(['index.html']);

  name(c: Pick<CiCase, 'scenario' | 'case'>, file: string): string {
    const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);
    const id = `${file}\u0000${c.scenario}\u0000${c.case ?? ''}`;
    let stem = pageName(c).replace(/\.html$/, '');
    if (stem.length > 80) stem = `${stem.slice(0, 64)}-${hash(id)}`;
    let name = `${stem}.html`;
    for (let n = 1; this.used.has(name.toLowerCase()); n++) name = `${stem}-${hash(`${id}\u0000${n}`)}.html`;
    this.used.add(name.toLowerCase());
    return name;
  }
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
  // Depth first in name order, with its own stack; links to folders are not followed (a loop would not end).
  const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
  const stack: { path: string; entry: Dirent | null }[] = [{ path: dir, entry: null }];
  while (stack.length) {
    const { path, entry } = stack.pop()!;
    if (entry === null || entry.isDirectory()) {
      for (const e of readdirSync(path, { withFileTypes: true }).sort(byName)) stack.push({ path: join(path, e.name), entry: e });
    } else if (/\.(ya?ml|json)$/.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile()))) {
      out.push(path);
    }
  }
  if (out.length === 0) throw new InputError([`${dir}: no scenario files (.yaml, .yml, .json)`]);
  return out;
}

function readBaseline(file: string): CiReport {
  return readDocument(file, ['rehearse/ci@1'], 'write one with rehearse ci --json');
}

/** A CI report, and the signal that cut the run short, if one did (the report then holds what finished). */
export type CiOutcome = CiReport & { interrupted?: NodeJS.Signals };

export async function runCi(dir: string, opts: CiOptions, out: (s: string) => void): Promise<CiOutcome> {
  // A typo in an output path must not cost a night's work: every path is checked before anything runs.
  for (const path of [opts.junit, opts.summary, opts.json]) if (path) checkWritable(path);
  if (opts.htmlDir) checkWritable(join(opts.htmlDir, 'index.html'));
  const files = scenarioFiles(dir);
  const baseline = opts.baseline ? readBaseline(opts.baseline) : null;
  const started = performance.now();
  const cases: CiCase[] = [];
  const pages = new PageNames();
  const report = (c: CiCase) => {
    cases.push(c);
    if (opts.requireCriteria && c.status === 'no-criteria') {
      c.status = 'failed';
      c.messages.push('no acceptance criteria apply to this case (--require-criteria)');
    }
    for (const line of caseLines(c)) out(line);
  };
  // SIGINT and SIGTERM stop between rehearsals (a rehearsal runs to its end): the reports keep what finished.
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    interrupted = signal;
    out(`stopping (${signal}): writing the reports of the rehearsals that finished (${signal} again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
  files: for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    const base = loadScenarioFile(file);
    if (!base.ok) {
      report(broken(shown, base.problems.map((p) => formatProblem(shown, p)), 'invalid'));
      continue;
    }
    const names = base.scenario.cases.length ? base.scenario.cases : [undefined];
    for (const name of names) {
      await new Promise((resolve) => setImmediate(resolve)); // lets a signal in
      if (interrupted) break files;
      const t0 = performance.now();
      const loaded = name === undefined ? base : loadScenarioFile(file, name);
      if (!loaded.ok) {
        report({ ...broken(shown, loaded.problems.map((p) => formatProblem(shown, p)), 'invalid'), scenario: base.scenario.name, case: name ?? null });
        continue;
      }
      const tooMuch = opts.force ? [] : overLimits(estimateRun(loaded.scenario));
      if (tooMuch.length) {
        report({ ...broken(shown, refusal(shown, tooMuch), 'invalid'), scenario: base.scenario.name, case: name ?? null });
        continue;
      }
      try {
        const result = runScenario(loaded.scenario, { seed: opts.seed });
        const c = caseFromResult(shown, result, (performance.now() - t0) / 1000);
        if (opts.htmlDir) {
          c.page = pages.name(c, shown);
          writeText(join(opts.htmlDir, c.page), runReportHtml(result, { librariesFile: SHARED_SCRIPT }));
        }
        report(c);
      } catch (err) {
        report({ ...broken(shown, [`${(err as Error).name}: ${(err as Error).message}`], 'crashed'), scenario: base.scenario.name, case: name ?? null });
      }
    }
  }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (baseline) compareWithBaseline(cases, baseline);
  const doc = ciReport(cases, VERSION, (performance.now() - started) / 1000, !opts.baselineWarn);
  out('');
  out(ciSummaryTable(doc));
  if (doc.counts.worse > 0) {
    out('');
    out(`worse than the baseline${opts.baselineWarn ? ' (--baseline-warn: reported, not failed)' : ''}:`);
    for (const c of cases) if (c.regressions.length) out(`  ${caseName(c)}: ${c.regressions.join('; ')}`);
  }
  if (opts.junit) writeText(opts.junit, junitXml(doc));
  if (opts.summary) writeText(opts.summary, markdownSummary(doc));
  if (opts.json) writeJson(opts.json, doc);
  if (opts.htmlDir) {
    writeText(join(opts.htmlDir, SHARED_SCRIPT), chartLibraries());
    writeText(join(opts.htmlDir, 'index.html'), ciIndexHtml(doc, baseline, { librariesFile: SHARED_SCRIPT }));
    out(`reports written to ${join(opts.htmlDir, 'index.html')}`);
  }
  if (interrupted) {
    out(`interrupted (${interrupted}): ${plural(cases.length, 'rehearsal')} finished and reported; the others did not run`);
    return { ...doc, interrupted };
  }
  return doc;
}

function broken(file: string, messages: string[], status: 'invalid' | 'crashed'): CiCase {
  const name = file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '');
  return { scenario: name, file, case: null, status, messages, seconds: 0, acceptance: [], flags: {}, errorBudgetBurned: null, regressions: [] };
}
