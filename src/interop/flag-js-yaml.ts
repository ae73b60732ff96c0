/**
 * A plain scalar as js-yaml 4.1.0 reads it: the YAML reader of Unleash's state import (Unleash/unleash
 * src/lib/routes/admin-api/state.ts import() and src/lib/services/state-util.ts parseFile: `YAML.load` of a file mime
 * names text/yaml, .yaml or .yml; js-yaml 4.1.0 in its yarn.lock at ff377cd70461). Its DEFAULT_SCHEMA is YAML 1.2's
 * core schema as js-yaml writes it, which reads more than the yaml library's (nodeca/js-yaml 4.1.0 lib/type/int.js,
 * float.js, timestamp.js):
 * - integers in base 2, 8, 10 and 16, each with a sign and with `_` between digits (`0b101` 5, `1_000` 1000, `-0x1F`
 *   -31), where YAML 1.2 reads these as text;
 * - floats with `_` (`1_000.5`), but a leading dot only without a sign (`-.5` is text, -0.5 to YAML 1.2);
 * - timestamps (`2024-01-01`, `2024-01-01 10:00:00`): a Date, which the import stores where it stores JSON as its
 *   toJSON text ("2024-01-01T00:00:00.000Z") and which Joi's string() refuses.
 * A key is `String()` of what it reads (loader.js storeMappingPair): `0b101:` is "5"; a date key is the Date written in
 * the server's time zone, which the file cannot say.
 * test/real-flags-17.test.ts holds this to js-yaml 4.1.0's own answers (test/fixtures/vendor/unleash/js-yaml/scalars-4.1.0.json).
 */

/** What js-yaml reads a plain scalar as: a JSON value (a Date as its toJSON text, marked). */
export type JsYamlResolved = { value: unknown; date?: true };

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const DATE = /^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$/;
const TIMESTAMP = /^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?$/;

/** int.js resolveYamlInteger: a sign, then 0b, 0x or 0o digits, or decimal digits, `_` between them but not last. */
function isInteger(s: string): boolean {
  const body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
  if (body === '0') return true;
  const based = /^0([bxo])(.*)$/.exec(body);
  if (based) {
    const digit = based[1] === 'b' ? /^[01]$/ : based[1] === 'x' ? /^[0-9a-fA-F]$/ : /^[0-7]$/;
    const rest = based[2];
    return [...rest].every((c) => c === '_' || digit.test(c)) && /[^_]/.test(rest) && !rest.endsWith('_');
  }
  // Base 10: after a leading 0 the loop starts at the next character (a leading `_` there is refused, not after it).
  const start = body.startsWith('0') ? body.slice(1) : body;
  if (start.startsWith('_')) return false;
  return /^[0-9_]*$/.test(start) && /[0-9]/.test(start) && !start.endsWith('_');
}

/** int.js constructYamlInteger. */
function integer(s: string): number {
  let value = s.replaceAll('_', '');
  let sign = 1;
  if (value[0] === '-' || value[0] === '+') {
    if (value[0] === '-') sign = -1;
    value = value.slice(1);
  }
  if (value === '0') return 0;
  if (value[0] === '0') {
    if (value[1] === 'b') return sign * parseInt(value.slice(2), 2);
    if (value[1] === 'x') return sign * parseInt(value.slice(2), 16);
    if (value[1] === 'o') return sign * parseInt(value.slice(2), 8);
  }
  return sign * parseInt(value, 10);
}

/** float.js constructYamlFloat. */
function float(s: string): number {
  let value = s.replaceAll('_', '').toLowerCase();
  const sign = value[0] === '-' ? -1 : 1;
  if (value[0] === '+' || value[0] === '-') value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  return sign * parseFloat(value);
}

/** timestamp.js constructYamlTimestamp (Date.UTC, which takes a month or day past its end into the next). */
function timestamp(s: string): Date | null {
  const m = DATE.exec(s) ?? TIMESTAMP.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  if (!m[4]) return new Date(Date.UTC(year, month, day));
  const fraction = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const date = new Date(Date.UTC(year, month, day, Number(m[4]), Number(m[5]), Number(m[6]), fraction));
  if (m[9]) {
    const delta = (Number(m[10]) * 60 + Number(m[11] ?? 0)) * 60000;
    date.setTime(date.getTime() - (m[9] === '-' ? -delta : delta));
  }
  return date;
}

/** js-yaml's implicit types of DEFAULT_SCHEMA, in its order: null, bool, int, float, timestamp. */
function read(text: string): unknown {
  if (NULLS.has(text)) return null;
  if (Object.hasOwn(BOOLS, text)) return BOOLS[text];
  if (isInteger(text)) return integer(text);
  if (FLOAT.test(text) && !text.endsWith('_')) return float(text);
  return timestamp(text) ?? text;
}

/** A value: what JSON holds of it (a Date as its toJSON text). */
export function jsYamlResolve(text: string): JsYamlResolved {
  const v = read(text);
  // Date.UTC of four-digit years and two-digit fields is always a valid time.
  return v instanceof Date ? { value: v.toJSON(), date: true } : { value: v };
}

/** A key: String() of what js-yaml reads. */
export function jsYamlKey(text: string): { key: string } | { unwritable: string } {
  const v = read(text);
  if (v instanceof Date) return { unwritable: 'a date to js-yaml, which Unleash\'s import names with String(Date) in the server\'s time zone: quote it' };
  return { key: String(v) };
}
