/**
 * A rule file's YAML as rulefmt decodes it with gopkg.in/yaml.v3, where that differs from YAML 1.2 data: text
 * fields keep the scalar as written, and (before Prometheus 3.3) an alias in record, alert or expr is its name.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, visit, type Document } from 'yaml';
import type { PathSegment } from '../../scenario/problems.js';
import { goIntegerMessage } from '../kube/go-integers.js';
import { goResolve } from '../flag-yaml.js';
import { resourceDocuments } from '../kube/resources.js';
import { quoted } from '../../units/escape.js';
import { parseDurationMs } from '../../lang/promql.js';
import { durationOutOfRange } from '../../lang/promql-signatures.js';

/** yaml.v3's words for a mapping or a list where rulefmt decodes text (a label's or an annotation's value). */
export const notText = (v: object): string => `cannot unmarshal ${Array.isArray(v) ? '!!seq' : '!!map'} into string (a value here is text; Prometheus refuses the file)`;

/**
 * Keys whose values rulefmt decodes as text (string fields, yaml.Node values, and durations: model.Duration's
 * UnmarshalYAML reads a string, then ParseDuration), and maps of text by name.
 */
const TEXT_KEYS = new Set(['name', 'record', 'alert', 'expr', 'for', 'keep_firing_for', 'interval', 'query_offset']);
const TEXT_MAPS = new Set(['labels', 'annotations']);
/** The fields 2.42 decodes as a yaml.Node, whose Value an alias makes the alias's own name. */
const NODE_KEYS = new Set(['record', 'alert', 'expr']);

export interface AliasedField { readonly path: PathSegment[]; readonly alias: string; readonly text: string }

/**
 * Text fields as yaml.v3 decodes them into a Go string: the scalar as written (gopkg.in/yaml.v3 decode.go
 * sets n.Value), so `z: 1.50` is the label value "1.50", `0x10` "0x10", `True` "True", `.nan` ".nan" and
 * `alert: 123` the alert "123", where the YAML 1.2 number or boolean would be written back as 1.5, 16, true and
 * NaN; a duration `for: 00` is the text "00" (which Prometheus refuses: not 0), `.nan` ".nan". Each such value
 * is replaced, in the pair that holds it (never a shared anchored node), by a text scalar at the same place.
 * Returns the aliases written as a record, alert or expr (see aliasWarning).
 */
export function textAsWritten(doc: Document): AliasedField[] {
  const aliased: AliasedField[] = [];
  visit(doc, {
    Pair(_key, pair, path) {
      const parent = path[path.length - 2];
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      const inMap = isPair(parent) && isScalar(parent.key) && TEXT_MAPS.has(String(parent.key.value));
      if (!inMap && (key === null || !TEXT_KEYS.has(key))) return;
      // A label's or an annotation's name is a map key Go decodes as text too: `.nan:` is ".nan", not "NaN".
      if (inMap && isScalar(pair.key) && pair.key.value !== null && typeof pair.key.value !== 'string' && pair.key.source !== undefined) {
        const name = new Scalar(pair.key.source);
        name.range = pair.key.range;
        pair.key = name;
      }
      const node = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
      if (!inMap && key !== null && NODE_KEYS.has(key) && isAlias(pair.value) && isScalar(node)) {
        aliased.push({ path: [...segments(path), key], alias: pair.value.source, text: String(node.source ?? node.value) });
      }
      if (!isScalar(node) || node.value === null || typeof node.value === 'string' || node.source === undefined) return;
      const text = new Scalar(node.source);
      text.range = (pair.value as Scalar).range;
      pair.value = text;
    },
  });
  return aliased;
}

export interface GoNumber { readonly path: PathSegment[]; readonly source: string; readonly yaml12: unknown; readonly go: number }

/**
 * A group's `limit` (rulefmt.RuleGroup.Limit, a Go int) as yaml.v3 reads a plain scalar (resolve.go: strconv.ParseInt
 * of the text without "_", base 0): `010` is 8 (an octal; promtool test rules: "exceeded limit of 8"), `1_000` 1000
 * and `0b11` 3, where YAML 1.2 reads 10 and the texts "1_000" and "0b11". Each such value is set, in place, to its
 * reading; returns them, to be warned.
 */
export function limitsAsRead(doc: Document): GoNumber[] {
  const read: GoNumber[] = [];
  visit(doc, {
    Pair(_key, pair, path) {
      if (!isScalar(pair.key) || pair.key.value !== 'limit' || !isScalar(pair.value)) return;
      const node = pair.value;
      if (node.type !== 'PLAIN' || node.tag || typeof node.source !== 'string') return;
      const r = goResolve(node.source, 'flagd');
      // `.nan` or `.inf`, a float Go cannot decode into an int ("cannot unmarshal !!float `.nan` into int"): kept as
      // written, for the refusal to name.
      if ('unwritable' in r) node.value = node.source;
      if ('unwritable' in r || typeof r.value !== 'number' || Object.is(r.value, node.value)) return;
      read.push({ path: [...segments(path), 'limit'], source: node.source, yaml12: node.value, go: r.value });
      node.value = r.value;
    },
  });
  return read;
}

/** The path of a node from visit's ancestry: keys of pairs, indexes into sequences. */
function segments(ancestry: readonly unknown[]): PathSegment[] {
  const out: PathSegment[] = [];
  ancestry.forEach((node, i) => {
    if (isPair(node) && isScalar(node.key)) out.push(String(node.key.value));
    else if (isSeq(node)) out.push(node.items.indexOf(ancestry[i + 1] as never));
  });
  return out;
}

/**
 * rulefmt decoded record, alert and expr as yaml.Node until Prometheus 3.3 (prometheus#14957, whose test file is
 * model/rulefmt/testdata/test_aliases.yaml): an alias there was its own name, so `alert: *alertname` is the alert
 * "alertname" to promtool 2.42 and `expr: *expr` the query `expr`. Later Prometheus reads the anchor's value.
 */
export const aliasWarning = (a: AliasedField): string =>
  `the alias *${a.alias}: Prometheus 3.3 and later read its anchor's value ${JSON.stringify(a.text.length > 80 ? `${a.text.slice(0, 80)}...` : a.text)}, as rehearse does; earlier ones (2.42 included) read the text ${JSON.stringify(a.alias)}, the alias's own name (write the value itself to be read alike by every Prometheus)`;

type Expect = 'string' | 'integer' | 'int-or-string' | 'map of string';
/**
 * The types of a PrometheusRule's groups and rules, as its CRD (monitoring.coreos.com_prometheusrules.yaml,
 * test/fixtures/vendor/prometheus-operator) declares them: the API server refuses the resource when a value has
 * another, so `severity: 1` or `for: 5` never reaches Prometheus (kubectl apply: "must be of type string").
 */
const RESOURCE_TYPES: { readonly group: Readonly<Record<string, Expect>>; readonly rule: Readonly<Record<string, Expect>> } = {
  group: { name: 'string', interval: 'string', labels: 'map of string', limit: 'integer', partial_response_strategy: 'string', query_offset: 'string' },
  rule: { alert: 'string', record: 'string', expr: 'int-or-string', for: 'string', keep_firing_for: 'string', labels: 'map of string', annotations: 'map of string' },
};

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v === 'number' ? 'number' : typeof v);

/**
 * Where a PrometheusRule's spec.groups has a value of a type its CRD does not allow, in the API server's words:
 * errors, and warnings for annotations, which the operator's admission webhook coerces into text where it is
 * deployed (prometheus-operator#3230; rehearse reads no annotation).
 */
export function resourceTypeProblems(groups: readonly unknown[], base: PathSegment[], where: (p: readonly PathSegment[]) => string): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const check = (v: unknown, expect: Expect, path: PathSegment[]) => {
    if (v === undefined) return;
    const t = typeOf(v);
    const say = (want: string, at: PathSegment[], got: string) => {
      const annotation = at[at.length - 2] === 'annotations' && typeof at[at.length - 1] === 'string';
      const line = `${where(at)}: Invalid value: ${quoted(got)}: must be of type ${want} (the API server refuses the PrometheusRule${annotation ? ' unless the Prometheus Operator\'s admission webhook is deployed, which writes an annotation\'s value as text' : ''}; quote the value)`;
      (annotation ? warnings : errors).push(line);
    };
    if (expect === 'map of string') {
      if (t !== 'object') say('object', path, t);
      else for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x !== 'string') say('string', [...path, k], typeOf(x));
    } else if (expect === 'string' ? t !== 'string' : expect === 'integer' ? t !== 'integer' : t !== 'string' && t !== 'integer') {
      say(expect === 'int-or-string' ? 'integer or string' : expect, path, t);
    } else if (expect === 'int-or-string' && t === 'integer') {
      // An IntOrString holds an int32: one past it the API server stores and the operator cannot decode.
      const narrow = goIntegerMessage('monitoring.coreos.com', 'PrometheusRule', 'int32', v as number);
      if (narrow !== null) errors.push(`${where(path)}: ${narrow}`);
    }
  };
  const fields = (v: unknown, table: Readonly<Record<string, Expect>>, path: PathSegment[]) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
    for (const [k, expect] of Object.entries(table)) check((v as Record<string, unknown>)[k], expect, [...path, k]);
  };
  groups.forEach((g, gi) => {
    fields(g, RESOURCE_TYPES.group, [...base, gi]);
    const rules = (g as { rules?: unknown } | null)?.rules;
    if (Array.isArray(rules)) rules.forEach((r, ri) => fields(r, RESOURCE_TYPES.rule, [...base, gi, 'rules', ri]));
  });
  return { errors, warnings };
}

/**
 * The documents of a file of PrometheusRules that `kubectl apply` sends: those before the first it cannot read or
 * write as JSON (`.nan`, `.inf`; kube/resources.ts resourceDocuments), where it stops reading the file, but for one
 * after `...` in the piece it reads, which it passes over. A
 * PrometheusRule it does not send is refused (the operator never gets its rules); another kind it leaves out is
 * warned. A file of rule groups is read by Prometheus whole, as before.
 */
export function applied(docs: Document[], text: string, file: string): { docs: Document[]; unsent: { errors: string[]; warnings: string[] } } {
  const unsent = { errors: [] as string[], warnings: [] as string[] };
  if (!docs.some((d) => isMap(d.contents) && d.get('kind') === 'PrometheusRule')) return { docs, unsent };
  const read = resourceDocuments({ file, text }).documents;
  const stop = read.findIndex((d) => 'unsent' in d && d.passed !== true);
  for (const d of read) {
    if (!('unsent' in d)) continue;
    if (d.kind === null || d.kind === 'PrometheusRule') unsent.errors.push(d.unsent);
    else unsent.warnings.push(`${d.unsent}; read without it`);
  }
  // Each document before the stop has its entry, in order: those kubectl reads are kept.
  return { docs: docs.slice(0, stop < 0 ? docs.length : stop).filter((_, i) => !('unsent' in read[i])), unsent };
}

/** A rule as the lint compares it: its name, labels and place. */
interface Named {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly where: string;
}

/** promtool check rules' lint (cmd/promtool/main.go checkDuplicates, 2.42): rules of one name and labels. */
export function duplicates(groups: readonly { readonly rules: readonly Named[] }[]): string[] {
  const first = new Map<string, Named>();
  const reported = new Set<string>();
  const out: string[] = [];
  for (const r of groups.flatMap((g) => g.rules)) {
    const key = JSON.stringify([r.name, Object.entries(r.labels).sort()]);
    const before = first.get(key);
    if (!before) first.set(key, r);
    else if (!reported.has(key) && reported.add(key)) out.push(`${r.where}: duplicate rule: ${r.name} with the labels of ${before.where} (promtool check rules lints it: "might cause inconsistency while recording expressions"; Prometheus loads both)`);
  }
  return out;
}

/**
 * A duration of a rule file in milliseconds, as prometheus/common model/time.go ParseDuration reads it: "0" without
 * a unit, and nothing past Go's time.Duration (about 292 years: "duration out of range", which promtool refuses).
 */
export function modelDuration(v: unknown, at: () => string, errors: string[]): number {
  const text = String(v);
  if (text === '0') return 0;
  const ms = parseDurationMs(text);
  if (ms === null) errors.push(`${at()}: not a valid duration string: ${JSON.stringify(v)}`);
  else if (durationOutOfRange(text)) errors.push(`${at()}: duration out of range: ${JSON.stringify(v)} (past Go's time.Duration, about 292 years)`);
  else return ms;
  return 0;
}
