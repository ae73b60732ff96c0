/** What every command group gets from the program: where its text goes and how it sets the exit code. */
import type { Command } from 'commander';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;

export interface CommandContext {
  out: (s: string) => void;
  err: (s: string) => void;
  setExit: (code: number) => void;
  /** Runs another command of this program (argv without "rehearse"); null when this version has no such command. */
  runCommand: (argv: string[], sink: (s: string) => void) => Promise<number | null>;
}

export type CommandGroup = (program: Command, ctx: CommandContext) => void;
