/** `rehearse ci`: the I/O around a CI run (finding files, running, writing reports). */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { InputError } from '../errors.js';
import { readDocument } from './documents.js';
import { junitXml } from '../report/junit.js';
import { markdownSummary } from '../report/markdown.js';
import { inline } from '../report/escape.js';
import { writeJson } from '../report/json.js';
import type { Piscina } from 'piscina';
import { readLimits } from '../files/read.js';
import { checkWritable, makeFolders, writeText } from '../files/write.js';
import { estimateRun, overLimits, refusal } from '../scenario/budget.js';
import { caseLines, ciSummaryTable } from '../report/ci-terminal.js';
import { plural } from '../units/format.js';
import { ciIndexHtml, pageName } from '../report/html/ci.js';
import { SHARED_SCRIPT, chartLibraries } from '../report/html/page.js';
import { runReportHtml } from '../report/html/run.js';
import { notAScenarioText } from '../load/kinds.js';
import { loadScenarioFile } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import { caseFromResult, caseName, ciReport, compareWithBaseline, type CiCase, type CiReport } from '../score/ci.js';
import { createPool } from '../sweep/pool.js';
import type { RehearsalOutcome, RehearsalTask } from '../sweep/rehearsal.js';
import { VERSION } from '../version.js';
import { REHEARSALS_FOLDER } from './folders.js';
import { exitOnSignal } from './signals.js';

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
  /** With --baseline: report what got worse without failing, and replace the baseline with this run's report when every case passes. */
  updateBaseline?: boolean;
  /** Rehearsals run at once, each on a worker thread (default: the cores available); the reports are the same whatever their number. */
  workers?: number;
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

/** The folder `rehearse ci` reads when none is named: where `rehearse init` writes (and the Action's default). */
export const DEFAULT_FOLDER = REHEARSALS_FOLDER;

/** Files larger than this are not looked into to tell what they are: the loader reads (and refuses) them as scenarios. */
const SNIFF_BYTES = 4 << 20;

/** The scenario files of a folder, and the other YAML and JSON files under it with why each is not one. */
export interface FolderFiles {
  files: string[];
  skipped: { file: string; reason: string }[];
}

/**
 * Every YAML and JSON file under `dir`, depth first in name order, that is a scenario. Folders whose names
 * start with a dot (.git, .github) and node_modules are not entered; other files that are plainly something
 * else (a workflow, a JSON Schema, a flag file, a Kubernetes resource...) are listed as skipped, with why.
 */
export function findScenarioFiles(dir: string, named = true): FolderFiles {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new InputError([named ? (dir === '' ? 'an empty path names no directory of scenarios' : `${dir}: no such directory`)
      : `no ${dir}/ folder here: rehearse ci reads the scenarios of ${dir}/, where rehearse init writes them; run rehearse init, or name the folder: rehearse ci DIR`]);
  }
  if (!st.isDirectory()) throw new InputError([`${dir}: not a directory (rehearse ci takes a directory of scenarios)`]);
  const files: string[] = [];
  const skipped: FolderFiles['skipped'] = [];
  // Depth first in name order, with its own stack; links to folders are not followed (a loop would not end).
  const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
  const stack: { path: string; entry: Dirent | null }[] = [{ path: dir, entry: null }];
  while (stack.length) {
    const { path, entry } = stack.pop()!;
    if (entry === null || entry.isDirectory()) {
      if (entry !== null && (entry.name.startsWith('.') || entry.name === 'node_modules')) continue;
      for (const e of readdirSync(path, { withFileTypes: true }).sort(byName)) stack.push({ path: join(path, e.name), entry: e });
    } else if (/\.(ya?ml|json)$/i.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile()))) {
      const reason = entry.name.startsWith('.') ? 'a hidden file (its name starts with a dot)' : whatElse(path);
      if (reason) skipped.push({ file: path, reason });
      else files.push(path);
    }
  }
  if (files.length === 0) {
    throw new InputError([`${dir}: no scenario files (.yaml, .yml, .json)${skipped.length ? `; skipped ${skipped.map((x) => `${x.file} (${x.reason})`).join(', ')}` : ''}`]);
  }
  return { files, skipped };
}

/** Why a file is not a scenario, when it plainly is something else; null when it is (or may be) one. */
function whatElse(file: string): string | null {
  try {
    if (statSync(file).size > SNIFF_BYTES) return null;
    return notAScenarioText(readFileSync(file, 'utf8'));
  } catch {
    return null; // the loader says what is wrong with it
  }
}

function readBaseline(file: string): CiReport {
  return readDocument(file, ['rehearse/ci@1'], 'write one with rehearse ci --json');
}

/** A CI report, and the signal that cut the run short, if one did (the report then holds what finished). */
export type CiOutcome = CiReport & { interrupted?: NodeJS.Signals };

export async function runCi(dirArg: string | undefined, opts: CiOptions, out: (s: string) => void): Promise<CiOutcome> {
  if (opts.updateBaseline && !opts.baseline) throw new InputError(['--update-baseline: name the baseline to compare with and replace: --baseline FILE']);
  if (opts.baselineWarn && !opts.baseline) throw new InputError(['--baseline-warn: name the baseline to compare with: --baseline FILE']);
  // A typo in an output path must not cost a night's work: every path is checked before anything runs.
  for (const path of [opts.junit, opts.summary, opts.json, opts.updateBaseline ? opts.baseline : undefined]) if (path) checkWritable(path);
  if (opts.htmlDir) {
    checkWritable(join(opts.htmlDir, 'index.html'));
    makeFolders(opts.htmlDir, join(opts.htmlDir, 'index.html'));
  }
  const dir = dirArg ?? DEFAULT_FOLDER;
  const { files, skipped } = findScenarioFiles(dir, dirArg !== undefined);
  const shownPath = (f: string) => relative(process.cwd(), f) || f;
  for (const x of skipped) out(`skipped ${shownPath(x.file)}: ${x.reason}, not a scenario`);
  // A first baseline: --update-baseline writes one where none is yet.
  const baseline = opts.baseline && !(opts.updateBaseline && !existsSync(opts.baseline)) ? readBaseline(opts.baseline) : null;
  // Results change between versions: a baseline of another one is compared, and said to be of that version.
  if (baseline && baseline.version !== VERSION) out(`baseline ${opts.baseline} was written by rehearse ${baseline.version}, this is ${VERSION}: what got worse may be the version's doing`);
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
  // The reports of the rehearsals that finished, written once: at the end, or at a second signal.
  let written: CiReport | null = null;
  const writeReports = (): CiReport => {
    if (written) return written;
    if (baseline) compareWithBaseline(cases, baseline);
    const doc = ciReport(cases, VERSION, (performance.now() - started) / 1000, !opts.baselineWarn && !opts.updateBaseline,
      skipped.map((x) => ({ file: shownPath(x.file), reason: x.reason })));
    if (opts.junit) writeText(opts.junit, junitXml(doc));
    if (opts.summary) writeText(opts.summary, markdownSummary(doc));
    if (opts.json) writeJson(opts.json, doc);
    if (opts.htmlDir) {
      writeText(join(opts.htmlDir, SHARED_SCRIPT), chartLibraries());
      writeText(join(opts.htmlDir, 'index.html'), ciIndexHtml(doc, baseline, { librariesFile: SHARED_SCRIPT }));
    }
    written = doc;
    return doc;
  };
  // Rehearsals run on a worker thread: the first SIGINT or SIGTERM ends the one running at once (its thread is
  // terminated) and the reports keep what finished; a second quits at once, after writing them if not yet done.
  const stop = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? 143 : 130;
    if (interrupted) {
      out(`quitting (${signal} again)`);
      try {
        writeReports();
      } finally {
        process.exit(code);
      }
    }
    interrupted = signal;
    stop.abort();
    out(`stopping (${signal}): writing the reports of the rehearsals that finished (${signal} again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await rehearseAll();
    return summary();
  } finally {
    // Only now: until the reports are written, a second signal writes them and quits, instead of ending the
    // process (the default action) before they are on disk.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Interrupted, the command exits with 130 or 143 once this returns: a signal in between quits the same way,
    // never by the default action (which ends the process with no exit code).
    if (interrupted) exitOnSignal(interrupted === 'SIGTERM' ? 143 : 130);
  }

  /**
   * Every scenario and case, each on a thread of the pool, `workers` at a time; reported in the order of the files
   * and cases, whichever finishes first, so that the reports are the same whatever the number of workers. Loading
   * the next ones goes on while the threads run, up to twice as many rehearsals ahead as there are threads. At a
   * signal, what runs is stopped, what finished is reported, and nothing more starts.
   */
  async function rehearseAll(): Promise<void> {
    const workers = opts.workers ?? Math.max(1, availableParallelism());
    let pool: Piscina<RehearsalTask, RehearsalOutcome> | null = null;
    // Each rehearsal's report, in order: null when a signal stopped it.
    const ahead: Promise<(() => void) | null>[] = [];
    const reportDone = async () => (await ahead.shift()!)?.();
    try {
      files: for (const [at, file] of files.entries()) {
        const shown = relative(process.cwd(), file) || file;
        const base = loadScenarioFile(file);
        if (!base.ok) {
          const c = broken(shown, base.problems.map((p) => formatProblem(shown, p)), 'invalid');
          ahead.push(Promise.resolve(() => report(c)));
          continue;
        }
        const names = base.scenario.cases.length ? base.scenario.cases : [undefined];
        for (const [i, name] of names.entries()) {
          await new Promise((resolve) => setImmediate(resolve)); // lets a signal in
          while (ahead.length >= 2 * workers && !interrupted) await reportDone();
          if (interrupted) break files;
          const which = { scenario: base.scenario.name, case: name ?? null };
          const t0 = performance.now();
          const loaded = name === undefined ? base : loadScenarioFile(file, name);
          if (!loaded.ok) {
            const c = { ...broken(shown, loaded.problems.map((p) => formatProblem(shown, p)), 'invalid'), ...which };
            ahead.push(Promise.resolve(() => report(c)));
            continue;
          }
          const tooMuch = opts.force ? [] : overLimits(estimateRun(loaded.scenario));
          if (tooMuch.length) {
            const c = { ...broken(shown, refusal(shown, tooMuch), 'invalid'), ...which };
            ahead.push(Promise.resolve(() => report(c)));
            continue;
          }
          // No more threads than rehearsals, as far as they are known: this file's left, one a file after it.
          pool ??= createPool<RehearsalTask, RehearsalOutcome>(Math.min(workers, names.length - i + files.length - at - 1));
          const loading = (performance.now() - t0) / 1000;
          ahead.push(pool.run({ rehearsal: { file, caseName: name ?? null, seed: opts.seed, shownAs: shown }, limits: readLimits() }, { signal: stop.signal })
            .then((outcome) => () => reportOutcome(outcome, shown, which, loading),
              (err) => (stop.signal.aborted ? null : () => reportOutcome({ error: `the worker failed: ${(err as Error).message}` }, shown, which, loading))));
        }
      }
      while (ahead.length) await reportDone();
    } finally {
      stop.abort();
      // What finished before a signal is reported; the rest was stopped.
      while (ahead.length) await reportDone();
      await pool?.destroy();
    }
  }

  /** A rehearsal's case, from what its thread returned (`loading`: the seconds its scenario took to load here). */
  function reportOutcome(outcome: RehearsalOutcome, shown: string, which: Pick<CiCase, 'scenario' | 'case'>, loading: number): void {
    if ('result' in outcome) {
      const c = caseFromResult(shown, outcome.result, loading + outcome.seconds);
      if (opts.htmlDir) {
        c.page = pages.name(c, shown);
        writeText(join(opts.htmlDir, c.page), runReportHtml(outcome.result, { librariesFile: SHARED_SCRIPT }));
      }
      report(c);
    } else if ('problems' in outcome) {
      report({ ...broken(shown, outcome.problems, 'invalid'), ...which });
    } else {
      report({ ...broken(shown, [outcome.error], 'crashed'), ...which });
    }
  }

  /** Writes the reports and prints the summary. */
  function summary(): CiOutcome {
    const doc = writeReports();
    out('');
    out(ciSummaryTable(doc));
    if (doc.counts.worse > 0) {
      out('');
      out(`worse than the baseline${opts.updateBaseline ? ' (--update-baseline: accepted as the new baseline if every case passes)' : opts.baselineWarn ? ' (--baseline-warn: reported, not failed)' : ''}:`);
      for (const c of cases) if (c.regressions.length) out(`  ${inline(caseName(c))}: ${c.regressions.join('; ')}`);
    }
    // Every file written is named, as `run` names its own: --junit, --summary and --json were written without a word.
    const files = [opts.junit, opts.summary, opts.json, opts.htmlDir && join(opts.htmlDir, 'index.html')].filter((f): f is string => !!f);
    if (files.length) out(`reports written to ${files.join(', ')}`);
    if (opts.updateBaseline && opts.baseline && !interrupted) {
      // Accepting an intended change: tonight's report replaces the baseline, unless a criterion failed.
      const kept = doc.counts.failed + doc.counts.invalid + doc.counts.crashed;
      if (kept === 0) {
        writeJson(opts.baseline, doc);
        out(`baseline ${opts.baseline} ${baseline ? 'updated' : 'written'}: ${plural(doc.counts.cases, 'case')}${doc.counts.worse ? `, ${doc.counts.worse} worse than before (accepted)` : ''}`);
      } else {
        out(`baseline ${opts.baseline} kept: ${plural(kept, 'case')} did not pass, and a night that fails is never a baseline`);
      }
    }
    if (interrupted) {
      out(`interrupted (${interrupted}): ${plural(cases.length, 'rehearsal')} finished and reported; the others did not run`);
      return { ...doc, interrupted };
    }
    return doc;
  }
}

function broken(file: string, messages: string[], status: 'invalid' | 'crashed'): CiCase {
  const name = file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '');
  return { scenario: name, file, case: null, status, messages, seconds: 0, acceptance: [], flags: {}, errorBudgetBurned: null, regressions: [] };
}
