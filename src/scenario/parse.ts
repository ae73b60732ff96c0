/**
 * Scenario text to plain data, with positions. YAML (and so JSON, which is held to JSON's own syntax) is parsed
 * with line and column; merge keys are resolved as YAML 1.1 defines them; duplicate keys, nesting deeper than
 * MAX_NESTING, aliases inside what they name and merges of anything but mappings are refused. Pure: text in,
 * data and a locator (path inside the document to line:column) out, or problems.
 */
import { LineCounter, isAlias, isMap, isSeq, isPair, isScalar, visit, type Document, type Node, type Scalar } from 'yaml';
import { didYouMean } from '../errors.js';
import { quoted } from '../units/escape.js';
import { find, locate, offsetInScalar, type PathSegment, type Problem } from './problems.js';
import { parseDocumentAsGo } from './go-quoted.js';

/** A problem at a path, with the line and column of that path where the document has them. */
export type Locate = (path: readonly PathSegment[], p: Omit<Problem, 'line' | 'column'>) => Problem;

export type ParsedText = { ok: true; raw: unknown; at: Locate } | { ok: false; problems: Problem[] };

/** Deeper than this, a document is refused before anything walks it (scenarios nest a handful of levels). */
export const MAX_NESTING = 200;

/** Beyond this many, a list of problems is cut and the rest counted. */
export const MAX_PROBLEMS = 100;

/** The first MAX_PROBLEMS problems (located by `locate`, only those), then a count of the rest. */
export function capped(problems: readonly Problem[], locate: (p: Problem) => Problem = (p) => p): Problem[] {
  const out = problems.slice(0, MAX_PROBLEMS).map(locate);
  const rest = problems.length - out.length;
  if (rest > 0) out.push({ path: [], message: `... and ${rest} more problem${rest === 1 ? '' : 's'}` });
  return out;
}

/** Scenario text as plain data and a locator of paths, or the problems that stop it. */
export function parseText(source: string, syntax: 'YAML' | 'JSON' = 'YAML'): ParsedText {
  let text = source;
  let lineCounter = new LineCounter();
  const positioned = (offset: number, message: string, path: PathSegment[] = []): Problem => {
    const pos = lineCounter.linePos(offset);
    return { path, message, line: pos.line, column: pos.col };
  };
  const tooDeep = `nesting too deep (more than ${MAX_NESTING} levels)`;
  // A JSON file is held to JSON's own syntax (YAML would accept a trailing comma or a missing value).
  let jsonError: string | undefined;
  let jsonOffset: number | undefined;
  if (syntax === 'JSON') {
    try {
      JSON.parse(source);
    } catch (err) {
      jsonError = firstLine(String((err as Error).message ?? err).replace(/ in JSON at position \d+.*$/s, '').replace(/, \.\.\.".*" is not valid JSON$/s, ''));
      const m = /at position (\d+)/.exec(firstLine(err));
      if (m) jsonOffset = Number(m[1]);
    }
  }
  // Merge keys (`<<: *defaults`) are supported, as YAML 1.1 defines them. Duplicate keys are checked below in
  // one pass over the nodes: the yaml library's own check (uniqueKeys) compares every key with every other.
  let doc: Document;
  try {
    // A quoted string continued at or left of its key's column is read as Go's yaml (kubectl) reads it (go-quoted.ts).
    ({ doc, text, lines: lineCounter } = parseDocumentAsGo(source, { uniqueKeys: false, merge: true, prettyErrors: false }));
  } catch (err) {
    if (jsonError !== undefined) return { ok: false, problems: [jsonOffset === undefined ? { path: [], message: `invalid JSON: ${jsonError}` } : positioned(jsonOffset, `invalid JSON: ${jsonError}`)] };
    const message = isStackOverflow(err) ? `invalid ${syntax}: ${tooDeep}` : `invalid ${syntax}: ${firstLine(err)}`;
    return { ok: false, problems: [{ path: [], message }] };
  }
  if (jsonError !== undefined) {
    const offset = jsonOffset ?? doc.errors[0]?.pos[0];
    return { ok: false, problems: [offset === undefined ? { path: [], message: `invalid JSON: ${jsonError}` } : positioned(offset, `invalid JSON: ${jsonError}`)] };
  }
  if (doc.errors.length) {
    return {
      ok: false,
      problems: capped(doc.errors.map((e) => positioned(e.pos[0], `invalid ${syntax}: ${yamlErrorMessage(e)}`))),
    };
  }
  const tagged = oddTags(doc);
  if (tagged.length) return { ok: false, problems: capped(tagged.map((t) => positioned(t.offset, `invalid YAML: ${oddTagMessage(t.tag)}`))) };
  const deep = deepNode(doc, MAX_NESTING);
  if (deep !== undefined) return { ok: false, problems: [positioned(deep, `invalid ${syntax}: ${tooDeep}`)] };
  const badMerge = badMergeSource(doc);
  if (badMerge) {
    // An alias to no anchor (a misspelt name) is that, as it is outside a merge key, not a source of the wrong kind.
    const message = badMerge.alias === undefined ? 'a merge key (<<) takes a mapping, an alias of one or a list of them'
      : `Unresolved alias (the anchor must be set before the alias): ${badMerge.alias}${didYouMean(badMerge.alias, anchors(doc))}`;
    return { ok: false, problems: [positioned(badMerge.offset, `invalid ${syntax}: ${message}`, badMerge.path)] };
  }
  const duplicates = duplicateKeys(doc).map((key) => positioned(key.range?.[0] ?? 0, `invalid YAML: duplicate key ${quoted(String((key as Scalar).value))}`));
  if (duplicates.length) return { ok: false, problems: capped(duplicates) };
  const odd = collectionKeys(doc).map((key) => positioned(key.range?.[0] ?? 0, `invalid YAML: ${collectionKeyMessage(key)}`));
  if (odd.length) return { ok: false, problems: capped(odd) };
  let raw: unknown;
  try {
    // Converting to plain data resolves aliases and merge keys: an alias before its anchor, a merge of
    // something that is not a mapping and the library's guard against alias bombs all throw here.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const where = aliasAt(doc, err);
    // An alias to no anchor: the anchor meant, when one is near its name.
    const unresolved = /^Unresolved alias .*: (\S+)$/.exec(firstLine(err))?.[1];
    const meant = unresolved === undefined ? '' : didYouMean(unresolved, anchors(doc).filter((a) => a !== unresolved));
    const message = isStackOverflow(err) ? `invalid ${syntax}: ${tooDeep}` : `invalid ${syntax}: ${firstLine(err)}${meant}`;
    return { ok: false, problems: [where === undefined ? { path: [], message } : positioned(where, message)] };
  }
  const at: Locate = (path, p) => {
    const found = find(doc, path, p.key === true);
    // A mistake inside a text value: at its own column where the text is on one line.
    const inside = p.within && offsetInScalar(text, found.node, p.within.source, p.within.column);
    if (inside !== undefined && p.within) {
      const pos = lineCounter.linePos(inside);
      return { ...p, message: p.within.placed, line: pos.line, column: pos.col };
    }
    if (found.offset === undefined) return p;
    const pos = lineCounter.linePos(found.offset);
    return { ...p, line: pos.line, column: pos.col };
  };
  const loop = cycleIn(raw);
  if (loop) return { ok: false, problems: [at(loop, { path: loop, message: 'invalid YAML: an alias inside the mapping or list it names (a structure that contains itself)' })] };
  return { ok: true, raw, at };
}

/**
 * Where a document the yaml library gave up on for its depth (its guard against a stack overflow) passes
 * MAX_NESTING levels, or undefined for any other error. Where the library's stack ran out depends on the stack the
 * process has left: the place of the first node too deep does not.
 */
export function tooDeepAt(doc: Document, e: { code: string; message: string; pos: [number, number] }): number | undefined {
  if (e.code !== 'RESOURCE_EXHAUSTION' || !/call stack/i.test(e.message)) return undefined;
  return deepNode(doc, MAX_NESTING) ?? e.pos[0];
}

/**
 * The yaml library's error in one line; its guard against deep nesting (a stack overflow, wherever it struck) as ours.
 * The library quotes the token it stopped at whole: a minified script given for a scenario (an HTML report) made one
 * line of 500 KB ("Not a YAML token: 0===t.sign?..."); the quote is cut.
 */
export function yamlErrorMessage(e: { code: string; message: string }): string {
  if (e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(e.message)) return `nesting too deep (more than ${MAX_NESTING} levels)`;
  const line = e.message.split('\n')[0];
  // Only the library's own quotes of a token (parser.js "Not a YAML token: ", resolve-props.js "Unexpected <token> in
  // flow"): rehearse's own messages in its errors (go-breaks.ts, go-flow-keys.ts) are whole sentences, kept whole.
  return line.length > 200 && /^(Not a YAML token: |Unexpected )/.test(line) ? `${line.slice(0, 160)}…` : line;
}

/**
 * A parsed document of another tool's file (a flag file, a rule file, a Kubernetes resource) as plain data, or
 * why not and where: what parseText refuses of a scenario's shape is refused here too, before anything walks it:
 * nesting deeper than MAX_NESTING, an alias before its anchor, the library's guard against alias bombs and an
 * alias inside what it names (a structure that contains itself).
 */
export function plainData(doc: Document): { ok: true; value: unknown } | { ok: false; offset: number | undefined; message: string } {
  const tooDeep = `nesting too deep (more than ${MAX_NESTING} levels)`;
  const deep = deepNode(doc, MAX_NESTING);
  if (deep !== undefined) return { ok: false, offset: deep, message: tooDeep };
  // Parsed with uniqueKeys: false, as scenarios are: the library's check compares every key with every other (a
  // mapping of 50,000 keys took minutes); this one pass finds the same keys.
  const duplicate = duplicateKeys(doc)[0];
  if (duplicate) return { ok: false, offset: duplicate.range?.[0], message: `duplicate key ${quoted(String((duplicate as Scalar).value))}` };
  const odd = collectionKeys(doc)[0];
  if (odd) return { ok: false, offset: odd.range?.[0], message: collectionKeyMessage(odd) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, offset: aliasAt(doc, err), message: isStackOverflow(err) ? tooDeep : firstLine(err) };
  }
  const loop = cycleIn(value);
  if (loop) return { ok: false, offset: locate(doc, loop), message: 'an alias inside the mapping or list it names (a structure that contains itself)' };
  return { ok: true, value };
}

/** Why a tagged value is refused, after "invalid YAML: ". */
export const oddTagMessage = (tag: string): string => `the tag ${tag} is not read here: write plain text, numbers, true or false, lists and mappings`;

/** YAML 1.1's tags for what a scenario cannot hold: binary data, dates, sets and ordered maps (read as empty mappings). */
const NOT_DATA = new Set(['binary', 'timestamp', 'set', 'omap', 'pairs'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * Tags the document uses that give no plain value: unknown ones (the library keeps their text, so `!!float 1`
 * and `!foo 7` became the text "1" and "7") and YAML 1.1's binary, timestamp, set, omap and pairs (a Map or a Set,
 * whose entries a mapping's reader never sees: `slo: !!omap [...]` was an SLO of defaults).
 */
export function oddTags(doc: Document): { tag: string; offset: number }[] {
  const out: { tag: string; offset: number }[] = [];
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') out.push({ tag: /Unresolved tag: (\S+)/.exec(w.message)?.[1]?.replace(/^tag:yaml\.org,2002:/, '!!') ?? 'given', offset: w.pos[0] });
  }
  visit(doc, (_key, node) => {
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag && NOT_DATA.has(node.tag)) out.push({ tag: node.tag.replace(/^tag:yaml\.org,2002:/, '!!'), offset: node.range?.[0] ?? 0 });
  });
  return out.sort((a, b) => a.offset - b.offset);
}

/**
 * The path of a value that contains itself (an alias inside its own anchor), or null. Iterative, and each
 * object is walked once however many aliases share it.
 */
function cycleIn(raw: unknown): PathSegment[] | null {
  const done = new Set<object>();
  const onPath = new Set<object>();
  const stack: { value: object; keys: string[]; next: number; path: PathSegment[] }[] = [];
  const enter = (value: unknown, path: PathSegment[]): PathSegment[] | null => {
    if (value === null || typeof value !== 'object' || done.has(value)) return null;
    if (onPath.has(value)) return path;
    onPath.add(value);
    stack.push({ value, keys: Object.keys(value), next: 0, path });
    return null;
  };
  enter(raw, []);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next >= top.keys.length) {
      stack.pop();
      onPath.delete(top.value);
      done.add(top.value);
      continue;
    }
    const key = top.keys[top.next++];
    const seg: PathSegment = Array.isArray(top.value) ? Number(key) : key;
    const found = enter((top.value as Record<string, unknown>)[key], [...top.path, seg]);
    if (found) return found;
  }
  return null;
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(String(err.message));
}

/** The offset of the first node nested deeper than `max` collections, or undefined. Iterative. */
function deepNode(doc: Document, max: number): number | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (isPair(node)) {
      stack.push({ node: node.value, depth }, { node: node.key, depth });
    } else if (isMap(node) || isSeq(node)) {
      if (depth + 1 > max) return node.range?.[0] ?? 0;
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * The first merge key (`<<`) whose source is not a mapping, an alias of one or a list of them: where that
 * source is and the path of the key. The yaml library's own message has neither. Iterative.
 */
function badMergeSource(doc: Document): { offset: number; path: PathSegment[]; alias?: string } | undefined {
  const isMapSource = (v: unknown): boolean => isMap(v) || (isAlias(v) && isMap(v.resolve(doc)));
  const stack: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        // With merge keys on, the library reads a plain `<<` key as a symbol.
        if (key === '<<' || (typeof key === 'symbol' && key.description === '<<')) {
          const v = pair.value;
          const bad = isSeq(v) ? v.items.find((item) => !isMapSource(item)) : isMapSource(v) ? undefined : v;
          if (bad !== undefined || (isSeq(v) && v.items.length === 0)) {
            const at: number = (bad as Node | null | undefined)?.range?.[0] ?? (v as Node | null)?.range?.[0] ?? (pair.key as Node | null)?.range?.[0] ?? 0;
            const alias = isAlias(bad) && bad.resolve(doc) === undefined ? bad.source : undefined;
            return { offset: at, path: [...path, '<<'], ...(alias === undefined ? {} : { alias }) };
          }
          continue;
        }
        stack.push({ node: pair.value, path: [...path, typeof key === 'number' ? String(key) : String(key ?? '?')] });
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], path: [...path, i] });
    }
  }
  return undefined;
}

/** The anchors a document sets (`&name`). */
function anchors(doc: Document): string[] {
  const names: string[] = [];
  visit(doc, { Node(_key, node) { if (node.anchor) names.push(node.anchor); } });
  return names;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/** The alias an exception of toJS is about (the one it names, else the first), for its line and column. */
function aliasAt(doc: Document, err: unknown): number | undefined {
  const message = String((err as Error)?.message ?? '');
  let named: number | undefined;
  let first: number | undefined;
  for (const node of nodesOf(doc)) {
    if (!isAlias(node)) continue;
    const offset = node.range?.[0];
    first ??= offset;
    if (named === undefined && message.endsWith(`: ${node.source}`)) named = offset;
  }
  return named ?? first;
}

/** Every node of the document, depth first, without recursion (a hostile file may nest thousands deep). */
function* nodesOf(doc: Document): Generator<Node> {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.value, node.key);
    } else if (isMap(node) || isSeq(node)) {
      yield node;
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else if (node && typeof node === 'object') {
      yield node as Node;
    }
  }
}

/**
 * Keys that are mappings or lists (`{{ args.x }}: 1` unquoted is a mapping in a mapping's key): a Kubernetes API
 * server, Go's yaml and JSON have text keys only, and the yaml library would write such a key as text with a
 * process warning. Refused where they stand.
 */
export function collectionKeys(doc: Document): Node[] {
  const out: Node[] = [];
  for (const node of nodesOf(doc)) {
    if (!isMap(node)) continue;
    for (const pair of node.items) if (isMap(pair.key) || isSeq(pair.key)) out.push(pair.key);
  }
  // The outermost only: `{{ x }}` is a mapping whose key is a mapping.
  const within = (a: Node, b: Node): boolean => a !== b && !!a.range && !!b.range && a.range[0] >= b.range[0] && a.range[1] <= b.range[1];
  return out.filter((key) => !out.some((other) => within(key, other)));
}

function collectionKeyMessage(key: Node): string {
  return `a key that is a ${isMap(key) ? 'mapping' : 'list'}, where keys are text (unquoted, {{ args.name }} is a mapping in a mapping): a template in a key or a value goes in quotes`;
}

/** Keys repeated within one mapping (merge keys excepted), in one pass: a set per mapping. */
function duplicateKeys(doc: Document): Node[] {
  const out: Node[] = [];
  for (const node of nodesOf(doc)) {
    if (!isMap(node)) continue;
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const k = pair.key.value;
      if (k === '<<') continue;
      const id = typeof k === 'string' ? k : `${typeof k}:${String(k)}`;
      if (seen.has(id)) out.push(pair.key);
      else seen.add(id);
    }
  }
  return out;
}

