/**
 * `--json -`: a command's document on stdout, for a pipe (`rehearse run s.yaml --json - | jq .passed`); the
 * command's other lines then go to stderr, so that stdout holds the document and nothing else.
 */

import { PAST_C0_CLASS } from '../units/escape.js';

const TERMINAL = new RegExp(`[${PAST_C0_CLASS}]`, 'g');

/** The file name that means stdout. */
export const STDOUT = '-';

/**
 * A document as JSON text, two-space indented, as the files are written. Characters a terminal would act on
 * (C1 controls, line separators, bidirectional controls and marks) are written as \u escapes: the same data, and text
 * that passes through the terminal's escaping unchanged.
 */
export function jsonText(doc: unknown): string {
  return JSON.stringify(doc, null, 2).replace(TERMINAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
