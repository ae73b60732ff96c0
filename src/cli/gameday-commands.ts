/**
 * The `gameday` commands on the command line: a new drill, `resume`, `debrief`, `replay`, and `ctl` and
 * `invite` (which the entry point runs without loading commander; listed here for --help).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../units/parse.js';

export interface OptionParsers {
  speed: (v: string) => number;
  port: (v: string) => number;
  host: (v: string) => string;
  seed: (v: string) => number;
  gates: (v: string) => 'on' | 'advisory' | 'off';
}

type Io = { out: (s: string) => void; err: (s: string) => void };

const collect = (value: string, previous: string[]) => [...previous, value];

function endWhenDone(value: string): number | null {
  if (value === 'off') return null;
  const d = parseDuration(value);
  if (!d.ok || d.value < 1e6) throw new InvalidArgumentError('a wall-clock duration of a second or more (e.g. 60s, 2m), or off');
  return d.value / 1000;
}

export function registerGameday(program: Command, p: OptionParsers, io: Io, setExit: (code: number) => void): void {
  // A resumed drill serves where its journal says it was served unless told otherwise: no defaults of its own.
  const server = (c: Command, resumed = false) => (resumed
    ? c.option('--port <n>', 'port to serve on (default: the one the drill was served on, if free, else any free port; 0: any free port)', p.port)
      .option('--host <address>', 'address to serve on (default: the one the drill was served on, else loopback; any other prints a warning)', p.host)
    : c.option('--port <n>', 'port to serve on (0: any free port)', p.port, 0)
      .option('--host <address>', 'address to serve on (default loopback; any other prints a warning)', p.host, '127.0.0.1'))
    .option('--public-url <url>', `the address people reach the drill at (a proxy or tunnel): printed links use it and requests from it are allowed${resumed ? ' (default: the one the drill was served at)' : ''}`)
    .addOption(new Option('--end-when-done <duration>', 'once every plan is done, end the drill after this much wall time unless the facilitator keeps it going (off: never)')
      .argParser(endWhenDone).default(60_000, '60s'))
    .option('--exit-on-end', 'stop serving once the drill has ended and the debrief is written');
  const gameday = server(program
    .command('gameday')
    .description('a live drill: a lobby, then the simulation paced to the wall clock, a dashboard, people act by role, a debrief scores them')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--speed <x>', 'simulated seconds per wall second (changeable while running)', p.speed, 60)
    .option('--case <name>', 'run one of the scenario\'s cases, shown to everyone')
    .option('--hidden-case', 'draw the case from a random secret and reveal it only in the debrief')
    .option('--seed <n>', 'random seed (default: the scenario\'s)', p.seed)
    .option('--gates <mode>', 'automated gates: on (they act), advisory (they report; people decide), off', p.gates, 'on')
    .option('--name <name>', 'the facilitator\'s name (the person at this terminal)', 'facilitator')
    .addOption(new Option('--operator <name>', 'an operator, with a link of their own (repeat for each)').argParser(collect).default([], 'none'))
    .addOption(new Option('--scribe <name>', 'a scribe (notes only), with a link of their own (repeat for each)').argParser(collect).default([], 'none'))
    .option('--observers', 'print a read-only link for observers')
    .option('--start', 'start the clock at once, without a lobby (a drill nobody steers, a benchmark)')
    .option('--force', 'serve the drill even when the work estimate is over the limits')
    .option('--out <prefix>', 'the drill\'s files: PREFIX.journal, PREFIX.json and PREFIX.html (default reports/drill-NAME-TIME; a PREFIX ending in .journal, .json or .html is taken without it)'))
    .action(async (file: string, opts: Parameters<typeof import('./gameday.js').gamedayCommand>[1]) => {
      const { gamedayCommand } = await import('./gameday.js');
      setExit(await gamedayCommand(file, opts, io));
    })
    // Its options come before a subcommand, so that the subcommand's are its own.
    .enablePositionalOptions();
  server(gameday
    .command('resume')
    .description('continue a drill from its journal (after a crash, kill -9 or SIGTERM): replayed to where it stopped, the clock stopped')
    .argument('<journal>', 'the drill\'s journal (PREFIX.journal)')
    .option('--scenario <file>', 'the scenario file (default: the recorded path, else beside the journal)')
    .option('--name <name>', 'the facilitator\'s name if the journal has none', 'facilitator')
    .option('--force', 'resume the drill even when the work estimate is over the limits'), true)
    .action(async (journal: string, opts: Parameters<typeof import('./gameday.js').resumeCommand>[1]) => {
      const { resumeCommand } = await import('./gameday.js');
      setExit(await resumeCommand(journal, opts, io));
    });
  gameday
    .command('debrief')
    .description('write the debrief of a drill from its journal, whether the drill ended or not')
    .argument('<journal>', 'the drill\'s journal (PREFIX.journal)')
    .option('--scenario <file>', 'the scenario file (default: the recorded path, else beside the journal)')
    .option('--out <prefix>', 'PREFIX.html and PREFIX.json (default: the journal\'s prefix; a PREFIX ending in .json or .html is taken without it)')
    .action(async (journal: string, opts: { scenario?: string; out?: string }) => {
      const { debriefCommand } = await import('./gameday-record.js');
      setExit(debriefCommand(journal, opts, io));
    });
  gameday
    .command('replay')
    .description('re-run a drill record (a debrief\'s JSON or a journal) and check it: digest, scenario hash, then every result byte for byte')
    .argument('<record>', 'the drill document (rehearse/drill@2 JSON) or its journal')
    .option('--scenario <file>', 'the scenario file (default: the recorded path, else beside the record)')
    .option('--out <prefix>', 'write the replayed debrief: PREFIX.html and PREFIX.json (a PREFIX ending in .json or .html is taken without it)')
    .action(async (record: string, opts: { scenario?: string; out?: string }) => {
      const { replayCommand } = await import('./gameday-record.js');
      setExit(replayCommand(record, opts, io));
    });
  for (const [name, description] of [
    ['ctl', 'act on a running drill with your link: status, start, pause [FLAG], resume [FLAG], speed N, promote|rollback|approve FLAG, fault NAME, adhoc-fault YAML, remove-fault NAME, note TEXT, keep-going, end (--reason TEXT)'],
    ['invite', 'add a person to a running drill: invite NAME --role operator|scribe|observer --url FACILITATOR_URL (or REHEARSE_GAMEDAY_URL)'],
  ] as const) {
    gameday.command(name).description(description).allowUnknownOption().helpOption(false).argument('[args...]')
      .action(async (args: string[]) => {
        const { ctlMain } = await import('./gameday-ctl.js');
        setExit(await ctlMain([name, ...args], io));
      });
  }
}
