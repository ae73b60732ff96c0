/**
 * The command line: the only place that reads the environment, writes to the terminal and exits.
 * Exit codes: 0 ok, 1 acceptance criteria failed, 2 invalid input or usage.
 */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { InputError } from '../errors.js';
import { writeJson } from '../report/json.js';
import { formatSummary } from '../report/terminal.js';
import { loadScenarioFile } from '../scenario/load.js';
import { formatProblem } from '../scenario/problems.js';
import { scenarioJsonSchema } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { runScenario } from '../score/result.js';
import { VERSION } from '../version.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_INVALID = 2;

function loadOrThrow(file: string): Scenario {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new InputError(loaded.problems.map((p) => formatProblem(file, p)));
  return loaded.scenario;
}

function seedOption(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('the seed is a whole number, 0 or more');
  }
  return Number(value);
}

export function buildProgram(out: (s: string) => void, setExit: (code: number) => void): Command {
  const program = new Command('rehearse')
    .description('Rehearse staged feature-flag rollouts in a discrete-event simulation.')
    .version(VERSION)
    .showHelpAfterError('(run "rehearse --help" for usage)')
    .exitOverride();

  program
    .command('run')
    .description('simulate a scenario and print what happened')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--seed <n>', 'random seed (default: the scenario\'s)', seedOption)
    .option('--json <file>', 'write the result document (rehearse/run@1) to this file')
    .option('-q, --quiet', 'print nothing but errors')
    .action((file: string, opts: { seed?: number; json?: string; quiet?: boolean }) => {
      const scenario = loadOrThrow(file);
      const result = runScenario(scenario, { seed: opts.seed });
      if (opts.json) writeJson(opts.json, result);
      if (!opts.quiet) {
        out(formatSummary(result));
        if (opts.json) out(`\nresult written to ${opts.json}`);
      }
      setExit(result.passed ? EXIT_OK : EXIT_FAILED);
    });

  program
    .command('validate')
    .description('check scenario files without running them')
    .argument('<files...>', 'scenario files')
    .action((files: string[]) => {
      const errors: string[] = [];
      for (const file of files) {
        const loaded = loadScenarioFile(file);
        if (loaded.ok) out(`${file}: ok (${loaded.scenario.services.length} services, ${loaded.scenario.journeys.length} journeys)`);
        else errors.push(...loaded.problems.map((p) => formatProblem(file, p)));
      }
      if (errors.length) throw new InputError(errors);
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .option('--out <file>', 'write it to a file instead')
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
      if (opts.out) writeFileSync(opts.out, text);
      else out(text.trimEnd());
    });

  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export function main(argv: string[], io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) }): number {
  let code = EXIT_OK;
  const program = buildProgram(io.out, (c) => (code = c));
  program.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  try {
    program.parse(argv, { from: 'user' });
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
