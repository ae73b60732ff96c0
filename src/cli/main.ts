/**
 * The command line: the only place that reads the environment, writes to the terminal and exits.
 * Exit codes: 0 ok, 1 acceptance criteria failed, 2 invalid input or usage.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { InputError } from '../errors.js';
import { escapeControls } from '../report/escape.js';
import type { Scenario } from '../scenario/types.js';
import type { RunResult } from '../score/result.js';
import { DEFAULT_SEGMENTS } from '../cohorts/segments.js';
import { BUCKETING_SYSTEMS, type BucketingSystem } from '../flags/bucketing.js';
import { VERSION } from '../version.js';
import { applyReadLimits } from './limits.js';
import { registerGameday } from './gameday-commands.js';

// Commands load what they need when they run: `--version`, `--help` and `validate` stay fast because the
// charts, faker, the worker pool and the statistics are imported only by the commands that use them.
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_INVALID = 2;

/** Refuses (exit 2, with the estimate) a run whose work is over the limits, unless forced. */
async function checkWork(file: string, scenario: Scenario, force?: boolean): Promise<void> {
  if (force) return;
  const { estimateRun, overLimits, refusal } = await import('../scenario/budget.js');
  const reasons = overLimits(estimateRun(scenario));
  if (reasons.length) throw new InputError(refusal(file, reasons));
}

function seedOption(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('the seed is a whole number, 0 or more');
  }
  return Number(value);
}

function choice<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return value as T;
  };
}

function shardOption(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new InvalidArgumentError('a shard is i/n with 1 <= i <= n, e.g. 2/8');
  return { index: Number(m[1]), count: Number(m[2]) };
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  if (!Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`a whole number up to ${Number.MAX_SAFE_INTEGER}`);
  return Number(value);
}

/** A whole number of any size: the command compares it with its own limit (which --force lifts). */
function countOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  return Number(value);
}

function collectSegment(value: string, previous: Record<string, number>): Record<string, number> {
  const bare = /^([A-Za-z][\w-]*)=(\d+(?:\.\d+)?)$/.exec(value);
  if (bare) throw new InvalidArgumentError(`a share is a percentage: write ${bare[1]}=${bare[2]}%${Number(bare[2]) > 0 && Number(bare[2]) < 1 ? ` (or ${bare[1]}=${+(Number(bare[2]) * 100).toPrecision(12)}% if ${bare[2]} is a fraction)` : ''}`);
  const m = /^([A-Za-z][\w-]*)=(\d+(?:\.\d+)?)%$/.exec(value);
  if (!m) throw new InvalidArgumentError('a segment is name=share, e.g. beta=5%');
  const share = Number(m[2]) / 100;
  if (share <= 0) throw new InvalidArgumentError('a segment needs a share above 0% (leave out a segment with no users)');
  const total = Object.values(previous).reduce((a, b) => a + b, 0) + share;
  if (total > 1 + 1e-9) throw new InvalidArgumentError('segment shares add up to more than 100%');
  return { ...previous, [m[1]]: share };
}

/** Shares that leave part of the users unnamed put them in "general". */
function withRemainder(segments: Record<string, number>): Record<string, number> {
  const rest = 1 - Object.values(segments).reduce((a, b) => a + b, 0);
  return rest > 1e-9 && !('general' in segments) ? { general: rest, ...segments } : segments;
}

function speedOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 100_000) throw new InvalidArgumentError('a speed factor from 0.1 to 100000');
  return n;
}

function portOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port from 0 to 65535');
  return Number(value);
}

function collectAttribute(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function percentOption(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100 || value.trim() === '') throw new InvalidArgumentError('a percentage from 0 to 100');
  return n;
}

export function buildProgram(out: (s: string) => void, setExit: (code: number) => void, err: (s: string) => void = console.error): Command {
  const program = new Command('rehearse')
    .description('Rehearse staged feature-flag rollouts in a discrete-event simulation.')
    .version(VERSION)
    .showHelpAfterError('(run "rehearse --help" for usage)')
    // Options belong to the command they follow (gameday's --name is not gameday ctl's).
    .enablePositionalOptions()
    .exitOverride()
    // Before the commands are made, so that each inherits it (commander copies output settings on creation).
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) });

  program
    .command('run')
    .description('simulate a scenario and print what happened')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--seed <n>', 'random seed (default: the scenario\'s)', seedOption)
    .option('--case <name>', 'apply one of the scenario\'s cases')
    .option('--json <file>', 'write the result document (rehearse/run@1) to this file')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--openmetrics <file>', 'write the simulated telemetry as Prometheus series in OpenMetrics text, with timestamps')
    .option('--strict', 'what flag files use that rehearse does not model is an error (exit 2)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--force', 'run even when the work estimate is over the limits')
    .option('--traces <file>', 'write sampled journeys as traces to this file')
    .option('--trace-sample <share>', 'journeys to trace: 1%, or errors+1% to keep every journey that failed or was hurt too', '1%')
    .option('--trace-format <format>', 'otlp, jaeger or zipkin', choice(['otlp', 'jaeger', 'zipkin'] as const), 'otlp')
    .action(async (file: string, opts: { seed?: number; case?: string; json?: string; html?: string; openmetrics?: string; quiet?: boolean; force?: boolean; strict?: boolean; traces?: string; traceSample: string; traceFormat: 'otlp' | 'jaeger' | 'zipkin' }) => {
      // Every output path first: a FIFO, a device, a directory or an unwritable folder is refused before any work.
      const { checkWritable, writeText } = await import('../files/write.js');
      for (const path of [opts.json, opts.html, opts.openmetrics, opts.traces]) if (path) checkWritable(path);
      // The programmatic API's functions (src/index.ts): the CLI is built on them.
      const { loadScenario, rehearse, htmlReport } = await import('../index.js');
      const scenario = loadScenario(file, { case: opts.case, strict: opts.strict, onWarning: (w) => err(`warning: ${w}`) });
      await checkWork(file, scenario, opts.force);
      if (!opts.quiet) for (const plan of scenario.rollouts) for (const w of plan.warnings) err(`warning: ${w}`);
      const { writeJson } = await import('../report/json.js');
      const { formatSummary } = await import('../report/terminal.js');
      const metrics = opts.openmetrics ? await import('./openmetrics.js') : null;
      let series: import('../metrics/series.js').ScrapeSeries | null = null;
      const tracing = opts.traces ? await import('./traces.js') : null;
      const tracer = tracing ? tracing.tracerFor(opts.traceSample) : undefined;
      const progress = opts.quiet ? null : (await import('./progress.js')).runProgress(scenario);
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
      if (tracing && tracer && opts.traces) tracing.writeRunTraces(opts.traces, tracer, opts.traceFormat, opts.quiet ? () => {} : out);
      if (opts.json) writeJson(opts.json, result);
      if (opts.openmetrics && metrics && series) metrics.writeSeries(opts.openmetrics, series);
      if (opts.html) writeText(opts.html, await htmlReport(result));
      if (!opts.quiet) {
        out(formatSummary(result));
        if (opts.json) out(`\nresult written to ${opts.json}`);
        if (opts.html) out(`report written to ${opts.html}`);
        if (opts.openmetrics) out(`series written to ${opts.openmetrics}`);
      }
      setExit(result.passed ? EXIT_OK : EXIT_FAILED);
    });

  program
    .command('validate')
    .description('check scenario files without running them')
    .argument('<files...>', 'scenario files')
    .option('--strict', 'warnings (flag file and resource features not modelled, pauses no one ends, governance findings) are errors')
    .action(async (files: string[], opts: { strict?: boolean }) => {
      const { loadScenarioFile } = await import('../load/scenario.js');
      const { formatProblem } = await import('../scenario/problems.js');
      const errors: string[] = [];
      for (const file of files) {
        const loaded = loadScenarioFile(file);
        if (!loaded.ok) {
          errors.push(...loaded.problems.map((p) => formatProblem(file, p)));
          continue;
        }
        // Every case too: a patch can break what the base scenario gets right.
        const broken = loaded.scenario.cases.flatMap((c) => {
          const l = loadScenarioFile(file, c);
          return l.ok ? [] : l.problems.map((p) => formatProblem(file, p));
        });
        if (broken.length) errors.push(...broken);
        else {
          const { lintScenario, formatFinding } = await import('../lint/lint.js');
          const findings = lintScenario(file, loaded.scenario, loaded.input).map(formatFinding);
          const warned = [...loaded.warnings, ...loaded.scenario.rollouts.flatMap((p) => p.warnings), ...findings];
          if (opts.strict && warned.length) errors.push(...warned);
          if (opts.strict && warned.length) continue;
          for (const w of warned) err(`warning: ${w}`);
          const { plural } = await import('../units/format.js');
          const s = loaded.scenario;
          const cases = s.cases.length ? `, ${plural(s.cases.length, 'case')}` : '';
          out(`${file}: ok (${plural(s.services.length, 'service')}, ${plural(s.journeys.length, 'journey')}, ${plural(s.flags.length, 'flag')}${cases})`);
        }
      }
      if (errors.length) throw new InputError(errors);
    });

  program
    .command('ci')
    .description('run every scenario of a directory, and each of its cases, against its acceptance criteria')
    .argument('[dir]', 'directory of scenario files', 'scenarios')
    .option('--junit <file>', 'write JUnit XML')
    .option('--summary <file>', 'write a Markdown summary (for a GitHub Actions step summary)')
    .option('--json <file>', 'write the CI report (rehearse/ci@1), usable as a later baseline')
    .option('--baseline <file>', 'an earlier --json report: outcomes that got worse fail the run (exit 1)')
    .option('--baseline-warn', 'with --baseline: report outcomes that got worse without failing')
    .option('--require-criteria', 'a scenario or case with no acceptance criteria fails')
    .option('--seed <n>', 'random seed for every run (default: each scenario\'s)', seedOption)
    .option('--html-dir <dir>', 'write an HTML report per scenario and case, and an index')
    .option('--force', 'run rehearsals even when their work estimate is over the limits')
    .option('--strict', 'governance findings (rehearse lint) fail the run')
    .action(async (dir: string, opts: { junit?: string; summary?: string; json?: string; baseline?: string; seed?: number; htmlDir?: string; force?: boolean; baselineWarn?: boolean; requireCriteria?: boolean; strict?: boolean }) => {
      const { runCi } = await import('./ci.js');
      const report = await runCi(dir, opts, out);
      let lintFailed = false;
      if (opts.strict && !report.interrupted) {
        // Files that do not load are already failed cases of the run.
        const { lintFiles, scenarioFilesOf, formatFinding } = await import('./lint.js');
        const findings = scenarioFilesOf(dir).flatMap((f) => {
          try {
            return lintFiles([f]);
          } catch (e) {
            if (e instanceof InputError) return [];
            throw e;
          }
        });
        for (const f of findings) out(`LINT    ${formatFinding(f)}`);
        lintFailed = findings.length > 0;
      }
      setExit(report.interrupted ? (report.interrupted === 'SIGTERM' ? 143 : 130) : report.passed && !lintFailed ? EXIT_OK : EXIT_FAILED);
    });

  program
    .command('sweep')
    .description('Monte Carlo sweep of the scenario\'s tune block: seeds x cases x policies, on a worker pool')
    .argument('<scenario>', 'scenario file with a tune block')
    .option('--seeds <n>', 'runs per policy and case (default: tune.seeds)', positiveInt)
    .option('--workers <n>', 'worker threads (default: the cores available)', positiveInt)
    .option('--json <file>', 'write the sweep document (rehearse/sweep@1)')
    .option('--html <file>', 'write a self-contained HTML report of the sweep')
    .option('--shard <i/n>', 'run only slice i of n (merge the slices with rehearse merge)', shardOption)
    .option('--resume <file>', 'continue an interrupted sweep from its --json document')
    .option('--write-back <dir>', 'write the recommended values into copies of the imported Rollout / Canary files in this folder')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--force', 'run even when the work estimate is over the limits')
    .action(async (file: string, opts: { seeds?: number; workers?: number; json?: string; html?: string; shard?: { index: number; count: number }; resume?: string; quiet?: boolean; force?: boolean; writeBack?: string }) => {
      const { sweepCommand } = await import('./sweep.js');
      setExit(await sweepCommand(file, opts, out, err));
    });

  program
    .command('merge')
    .description('combine shard documents of one sweep into the document a single run gives')
    .argument('<scenario>', 'the scenario file the sweep ran')
    .argument('<files...>', 'shard documents (--json of each rehearse sweep --shard)')
    .option('--json <file>', 'write the merged document')
    .option('--html <file>', 'write a self-contained HTML report of it')
    .option('--force', 'merge shards of a sweep that ran over the work limits (with --force)')
    .action(async (scenario: string, files: string[], opts: { json?: string; html?: string; force?: boolean }) => {
      const { mergeCommand } = await import('./sweep.js');
      setExit(mergeCommand(scenario, files, opts, out));
    });

  program
    .command('report')
    .description('turn a result document (run or sweep) into a self-contained HTML report')
    .argument('<result>', 'a --json document of rehearse run or rehearse sweep')
    .requiredOption('--html <file>', 'the HTML file to write')
    .action(async (file: string, opts: { html: string }) => {
      const { checkWritable, writeText } = await import('../files/write.js');
      const { readDocument } = await import('./documents.js');
      checkWritable(opts.html);
      const doc = readDocument(file, ['rehearse/run@1', 'rehearse/sweep@1'], 'write one with rehearse run --json or rehearse sweep --json');
      writeText(opts.html, await (await import('../index.js')).htmlReport(doc));
      out(`report written to ${opts.html}`);
    });

  const cohorts = program.command('cohorts').description('synthetic user cohorts');
  cohorts
    .command('generate')
    .description('generate a cohort of synthetic users (same seed, same file)')
    .requiredOption('--size <n>', 'number of users', countOption)
    .requiredOption('--out <file>', 'cohort file to write, e.g. cohorts/shoppers.json')
    .option('--seed <n>', 'random seed', seedOption, 1)
    .option('--name <name>', 'cohort name (default: the file name)')
    .option('--attribute <name=values>', 'a further user attribute, repeatable: plan=free:70%,pro:25%,enterprise:5% or email=faker:internet.email', collectAttribute, [])
    .option('--segment <name=share>', `a named segment and its share, repeatable (default: ${Object.entries(DEFAULT_SEGMENTS).map(([k, v]) => `${k}=${v * 100}%`).join(' ')})`, collectSegment, {})
    .option('--force', 'generate even when the size is over the limit')
    .action(async (opts: { size: number; out: string; seed: number; name?: string; segment: Record<string, number>; attribute: string[]; force?: boolean }) => {
      const { LIMITS } = await import('../scenario/defaults.js');
      if (opts.size > LIMITS.cohortUsers && !opts.force) {
        const { sci } = await import('../scenario/budget.js');
        throw new InputError([`--size: ${sci(opts.size)} users would take about ${sci(opts.size / 60_000)} s and ${sci(opts.size * 500)} bytes of memory, over the limit of ${sci(LIMITS.cohortUsers)} users; rerun with --force to generate anyway (limits: docs/limits.md, "Hostile input and limits")`]);
      }
      if (!Number.isSafeInteger(opts.size)) throw new InputError([`--size: a whole number up to ${Number.MAX_SAFE_INTEGER}, even with --force`]);
      const { cohortDocument, generateCohort } = await import('../cohorts/cohort.js');
      const { parseAttributeOption } = await import('../cohorts/attributes.js');
      const attributes = opts.attribute.map((a) => {
        const r = parseAttributeOption(a);
        if (!r.ok) throw new InputError([`--attribute ${a}: ${r.message}`]);
        return r.spec;
      });
      const { writeJson } = await import('../report/json.js');
      (await import('../files/write.js')).checkWritable(opts.out);
      const segments = Object.keys(opts.segment).length ? withRemainder(opts.segment) : DEFAULT_SEGMENTS;
      const name = opts.name ?? opts.out.replace(/^.*\//, '').replace(/\.json$/, '');
      let cohort;
      try {
        cohort = generateCohort({ name, size: opts.size, seed: opts.seed, segments, attributes });
      } catch (e) {
        throw new InputError([`--attribute: ${(e as Error).message}`]);
      }
      writeJson(opts.out, cohortDocument(cohort), true);
      const counts = Object.keys(segments).map((s) => `${s} ${cohort.segment.filter((x) => x === s).length.toLocaleString('en-US')}`);
      const { plural } = await import('../units/format.js');
      out(`${opts.out}: ${plural(opts.size, 'user')} (seed ${opts.seed}): ${counts.join(', ')}`);
    });

  program
    .command('bucket')
    .description('show where a user falls in a flag\'s rollout, as the named flag system computes it')
    .requiredOption('--system <name>', `flag system: ${BUCKETING_SYSTEMS.join(', ')}`, choice(BUCKETING_SYSTEMS))
    .requiredOption('--flag <key>', 'flag key')
    .requiredOption('--user <id>', 'targeting key (user id)')
    .option('--salt <s>', 'LaunchDarkly salt, Unleash groupId or GrowthBook seed (default: the flag key)')
    .option('--seed <n>', 'LaunchDarkly rollout seed (an integer)', seedOption)
    .option('--hash-version <v>', 'GrowthBook hash version: 1 or 2 (default 2)', choice(['1', '2'] as const))
    .option('--percent <p>', 'rollout percentage to test, e.g. 5 or 12.5', percentOption)
    .action(async (opts: { system: BucketingSystem; flag: string; user: string; salt?: string; seed?: number; hashVersion?: '1' | '2'; percent?: number }) => {
      const { bucketOf, inRollout } = await import('../flags/bucketing.js');
      const { expressible } = await import('../scenario/exposure.js');
      const b = bucketOf(opts.system, opts.flag, opts.user, {
        salt: opts.salt, seed: opts.seed, hashVersion: opts.hashVersion ? (Number(opts.hashVersion) as 1 | 2) : undefined,
      });
      out(`${opts.system}: flag "${opts.flag}", user "${opts.user}": ${b.native}`);
      out(`in a rollout of P% for every P above ${(Math.max(b.rank, 0) / 1000).toFixed(3)}%`);
      if (opts.percent !== undefined) {
        const why = expressible(opts.system, opts.percent);
        if (why) throw new InputError([`--percent: ${why}`]);
        out(`at ${opts.percent}%: ${inRollout(b.rank, opts.percent) ? 'IN' : 'OUT'}`);
      }
    });

  registerGameday(program, { speed: speedOption, port: portOption, seed: seedOption, gates: choice(['on', 'advisory', 'off'] as const) }, { out, err }, setExit);

  program
    .command('lint')
    .description('governance checks: owners, rollback plans, dependency cycles, ramp order, locks, conflicts, expiry')
    .argument('<files...>', 'scenario files')
    .option('--today <date>', 'the date expiry is checked against, YYYY-MM-DD (default: today)')
    .option('--json', 'print the findings as JSON')
    .action(async (files: string[], opts: { today?: string; json?: boolean }) => {
      if (opts.today !== undefined && !/^\d{4}-\d\d-\d\d$/.test(opts.today)) throw new InputError(['--today: a date, YYYY-MM-DD']);
      const { lintCommand } = await import('./lint.js');
      setExit(lintCommand(files, opts, out));
    });

  const exportCommand = program.command('export').description('carry a scenario into other tools');
  exportCommand
    .command('k6')
    .description('write a k6 load test (TypeScript) that replays the scenario\'s journeys against a real environment')
    .argument('<scenario>', 'scenario file; each journey step\'s endpoint needs http: { method, path }')
    .requiredOption('--base-url <url>', 'the environment\'s base URL (the script reads BASE_URL first)')
    .option('--out <file>', 'write the script here (default: print it)')
    .option('--key-header <name>', 'header that carries the user\'s targeting key', 'X-Targeting-Key')
    .action(async (file: string, opts: { baseUrl: string; out?: string; keyHeader: string }) => {
      const { exportK6Command } = await import('./export.js');
      exportK6Command(file, opts, out);
    });

  const flagsCommand = program.command('flags').description('flags of flag system files (flagd, Unleash, LaunchDarkly)');
  flagsCommand
    .command('eval')
    .description('evaluate a flag for a context, as the flag\'s own system does')
    .argument('<file>', 'a flag file, or a scenario whose flags.from names one')
    .requiredOption('--flag <key>', 'flag key')
    .requiredOption('--context <json>', 'evaluation context in the system\'s own form (OpenFeature, Unleash or LaunchDarkly)')
    .option('--system <name>', 'flagd, unleash or launchdarkly (default: detected from the file)', choice(['flagd', 'unleash', 'launchdarkly'] as const))
    .option('--environment <name>', 'the Unleash environment to serve (a state export may hold several)')
    .option('--default <json>', 'the value the calling code passes as its default: served on an evaluation error, as the SDK serves it')
    .option('--json', 'print one JSON object: flag, enabled, variant, value, reason, bucket')
    .action(async (file: string, opts: { flag: string; context: string; system?: 'flagd' | 'unleash' | 'launchdarkly'; json?: boolean; environment?: string; default?: string }) => {
      const { evaluateFlag, formatEvaluation } = await import('./flags.js');
      const e = evaluateFlag(file, opts);
      out(opts.json ? JSON.stringify(e) : formatEvaluation(e));
    });

  const importCommand = program.command('import').description('bring definitions from other tools');
  importCommand
    .command('flags')
    .description('print the scenario flags: entries that take a flag system file\'s flags')
    .argument('<system>', 'flagd, unleash or launchdarkly', choice(['flagd', 'unleash', 'launchdarkly'] as const))
    .argument('<file>', 'the flag file')
    .option('--strict', 'features of the file that rehearse does not model are errors')
    .option('--inline', 'the flags in rehearse\'s own format where it can say the same, each checked user by user against the system')
    .option('--cohort <file>', 'with --inline: the users to check on (default: 10,000 generated)')
    .option('--environment <name>', 'the Unleash environment to import (a state export may hold several)')
    .action(async (system: 'flagd' | 'unleash' | 'launchdarkly', file: string, opts: { strict?: boolean; inline?: boolean; cohort?: string; environment?: string }) => {
      const { importFlags, importFlagsInline } = await import('./flags.js');
      const r = opts.inline ? importFlagsInline(system, file, opts.cohort, opts.environment) : importFlags(system, file, opts.environment);
      if (opts.strict && r.warnings.length) throw new InputError(r.warnings);
      for (const w of r.warnings) err(`warning: ${w}`);
      out(r.yaml.trimEnd());
    });
  for (const format of ['argo', 'flagger'] as const) {
    importCommand
      .command(format)
      .description(format === 'argo' ? 'print the native rehearse plan equivalent to a Rollout and its AnalysisTemplates' : 'print the native rehearse plan equivalent to a Canary and its MetricTemplates')
      .argument('<files...>', format === 'argo' ? 'the Rollout and the AnalysisTemplates it names (YAML)' : 'the Canary and the MetricTemplates it names (YAML)')
      .option('--flag <key>', 'the flag the plan rolls out', 'new-feature')
      .action(async (files: string[], opts: { flag: string }) => {
        const { importCommand: importPlan } = await import('./import.js');
        const r = importPlan(format, files, opts.flag);
        for (const w of r.warnings) err(`warning: ${w}`);
        out(r.text.trimEnd());
      });
  }

  program
    .command('init')
    .description('scaffold a first rehearsal: a commented scenario, its README and a nightly GitHub workflow')
    .argument('[dir]', 'the project folder (new, or empty but for package.json, git files and node_modules)', '.')
    .option('--template <name>', 'scaffold template (release)')
    .option('--force', 'write into a folder that is not empty, overwriting the scaffold\'s files')
    .option('--from-traces <file>', 'also calibrate a scenario from trace files (rehearse calibrate)')
    .option('--from-argo <file>', 'also import the rollout plan of an Argo Rollout (rehearse import argo)')
    .action(async (dir: string, opts: { template?: string; force?: boolean; fromTraces?: string; fromArgo?: string }) => {
      const { initCommand } = await import('./init.js');
      // Hand-overs run the other commands of this program, when this version has them.
      const runCommand = async (argv: string[], sink: (s: string) => void): Promise<number | null> => {
        if (!buildProgram(sink, () => {}, err).commands.some((c) => c.name() === argv[0])) return null;
        return main(argv, { out: sink, err });
      };
      setExit(await initCommand(dir, opts, out, runCommand));
    });

  program
    .command('calibrate')
    .description('infer a scenario from trace files (Jaeger, Zipkin v2 or OTLP JSON)')
    .argument('<traces...>', 'trace files')
    .option('--out <file>', 'write the scenario here (default: print it)')
    .option('--group-by <how>', 'endpoints from span names (name), the http.route attribute (http.route) or regex:PATTERN', 'name')
    .option('--latency <how>', 'write own latency as empirical quantiles or a fitted lognormal', choice(['empirical', 'lognormal'] as const), 'empirical')
    .option('--sample-rate <share>', 'share of traces the files hold, e.g. 10% (scales the arrival rate)')
    .option('--name <name>', 'the scenario\'s name', 'calibrated')
    .option('--duration <d>', 'the scenario\'s simulated horizon', '10m')
    .option('-q, --quiet', 'print nothing but warnings and errors')
    .action(async (files: string[], opts: Record<string, string | boolean | undefined>) => {
      const { calibrateCommand } = await import('./calibrate.js');
      calibrateCommand(files, opts, out, err);
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .option('--out <file>', 'write it to a file instead')
    .action(async (opts: { out?: string }) => {
      const { scenarioJsonSchema } = await import('../scenario/schema.js');
      const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
      if (opts.out) (await import('../files/write.js')).writeText(opts.out, text);
      else out(text.trimEnd());
    });

  return program;
}

/**
 * Text for a terminal: control characters that names in a file may carry (a screen clear, a window title,
 * a cursor move, a colour code) are shown escaped (\x1b, \u009b). Tabs and newlines pass. rehearse's own
 * output has no colour codes (tables are drawn without styles), so every ESC comes from user data.
 */
export function terminalSafe(s: string): string {
  return escapeControls(s, '\t\n');
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], raw = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) }): Promise<number> {
  const io = { out: (s: string) => raw.out(terminalSafe(s)), err: (s: string) => raw.err(terminalSafe(s)) };
  let code = EXIT_OK;
  const program = buildProgram(io.out, (c) => (code = c), io.err);
  program.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  try {
    // Limits on what is read (REHEARSE_MAX_SCENARIO and the like): read here, like every environment variable.
    applyReadLimits(process.env);
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof InputError) {
      for (const line of err.lines) io.err(line);
      return EXIT_INVALID;
    }
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_INVALID;
    }
    throw err;
  }
}
