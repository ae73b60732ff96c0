/**
 * A targeting result turned into a variant name as Go flagd turns it (open-feature/flagd core/pkg/evaluator/json.go
 * evaluateVariant): diegoholiveira/jsonlogic's Apply writes the result with json.NewEncoder(...).Encode, which
 * escapes <, > and & (\u003c, \u003e, \u0026), U+2028 and U+2029, sorts an object's keys and writes a list or
 * object whole; flagd then removes every `"` and looks the text up among the variants. So "a&b" is looked up as
 * a\u0026b, ["a","b"] as [a,b], a text holding `"` or `\` changed; flagd-core took the result's toString ("a&b",
 * "a,b"). A number that is not finite cannot be written: an error of the evaluation (PARSE_ERROR). A result of
 * null is left as it is (flagd: the default variant).
 */

const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** encoding/json's text of a string (Go 1.22 and later: \b and \f as JavaScript writes them; a lone surrogate is U+FFFD). */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]).replace(/\\ud[89a-f][0-9a-f]{2}/g, '\\ufffd');
}

/** encoding/json's text of a JSON value (object keys in byte order of their UTF-8, as Go sorts them). */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${v}`);
    return Object.is(v, -0) ? '-0' : JSON.stringify(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${keys.map((k) => `${goString(k)}:${goJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new Error(`json: unsupported type: ${typeof v}`);
}

/** The variant name Go flagd looks up for a targeting result; null stays null. */
export function goVariantName(result: unknown): unknown {
  if (result === null || result === undefined) return result;
  return goJson(result).trim().replaceAll('"', '');
}
