/**
 * The `matches` clauses of LaunchDarkly flags and segments, checked before the SDK sees them. The SDK tests a
 * pattern with JavaScript's backtracking RegExp (js-server-sdk-common evaluation/Operations.ts safeRegexMatch):
 * a pattern such as (a+)+$ takes exponential time on a value like "aaaa...a!", and `flags eval` or a run hung.
 * recheck (a ReDoS checker) finds such patterns; an exponential one is refused with its path. A polynomial one
 * (.*@corp\.com) is not: attribute values are short.
 */
import { createRequire } from 'node:module';
import { formatWarning, at, isObject, type FlagFile } from '../document.js';
import type { LdData } from './data.js';

type Json = Record<string, unknown>;

const require = createRequire(import.meta.url);
/** recheck, loaded when a file has a pattern to check (it costs about 70 ms to load: most commands never need it). */
let check: typeof import('recheck').checkSync | null = null;

/** Why a pattern is refused, or null: exponential backtracking, as recheck finds it within a second. */
function exponential(pattern: string): string | null {
  check ??= (require('recheck') as typeof import('recheck')).checkSync;
  const r = check(pattern, '', { timeout: 1000 });
  if (r.status !== 'vulnerable' || r.complexity.type !== 'exponential') return null;
  const attack = r.attack?.pattern ? ` (e.g. on ${r.attack.pattern})` : '';
  return `the pattern ${JSON.stringify(pattern)} backtracks exponentially${attack}: the SDK's JavaScript RegExp would hang on such a value (write it without nested or overlapping repetition)`;
}

/** The refusals for every exponential pattern of a `matches` clause, in flags' rules and segments' rules. */
export function catastrophicPatterns(data: LdData): string[] {
  const refused: string[] = [];
  const checked = new Map<string, string | null>();
  const rulesOf = (doc: FlagFile, path: (string | number)[], rules: unknown) => {
    if (!Array.isArray(rules)) return;
    rules.forEach((r, i) => {
      const clauses = isObject(r) && Array.isArray(r.clauses) ? (r.clauses as unknown[]) : [];
      clauses.forEach((c, j) => {
        if (!isObject(c) || c.op !== 'matches' || !Array.isArray(c.values)) return;
        (c as Json & { values: unknown[] }).values.forEach((v, k) => {
          if (typeof v !== 'string') return;
          if (!checked.has(v)) checked.set(v, exponential(v));
          const why = checked.get(v);
          if (why) refused.push(formatWarning(at(doc, [...path, 'rules', i, 'clauses', j, 'values', k], why)));
        });
      });
    });
  };
  for (const [entries, located] of [[data.flags, data.flagAt], [data.segments, data.segmentAt]] as const) {
    for (const [key, value] of Object.entries(entries)) {
      const l = located.get(key);
      // A big segment or a value the SDK's files give without a place of their own has no rules to check here.
      if (l && isObject(value)) rulesOf(l.doc, [...l.path], value.rules);
    }
  }
  return refused;
}
