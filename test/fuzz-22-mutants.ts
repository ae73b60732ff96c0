/**
 * A seeded, structure-aware mutator of YAML and JSON files (test/fuzz-22.test.ts): each operation finds a node of the
 * parsed document and rewrites its source text, so what is not mutated keeps its bytes, comments and positions.
 * Operations: a value replaced (huge, negative, NaN-like, hex, octal, underscored numbers; empty and 64 KB strings;
 * right-to-left marks, NUL, lone surrogates, combining marks; other types), a key given twice, anchors and aliases
 * (billion laughs), merge keys, tags (!!binary, !!set, a custom one), deep nesting, a pair deleted.
 */
import YAML from 'yaml';

/** A small seeded generator (mulberry32): the same seed gives the same mutants on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BIG = 'x'.repeat(65536);
/** Replacement texts valid in both YAML and JSON. */
const JSON_VALUES = [
  '1e999', '-1e999', '-1', '-0', '0', '1.5', '12.5', '1e-400', '9007199254740993', '123456789012345678901234567890',
  '""', `"${BIG}"`, '"\\u202eevil\\u202c"', '"a\\u0000b"', '"\\ud800"', '"e\\u0301\\u0301\\u0301"', '"\\u2028"',
  'true', 'null', '[]', '{}', '[1, 2]', '{"a": 1}', '"1e999"', '"NaN"', '"-5m"', '"12.5%"', '"0x1F"', '"<b>x</b>"',
  '"undefined"', '"__proto__"', '"constructor"',
];
/** Further replacement texts that only YAML reads. */
const YAML_VALUES = [
  '0x1F', '0o17', '017', '0b101', '1_000', '+12', '.nan', '.inf', '-.inf', 'NaN', 'Infinity', '~', 'on', 'yes', 'no',
  '2026-01-01', '10m', '-5m', '0.5%', '99.999%', "'1e999'", '!!binary aGVsbG8=', '!!set {a, b}', '!custom x',
  '!!str 12', '!!int "12"', '!!float 1', '!!timestamp 2001-12-14', '!!null ""', '|\n  block', 'a: b: c',
];

export interface Mutant { text: string; ops: string[] }

interface Place { node: YAML.Node; key?: YAML.Node; parent?: YAML.YAMLMap | YAML.YAMLSeq; doc: number }

function places(docs: YAML.Document.Parsed[]): Place[] {
  const out: Place[] = [];
  docs.forEach((doc, d) => {
    YAML.visit(doc, {
      Pair(_k, pair, path) {
        const parent = path[path.length - 1] as YAML.YAMLMap;
        if (YAML.isNode(pair.value) && YAML.isNode(pair.key)) out.push({ node: pair.value, key: pair.key as YAML.Node, parent, doc: d });
      },
      Node(_k, node, path) {
        const parent = path[path.length - 1];
        if (YAML.isSeq(parent)) out.push({ node, parent, doc: d });
      },
    });
  });
  return out.filter((p) => p.node.range);
}

const splice = (text: string, from: number, to: number, insert: string) => text.slice(0, from) + insert + text.slice(to);
const column = (text: string, at: number) => at - (text.lastIndexOf('\n', at - 1) + 1);
const blockIndent = (text: string, at: number) => ' '.repeat(column(text, at));

/** The text of a list `depth` levels deep around a value. */
export const nested = (depth: number, json: boolean) => (json ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '['.repeat(depth) + '1' + ']'.repeat(depth));

/** A billion laughs in flow style: nine levels of ten aliases each, inside one node. */
export function laughs(levels = 9): string {
  const parts = ['&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) parts.push(`&l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
  return `[${parts.join(', ')}]`;
}

/** One operation on `text` (a JSON file when `json`); null when it found nothing to apply to. */
function mutateOnce(text: string, json: boolean, rnd: () => number): { text: string; op: string } | null {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  let docs: YAML.Document.Parsed[];
  try {
    docs = YAML.parseAllDocuments(text, { keepSourceTokens: false, uniqueKeys: false }) as YAML.Document.Parsed[];
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return null;
  } catch {
    return null;
  }
  const all = places(docs);
  if (!all.length) return null;
  const p = pick(all);
  const [start, valueEnd] = p.node.range!;
  const flowParent = p.parent && (p.parent as YAML.YAMLMap).flow;
  const r = rnd();
  const valueText = () => (json ? pick(JSON_VALUES) : pick(rnd() < 0.5 ? JSON_VALUES : YAML_VALUES));
  const blockSafe = (v: string) => (v.includes('\n') ? v.replace(/\n/g, `\n${blockIndent(text, start)}`) : v);
  if (r < 0.45) {
    let v = valueText();
    if (v.startsWith('|') && (flowParent || json)) v = '"block"';
    return { text: splice(text, start, valueEnd, blockSafe(v)), op: `value ${v.slice(0, 30)} at ${start}` };
  }
  if (r < 0.55 && p.key?.range) {
    // The key given twice: after the pair, with another value.
    const keyText = text.slice(p.key.range[0], p.key.range[1]);
    const v = valueText().replace(/\n/g, ' ');
    if (v.startsWith('|')) return null;
    const insert = flowParent || json ? `, ${keyText}: ${v}` : `\n${blockIndent(text, p.key.range[0])}${keyText}: ${v}`;
    const at = flowParent || json ? valueEnd : text.slice(start, valueEnd).trimEnd().length + start;
    return { text: splice(text, at, at, insert), op: `duplicate key ${keyText.slice(0, 30)} at ${at}` };
  }
  if (r < 0.62 && p.key?.range) {
    // The pair deleted (its key to its value's end; the comma after it in flow style).
    const from = p.key.range[0];
    let to = valueEnd;
    if (flowParent || json) {
      const after = /^\s*,/.exec(text.slice(to));
      if (after) to += after[0].length;
      else {
        const before = /,\s*$/.exec(text.slice(0, from));
        if (before) return { text: splice(text, from - before[0].length, to, ''), op: `delete ${text.slice(from, p.key.range[1]).slice(0, 30)}` };
      }
    }
    return { text: splice(text, from, to, ''), op: `delete ${text.slice(from, p.key.range[1]).slice(0, 30)}` };
  }
  if (r < 0.7) {
    const depth = pick([64, 1000, 5000]);
    return { text: splice(text, start, valueEnd, nested(depth, json)), op: `nested ${depth} at ${start}` };
  }
  if (json) {
    // Within a string, the characters that hide or break: at the string's start.
    if (YAML.isScalar(p.node) && typeof p.node.value === 'string' && text[start] === '"') {
      const c = pick(['\\u202e', '\\u0000', '\\ud800', '\\u0301', '\\u2028', '\\u00a0', '\\ufeff']);
      return { text: splice(text, start + 1, start + 1, c), op: `char ${c} at ${start}` };
    }
    return null;
  }
  if (r < 0.78) {
    // Anchor this node and alias it from another place after it (not inside it).
    const later = all.filter((q) => q.doc === p.doc && q.node.range![0] >= valueEnd);
    if (!later.length) return null;
    const q = pick(later);
    const name = `m${Math.floor(rnd() * 1e6)}`;
    let out = splice(text, q.node.range![0], q.node.range![1], `*${name}`);
    out = splice(out, start, start, YAML.isCollection(p.node) && !(p.node as YAML.YAMLMap).flow ? `&${name}\n${blockIndent(text, start)}` : `&${name} `);
    return { text: out, op: `alias ${name}` };
  }
  if (r < 0.84) {
    // A merge key into a block map, from a map anchored before it.
    const maps = all.filter((q) => q.doc === p.doc && YAML.isMap(q.node) && !(q.node as YAML.YAMLMap).flow && (q.node as YAML.YAMLMap).items.length);
    if (maps.length < 2) return null;
    const a = pick(maps);
    const b = pick(maps.filter((q) => q.node.range![0] >= a.node.range![2]));
    if (!b) return null;
    const name = `b${Math.floor(rnd() * 1e6)}`;
    const at = b.node.range![0];
    let out = splice(text, at, at, `<<: *${name}\n${blockIndent(text, at)}`);
    out = splice(out, a.node.range![0], a.node.range![0], `&${name}\n${blockIndent(text, a.node.range![0])}`);
    return { text: out, op: `merge ${name}` };
  }
  if (r < 0.92) {
    const tag = pick(['!!binary', '!!set', '!custom', '!!str', '!!int', '!!float', '!!map', '!!seq', '!!omap', '!!timestamp']);
    const multiline = YAML.isCollection(p.node) && !(p.node as YAML.YAMLMap).flow;
    return { text: splice(text, start, start, multiline ? `${tag}\n${blockIndent(text, start)}` : `${tag} `), op: `tag ${tag} at ${start}` };
  }
  return { text: splice(text, start, valueEnd, laughs(pick([3, 9]))), op: `laughs at ${start}` };
}

/** One to three operations on `text`. */
export function mutate(text: string, json: boolean, rnd: () => number): Mutant {
  const ops: string[] = [];
  let out = text;
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0, tries = 0; i < n && tries < 20; tries++) {
    const m = mutateOnce(out, json, rnd);
    if (!m) continue;
    out = m.text;
    ops.push(m.op);
    i++;
  }
  return { text: out, ops };
}
