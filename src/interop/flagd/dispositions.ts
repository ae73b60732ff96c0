/**
 * Every field of a flagd flag configuration (open-feature/flagd docs/schema/v0/flags.json, with the array form
 * of `flags` of the current schema) and every operation of its targeting language (docs/schema/v0/
 * targeting.json), and what becomes of each. test/dispositions.test.ts walks both schemas (copies in
 * test/fixtures/vendor/flagd/schema) against this table.
 */
import { modelled, OTHER_KEYS, type DispositionTable } from '../disposition.js';

const NONE = 'no effect on what a user is served';
const OP = 'evaluated as Go flagd\'s jsonlogic 3.9.1 evaluates it (go-core.ts, own-properties.ts), flagd-core\'s different answers for a cohort\'s operands warned';
const LIST = OP + ', each var inside read in the scope Go flagd reads it in (outer data or element: go-lists.ts)';
const FLAGD_OP = 'evaluated by flagd-core (flagd\'s own operation)';

export const FLAGD_DISPOSITIONS: DispositionTable = {
  FlagdFile: {
    flags: modelled('the flags: an object by key, or a list of flags with a key (read as the object flagd-core takes)', { values: 'Flag', items: 'Flag' }),
    $evaluators: modelled('shared rules, substituted for {"$ref": name} as Go flagd substitutes them; a $ref to no evaluator is warned, one inside an evaluator that Go replaces at random is refused'),
    metadata: modelled('flag set metadata, merged into each flag\'s metadata; ' + NONE + ' (metadata.ts: no object is refused, as flagd refuses the file; a value that is no string, number or boolean warned)', { object: 'FlagSetMetadata' }),
    $schema: modelled('names the schema; ' + NONE),
  },
  FlagSetMetadata: {
    flagSetId: modelled(NONE), version: modelled(NONE),
    // flags.json: "Metadata about the flag set, with keys of type string, and values of type boolean, string, or number."
    [OTHER_KEYS]: modelled('any other key of the flag set metadata (the schema\'s additionalProperties); ' + NONE),
  },
  Flag: {
    key: modelled('the flag key, in the list form of flags'),
    state: modelled('ENABLED or DISABLED (a disabled flag serves the caller\'s default, reason DISABLED); anything else is refused, as flagd-core refuses it'),
    defaultVariant: modelled('served when no targeting applies; one that is not a variant is refused, as flagd-core refuses it'),
    variants: modelled('the values the flag serves'),
    targeting: modelled('evaluated by flagd-core; operations are listed under Targeting'),
    metadata: modelled('flag metadata; ' + NONE + ' (metadata.ts: no object is refused, as flagd refuses the file; a value that is no string, number or boolean warned)'),
  },
  /** The operations of flagd's targeting language (targeting.json definitions), each evaluated by flagd-core. */
  Targeting: {
    var: modelled(OP + '; $flagd.timestamp is flagd\'s wall clock at each evaluation: a scenario rehearsing a flag that reads it is refused at the rule, flags eval reads the clock as it runs'), missing: modelled(OP), missing_some: modelled(OP),
    if: modelled(OP + '; a literal result that is not a variant is warned (an error at evaluation)'),
    '==': modelled(OP), '===': modelled(OP), '!=': modelled(OP), '!==': modelled(OP), '>': modelled(OP), '>=': modelled(OP),
    '<': modelled(OP), '<=': modelled(OP), '%': modelled(OP), '/': modelled(OP), '*': modelled(OP), '+': modelled(OP), '-': modelled(OP),
    map: modelled(LIST), filter: modelled(LIST), reduce: modelled(LIST), all: modelled(LIST), none: modelled(LIST), some: modelled(LIST),
    in: modelled(OP), substr: modelled(OP), '!': modelled(OP), '!!': modelled(OP), or: modelled(OP), and: modelled(OP),
    max: modelled(OP), min: modelled(OP), merge: modelled(OP), cat: modelled(OP), '?:': modelled(OP),
    starts_with: modelled(FLAGD_OP), ends_with: modelled(FLAGD_OP), sem_ver: modelled('evaluated as Go flagd\'s semver.go over x/mod semver evaluates it (go-semver.ts)'),
    fractional: modelled(FLAGD_OP + ', bucketed as flagd buckets; a bucket that is not a variant is warned'),
    $ref: modelled('replaced by the evaluator it names, as Go flagd replaces it; one flagd leaves in place is warned (PARSE_ERROR where an evaluation reaches it); one inside an evaluator that Go replaces at random is refused'),
  },
};

/** Targeting operations flagd evaluates. */
export const FLAGD_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(FLAGD_DISPOSITIONS.Targeting));

