/** The live drill: gameday, gameday ctl and gameday replay. */
import type { Command } from 'commander';
import { choice, portOption, seedOption, speedOption } from '../options.js';
import type { CommandContext } from './context.js';

export function gamedayCommands(program: Command, { out, err, setExit }: CommandContext): void {
  const gameday = program
    .command('gameday')
    .description('a live drill: the simulation paced to the wall clock, a dashboard, people act, a debrief scores them')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--speed <x>', 'simulated seconds per wall second (changeable while running)', speedOption, 60)
    .option('--port <n>', 'port to serve on (0: any free port)', portOption, 0)
    .option('--host <address>', 'address to serve on (default loopback; any other prints a warning)', '127.0.0.1')
    .option('--case <name>', 'run one of the scenario\'s cases, shown to everyone')
    .option('--hidden-case', 'draw the case at random (seeded) and reveal it only in the debrief')
    .option('--seed <n>', 'random seed (default: the scenario\'s)', seedOption)
    .option('--gates <mode>', 'automated gates: on (they act), advisory (they report; people decide), off', choice(['on', 'advisory', 'off'] as const), 'on')
    .option('--name <name>', 'the name recorded for actions from this terminal and pages that give none', 'operator')
    .option('--out <prefix>', 'where the debrief goes: PREFIX.html and PREFIX.json (default reports/drill-NAME)')
    .option('--exit-on-end', 'stop serving once the drill has ended and the debrief is written')
    .action(async (file: string, opts: { speed: number; port: number; host: string; case?: string; hiddenCase?: boolean; seed?: number; gates: 'on' | 'advisory' | 'off'; name: string; out?: string; exitOnEnd?: boolean }) => {
      const { gamedayCommand } = await import('../gameday.js');
      setExit(await gamedayCommand(file, opts, { out, err }));
    })
    // Its options come before `ctl` or `replay`, so that theirs (--name) are their own.
    .enablePositionalOptions();
  gameday
    .command('ctl')
    .description('act on a running drill from a terminal: status, pause [FLAG], resume [FLAG], speed N, promote FLAG, rollback FLAG, approve FLAG, fault NAME, adhoc-fault YAML, note TEXT, end')
    .argument('<url>', 'the dashboard URL the game day printed (with its token)')
    .argument('<action>', 'what to do')
    .argument('[args...]', 'the action\'s arguments')
    .option('--name <name>', 'who acts (for the audit trail)')
    .option('--reason <text>', 'why (plan actions)')
    .action(async (url: string, action: string, args: string[], opts: { name?: string; reason?: string }) => {
      const { ctlCommand } = await import('../gameday.js');
      setExit(await ctlCommand(url, action, args, opts, { out, err }));
    });
  gameday
    .command('replay')
    .description('re-run a drill record at its simulated instants and check the result is identical')
    .argument('<drill>', 'the drill record (rehearse/drill@1 JSON)')
    .option('--scenario <file>', 'the scenario file (default: the recorded path)')
    .option('--out <prefix>', 'write the replayed debrief: PREFIX.html and PREFIX.json')
    .action(async (drill: string, opts: { scenario?: string; out?: string }) => {
      const { replayCommand } = await import('../gameday.js');
      setExit(replayCommand(drill, opts, { out, err }));
    });

}
