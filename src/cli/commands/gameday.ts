/** The live drill: gameday, resume, debrief, replay, ctl and invite (src/cli/gameday-commands.ts). */
import type { Command } from 'commander';
import { registerGameday } from '../gameday-commands.js';
import { choice, hostOption, portOption, seedOption, speedOption } from '../options.js';
import type { CommandContext } from './context.js';

export function gamedayCommands(program: Command, { out, err, setExit }: CommandContext): void {
  registerGameday(program, { speed: speedOption, port: portOption, host: hostOption, seed: seedOption, gates: choice(['on', 'advisory', 'off'] as const) }, { out, err }, setExit);
}
