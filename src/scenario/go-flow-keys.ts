/**
 * Keys inside `{ }` or `[ ]` that Go's yaml refuses and the yaml package reads. gopkg.in/yaml.v3 (v3.0.1
 * scannerc.go, as libyaml) takes a key without "? " (a simple key) only when its ":" follows on the line the key
 * starts on, at most 1024 characters on (yaml_simple_key_is_valid: `simple_key.mark.line < parser.mark.line ||
 * simple_key.mark.index+1024 < parser.mark.index`); otherwise the ":" is no key's, and the parser stops at it
 * (parserc.go yaml_parser_parse_flow_mapping_key: "did not find expected ',' or '}'"). The yaml package reads
 * `{"a<break>b": 1}` as {"a b": 1}, and `{"a"<break>: 1}` as {"a": 1}. Answers of yaml.v3 itself:
 * test/fixtures/yaml-v3/flow-keys.json.
 */
import { isCollection, Parser, visit, YAMLParseError, type CST, type Document } from 'yaml';

type FlowItem = CST.FlowCollection['items'][number];

/** The line breaks of Go's yaml reader (LF, CR, NEL, LS, PS). */
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

/**
 * Each item of a flow collection in a document's tokens, with its collection. Iterative: the yaml package's
 * CST.visit recurses once a level, and a hostile file nests thousands of `[` deep (Go's yaml takes 10,000 levels).
 */
function flowItems(doc: CST.Document): [FlowItem, CST.FlowCollection][] {
  const out: [FlowItem, CST.FlowCollection][] = [];
  const stack: (CST.Token | undefined)[] = [doc.value];
  while (stack.length) {
    const token = stack.pop();
    if (!token || !('items' in token)) continue;
    for (let i = token.items.length - 1; i >= 0; i--) {
      const item = token.items[i] as FlowItem;
      if (token.type === 'flow-collection') out.push([item, token]);
      stack.push(item.value, item.key ?? undefined);
    }
  }
  return out;
}

/** Each ":" of a flow collection whose key Go's yaml does not take as one (its offset in `text`, and the key's), with Go's words. */
export function goFlowKeyColons(text: string): { key: number; offset: number; message: string }[] {
  const found: { key: number; offset: number; message: string }[] = [];
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    for (const [item, parent] of flowItems(token)) {
      const colon = item.sep?.find((t) => t.type === 'map-value-ind');
      // A key after "?" is Go's KEY token: it may span lines.
      if (!item.key || !colon || item.start.some((t) => t.type === 'explicit-key-ind')) continue;
      // The key starts at its anchor or tag, where Go saves the simple key.
      const starts = [item.key.offset, ...item.start.filter((t) => t.type === 'anchor' || t.type === 'tag').map((t) => t.offset)];
      const start = Math.min(...starts);
      const between = text.slice(start, colon.offset);
      const lines = LINE_BREAK.test(between);
      // yaml.v3 counts characters (mark.index), not UTF-16 units.
      if (!lines && [...between].length <= 1024) continue;
      const close = parent.start.source === '[' ? ']' : '}';
      found.push({
        key: start,
        offset: colon.offset,
        message: `${lines ? 'a key whose ":" is not on the line it starts on (a key on two lines)' : 'a key whose ":" is more than 1024 characters from its start'} inside ${parent.start.source} ${close}: Go's yaml (kubectl, Prometheus) refuses it ("did not find expected ',' or '${close}'"); write it on one line, or after "? "`,
      });
    }
  }
  found.sort((a, b) => a.offset - b.offset);
  return found;
}

/** The yaml package's complaints of such a key (in a flow sequence), said in Go's words instead. */
const YAML_KEY_ERRORS = new Set(['MULTILINE_IMPLICIT_KEY', 'KEY_OVER_1024_CHARS']);

/**
 * Whether the documents may hold such a key: one has an error (what the yaml package read of it may lack the
 * collection), or a flow collection spans lines or more than 1024 characters. A collection on one line of at most
 * 1024 characters (UTF-16 units: never fewer than characters) holds no key of two lines and none over 1024
 * characters: goFlowKeyColons() parses the whole text again (a quarter of the time of reading a large Kubernetes
 * file, whose flow collections are `{app: web}` on one line), so it runs only for a file that may need it.
 */
function mayHoldGoFlowKeys(docs: readonly Document[], text: string): boolean {
  let found = false;
  for (const doc of docs) {
    if (doc.errors.length > 0) return true;
    visit(doc, (_, node) => {
      if (!isCollection(node) || !node.flow) return undefined;
      const [start, end] = node.range ?? [0, text.length];
      if (end - start > 1024 || LINE_BREAK.test(text.slice(start, end))) {
        found = true;
        return visit.BREAK;
      }
      return visit.SKIP;
    });
    if (found) return true;
  }
  return false;
}

/** Each such key made an error of the document it is in, at its ":", in place of the yaml package's own there. */
export function refuseGoFlowKeys(docs: readonly Document[], text: string): void {
  if (!mayHoldGoFlowKeys(docs, text)) return;
  for (const { key, offset, message } of goFlowKeyColons(text)) {
    const doc = [...docs].reverse().find((d) => (d.range?.[0] ?? 0) <= offset) ?? docs[0];
    if (!doc) continue;
    // In Go's words, in place of the yaml package's own (a flow sequence's key on two lines), in the file's order.
    const errors = doc.errors.filter((e) => !YAML_KEY_ERRORS.has(e.code) || e.pos[0] < key || e.pos[0] > offset);
    const at = errors.findIndex((e) => e.pos[0] > offset);
    errors.splice(at < 0 ? errors.length : at, 0, new YAMLParseError([offset, offset + 1], 'UNEXPECTED_TOKEN', message));
    doc.errors.splice(0, doc.errors.length, ...errors);
  }
}
