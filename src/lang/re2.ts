/**
 * re2js (RE2's syntax and linear-time matching, as Go's regexp reads patterns), required the first time a pattern
 * is compiled rather than when a module that may compile one is loaded: `rehearse validate` and most runs compile
 * none, and loading re2js cost about a tenth of the command line's start-up.
 */
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

const require = createRequire(import.meta.url);
let loaded: typeof RE2JSClass | undefined;

export type RE2JS = RE2JSClass;

/** RE2JS.compile, with re2js loaded on first use; `dotAll`: "." matches a newline too (RE2JS.DOTALL). */
export function re2Compile(pattern: string, dotAll = false): RE2JSClass {
  const RE2JS = (loaded ??= (require('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS);
  return RE2JS.compile(pattern, dotAll ? RE2JS.DOTALL : 0);
}
