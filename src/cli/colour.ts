/**
 * Colour on a terminal: verdicts in their tone (PASS green, FAIL red, N/A and NO CRITERIA dim) and warnings in
 * yellow, when the stream is a terminal, never when it is piped or a file; NO_COLOR turns it off and
 * FORCE_COLOR on (or off with 0 or false), as https://no-color.org and https://force-color.org describe. The
 * writers produce plain text; colour is laid on the finished line, after control characters from input are
 * escaped, so it never changes what is measured (table widths) and input cannot colour anything itself.
 */
import { styleText } from 'node:util';
import { LABELS, type Tone } from '../report/verdicts.js';

/** Whether each of stdout and stderr gets colour. */
export interface Colours {
  out: boolean;
  err: boolean;
}

export const NO_COLOURS: Colours = { out: false, err: false };

/** Whether a stream gets colour, from the environment (read here, in cli/) and whether it is a terminal. */
export function colourFor(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colours for the process's own stdout and stderr. */
export function terminalColours(env: NodeJS.ProcessEnv = process.env): Colours {
  return { out: colourFor(env, process.stdout), err: colourFor(env, process.stderr) };
}

const STYLE: Record<Tone, Parameters<typeof styleText>[0]> = { good: 'green', bad: ['red', 'bold'], neutral: 'dim' };
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const VERDICT = new RegExp(`(${LABELS.map((l) => escapeRe(l.label)).sort((a, b) => b.length - a.length).join('|')})(?![\\w/])`, 'g');
const TONE = new Map(LABELS.map((l) => [l.label, l.tone]));

/** A finished line with its verdicts and its "warning:" coloured; the line itself when colour is off. */
export function paint(line: string, on: boolean): string {
  if (!on) return line;
  return line
    .replace(VERDICT, (label) => styleText(STYLE[TONE.get(label)!], label, { validateStream: false }))
    .replace(/^warning:/gm, (w) => styleText('yellow', w, { validateStream: false }));
}
