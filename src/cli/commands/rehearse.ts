/** The rehearsal commands: run, validate, ci, sweep, merge and report. */
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import type { Scenario } from '../../scenario/types.js';
import type { RunResult } from '../../score/result.js';
import { seedOption, positiveInt, shardOption, choice, workersOption } from '../options.js';
import { jsonText, STDOUT } from '../json-out.js';
import { EXIT_FAILED, EXIT_OK, type CommandContext } from './context.js';

/** Refuses (exit 2, with the estimate) a run whose work is over the limits, unless forced. */
async function checkWork(file: string, scenario: Scenario, force?: boolean): Promise<void> {
  if (force) return;
  const { estimateRun, overLimits, refusal } = await import('../../scenario/budget.js');
  const reasons = overLimits(estimateRun(scenario));
  if (reasons.length) throw new InputError(refusal(file, reasons));
}

/** What `run --strict` and `validate --strict` both make errors: the warnings of loading a scenario. */
const STRICT_COMMON = 'the scenario\'s warnings (what its flag and cohort files use that rehearse does not model, gate queries and faults that never act, changes that change nothing)';

export function rehearsalCommands(program: Command, { out, err, setExit }: CommandContext): void {
  program
    .command('run')
    .description('simulate a scenario and print what happened')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--seed <n>', 'random seed (default: the scenario\'s)', seedOption)
    .option('--case <name>', 'apply one of the scenario\'s cases')
    .option('--json <file>', 'write the result document (rehearse/run@1) to this file; - for stdout (the summary then goes to stderr)')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--openmetrics <file>', 'write the simulated telemetry as Prometheus series in OpenMetrics text, with timestamps')
    .option('--strict', `${STRICT_COMMON} are errors (exit 2); unlike validate --strict, not those of an imported Argo Rollout or Flagger Canary, stability warnings nor governance findings`)
    .option('-q, --quiet', 'print nothing but errors')
    .option('--force', 'run even when the work estimate is over the limits')
    .option('--traces <file>', 'write sampled journeys as traces to this file')
    .option('--trace-sample <share>', 'journeys to trace: 1%, or errors+1% to keep every journey that failed or was hurt too', '1%')
    .option('--trace-format <format>', 'otlp, jaeger or zipkin', choice(['otlp', 'jaeger', 'zipkin'] as const), 'otlp')
    .action(async (file: string, opts: { seed?: number; case?: string; json?: string; html?: string; openmetrics?: string; quiet?: boolean; force?: boolean; strict?: boolean; traces?: string; traceSample: string; traceFormat: 'otlp' | 'jaeger' | 'zipkin' }, command: Command) => {
      // Options that shape the traces are nothing without them: given alone, they are a mistake to say, not to ignore.
      for (const [key, flag] of [['traceSample', '--trace-sample'], ['traceFormat', '--trace-format']] as const) {
        if (!opts.traces && command.getOptionValueSource(key) === 'cli') throw new InputError([`${flag}: it shapes the traces of --traces: give --traces FILE`]);
      }
      // --json -: the document alone on stdout; what is said for people goes to stderr.
      const toStdout = opts.json === STDOUT;
      // Every output path first: a FIFO, a device, a directory or an unwritable folder is refused before any work.
      const { checkWritable, writeText } = await import('../../files/write.js');
      for (const path of [toStdout ? undefined : opts.json, opts.html, opts.openmetrics, opts.traces]) if (path) checkWritable(path);
      // The programmatic API's functions (src/index.ts): the CLI is built on them.
      const { loadScenario, rehearse, htmlReport } = await import('../../index.js');
      const say = toStdout ? err : out;
      const scenario = loadScenario(file, { case: opts.case, strict: opts.strict, onWarning: (w) => err(`warning: ${w}`) });
      await checkWork(file, scenario, opts.force);
      if (!opts.quiet) for (const w of [...scenario.rollouts.flatMap((p) => p.warnings), ...(await import('../../scenario/stability.js')).stabilityWarnings(scenario).map((w) => `${file}: ${w}`)]) err(`warning: ${w}`);
      const { writeJson } = await import('../../report/json.js');
      const { formatSummary } = await import('../../report/terminal.js');
      const metrics = opts.openmetrics ? await import('../openmetrics.js') : null;
      let series: import('../../metrics/series.js').ScrapeSeries | null = null;
      const tracing = opts.traces ? await import('../traces.js') : null;
      const tracer = tracing ? tracing.tracerFor(opts.traceSample) : undefined;
      const progress = opts.quiet ? null : (await import('../progress.js')).runProgress(scenario);
      let result: RunResult;
      try {
        result = rehearse(scenario, {
          seed: opts.seed,
          observe: (sim) => {
            if (progress) sim.observe({ window: progress.onWindow });
            if (metrics) series = metrics.observe(sim, scenario);
            if (tracing && tracer) tracing.attachTracer(sim, tracer);
          },
        });
      } catch (e) {
        // A run that stops (out of memory) says which scenario it was.
        throw e instanceof InputError ? new InputError(e.lines.map((l) => `${file}: ${l}`)) : e;
      } finally {
        progress?.stop();
      }
      // An event-timed fault whose instant fell at the run's end never acted: said at its place, an error with --strict.
      const late = (await import('../../load/late-faults.js')).lateFaultWarnings(file, scenario, result.outcomes.faults);
      if (opts.strict && late.length) throw new InputError(late);
      for (const w of late) err(`warning: ${w}`);
      if (tracing && tracer && opts.traces) tracing.writeRunTraces(opts.traces, tracer, opts.traceFormat, opts.quiet ? () => {} : say);
      if (toStdout) out(jsonText(result));
      else if (opts.json) writeJson(opts.json, result);
      if (opts.openmetrics && metrics && series) metrics.writeSeries(opts.openmetrics, series);
      if (opts.html) writeText(opts.html, await htmlReport(result));
      if (!opts.quiet) {
        say(formatSummary(result, scenario.cases));
        if (opts.json && !toStdout) say(`\nresult written to ${opts.json}`);
        if (opts.html) say(`report written to ${opts.html}`);
        if (opts.openmetrics) say(`series written to ${opts.openmetrics}`);
      }
      setExit(result.passed ? EXIT_OK : EXIT_FAILED);
    });

  program
    .command('validate')
    .description('check scenario files without running them')
    .argument('<files...>', 'scenario files')
    .option('--strict', `every warning is an error (exit 2): ${STRICT_COMMON} for the file and each of its cases (as run --strict does for what it runs), and those of an imported Argo Rollout or Flagger Canary (what it holds that is not rehearsed, pauses no one ends), stability warnings and governance findings (rehearse lint)`)
    .action(async (files: string[], opts: { strict?: boolean }) => {
      const { loadScenarioFile } = await import('../../load/scenario.js');
      const { formatProblem } = await import('../../scenario/problems.js');
      const errors: string[] = [];
      for (const file of files) {
        const loaded = loadScenarioFile(file);
        if (!loaded.ok) {
          errors.push(...loaded.problems.map((p) => formatProblem(file, p)));
          continue;
        }
        // The loader loaded every case with the file: a patch can break what the base scenario gets right.
        const { lintScenario, formatFinding } = await import('../../lint/lint.js');
        const findings = [...lintScenario(file, loaded.scenario, loaded.input).map(formatFinding), ...(await import('../../scenario/stability.js')).stabilityWarnings(loaded.scenario).map((w) => `${file}: ${w}`)];
        const warned = [...loaded.warnings, ...loaded.scenario.rollouts.flatMap((p) => p.warnings), ...findings];
        if (opts.strict && warned.length) errors.push(...warned);
        if (opts.strict && warned.length) continue;
        for (const w of warned) err(`warning: ${w}`);
        const { plural } = await import('../../units/format.js');
        const s = loaded.scenario;
        const cases = s.cases.length ? `, ${plural(s.cases.length, 'case')}` : '';
        out(`${file}: ok (${plural(s.services.length, 'service')}, ${plural(s.journeys.length, 'journey')}, ${plural(s.flags.length, 'flag')}${cases})`);
      }
      if (errors.length) throw new InputError(errors);
    });

  program
    .command('ci')
    .description('run every scenario of a folder, and each of its cases, against its acceptance criteria')
    .argument('[dir]', 'folder of scenario files (default: rehearsals, where rehearse init writes them)')
    .option('--junit <file>', 'write JUnit XML')
    .option('--summary <file>', 'write a Markdown summary (for a GitHub Actions step summary)')
    .option('--json <file>', 'write the CI report (rehearse/ci@1), usable as a later baseline; - for stdout')
    .option('--baseline <file>', 'an earlier --json report: outcomes that got worse fail the run (exit 1)')
    .option('--baseline-warn', 'with --baseline: report outcomes that got worse without failing')
    .option('--update-baseline', 'with --baseline: accept what changed; this run\'s report replaces the baseline when every case passes')
    .option('--require-criteria', 'a scenario or case with no acceptance criteria fails')
    .option('--seed <n>', 'random seed for every run (default: each scenario\'s)', seedOption)
    .option('--html-dir <dir>', 'write an HTML report per scenario and case, and an index')
    .option('--force', 'run rehearsals even when their work estimate is over the limits')
    .option('--strict', 'governance findings (rehearse lint) fail the run')
    .option('--workers <n>', 'rehearsals run at once, each on a worker thread (default: the cores available); the reports are the same whatever the number', workersOption)
    .action(async (dir: string | undefined, opts: { junit?: string; summary?: string; json?: string; baseline?: string; seed?: number; htmlDir?: string; force?: boolean; baselineWarn?: boolean; updateBaseline?: boolean; requireCriteria?: boolean; strict?: boolean; workers?: number }) => {
      const { findScenarioFiles, runCi, DEFAULT_FOLDER } = await import('../ci.js');
      // --json -: the report alone on stdout; the lines per case and the table go to stderr.
      const toStdout = opts.json === STDOUT;
      const say = toStdout ? err : out;
      const { interrupted, ...report } = await runCi(dir, { ...opts, json: toStdout ? undefined : opts.json }, say);
      if (toStdout) out(jsonText(report));
      let lintFailed = false;
      if (opts.strict && !interrupted) {
        // Files that do not load are already failed cases of the run.
        const { lintFiles, formatFinding } = await import('../lint.js');
        const findings = findScenarioFiles(dir ?? DEFAULT_FOLDER).files.flatMap((f) => {
          try {
            return lintFiles([f]);
          } catch (e) {
            if (e instanceof InputError) return [];
            throw e;
          }
        });
        for (const f of findings) say(`LINT    ${formatFinding(f)}`);
        lintFailed = findings.length > 0;
      }
      setExit(interrupted ? (interrupted === 'SIGTERM' ? 143 : 130) : report.passed && !lintFailed ? EXIT_OK : EXIT_FAILED);
    });

  program
    .command('sweep')
    .description('Monte Carlo sweep of the scenario\'s tune block: seeds x cases x policies, on a worker pool')
    .argument('<scenario>', 'scenario file with a tune block')
    .option('--seeds <n>', 'runs per policy and case (default: tune.seeds)', positiveInt)
    .option('--workers <n>', 'worker threads (default: the cores available)', workersOption)
    .option('--json <file>', 'write the sweep document (rehearse/sweep@1); - for stdout (the rest then goes to stderr)')
    .option('--html <file>', 'write a self-contained HTML report of the sweep')
    .option('--shard <i/n>', 'run only slice i of n (merge the slices with rehearse merge)', shardOption)
    .option('--resume <file>', 'continue an interrupted sweep from its --json document')
    .option('--write-back <dir>', 'write the recommended values into copies of the imported Rollout / Canary files in this folder')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--force', 'run even when the work estimate is over the limits')
    .action(async (file: string, opts: { seeds?: number; workers?: number; json?: string; html?: string; shard?: { index: number; count: number }; resume?: string; quiet?: boolean; force?: boolean; writeBack?: string }) => {
      const { sweepCommand } = await import('../sweep.js');
      setExit(await sweepCommand(file, opts, out, err));
    });

  program
    .command('merge')
    .description('combine shard documents of one sweep into the document a single run gives')
    .argument('<scenario>', 'the scenario file the sweep ran')
    .argument('<files...>', 'shard documents (--json of each rehearse sweep --shard)')
    .option('--json <file>', 'write the merged document; - for stdout (the rest then goes to stderr)')
    .option('--html <file>', 'write a self-contained HTML report of it')
    .option('--force', 'merge shards of a sweep that ran over the work limits (with --force)')
    .action(async (scenario: string, files: string[], opts: { json?: string; html?: string; force?: boolean }) => {
      const { mergeCommand } = await import('../sweep.js');
      setExit(mergeCommand(scenario, files, opts, out, err));
    });

  program
    .command('report')
    .description('turn a result document (run, sweep or calibration check) into a self-contained HTML report')
    .argument('<result>', 'a --json document of rehearse run or rehearse sweep, or a calibrate --check-json document')
    .requiredOption('--html <file>', 'the HTML file to write')
    .action(async (file: string, opts: { html: string }) => {
      const { checkWritable, writeText } = await import('../../files/write.js');
      const { readDocument, versionLine } = await import('../documents.js');
      checkWritable(opts.html);
      const doc = readDocument(file, ['rehearse/run@1', 'rehearse/sweep@1', 'rehearse/calibration-check@1'], 'write one with rehearse run --json, rehearse sweep --json or rehearse calibrate --check-json');
      writeText(opts.html, await (await import('../../index.js')).htmlReport(doc));
      // As ci --baseline and gameday replay do: results change between versions, so another version's are named as such.
      const other = versionLine(file, doc);
      if (other) out(other);
      out(`report written to ${opts.html}`);
    });

}
