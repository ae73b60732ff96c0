/**
 * LaunchDarkly flags as its server SDKs read them (data.ts: the file data source format in JSON and YAML, the
 * stream put payload, one flag; several files merged as the SDK merges them), evaluated by LaunchDarkly's own
 * Node server SDK, fed by its TestData source, with events and diagnostics off: no socket is opened and no
 * timer left running.
 */
import { createRequire } from 'node:module';
import { launchdarklyBucket } from '../../flags/bucketing.js';
import { own } from '../../records.js';
import { InputError } from '../../errors.js';
import { findings } from '../disposition.js';
import { at, formatWarning, isObject, type FlagFile, type FlagWarning } from '../document.js';
import { docList, valueTypeOf, type Evaluation, type FlagSet, type ImportedFlag, type ImportOptions, type ScenarioParts } from '../flagset.js';
import { readLaunchDarkly, type LdData } from './data.js';
import { catastrophicPatterns } from './patterns.js';
import { attributeValue, malformedReads, malformedSegments, malformedServing, seedFindings } from './malformed.js';
import { weightFindings } from './weights.js';
import { readByGo } from '../flag-yaml.js';
import { BucketDisagreements, bucketByPlaces } from './bucket-values.js';
import { quoted } from '../../units/escape.js';

const require = createRequire(import.meta.url);

export const LAUNCHDARKLY_OPERATORS = new Set([
  'in', 'endsWith', 'startsWith', 'matches', 'contains', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual',
  'before', 'after', 'segmentMatch', 'semVerEqual', 'semVerLessThan', 'semVerGreaterThan',
]);

type Json = Record<string, unknown>;

/** The SDK's store: flags and segments by key. */
export interface LdState {
  readonly flags: Record<string, Json>;
  readonly segments: Record<string, Json>;
  /** Each rollout's bucketBy place in the files (bucket-values.ts), by flag and path. */
  readonly places?: Record<string, string>;
}

/** A name for each variation: its value when that is a scalar, else variation-N. */
export function variationNames(variations: readonly unknown[]): string[] {
  const names = variations.map((x, i) => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? String(x) : `variation-${i}`));
  return names.map((n, i) => (names.indexOf(n) === i ? n : `variation-${i}`));
}

/**
 * The shape of what the SDK walks when it loads a flag or a segment (js-server-sdk-common processFlag, processSegment,
 * the evaluator), and the type of every other field its data model gives one (test/fixtures/vendor/launchdarkly/
 * schemas/data-model-fields.json): go-server-sdk-evaluation ldmodel/model_unmarshal.go reads each field with a typed
 * jreader call (r.Bool(), r.String(), r.Float64()), which fails on a value of another type, and the Go SDK then
 * starts with no flags, where the Node SDK takes the value as it stands (`on: 101` on, a weight of "" none).
 * Variation indices and seeds are checked apart (malformed.ts). A field the two SDKs read apart when it is missing
 * (a prerequisite's or a target's variation, a weight: 0 to Go, undefined to Node, which then never matches or
 * serves nothing) is required.
 */
type Shape = 'text' | 'string' | 'list' | 'boolean' | 'integer' | 'number' | { readonly list: Shape } | { readonly fields: Readonly<Record<string, Shape>>; readonly required?: readonly string[] };
const ROLLOUT: Shape = { fields: { variations: { list: { fields: { weight: 'number', untracked: 'boolean' }, required: ['variation', 'weight'] } }, bucketBy: 'text', contextKind: 'text', kind: 'string' } };
const CLAUSE: Shape = { fields: { attribute: 'text', op: 'text', values: 'list', contextKind: 'text', negate: 'boolean' }, required: ['values'] };
const RULE: Shape = { fields: { id: 'string', clauses: { list: CLAUSE }, rollout: ROLLOUT, trackEvents: 'boolean', bucketBy: 'text', weight: 'number', rolloutContextKind: 'text' } };
const TARGETS: Shape = { list: { fields: { values: 'list', contextKind: 'text' }, required: ['variation'] } };
const SEGMENT_TARGETS: Shape = { list: { fields: { values: 'list', contextKind: 'text' } } };
const FLAG: Shape = {
  fields: {
    variations: 'list', rules: { list: RULE }, fallthrough: { fields: { rollout: ROLLOUT } }, targets: TARGETS, contextTargets: TARGETS,
    prerequisites: { list: { fields: { key: 'text', variation: 'integer' }, required: ['key', 'variation'] } },
    version: 'number', on: 'boolean', salt: 'string', clientSide: 'boolean', clientSideAvailability: { fields: { usingMobileKey: 'boolean', usingEnvironmentId: 'boolean' } },
    trackEvents: 'boolean', trackEventsFallthrough: 'boolean', debugEventsUntilDate: 'number', excludeFromSummaries: 'boolean', samplingRatio: 'number',
    migration: { fields: { checkRatio: 'number' } }, deleted: 'boolean',
  },
};
// unbounded and generation are read for their truth (Evaluator.ts: `if (segment.unbounded)`, `!segment.generation`):
// a list or "false" as unbounded made the SDK ask a big segment store, asynchronously (go-server-sdk-evaluation's
// model refuses anything but a boolean and an int).
const SEGMENT: Shape = {
  fields: {
    included: 'list', excluded: 'list', includedContexts: SEGMENT_TARGETS, excludedContexts: SEGMENT_TARGETS, rules: { list: RULE }, unbounded: 'boolean', generation: 'integer',
    version: 'number', salt: 'string', unboundedContextKind: 'string', deleted: 'boolean',
  },
};

/**
 * Where a flag or segment is not the shape the SDK walks: it calls forEach on lists, sets properties on rules and
 * clauses, and startsWith on an attribute reference (a clause's attribute, a rollout's bucketBy), so any other
 * value made it throw a TypeError while it loaded the file. Absent, null and (for text) empty are the SDK's own
 * cases. Each is refused with its place.
 */
function shapeProblems(data: LdData): string[] {
  const refused: string[] = [];
  const describe = (v: unknown) => (Array.isArray(v) ? 'a list' : isObject(v) ? 'a mapping' : JSON.stringify(v));
  const walk = (doc: FlagFile, path: (string | number)[], v: unknown, shape: Shape): void => {
    if (v === undefined || v === null) return;
    const fail = (expected: string): void => {
      refused.push(formatWarning(at(doc, path, `expected ${expected}, not ${describe(v)}`)));
    };
    if (shape === 'text') {
      if (v && typeof v !== 'string') fail('text (for an attribute, a name or a reference such as /address/city)');
    } else if (shape === 'string') {
      if (typeof v !== 'string') fail('text');
    } else if (shape === 'boolean') {
      if (typeof v !== 'boolean') fail('true or false');
    } else if (shape === 'integer') {
      if (!Number.isSafeInteger(v)) fail('a whole number');
    } else if (shape === 'number') {
      if (typeof v !== 'number') fail('a number');
    } else if (shape === 'list' || 'list' in shape) {
      if (!Array.isArray(v)) return fail('a list');
      if (shape === 'list') return;
      v.forEach((x, i) => {
        if (x === null || x === undefined) refused.push(formatWarning(at(doc, [...path, i], 'expected a mapping, not null')));
        else walk(doc, [...path, i], x, shape.list);
      });
    } else {
      if (!isObject(v)) return fail('a mapping');
      for (const [k, sub] of Object.entries(shape.fields)) walk(doc, [...path, k], v[k], sub);
      for (const k of shape.required ?? []) if (v[k] === undefined || v[k] === null) refused.push(formatWarning(at(doc, path, `${k}: missing (the SDK needs it)`)));
    }
  };
  for (const [key, f] of Object.entries(data.flags)) {
    const { doc, path } = data.flagAt.get(key)!;
    walk(doc, path, f, FLAG);
    // A flag that serves nothing by index may leave its variations out (the SDK's own file examples do); one that
    // serves by index makes the SDK read variations.length of nothing.
    const served = f.offVariation !== undefined || isObject(f.fallthrough) || [f.rules, f.targets, f.contextTargets].some((l) => Array.isArray(l) && l.length > 0);
    if (served && (f.variations === undefined || f.variations === null)) refused.push(formatWarning(at(doc, path, 'variations: missing, where the flag serves a variation by its index (the SDK fails on it)')));
    for (const [p, why] of seedFindings(f).refused) refused.push(formatWarning(at(doc, [...path, ...p], why)));
  }
  for (const [key, s] of Object.entries(data.segments)) {
    // Segments the files only name (big segments, made up with no rules) have no place and nothing to check.
    const place = data.segmentAt.get(key);
    if (place) walk(place.doc, place.path, s, SEGMENT);
  }
  return refused;
}

/**
 * A merge key in a YAML file: the Node SDK reads YAML with the parser it is given (js-core sdk-server
 * FileDataSourceOptions.yamlParser, "The parser of the `yaml` package can be used"), and the yaml package's parse
 * reads YAML 1.2, where `<<` is a key like any other (its merge option is off by default).
 */
const NODE_MERGE = 'a merge key: LaunchDarkly\'s Node SDK reads YAML with the parser it is given (FileDataSourceOptions.yamlParser), and the `yaml` package\'s parse, which its options name, does not merge (YAML 1.2: "<<" is a field, and the fields it would merge are absent); the Go SDK (go-yaml v2) and js-yaml merge it, and so does rehearse: a service on the Node SDK given yaml\'s parse is served otherwise (write the fields out to be read alike)';

/** A clause whose operator the SDK has (text, one of its operators). */
const knownOperator = (c: Json): boolean => typeof c.op === 'string' && LAUNCHDARKLY_OPERATORS.has(c.op);

/**
 * What a clause with an operator the SDK does not have does: its test fails for every value (go-server-sdk-evaluation
 * operators.go operatorFn: operatorNoneFn; the SDK test harness's rule-match.yml "unknown operator is treated as a
 * non-match"), and negate turns that round for a context that has the attribute (js-server-sdk-common
 * matchClause.ts: maybeNegate of matchAny).
 */
function unknownOperator(c: Json): string {
  let text: string;
  try {
    text = JSON.stringify(c.op) ?? String(c.op);
  } catch {
    text = 'a value nested too deep to show';
  }
  const op = typeof c.op === 'string' ? `operator ${quoted(c.op)} is` : c.op === undefined ? 'a clause with no operator is' : `an operator that is not text (${text}) is`;
  return `${op} not supported by the SDK; ${c.negate === true ? 'negated, the clause matches every context that has the attribute' : 'the clause never matches'}`;
}

/**
 * Rules with each operator the SDK does not have named so that it finds none: the Node SDK looks an operator up in a
 * plain object (js-server-sdk-common evaluation/Operators.ts `operators[op]`), so a name Object.prototype holds
 * (toString, constructor) was called and matched, and __proto__ threw inside the evaluation.
 */
const withKnownOperators = (rules: unknown): unknown => (Array.isArray(rules) ? rules.map((r) => (isObject(r) && Array.isArray(r.clauses) ? {
  ...r,
  clauses: r.clauses.map((c) => (isObject(c) && c.op !== 'segmentMatch' && !knownOperator(c) ? { ...c, op: 'not an operator' } : c)),
} : r)) : rules);

export function toScenarioParts(docs: FlagFile | readonly FlagFile[], _options: ImportOptions = {}): ScenarioParts {
  const out = findings();
  // The Go SDK's file data source reads YAML as YAML 1.1 (flag-yaml.ts): where it reads a scalar otherwise, warned.
  for (const d of docList(docs)) {
    const go = readByGo(d, 'launchdarkly-go');
    for (const m of d.mergeKeys?.() ?? []) out.warnings.push({ file: d.file, path: [...(d.within ?? []), ...m.path, '<<'], line: m.line, column: m.column, message: NODE_MERGE });
    out.warnings.push(...go.warnings, ...go.refusals.map((r) => ({ ...r, message: `${r.message}: services on LaunchDarkly's Go SDK start with no flags from it; its Node SDK reads it, as rehearse does` })));
  }
  const data = readLaunchDarkly(docList(docs), out);
  const refused = shapeProblems(data);
  if (!refused.length) refused.push(...catastrophicPatterns(data));
  if (refused.length) throw new InputError(refused);
  const { warnings } = out;
  const badSegments = malformedSegments(data.segments);
  for (const [key, found] of badSegments) {
    const { doc, path } = data.segmentAt.get(key)!;
    for (const [p, why] of found) warnings.push(at(doc, [...path, ...p], `${why}: the SDK answers MALFORMED_FLAG to every flag that reaches this segment`));
  }
  for (const [key, s] of Object.entries(data.segments)) {
    // A big segment's status segment (data.ts withoutBigSegmentStore) is rehearse's, in no file.
    const place = data.segmentAt.get(key);
    if (!place) continue;
    const { doc, path } = place;
    (Array.isArray(s.rules) ? s.rules : []).forEach((r, i) => (isObject(r) && Array.isArray(r.clauses) ? r.clauses : []).forEach((c, j) => {
      if (isObject(c) && !knownOperator(c)) warnings.push(at(doc, [...path, 'rules', i, 'clauses', j, 'op'], unknownOperator(c)));
    }));
  }
  const places: Record<string, string> = {};
  const flags: ImportedFlag[] = Object.entries(data.flags).map(([key, f]) => {
    const { doc, path } = data.flagAt.get(key)!;
    Object.assign(places, bucketByPlaces(key, f, doc, path));
    const attributes = new Map<string, (string | number)[]>();
    const rules = Array.isArray(f.rules) ? (f.rules as Json[]) : [];
    rules.forEach((r, i) => {
      const clauses = Array.isArray(r.clauses) ? (r.clauses as Json[]) : [];
      clauses.forEach((c, j) => {
        if (!knownOperator(c)) warnings.push(at(doc, [...path, 'rules', i, 'clauses', j, 'op'], unknownOperator(c)));
        if (c.op !== 'segmentMatch' && typeof c.attribute === 'string' && !['key', 'kind'].includes(c.attribute)) {
          const attribute = c.attribute.replace(/^\//, '').split('/')[0];
          if (!attributes.has(attribute)) attributes.set(attribute, [...path, 'rules', i, 'clauses', j]);
        }
      });
    });
    for (const [p, why] of [...seedFindings(f).warned, ...weightFindings(f)]) warnings.push(at(doc, [...path, ...p], why));
    const prerequisites = Array.isArray(f.prerequisites) ? (f.prerequisites as Json[]).map((p) => String(p.key)) : [];
    prerequisites.forEach((p, i) => {
      if (!own(data.flags, p)) warnings.push(at(doc, [...path, 'prerequisites', i, 'key'], `prerequisite ${quoted(p)} is not in the files; the prerequisite always fails, as the SDK serves it`));
    });
    const canFail = [...malformedServing(f), ...malformedReads(key, data.flags, badSegments)].map(([p, why]) => at(doc, [...path, ...p], `${why}: the SDK answers MALFORMED_FLAG and the caller gets its default`));
    if (f.on === false && f.offVariation === undefined) canFail.push(at(doc, [...path, 'on'], 'the flag is off and has no offVariation: the SDK serves the caller\'s default'));
    warnings.push(...canFail);
    const variations = Array.isArray(f.variations) ? f.variations : [];
    return {
      key, description: typeof f.description === 'string' ? f.description : '',
      variants: variationNames(variations), requires: prerequisites, attributes: [...attributes.keys()].sort(),
      reads: [...attributes].map(([attribute, p]) => ({ attribute, path: p })), path, doc, canFail, valueType: valueTypeOf(variations),
    };
  });
  return { system: 'launchdarkly', flags, warnings, state: { flags: data.flags, segments: data.segments, places } satisfies LdState };
}

type Detail = { value: unknown; variationIndex?: number | null; reason: { kind: string; ruleIndex?: number; errorKind?: string; prerequisiteKey?: string; bigSegmentsStatus?: string } };

interface LdClientLike {
  variationDetail(key: string, context: Json, defaultValue: unknown, cb: (err: unknown, detail: Detail) => void): unknown;
  close(): void;
}

export function open(docs: FlagFile | readonly FlagFile[], options: ImportOptions = {}): FlagSet {
  const state = toScenarioParts(docs, options).state;
  try {
    return serve(state);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const files = (Array.isArray(docs) ? docs : [docs] as FlagFile[]).map((d) => d.file).join(', ');
    throw new InputError(e.lines.map((l) => `${files}: ${l}`));
  }
}

export function serve(state: unknown): FlagSet {
  const data = state as LdState;
  const ld = require('@launchdarkly/node-server-sdk') as {
    init(key: string, options: Json): LdClientLike;
    integrations: { TestData: new () => { usePreconfiguredFlag(f: Json): unknown; usePreconfiguredSegment(s: Json): unknown; getFactory(): unknown } };
    basicLogger(o: Json): unknown;
  };
  const td = new ld.integrations.TestData();
  // The SDK's processFlag and processSegment spread every list of a flag into one call (stack.push(...entries)):
  // a list of some hundred thousand values (targets, a clause's values) overflows it, a RangeError with a stack.
  const load = (what: string, key: string, add: () => unknown) => {
    try {
      add();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new InputError([`${what}[${JSON.stringify(key)}]: LaunchDarkly's Node server SDK cannot load it: a list in it is too long for the SDK (${e.message})`]);
    }
  };
  const known = <T extends Json>(x: T): T => (Array.isArray(x.rules) ? { ...x, rules: withKnownOperators(x.rules) } : x);
  for (const [k, f] of Object.entries(data.flags)) load('flags', k, () => td.usePreconfiguredFlag({ version: 1, targets: [], contextTargets: [], rules: [], prerequisites: [], salt: '', ...known(f) }));
  for (const [k, s] of Object.entries(data.segments)) load('segments', k, () => td.usePreconfiguredSegment({ version: 1, included: [], excluded: [], rules: [], salt: '', ...known(s) }));
  const disagreements = new BucketDisagreements(data.places ?? {});
  const client = ld.init('rehearse-offline', {
    updateProcessor: td.getFactory(), sendEvents: false, diagnosticOptOut: true, logger: ld.basicLogger({ level: 'none' }),
  });
  return {
    system: 'launchdarkly',
    keys: Object.keys(data.flags),
    evaluate(key, context, codeDefault): Evaluation {
      const flag = own(data.flags, key);
      if (!flag) return { flag: key, enabled: false, variant: null, value: codeDefault?.value ?? null, reason: 'error: FLAG_NOT_FOUND', bucket: null };
      let detail: Detail | null = null;
      // With the in-memory TestData store the SDK calls back before variationDetail returns (big segments,
      // the one asynchronous path, are rewritten at import: data.ts withoutBigSegmentStore).
      client.variationDetail(key, context, codeDefault?.value ?? null, (_err, d) => { detail = d; });
      if (detail === null) throw new Error('the LaunchDarkly SDK did not evaluate synchronously');
      const d = detail as Detail;
      const variations = Array.isArray(flag.variations) ? flag.variations : [];
      const index = typeof d.variationIndex === 'number' ? d.variationIndex : null;
      const rollout = rolloutOf(flag, d);
      if (rollout) disagreements.note(key, d.reason.kind === 'RULE_MATCH' ? ['rules', d.reason.ruleIndex ?? -1, 'rollout'] : ['fallthrough', 'rollout'], rollout, context);
      const kind = d.reason.kind;
      const reason = kind === 'OFF' ? 'disabled'
        : kind === 'PREREQUISITE_FAILED' ? 'prerequisite failed'
          : kind === 'TARGET_MATCH' ? 'targeting match'
            : kind === 'RULE_MATCH' ? (rollout ? 'split' : 'targeting match')
              : kind === 'FALLTHROUGH' ? (rollout ? 'split' : 'default')
                : `error: ${d.reason.errorKind ?? kind}`;
      const status = d.reason.bigSegmentsStatus ? ` (big segments: ${d.reason.bigSegmentsStatus})` : '';
      // What the calling code receives: a boolean as served (the caller's default included), else whether the
      // variation served is other than the off one.
      const enabled = typeof d.value === 'boolean' ? d.value : kind !== 'OFF' && kind !== 'ERROR' && index !== null && index !== flag.offVariation;
      return {
        flag: key, enabled, variant: index === null ? null : variationNames(variations)[index], value: d.value ?? null, reason: reason + status,
        bucket: rollout ? bucketOf(key, flag, rollout, context) : null,
      };
    },
    contextOf(key, attributes) {
      const { key: _k, ...rest } = attributes;
      return { kind: 'user', key, ...rest };
    },
    notes() {
      return disagreements.lines();
    },
    close() {
      client.close();
    },
  };
}

function rolloutOf(flag: Json, d: Detail): Json | null {
  if (d.reason.kind === 'FALLTHROUGH') {
    const ft = isObject(flag.fallthrough) ? flag.fallthrough : {};
    return isObject(ft.rollout) ? ft.rollout : null;
  }
  if (d.reason.kind === 'RULE_MATCH' && typeof d.reason.ruleIndex === 'number') {
    const rule = (flag.rules as Json[])[d.reason.ruleIndex];
    return isObject(rule?.rollout) ? rule.rollout : null;
  }
  return null;
}

/** The SDK's bucket value for the context the rollout buckets by (its kind, its bucketBy attribute, a path when
 * the rollout names its kind; an experiment buckets by key whatever its bucketBy: js-server-sdk-common
 * evaluation/Evaluator.ts getBucketBy). */
function bucketOf(key: string, flag: Json, rollout: Json, context: Json): number | null {
  const kind = typeof rollout.contextKind === 'string' ? rollout.contextKind : 'user';
  const ctx = context.kind === 'multi' ? (isObject(context[kind]) ? context[kind] : null) : (context.kind ?? 'user') === kind ? context : null;
  if (!ctx) return null;
  const by = rollout.kind !== 'experiment' && typeof rollout.bucketBy === 'string' ? rollout.bucketBy : 'key';
  const v = attributeValue(by, !rollout.contextKind, ctx);
  if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) return null;
  const seed = typeof rollout.seed === 'number' ? rollout.seed : undefined;
  const id = String(v);
  return launchdarklyBucket(key, typeof flag.salt === 'string' ? flag.salt : '', id, seed);
}
