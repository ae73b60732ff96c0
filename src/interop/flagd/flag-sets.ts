/**
 * Flag sets as Go flagd's store keeps them (open-feature/flagd core/pkg/store/store.go, query.go): a flag is
 * stored by flagSetId and key (the "id" index), its flagSetId the flag's own metadata.flagSetId over the flag
 * set's (Update: patchMetadata, then `Metadata["flagSetId"].(string)`; none, or one that is no text, is a set of
 * its own with a random id, nilFlagSetId). One source may hold a key in several sets, and flagd keeps each. A
 * client names the set it reads with a selector (`flagSetId=ID`; query.go NewSelector, expressionToMap); without
 * one, flagd serves the flag of the source of highest priority, and between two sets of one source whichever its
 * store iterates last (Get: `nextFlag.Priority >= flag.Priority` over the key index, ordered by the random
 * nilFlagSetId too), which rehearse does not guess: it asks for a selector.
 */
import { isObject } from '../document.js';

type Json = Record<string, unknown>;

/** A flag's set: its text flagSetId, or null (flagd's nilFlagSetId). */
export type FlagSetId = string | null;

/** A selector as flagd reads it: the set named, the source named (a file as given), or none (every flag). */
export type Selector = { readonly flagSetId: FlagSetId } | { readonly source: string } | null;

/** The flagSetId flagd gives a flag: the flag's own metadata key over the set's, a text or nothing. */
export function flagSetIdOf(setMetadata: unknown, flag: Json): FlagSetId {
  const own = isObject(flag.metadata) && Object.hasOwn(flag.metadata, 'flagSetId');
  const id = own ? (flag.metadata as Json).flagSetId : isObject(setMetadata) ? setMetadata.flagSetId : undefined;
  return typeof id === 'string' ? id : null;
}

/**
 * query.go NewSelector: `key=value` split at the first "="; no "=" names a source (the file as flagd was given
 * it, here as the scenario or the command names it); `flagSetId=` (empty) selects the flags without a flagSetId.
 * Keys other than flagSetId and source are refused in flagd's words.
 */
export function parseSelector(text: string | undefined): Selector | { readonly error: string } {
  if (text === undefined) return null;
  const eq = text.indexOf('=');
  const key = eq === -1 ? 'source' : text.slice(0, eq);
  const value = eq === -1 ? text : text.slice(eq + 1);
  if (key !== 'flagSetId' && key !== 'source') return { error: `invalid selector key ${JSON.stringify(key)}, valid keys: "flagSetId", "source" (flagd's words, core/pkg/store/query.go NewSelector)` };
  if (key === 'source') return { source: value };
  return { flagSetId: value === '' ? null : value };
}

/** A set as a message names it. */
export const setName = (id: FlagSetId): string => (id === null ? 'no flagSetId' : `flagSetId ${JSON.stringify(id)}`);

/** The selector that picks a set, as written. */
export const selectorOf = (id: FlagSetId): string => `flagSetId=${id ?? ''}`;
