/**
 * A flagd flag's targeting, read at import the way flagd will run it: `$ref` replaced as Go flagd replaces it
 * (core/pkg/evaluator/json.go transposeEvaluators; see resolve below: flagd-core 4.0.1's transform() replaced
 * them in the order the evaluators are written, Go in its map's random order), the first key of an object as the
 * operation (one flagd-core does not know makes the whole targeting invalid: PARSE_ERROR at every evaluation),
 * and a result turned into a variant name with toString (a name that is no variant: GENERAL error at
 * evaluation). Both errors give the caller its default (OpenFeature).
 */
import { didYouMean } from '../../errors.js';
import { own } from '../../records.js';
import type { PathSegment } from '../../scenario/problems.js';
import { at, isObject, type FlagFile, type FlagWarning } from '../document.js';
import { FLAGD_OPERATIONS } from './dispositions.js';
import { goLiteral } from './go-lists.js';
import { GO_ONLY, goOperation } from './go-ops.js';
import { GO_CORE, goCoreOperation } from './go-core.js';
import { goVariantName } from './go-result.js';
import { quoted, quotedList } from '../../units/escape.js';

type Json = Record<string, unknown>;
type Path = PathSegment[];

export interface TargetingReport {
  /** Where an evaluation fails (also warnings). */
  readonly canFail: FlagWarning[];
  readonly warnings: FlagWarning[];
  /** Where flagd itself would not read the file (refused by the import). */
  readonly refusals: FlagWarning[];
  /** Attributes the rules read, each with the first place that reads it. */
  readonly attributes: Map<string, Path>;
  /** The first fractional operation the targeting reaches (through $ref too), or null. */
  fractional: Path | null;
  /** Where a rule reads $flagd.timestamp (or $flagd whole): flagd's wall clock at each evaluation. */
  readonly clock: FlagWarning[];
}

/**
 * `elsewhere`: the file of each evaluator the flagd files read together define. Go flagd replaces a `$ref` only by
 * an evaluator of the same source (core/pkg/evaluator/json.go: transposeEvaluators(config), one configuration at a
 * time), so a `$ref` to another file's evaluator is refused: flagd would never resolve it.
 */
export function checkTargeting(doc: FlagFile, key: string, targeting: unknown, variants: Json, evaluators: Json, path: Path, elsewhere: ReadonlyMap<string, string> = new Map()): TargetingReport {
  const report: TargetingReport = { canFail: [], warnings: [], refusals: [], attributes: new Map(), fractional: null, clock: [] };
  const order = Object.keys(evaluators);
  const fail = (p: Path, message: string) => report.canFail.push(at(doc, p, message));
  /**
   * The evaluator a `{"$ref": name}` becomes in Go flagd (core/pkg/evaluator/json.go transposeEvaluators): each
   * evaluator, in the order Go's map iteration gives (random), replaces every `{"$ref":"<name>"}` of the file's
   * text, the file normalized by json.Marshal but each evaluator put in as the file writes it
   * (json.RawMessage). A `$ref` of the flag itself (`inside` -1) is replaced when it is an object of that key
   * alone naming an evaluator of the file in a text json.Marshal writes as it is. One inside an evaluator
   * (`inside` its index) is replaced only when the file writes it exactly so and Go visits the evaluator holding it
   * before the one it names: at random, each time flagd reads the file: refused.
   */
  const resolve = (node: Json, p: Path, inside: number): { body: unknown; index: number; path: Path } | null => {
    const name = node.$ref;
    const index = typeof name === 'string' ? order.indexOf(name) : -1;
    const single = Object.keys(node).length === 1;
    const plain = typeof name === 'string' && goWritesAsIs(name);
    if (single && index >= 0 && plain && inside < 0) return { body: own(evaluators, name as string), index, path: ['$evaluators', name as string] };
    const other = typeof name === 'string' && index < 0 ? elsewhere.get(name) : undefined;
    if (other !== undefined && other !== doc.file) {
      report.refusals.push(at(doc, p, `$ref names the evaluator ${quoted(String(name))} of ${other}: flagd replaces a $ref only by an evaluator of the same file (core/pkg/evaluator/json.go transposeEvaluators, per source), so in flagd every evaluation of flag ${quoted(key)} is an error ("$ref" is no operation); define ${quoted(String(name))} under this file's $evaluators, or merge the files into one (as the flagd testbed's launchpad does)`));
      return null;
    }
    if (single && index >= 0 && plain && index !== inside && writtenCompact(doc, p, name as string)) {
      report.refusals.push(at(doc, p, `$ref inside the evaluator ${quoted(order[inside])} names the evaluator ${quoted(String(name))}: Go flagd replaces it only when its map iteration, random each time flagd reads the file, visits ${quoted(order[inside])} before ${quoted(String(name))} (core/pkg/evaluator/json.go transposeEvaluators), so flag ${quoted(key)} is evaluated one way or the other at random; write the rule of ${quoted(String(name))} here in place of the $ref`));
      return null;
    }
    const why = typeof name !== 'string' ? 'names no evaluator'
      : index < 0 ? `names no evaluator${didYouMean(name, order)} (evaluators: ${quotedList(order) || 'none'})`
        : !single ? 'has keys beside $ref, so flagd does not replace it'
          : !plain ? 'names an evaluator whose name Go\'s json.Marshal escapes (", \\, <, >, &, a control character), so flagd never matches it'
            : index === inside ? 'names the evaluator it is in, which flagd does not replace again'
              : 'is inside an evaluator and not written as {"$ref":"<name>"} with no spaces, which is all flagd matches there';
    fail(p, `$ref ${why}: flagd leaves it in place, and an evaluation of flag ${quoted(key)} that reaches it is an error (PARSE_ERROR): the caller gets its default`);
    return null;
  };
  // An evaluator's body is read the same way from wherever it is referred to (after its own index), so each is
  // walked once: a chain of evaluators that each refer twice to the next is linear work, not 2^n.
  const seen = new Set<number>();
  /** Every operation, $ref and attribute read of a rule. */
  const scan = (node: unknown, p: Path, after: number): void => {
    if (Array.isArray(node)) return node.forEach((x, i) => scan(x, [...p, i], after));
    if (!isObject(node)) return;
    const op = Object.keys(node)[0];
    if (op === undefined) return;
    if (op === '$ref') {
      const r = resolve(node, p, after);
      if (r && !seen.has(r.index)) {
        seen.add(r.index);
        scan(r.body, r.path, r.index);
      }
      return;
    }
    if (op === 'fractional' && report.fractional === null) report.fractional = [...p, op];
    const first = op === 'fractional' && Array.isArray(node[op]) ? (node[op] as unknown[])[0] : undefined;
    if (first !== undefined && first !== null && typeof first !== 'object') {
      // core/pkg/evaluator/fractional.go parseFractionalEvaluationData: a string first is the bucketing value itself;
      // another value is read as a bucket and fails; null is dropped (as a var the user lacks: flagKey + targetingKey).
      report.warnings.push(at(doc, [...p, op, 0], `fractional's first argument is the bare value ${JSON.stringify(first)}, not a rule such as {"var": "email"}: ${typeof first === 'string' ? 'flagd hashes that same text for every user, so every user lands in the same bucket' : 'flagd takes only text there as the bucketing value, reads the rest as buckets and fails on this one (fractional.go), so the operation gives null and every user the default variant'}; it is not in flagd's schema (targeting.json fractionalOp: anyRule), which flagd only logs, and the OpenFeature Operator's admission webhook refuses a FeatureFlag that holds it`));
    }
    if (Object.keys(node).length > 1) {
      // diegoholiveira/jsonlogic apply: "A map with more than 1 key counts as a primitive".
      report.warnings.push(at(doc, p, `an object of ${Object.keys(node).length} keys (${quotedList(Object.keys(node))}) is a literal value to flagd (Go's jsonlogic reads only an object of one key as an operation), not the operation ${quoted(op)}`));
      return;
    }
    if (GO_ONLY.has(op)) {
      report.warnings.push(at(doc, p, `operation ${quoted(op)} is not in flagd's targeting schema: Go flagd evaluates it (diegoholiveira/jsonlogic v3.9.1; flagd only logs that the file does not conform to the schema), and so does rehearse; flagd-core, the in-process JavaScript provider, cannot parse it: a team that evaluates flag ${quoted(key)} in process gets PARSE_ERROR and its default at every evaluation`));
    } else if (!FLAGD_OPERATIONS.has(op)) {
      fail(p, `operation ${quoted(op)} is not one flagd knows${renamedOrSuggested(op)}: an evaluation of flag ${quoted(key)} that reaches it is an error (PARSE_ERROR; Go's jsonlogic: the operator is not supported): the caller gets its default`);
    }
    const args = node[op];
    if (op === 'var') {
      const name = Array.isArray(args) ? args[0] : args;
      // The first part of the path as Go's getVar splits it (empty parts skipped: ".plan" reads plan).
      const parts = typeof name === 'string' ? name.split('.').filter((x) => x !== '') : [];
      const attribute = parts[0] ?? '';
      // core/pkg/evaluator/json.go evaluateVariant: $flagd is {flagKey, timestamp: time.Now().Unix()}, set at each
      // evaluation (setFlagdProperties), over any $flagd of the context.
      if (parts[0] === '$flagd' && (parts.length === 1 || (parts[1] === 'timestamp' && parts.length === 2))) {
        report.clock.push(at(doc, p, `the rule reads ${parts.length === 1 ? '$flagd whole, with its timestamp' : '$flagd.timestamp'}: flagd gives the wall clock of each evaluation (core/pkg/evaluator/json.go: time.Now().Unix()), and rehearse evaluates each user once, as the run starts, not along the simulated clock: a scenario cannot rehearse flag ${quoted(key)}; \`rehearse flags eval\` evaluates it at the time it runs`));
      } else if (parts[0] === '$flagd' && (parts[1] !== 'flagKey' || parts.length > 2)) {
        report.warnings.push(at(doc, p, `the rule reads ${name}: flagd's $flagd holds only flagKey and timestamp (put over any $flagd of the context), so this is always null`));
      }
      if (attribute !== '' && !attribute.startsWith('$flagd') && attribute !== 'targetingKey' && !report.attributes.has(attribute)) report.attributes.set(attribute, p);
      return;
    }
    scan(args, [...p, op], after);
  };
  const resulted = new Set<number>();
  /** Literal results, which flagd-core turns into variant names. */
  const results = (node: unknown, p: Path, after: number, depth: number): void => {
    if (depth > 64) return;
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      const name = String(goVariantName(node));
      if (!Object.hasOwn(variants, name)) {
        const written = name === String(node) ? '' : ` (flagd looks it up as ${name}: core/pkg/evaluator/json.go reads the result as JSON text without its quotes, and Go's JSON escapes <, >, &, " and \\)`;
        fail(p, `the targeting result ${JSON.stringify(node)} is not a variant${written} (${quotedList(Object.keys(variants))}): users who get it get an evaluation error (GENERAL) and the caller's default`);
      }
      return;
    }
    if (!isObject(node)) return;
    const op = Object.keys(node)[0];
    const args = op === undefined ? undefined : node[op];
    if (op === '$ref') {
      const r = resolve(node, p, after);
      if (r && !resulted.has(r.index)) {
        resulted.add(r.index);
        results(r.body, r.path, r.index, depth + 1);
      }
    } else if ((op === 'if' || op === '?:') && Array.isArray(args)) {
      args.forEach((x, i) => {
        if (i % 2 === 1 || (i === args.length - 1 && args.length > 1)) results(x, [...p, op, i], after, depth + 1);
      });
    } else if (op === 'fractional' && Array.isArray(args)) {
      args.forEach((b, i) => {
        if (Array.isArray(b) && b.length > 0) results(b[0], [...p, op, i, 0], after, depth + 1);
      });
    }
  };
  if (targeting === undefined || targeting === null || (isObject(targeting) && Object.keys(targeting).length === 0)) return report;
  scan(targeting, path, -1);
  if (report.canFail.length === 0 && report.refusals.length === 0) results(targeting, path, -1, 0);
  return report;
}


/** Go's json.Marshal writes the text as it is: no ", \\, control character, <, >, &, U+2028, U+2029 or lone surrogate. */
export function goWritesAsIs(text: string): boolean {
  return !/["\\\u0000-\u001f<>&\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Whether the file writes the node at `p` as `{"$ref":"<name>"}` (a YAML file: flagd reads it as compact JSON). */
function writtenCompact(doc: FlagFile, p: Path, name: string): boolean {
  if (/\.ya?ml$/i.test(doc.file) || !doc.source) return true;
  return doc.source(p) === `{"$ref":"${name}"}`;
}

const REF = /\{"\$ref":"((?:[^"\\]|\\.)*)"\}/g;

/**
 * The length of the text flagd-core's transform() builds from a configuration: every `{"$ref":"<name>"}` of
 * the configuration's text replaced by its evaluator's text, evaluator by evaluator in order, so that a copy put
 * in at an evaluator's turn has its references to later evaluators replaced in their turn. Counted without
 * building it: evaluators that each refer twice to the next make it grow as 2^n.
 */
export function substitutedLength(config: Json): number {
  const evaluators = isObject(config.$evaluators) ? config.$evaluators : null;
  const text = JSON.stringify(config);
  if (!evaluators) return text.length;
  const order = Object.keys(evaluators);
  const index = new Map(order.map((name, i) => [name, i]));
  const refs = (s: string): number[] => [...s.matchAll(REF)].map((m) => index.get(m[1]) ?? -1).filter((i) => i >= 0);
  // grown[i]: how much longer one reference to evaluator i becomes once its copy's own references are replaced.
  const grown: number[] = new Array<number>(order.length).fill(0);
  for (let i = order.length - 1; i >= 0; i--) {
    const body = JSON.stringify(evaluators[order[i]]) ?? '';
    let n = body.length - `{"$ref":"${order[i]}"}`.length;
    for (const j of refs(body)) if (j > i) n += grown[j];
    grown[i] = n;
  }
  let total = text.length;
  for (const j of refs(text)) total += grown[j];
  return total;
}

/**
 * A flag definition with each `$ref` replaced as Go flagd replaces it (resolve, above): a `$ref` of the flag's own
 * by its evaluator as the file writes it; a `$ref` flagd leaves in place is, in the targeting, an error when an
 * evaluation reaches it (Go's jsonlogic: "$ref" is no operator, PARSE_ERROR), written {"throw": …} for flagd-core's
 * engine, whose `throw` go-lists.ts makes an error; one with keys beside it is a literal object, as Go's apply
 * reads an object of several keys. A `$ref` inside an evaluator is never replaced here: where Go would replace it
 * at random, the import refused the file.
 */
export function goSubstituted(definition: Json, evaluators: Json, base: Path = []): Json {
  const walk = (node: unknown, targeting: boolean, top: boolean, p: Path): unknown => {
    if (Array.isArray(node)) return node.map((x, i) => walk(x, targeting, top, [...p, i]));
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    if (targeting && keys[0] !== '$ref') {
      // Go's apply: an object of several keys is a literal; an operation Go does not know is an error where an
      // evaluation reaches it (operation.go: panic ErrInvalidOperator), not at load as flagd-core has it.
      if (keys.length > 1) return goLiteral(node);
      if (keys.length === 1 && GO_ONLY.has(keys[0])) return goOperation(keys[0], walk(node[keys[0]], targeting, top, [...p, keys[0]]));
      // JsonLogic's own operations run as Go runs them, each knowing its place in the file (go-core.ts).
      if (keys.length === 1 && GO_CORE.has(keys[0])) return goCoreOperation(JSON.stringify(p), keys[0], walk(node[keys[0]], targeting, top, [...p, keys[0]]));
      if (keys.length === 1 && !FLAGD_OPERATIONS.has(keys[0])) return { throw: `The operator ${JSON.stringify(keys[0])} is not supported` };
    }
    if (keys[0] === '$ref') {
      const name = node.$ref;
      if (top && keys.length === 1 && typeof name === 'string' && Object.hasOwn(evaluators, name) && goWritesAsIs(name)) return walk(evaluators[name], targeting, false, ['$evaluators', name]);
      if (!targeting) return node;
      return keys.length === 1 ? { throw: `$ref ${JSON.stringify(name)} is not replaced by flagd` } : goLiteral(node);
    }
    return Object.fromEntries(keys.map((k) => [k, walk(node[k], targeting, top, [...p, k])]));
  };
  return Object.fromEntries(Object.entries(definition).map(([k, v]) => [k, walk(v, k === 'targeting', true, [...base, k])]));
}

/**
 * Operations flagd renamed: fractionalEvaluation, deprecated for fractional in flagd core v0.6.4 (#873) and removed
 * in core v0.13.0 (#1704; open-feature/flagd core/CHANGELOG.md), is still written in flagd's config/samples.
 */
const RENAMED: Readonly<Record<string, string>> = { fractionalEvaluation: 'fractional' };

/** "; did you mean ..." for an operation flagd does not know under an old name, or nothing. */
function renamedOrSuggested(op: string): string {
  const renamed = Object.hasOwn(RENAMED, op) ? RENAMED[op] : undefined;
  return renamed === undefined ? '' : `; did you mean ${quoted(renamed)}? (flagd removed ${quoted(op)}, its old name, in flagd core v0.13.0: open-feature/flagd core/CHANGELOG.md, #1704)`;
}
