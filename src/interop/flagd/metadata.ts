/**
 * Flag set and flag metadata of a flagd file. Go flagd unmarshals each into a map (core/pkg/model/flag.go:
 * `type Metadata = map[string]interface{}`; core/pkg/evaluator/json.go configToFlagDefinition reads the set's
 * into `map[string]interface{}`), so metadata that is no object fails the unmarshalling and flagd refuses the
 * file ("unmarshalling provided configurations"). A value that is not a string, a number or a boolean is one the
 * schema refuses (flags.json definitions/metadata: additionalProperties of type string, number, boolean): flagd
 * loads the file with a line in its log only ("flag definition does not conform to the schema"), and so does
 * flagd-core unless its strict validation is on (flagd-core parse: strictValidation throws ParseError).
 */
import { at, invalid, isObject, type FlagFile, type FlagWarning } from '../document.js';
import type { PathSegment } from '../../scenario/problems.js';
import { withArticle } from '../../units/article.js';
import { quoted } from '../../units/escape.js';

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'object' : typeof v);

/** Metadata at `path` (the set's or a flag's): refused where flagd refuses the file, each value the schema refuses warned. */
export function metadataWarnings(doc: FlagFile, metadata: unknown, path: readonly PathSegment[]): FlagWarning[] {
  if (metadata === undefined || metadata === null) return [];
  if (!isObject(metadata)) {
    throw invalid(doc, path, `metadata is an object of keys and values, not ${withArticle(typeOf(metadata))}: flagd refuses the file (core/pkg/model/flag.go: Metadata is a map; json.go: "unmarshalling provided configurations")`);
  }
  return Object.entries(metadata).filter(([, v]) => !['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]) => at(doc, [...path, k],
    `metadata ${quoted(k)} is ${v === null ? 'null' : withArticle(typeOf(v))}: flagd's schema wants a string, a number or a boolean, and flagd loads the file with a line in its log only ("flag definition does not conform to the schema"), as flagd-core does unless its strict validation is on (then it refuses the file); no effect on what a user is served`));
}
