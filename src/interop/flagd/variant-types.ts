/**
 * Variants of several types in one flag. flagd's schema (flagd-schemas json/flags.json: booleanFlag, stringFlag,
 * numberFlag, objectFlag) wants every variant of a flag of one type, and its own negative test
 * (json/test/flags/negative/mixed-variant-types.ffconfig.json) is such a flag; flagd still loads the file, with a
 * warning in its log only (core/pkg/evaluator/json.go configToFlagDefinition: "flag definition does not conform
 * to the schema"). Each evaluation is typed by the caller: resolve[T] in the same file asserts the value served
 * to T, and a variant of another type answers TYPE_MISMATCH, so the caller gets its default. Which typed call the
 * team's code makes is not in the file: the default variant's type is the one flagd itself reads the flag as
 * (ResolveAllValues), and each variant of another type is named.
 */
import { at, type FlagFile, type FlagWarning } from '../document.js';
import type { PathSegment } from '../../scenario/problems.js';
import { withArticle as article } from '../../units/article.js';
import { quoted } from '../../units/escape.js';

/** OpenFeature's flag types as flagd's resolve asserts them; null is none of them. */
function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'object' : typeof v;
}

const CALL: Record<string, string> = { boolean: 'getBooleanValue', string: 'getStringValue', number: 'getNumberValue', object: 'getObjectValue' };

/** One warning at each variant whose type is not the default variant's (or, without one, the first variant's). */
export function variantTypeWarnings(doc: FlagFile, variants: Record<string, unknown>, defaultVariant: unknown, path: readonly PathSegment[]): FlagWarning[] {
  const names = Object.keys(variants);
  const reference = typeof defaultVariant === 'string' && Object.hasOwn(variants, defaultVariant) ? defaultVariant : names[0];
  const type = typeOf(variants[reference]);
  const call = CALL[type];
  const whose = reference === defaultVariant ? `the default variant ${quoted(reference)}` : `the first variant ${quoted(reference)}`;
  const out: FlagWarning[] = [];
  for (const name of names) {
    const own = typeOf(variants[name]);
    if (own === type) continue;
    const served = call
      ? `code that reads the flag as ${withArticle(type)} (${call}, the type of ${whose}) and is served ${quoted(name)} gets TYPE_MISMATCH and its default`
      : `every typed call answers TYPE_MISMATCH for one of the two`;
    out.push(at(doc, [...path, name], `variant ${quoted(name)} is ${withArticle(own)}, ${whose} ${withArticle(type)}: flagd's schema wants the variants of a flag of one type and flagd loads the file with a warning only (core/pkg/evaluator/json.go: "does not conform to the schema"); ${served} (json.go resolve)`));
  }
  return out;
}

const withArticle = (type: string): string => (type === 'null' ? 'null' : article(type));
