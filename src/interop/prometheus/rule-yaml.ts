/**
 * A rule file's YAML as rulefmt decodes it with gopkg.in/yaml.v3, where that differs from YAML 1.2 data: text
 * fields keep the scalar as written, and (before Prometheus 3.3) an alias in record, alert or expr is its name.
 */
import { isAlias, isPair, isScalar, isSeq, Scalar, visit, type Document } from 'yaml';
import type { PathSegment } from '../../scenario/problems.js';

/** yaml.v3's words for a mapping or a list where rulefmt decodes text (a label's or an annotation's value). */
export const notText = (v: object): string => `cannot unmarshal ${Array.isArray(v) ? '!!seq' : '!!map'} into string (a value here is text; Prometheus refuses the file)`;

/** Keys whose values rulefmt decodes as text (string fields, yaml.Node values), and maps of text by name. */
const TEXT_KEYS = new Set(['name', 'record', 'alert', 'expr']);
const TEXT_MAPS = new Set(['labels', 'annotations']);
/** The fields 2.42 decodes as a yaml.Node, whose Value an alias makes the alias's own name. */
const NODE_KEYS = new Set(['record', 'alert', 'expr']);

export interface AliasedField { readonly path: PathSegment[]; readonly alias: string; readonly text: string }

/**
 * Text fields as yaml.v3 decodes them into a Go string: the scalar as written (gopkg.in/yaml.v3 decode.go
 * sets n.Value), so `z: 1.50` is the label value "1.50", `0x10` "0x10", `True` "True" and `alert: 123` the
 * alert "123", where the YAML 1.2 number or boolean would be written back as 1.5, 16 and true. Each such value
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
