/**
 * A flagd flag's targeting, read at import the way flagd-core will run it (node_modules/@openfeature/flagd-core
 * index.cjs.js, 4.0.1): `$ref` replaced by text (transform(): for each evaluator in order, every
 * `{"$ref":"<name>"}` of the configuration's text, so a reference inside an evaluator resolves only to an
 * evaluator after it), the first key of an object as the operation (an unknown one makes the whole targeting
 * invalid: PARSE_ERROR at every evaluation), and a result turned into a variant name with toString (a name
 * that is no variant: GENERAL error at evaluation). Both errors give the caller its default (OpenFeature).
 */
import { didYouMean } from '../../errors.js';
import { own } from '../../records.js';
import type { PathSegment } from '../../scenario/problems.js';
import { at, isObject, type FlagFile, type FlagWarning } from '../document.js';
import { FLAGD_OPERATIONS } from './dispositions.js';

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
}

/**
 * `elsewhere`: the file of each evaluator the flagd files read together define. Go flagd replaces a `$ref` only by
 * an evaluator of the same source (core/pkg/evaluator/json.go: transposeEvaluators(config), one configuration at a
 * time), so a `$ref` to another file's evaluator is refused: flagd would never resolve it.
 */
export function checkTargeting(doc: FlagFile, key: string, targeting: unknown, variants: Json, evaluators: Json, path: Path, elsewhere: ReadonlyMap<string, string> = new Map()): TargetingReport {
  const report: TargetingReport = { canFail: [], warnings: [], refusals: [], attributes: new Map(), fractional: null };
  const order = Object.keys(evaluators);
  const fail = (p: Path, message: string) => report.canFail.push(at(doc, p, message));
  /** The evaluator a `{"$ref": name}` becomes, when flagd-core's substitution reaches it from `after`. */
  const resolve = (node: Json, p: Path, after: number): { body: unknown; index: number; path: Path } | null => {
    const name = node.$ref;
    const index = typeof name === 'string' ? order.indexOf(name) : -1;
    const text = JSON.stringify(name);
    if (Object.keys(node).length === 1 && typeof name === 'string' && index >= after && text === `"${name}"`) {
      return { body: own(evaluators, name), index, path: ['$evaluators', name] };
    }
    const other = typeof name === 'string' && index < 0 ? elsewhere.get(name) : undefined;
    if (other !== undefined && other !== doc.file) {
      report.refusals.push(at(doc, p, `$ref names the evaluator "${name}" of ${other}: flagd replaces a $ref only by an evaluator of the same file (core/pkg/evaluator/json.go transposeEvaluators, per source), so in flagd every evaluation of flag "${key}" is an error ("$ref" is no operation); define "${name}" under this file's $evaluators, or merge the files into one (as the flagd testbed's launchpad does)`));
      return null;
    }
    const why = typeof name !== 'string' ? 'names no evaluator'
      : index < 0 ? `names no evaluator${didYouMean(name, order)} (evaluators: ${order.join(', ') || 'none'})`
        : Object.keys(node).length !== 1 ? 'has keys beside $ref, so flagd-core does not replace it'
          : index < after ? 'names an evaluator written before the one that refers to it, which flagd-core does not replace'
            : 'names an evaluator flagd-core cannot match by text';
    fail(p, `$ref ${why}: flag "${key}" cannot be parsed and every evaluation is an error (PARSE_ERROR): the caller gets its default`);
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
        scan(r.body, r.path, r.index + 1);
      }
      return;
    }
    if (op === 'fractional' && report.fractional === null) report.fractional = [...p, op];
    if (!FLAGD_OPERATIONS.has(op)) {
      fail(p, `operation "${op}" is not one flagd knows: flag "${key}" cannot be parsed and every evaluation is an error (PARSE_ERROR): the caller gets its default`);
    }
    const args = node[op];
    if (op === 'var') {
      const name = Array.isArray(args) ? args[0] : args;
      const attribute = typeof name === 'string' ? name.split('.')[0] : '';
      if (typeof name === 'string' && name.startsWith('$flagd.timestamp')) {
        report.warnings.push(at(doc, p, 'the rule reads $flagd.timestamp: users are served as of the time the rehearsal loads, not as the simulated clock runs'));
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
      const name = String(node);
      if (!Object.hasOwn(variants, name)) {
        fail(p, `the targeting result ${JSON.stringify(node)} is not a variant (${Object.keys(variants).join(', ')}): users who get it get an evaluation error (GENERAL) and the caller's default`);
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
        results(r.body, r.path, r.index + 1, depth + 1);
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
  scan(targeting, path, 0);
  if (report.canFail.length === 0) results(targeting, path, 0, 0);
  return report;
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
