/**
 * The command line: the only place that reads the environment, writes to the terminal and exits.
 * Exit codes: 0 ok, 1 acceptance criteria failed, 2 invalid input or usage.
 */
import { Command, CommanderError } from 'commander';
import { didYouMean, InputError } from '../errors.js';
import { basename } from 'node:path';
import { escapeControls } from '../report/escape.js';
import { messageOneLine, oneLine } from '../units/escape.js';
import { VERSION } from '../version.js';
import { NO_COLOURS, paint, type Colours } from './colour.js';
import { wrapWarning } from './wrap.js';
import { EXIT_INVALID, EXIT_OK, type CommandContext } from './commands/context.js';
import { gamedayCommands } from './commands/gameday.js';
import { rehearsalCommands } from './commands/rehearse.js';
import { toolCommands, userCommands } from './commands/tools.js';
import { applyReadLimits } from './limits.js';

// Commands load what they need when they run: `--version`, `--help` and `validate` stay fast because the
// charts, faker, the worker pool and the statistics are imported only by the commands that use them.

/**
 * Each group of commands with the names it registers, in the order of `rehearse --help`. A command line that names
 * one of them builds only its group: `rehearse validate` starts without making the other ten commands and their
 * options. test/cli.test.ts holds each list to what its group registers.
 */
export const COMMAND_GROUPS: readonly (readonly [(program: Command, ctx: CommandContext) => void, readonly string[]])[] = [
  [rehearsalCommands, ['run', 'validate', 'ci', 'sweep', 'merge', 'report']],
  [userCommands, ['cohorts', 'bucket']],
  [gamedayCommands, ['gameday']],
  [toolCommands, ['lint', 'export', 'flags', 'import', 'init', 'calibrate', 'schema']],
];

/**
 * The program; `named`, the first word of the command line: when it names a command, only that command's group is
 * made. Anything else (none, an option such as --help, a misspelt command) makes them all, for the help and the
 * suggestion.
 */
export function buildProgram(out: (s: string) => void, setExit: (code: number) => void, err: (s: string) => void = console.error, named?: string): Command {
  const program = new Command('rehearse')
    .description('Rehearse staged feature-flag rollouts in a discrete-event simulation.')
    .version(VERSION)
    .showHelpAfterError('(run "rehearse --help" for usage)')
    // Options belong to the command they follow (gameday's --name is not gameday ctl's).
    .enablePositionalOptions()
    .exitOverride()
    // Before the commands are made, so that each inherits it (commander copies output settings on creation).
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) });

  const ctx: CommandContext = {
    out, err, setExit,
    // Hand-overs (init --from-traces) run the other commands of this program, when this version has them.
    runCommand: async (argv, sink) => {
      if (!buildProgram(sink, () => {}, err).commands.some((c) => c.name() === argv[0])) return null;
      return main(argv, { out: sink, err });
    },
  };
  program.hook('preAction', (_program, command) => pathValues(command));
  const only = COMMAND_GROUPS.find(([, names]) => named !== undefined && names.includes(named));
  for (const [register] of only ? [only] : COMMAND_GROUPS) register(program, ctx);
  // A usage error names the help of the command it came from (`rehearse gameday resume --help`), which lists its options.
  const helpOf = (c: Command, path: string): void => {
    for (const sub of c.commands) {
      sub.showHelpAfterError(`(run "${path} ${sub.name()} --help" for usage)`);
      helpOf(sub, `${path} ${sub.name()}`);
    }
  };
  helpOf(program, 'rehearse');
  return program;
}

/** The arguments that name a file or a folder. */
const PATH_ARGUMENTS = new Set(['scenario', 'journal', 'record', 'result', 'file', 'files', 'traces', 'dir']);
const ordinal = (n: number): string => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;

/**
 * A file or folder option given an empty value (`--json "$OUT"` with OUT unset) was taken as not given: the run went
 * on and wrote nothing, exit 0. And "-" names stdout only where an option says so (`--json -`): `--html -` wrote a
 * file named "-". Both are refused before the command runs.
 */
function pathValues(command: Command): void {
  // An argument that names a file or folder, given empty: `init ""` scaffolded the folder the command ran in, and a
  // message of the reader named none of the command's files in particular.
  command.registeredArguments.forEach((argument, i) => {
    if (!PATH_ARGUMENTS.has(argument.name())) return;
    const value: unknown = command.processedArgs[i];
    const values = Array.isArray(value) ? value : [value];
    const at = values.indexOf('');
    if (at < 0) return;
    let path = '';
    for (let c: Command | null = command; c !== null && c.parent !== null; c = c.parent) path = `${c.name()} ${path}`;
    const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
    const shown = argument.required ? `<${name}>` : `[${name}]`;
    const which = argument.variadic ? ` (the ${ordinal(at + 1)})` : '';
    throw new InputError([`${path}${shown}${which}: an empty ${argument.name() === 'dir' ? 'folder' : 'file'} name (a variable that is not set?): give one`]);
  });
  for (const option of command.options) {
    if (!/<(file|dir|prefix)>/.test(option.flags)) continue;
    const value: unknown = command.getOptionValue(option.attributeName());
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === '') throw new InputError([`${option.long}: an empty ${/<dir>/.test(option.flags) ? 'folder' : 'file'} name (a variable that is not set?): give one`]);
      if (v === '-' && /<(file|dir)>/.test(option.flags) && /\bwrite\b/.test(option.description) && !option.description.includes('- for stdout')) {
        throw new InputError([`${option.long} -: "-" is not stdout here (only --json writes to stdout with "-"); give a file name (./- for a file named "-")`]);
      }
    }
  }
}

/**
 * Text for a terminal: control characters that names in a file may carry (a screen clear, a window title,
 * a cursor move, a colour code) are shown escaped (\x1b, \u009b). Tabs and newlines pass. rehearse's own
 * text has no colour codes: colour (colour.ts) is laid on after this, so every ESC escaped comes from input.
 * `given`: values of the command line that hold a line break (a file named "new\nline", lineBroken below), shown
 * with \n wherever a line names them, as every message names them then: a message stays one line, and no name
 * forges a line of its own.
 */
export function terminalSafe(s: string, given: readonly string[] = []): string {
  for (const v of given) if (s.includes(v)) s = s.replaceAll(v, oneLine(v));
  return escapeControls(s, '\t\n');
}

/**
 * A warning is one line (wrap.ts): a line break that a name or a value from input carries is written \n, a caret
 * display at its end keeps its own. Any other line as it is.
 */
export function warningOneLine(s: string): string {
  return s.startsWith('warning: ') ? messageOneLine(s) : s;
}

/**
 * The command line's values with a line break inside them, and their last parts (a message may name a file by its
 * name alone), longest first. A break at an end is left as it is: "x\n" would match every line that ends in x.
 */
export function lineBroken(argv: readonly string[]): string[] {
  const broken = argv.flatMap((a) => [a, basename(a)]).filter((a) => /[^\r\n][\r\n]+[^\r\n]/.test(a));
  return [...new Set(broken)].sort((a, b) => b.length - a.length);
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. `colours` says whether each
 * stream gets colour (bin.ts asks the terminal and the environment; none by default); `errWidth`, the width of the
 * terminal that stderr is, at which long warnings are wrapped (wrap.ts; null: not a terminal, one line each).
 */
export async function main(argv: string[], raw = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) }, colours: Colours = NO_COLOURS, errWidth: number | null = null): Promise<number> {
  const given = lineBroken(argv);
  const io = { out: (s: string) => raw.out(paint(terminalSafe(s, given), colours.out)), err: (s: string) => raw.err(paint(wrapWarning(terminalSafe(warningOneLine(s), given), errWidth), colours.err)) };
  let code = EXIT_OK;
  const program = buildProgram(io.out, (c) => (code = c), io.err, argv[0]);
  program.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  try {
    // Limits on what is read (REHEARSE_MAX_SCENARIO and the like): read here, like every environment variable.
    applyReadLimits(process.env);
    // commander answers `help NAME` for a NAME that is no command with the whole help, and no word of the name.
    if (argv[0] === 'help' && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1] || c.aliases().includes(argv[1]))) {
      throw new InputError([`help: no command "${argv[1]}"${didYouMean(argv[1], program.commands.map((c) => c.name()))} (rehearse --help lists them)`]);
    }
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
