/**
 * A YAML flag file as the Go programs that read them read it. rehearse parses YAML as YAML 1.2 (the yaml
 * library's core schema); Go's YAML libraries resolve a plain scalar otherwise (resolve.go of go-yaml v2.4.0 and
 * v3.0.1: strconv.ParseInt(text without "_", base 0), so `012` is 10, `1_000` 1000 and `0b101` 5; `1e400`, which
 * no float64 holds, stays text; `.inf` is a float JSON cannot write):
 * - flagd (core/pkg/utils/yaml.go YAMLToJSON): gopkg.in/yaml.v3, then encoding/json; a date is a time.Time, written
 *   as RFC 3339 (`2024-01-01` is "2024-01-01T00:00:00Z"); the keys of a mapping with a key that is no text are
 *   written with fmt's %v (convertMapKeys).
 * - Kubernetes (kubectl, and so an OpenFeature Operator FeatureFlag) and LaunchDarkly's Go SDK (its file data
 *   source): sigs.k8s.io/yaml and gopkg.in/ghodss/yaml over go-yaml v2, YAML 1.1's booleans too (`on`, `off`, `yes`,
 *   `no`, `y`, `n`), a date kept as text; keys written by convertToJSONableObject (a float with 32-bit precision;
 *   null refused).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { FlagFile, FlagWarning, GoScalar, GoYaml, YamlReader } from './flag-file.js';
import { jsYamlKey, jsYamlResolve } from './flag-js-yaml.js';
import { quoted } from '../units/escape.js';

export type { GoScalar, GoYaml, YamlReader } from './flag-file.js';


/** What a plain scalar is to a Go YAML library: a JSON value, or the reason encoding/json cannot write it. */
type Resolved = { value: unknown; timestamp?: string } | { unwritable: string };

const BOOL_V3: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const BOOL_V2: Record<string, boolean> = {
  ...BOOL_V3, y: true, Y: true, yes: true, Yes: true, YES: true, on: true, On: true, ON: true,
  n: false, N: false, no: false, No: false, NO: false, off: false, Off: false, OFF: false,
};
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** strconv.ParseInt(s, 0, 64) and then ParseUint: Go's integer literals (0x, 0o, 0b, a leading 0 octal), or null. */
function goInteger(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const digits = m[2];
  const body = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits;
  const n = BigInt(body.replace(/^0X/, '0x').replace(/^0O/, '0o').replace(/^0B/, '0b'));
  const v = m[1] === '-' ? -n : n;
  if (v >= -(2n ** 63n) && v < 2n ** 63n) return v;
  return m[1] === '' && v < 2n ** 64n ? v : null;
}

/** strconv.ParseFloat of a decimal text: the number, or null where it is none or out of range. */
function goFloat(s: string): number | null {
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/**
 * go-yaml's parseTimestamp for a plain scalar (v3 reads it as a time.Time), written as encoding/json writes a
 * time.Time (RFC 3339 with nanoseconds, trailing zeros dropped, "Z" for UTC); null where it is no timestamp.
 */
function goTimestamp(s: string): string | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?))?$/.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > days) return null;
  const hour = Number(m[5] ?? m[10] ?? 0);
  const minute = Number(m[6] ?? m[11] ?? 0);
  const second = Number(m[7] ?? m[12] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const fraction = (m[8] ?? m[13] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[9] === undefined || /^[+-]00:00$/.test(m[9]) ? 'Z' : m[9];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${m[1]}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction ? `.${fraction}` : ''}${zone}`;
}

/** go-yaml's resolve of an untagged plain scalar (v2 or v3), as encoding/json then writes it. */
export function goResolve(text: string, lib: GoYaml): Resolved {
  const bools = lib === 'flagd' ? BOOL_V3 : BOOL_V2;
  if (Object.hasOwn(bools, text)) return { value: bools[text] };
  if (NULLS.has(text)) return { value: null };
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text) || /^\.(nan|NaN|NAN)$/.test(text)) return { unwritable: `${text} is ${text.includes('n') && !text.includes('i') && !text.includes('I') ? 'NaN' : text.startsWith('-') ? '-Inf' : '+Inf'}, which encoding/json cannot write ("json: unsupported value")` };
  const hint = text[0];
  if (hint === '.') {
    const v = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? goFloat(text) : null;
    return { value: v ?? text };
  }
  if (hint !== '+' && hint !== '-' && !(hint >= '0' && hint <= '9')) return { value: text };
  if (lib === 'flagd') {
    const t = goTimestamp(text);
    if (t !== null) return { value: t, timestamp: t };
  } else if (goTimestamp(text) !== null) {
    return { value: text };
  }
  const plain = text.replaceAll('_', '');
  const int = goInteger(plain);
  if (int !== null) return { value: Number(int) };
  if (FLOAT.test(plain)) {
    const v = goFloat(plain);
    if (v !== null) return { value: v };
  }
  return { value: text };
}

/**
 * strconv's 'g' format with the shortest digits (fmt's %v of a float64; sigs.k8s.io/yaml's FormatFloat(f, 'g', -1,
 * 32), digits of the float32): an exponent where it is below -4 or at least 6 ("1e+06", "1.5e-05").
 */
function goG(v: number, bits: 32 | 64): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  let digits = String(v);
  if (bits === 32) {
    const f = Math.fround(v);
    for (let p = 1; p <= 9; p++) {
      if (Math.fround(Number(f.toPrecision(p))) === f) {
        digits = String(Number(f.toPrecision(p)));
        break;
      }
    }
  }
  const x = Number(digits);
  const [mantissa, e] = x.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return digits.includes('e') ? x.toFixed(Math.max(0, -exp + (mantissa.replace(/^-?\d\.?/, '').length))) : digits;
}

/** A key as the Go program writes it into JSON, or why it cannot. */
function goKey(text: string, lib: GoYaml): { key: string } | { unwritable: string } {
  const r = goResolve(text, lib);
  // fmt's %v of an infinite or NaN float key (flagd); sigs.k8s.io/yaml writes .inf, -.inf, .nan, then refuses the value.
  if ('unwritable' in r) return { key: /nan/i.test(text) ? (lib === 'flagd' ? 'NaN' : '.nan') : text.startsWith('-') ? (lib === 'flagd' ? '-Inf' : '-.inf') : (lib === 'flagd' ? '+Inf' : '.inf') };
  const v = r.value;
  if (r.timestamp) return { key: goTimeText(text) };
  if (typeof v === 'string') return { key: v };
  if (typeof v === 'boolean') return { key: String(v) };
  if (v === null) return lib === 'flagd' ? { key: '<nil>' } : { unwritable: 'a null key, which sigs.k8s.io/yaml cannot write ("unsupported map key")' };
  const int = goInteger(text.replaceAll('_', ''));
  if (int !== null && lib !== 'flagd' && int >= 2n ** 63n) return { unwritable: `the key ${text}, a uint64, which sigs.k8s.io/yaml cannot write ("unsupported map key of type: uint64")` };
  if (int !== null) return { key: int.toString() };
  return { key: goG(v as number, lib === 'flagd' ? 64 : 32) };
}

/** A time.Time key written with %v: "2024-01-01 00:00:00 +0000 UTC". */
function goTimeText(text: string): string {
  const t = goTimestamp(text)!;
  const [date, rest] = t.split('T');
  const zone = rest.endsWith('Z') ? '+0000 UTC' : `${rest.slice(-6).replace(':', '')} ${rest.slice(-6).replace(':', '')}`;
  return `${date} ${rest.replace(/(Z|[+-]\d{2}:\d{2})$/, '')} ${zone}`;
}

const same = (a: unknown, b: unknown) => Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && a === b);

/** A value as `lib` reads it; a key as it names it. */
function resolveAs(text: string, lib: YamlReader): Resolved | { value: unknown; date: true } {
  return lib === 'js-yaml' ? jsYamlResolve(text) : goResolve(text, lib);
}
function keyAs(text: string, lib: YamlReader): { key: string } | { unwritable: string } {
  return lib === 'js-yaml' ? jsYamlKey(text) : goKey(text, lib);
}

/** The keys a merge key's value sets: a mapping's, an alias's, or those of a list of them. */
function mergedKeys(value: unknown, doc: Document): Set<string> {
  const keys = new Set<string>();
  const add = (n: unknown) => {
    const target = isAlias(n) ? n.resolve(doc) : n;
    if (isMap(target)) for (const p of target.items) if (isPair(p)) keys.add(isScalar(p.key) ? String(p.key.value) : String(p.key));
  };
  if (isSeq(value)) value.items.forEach(add);
  else add(value);
  return keys;
}

const isMergeKey = (k: unknown): k is Node => isScalar(k) && k.type === 'PLAIN' && !k.tag && k.source === '<<';

/**
 * Reads `doc` as `lib` reads it: each untagged plain scalar (values and keys, inside anchors too) that the program
 * reads otherwise is set to its reading in a copy of the document, whose plain value is returned; with go-yaml v2
 * (kubernetes, launchdarkly-go), a key written before a merge key that sets it again takes the merged value (v2.4.0
 * decode.go mapping: d.merge where the `<<` stands, then later keys; yaml.v3, js-yaml and YAML 1.2 keep the key's own).
 */
export function readAsGo(doc: Document, lib: YamlReader): { value: unknown; scalars: GoScalar[] } {
  // Most documents hold no scalar read otherwise: they are read as they are, the copy (a clone of every node, half
  // the time of reading a file of thousands of resources) made only for those that do.
  const seen = goReadings(doc, lib, false);
  if (!seen.changes) return { value: doc.toJS({ maxAliasCount: 100 }), scalars: seen.scalars };
  const copy = doc.clone();
  const { scalars } = goReadings(copy, lib, true);
  return { value: copy.toJS({ maxAliasCount: 100 }), scalars };
}

/** The scalars `lib` reads otherwise in `copy`, each set to its reading where `apply`; `changes`: whether any is. */
function goReadings(copy: Document, lib: YamlReader, apply: boolean): { scalars: GoScalar[]; changes: boolean } {
  let changes = false;
  const scalars: GoScalar[] = [];
  const visit = (node: Node | null | undefined, path: (string | number)[]): void => {
    if (!node || isAlias(node)) return;
    if (isScalar(node)) {
      if (node.type !== 'PLAIN' || node.tag || typeof node.source !== 'string') return;
      const r = resolveAs(node.source, lib);
      const offset = node.range?.[0] ?? 0;
      if ('unwritable' in r) scalars.push({ offset, path, source: node.source, key: false, yaml12: node.value, unwritable: r.unwritable });
      else if (!same(r.value, node.value)) {
        scalars.push({ offset, path, source: node.source, key: false, yaml12: node.value, go: r.value, ...('date' in r ? { date: true } : {}) });
        changes = true;
        if (apply) node.value = r.value;
      } else if ('date' in r) scalars.push({ offset, path, source: node.source, key: false, yaml12: node.value, go: r.value, date: true });
      return;
    }
    if (isSeq(node)) return node.items.forEach((x, i) => visit(x as Node, [...path, i]));
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of [...node.items]) {
      if (!isPair(pair)) continue;
      const k = pair.key as Node | null;
      let name = isScalar(k) ? String(k.value) : String(k);
      // flagd decodes the top level into map[string]interface{}: its keys stay as written.
      if (isScalar(k) && k.type === 'PLAIN' && !k.tag && typeof k.source === 'string' && k.source !== '<<' && !(lib === 'flagd' && path.length === 0)) {
        const r = keyAs(k.source, lib);
        const offset = k.range?.[0] ?? 0;
        if ('unwritable' in r) scalars.push({ offset, path: [...path, name], source: k.source, key: true, yaml12: name, unwritable: r.unwritable });
        else if (r.key !== name) {
          scalars.push({ offset, path: [...path, name], source: k.source, key: true, yaml12: name, go: r.key });
          changes = true;
          if (apply) k.value = r.key;
          name = r.key;
        }
      }
      // js-yaml refuses a key it reads as one written before (loader.js storeMappingPair: "duplicated mapping key").
      if (lib === 'js-yaml' && seen.has(name) && isScalar(k)) scalars.push({ offset: k.range?.[0] ?? 0, path: [...path, name], source: String(k.source ?? name), key: true, yaml12: name, unwritable: `${quoted(name)} to js-yaml, a key the mapping already holds ("duplicated mapping key")` });
      seen.add(name);
      if ((lib === 'kubernetes' || lib === 'launchdarkly-go') && isMergeKey(k)) {
        const merged = mergedKeys(pair.value, copy);
        for (const before of node.items.slice(0, node.items.indexOf(pair))) {
          if (!isPair(before) || isMergeKey(before.key) || !isScalar(before.key) || !merged.has(String(before.key.value))) continue;
          const shown = String(before.key.value);
          scalars.push({ offset: before.key.range?.[0] ?? 0, path: [...path, shown], source: shown, key: false, yaml12: null, merged: k.range?.[0] ?? 0 });
          changes = true;
          if (apply) node.items.splice(node.items.indexOf(before), 1);
        }
      }
      visit(pair.value as Node, [...path, name]);
    }
  };
  visit(copy.contents as Node, []);
  return { scalars, changes };
}

/** The merge keys (`<<`) of a document, each with the path of the mapping it is in and its offset. */
export function mergeKeys(doc: Document): { path: (string | number)[]; offset: number }[] {
  const found: { path: (string | number)[]; offset: number }[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isSeq(node)) node.items.forEach((x, i) => visit(x, [...path, i]));
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      if (isMergeKey(pair.key)) found.push({ path, offset: (pair.key as Node).range?.[0] ?? 0 });
      else visit(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : String(pair.key)]);
    }
  };
  visit(doc.contents, []);
  return found;
}

/** Who reads a YAML flag file, and what rehearse does with its reading. */
const READERS: Record<YamlReader, { who: string; then: string; apply: boolean }> = {
  flagd: { who: 'flagd, which reads YAML with gopkg.in/yaml.v3 (core/pkg/utils/yaml.go YAMLToJSON)', then: 'rehearsed as flagd reads it (quote it to keep its text)', apply: true },
  kubernetes: {
    who: 'Kubernetes, which reads a resource\'s YAML as YAML 1.1 (kubectl: sigs.k8s.io/yaml over go-yaml v2)',
    then: 'the OpenFeature Operator hands flagd that, and it is rehearsed so (quote it to keep its text)', apply: true,
  },
  'launchdarkly-go': {
    who: 'LaunchDarkly\'s Go SDK, whose file data source reads YAML as YAML 1.1 (gopkg.in/ghodss/yaml over go-yaml v2)',
    then: 'its Node SDK reads what the YAML parser it is given reads (YAML 1.2 with the yaml package), as rehearse does: services on the Go SDK are served otherwise (quote it to be read alike)', apply: false,
  },
  'js-yaml': {
    who: 'Unleash, which reads YAML with js-yaml 4 (its state import: src/lib/services/state-util.ts parseFile, routes/admin-api/state.ts YAML.load)',
    then: 'rehearsed as Unleash imports it (quote it to keep its text)', apply: true,
  },
};

/**
 * A flag file read as the Go program `lib` names reads it (readAsGo): each plain scalar it reads otherwise than
 * YAML 1.2 warned at its line and column, with the value it is rehearsed with; one it cannot write as JSON
 * refused. A .json file, or one with nothing read otherwise, is given back as it is.
 */
/**
 * A value read from YAML as a warning shows it: its JSON text, but YAML's words for the numbers JSON has none for
 * (`.inf`, `-.inf`, `.nan`), which JSON.stringify writes as null (`1e999` is infinity to YAML 1.2, not null).
 */
export function shownValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  return JSON.stringify(v) ?? String(v);
}

export function readByGo(doc: FlagFile, lib: YamlReader): { doc: FlagFile; warnings: FlagWarning[]; refusals: FlagWarning[]; dates: (string | number)[][] } {
  const reading = doc.readAs?.(lib);
  if (!reading || reading.scalars.length === 0) return { doc, warnings: [], refusals: [], dates: [] };
  const dates = reading.scalars.filter((x) => x.date).map((x) => x.path);
  const { who, then, apply } = READERS[lib];
  const warnings: FlagWarning[] = [];
  const refusals: FlagWarning[] = [];
  for (const x of reading.scalars) {
    // A date js-yaml writes back as the file wrote it (an export's createdAt): the same text, but a Date to Joi.
    if (x.date && same(x.go, x.yaml12)) continue;
    const place = { file: doc.file, path: [...(doc.within ?? []), ...x.path], line: x.line, column: x.column };
    const what = x.key ? `the key ${x.source}` : x.source;
    if (x.unwritable) refusals.push({ ...place, message: `${what}: ${x.unwritable}: ${who.split(',')[0]} cannot read the file` });
    else if (x.mergedAt) {
      warnings.push({ ...place, message: `the key ${x.source} is set again by the merge key at line ${x.mergedAt.line}, column ${x.mergedAt.column}, and takes the merged value to ${who}: go-yaml v2 merges where the \`<<\` stands (decode.go mapping, v2.4.0), where YAML 1.2's merge, yaml.v3 and js-yaml keep the key's own; ${then.replace(/\(quote it[^)]*\)/, '(write the key after the merge key to be read alike)')}` });
    } else if (x.date) {
      warnings.push({ ...place, message: `${what} is a date to ${who}, stored as ${shownValue(x.go)}, where YAML 1.2 reads the text ${shownValue(x.yaml12)}; ${then}` });
    } else warnings.push({ ...place, message: `${what} is ${shownValue(x.go)} to ${who}, where YAML 1.2 reads ${shownValue(x.yaml12)}; ${then}` });
  }
  return { doc: apply ? { ...doc, value: reading.value } : doc, warnings, refusals, dates };
}
