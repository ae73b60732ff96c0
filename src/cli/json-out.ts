/**
 * `--json -`: a command's document on stdout, for a pipe (`rehearse run s.yaml --json - | jq .passed`); the
 * command's other lines then go to stderr, so that stdout holds the document and nothing else.
 */

/** The file name that means stdout. */
export const STDOUT = '-';

/**
 * A document as JSON text, two-space indented, as the files are written. Characters a terminal would act on
 * (C1 controls, line separators, bidirectional overrides) are written as \u escapes: the same data, and text
 * that passes through the terminal's escaping unchanged.
 */
export function jsonText(doc: unknown): string {
  return JSON.stringify(doc, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
