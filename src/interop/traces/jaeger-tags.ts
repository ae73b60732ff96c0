/**
 * A Jaeger tag's value read by its `type`, as Jaeger's own reader of {key, type, value} tags converts it
 * (jaegertracing/jaeger internal/storage/v2/elasticsearch/tracestore/from_dbmodel.go dbTagsToAttributes and
 * fromDBNumber, commit 8498073f): text is parsed by Go's strconv (ParseBool, ParseInt in base 10, ParseFloat), a
 * JSON number of an int64 tag is truncated (Go's int64(float64)), a binary tag's text is hex in Elasticsearch's
 * documents (hex.DecodeString) and base64 in the UI's JSON (jaeger-query writes []byte: internal/uimodel/converter/
 * v1/json/from_domain.go convertKeyValues). A value its type cannot hold Jaeger replaces with an error text ("Can't
 * convert the type int64 for the key ...", "invalid bool type in 1"): here the span is refused at that value's place,
 * never read as the value given nor as that text. A tag without a type is read by its JSON type, as the UI shows it.
 */
import { didYouMean } from '../../errors.js';
import { scalar, type AttributeValue } from '../../observe/span.js';
import { withArticle } from '../../units/article.js';

const TYPES = ['string', 'bool', 'int64', 'float64', 'binary'];
const KEPT = 'Jaeger\'s reader keeps an error text in its place';

/** The value read, or why the span is refused and which of the tag's fields is at fault. */
export type TagValue = { value: AttributeValue } | { why: string; field: 'type' | 'value' };

/** Go's strconv underscoreOK: an underscore only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = '^', i = 0;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1].toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1].toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else if (saw === '_') return false;
    else saw = '!';
  }
  return saw !== '_';
}

/** A number as Go's strconv.ParseFloat(s, 64) reads text (NaN when it refuses it; Infinity and NaN words as such). */
export function goParseFloat(s: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (s.includes('_') && !underscoreOK(s)) return NaN;
  const t = s.replaceAll('_', '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  const h = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  if (h === null || (h[2] + (h[3] ?? '')) === '') return NaN;
  const frac = h[3] ?? '';
  const v = Number(BigInt(`0x${h[2]}${frac}`)) * 2 ** (Number(h[4]) - 4 * frac.length);
  return h[1] === '-' ? -v : v;
}

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'], GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
const INT64 = 2n ** 63n;

/** `value` read as a tag of `type` (a tag's `type` field); `es`: a document of Jaeger's Elasticsearch span index. */
export function typedTagValue(type: unknown, value: unknown, es: boolean): TagValue {
  if (type === undefined || type === null) return { value: scalar(value) };
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    return { why: `a span with a tag whose type is none of Jaeger's (${TYPES.join(', ')})${didYouMean(String(type), TYPES)}; ${KEPT}`, field: 'type' };
  }
  const refuse = (what: string): TagValue => ({ why: `a span with ${withArticle(type)} tag whose value is ${what}; ${KEPT}`, field: 'value' });
  switch (type) {
    case 'string':
      return typeof value === 'string' ? { value } : refuse('not text');
    case 'bool':
      if (typeof value === 'boolean') return { value };
      if (typeof value === 'string' && GO_TRUE.includes(value)) return { value: true };
      if (typeof value === 'string' && GO_FALSE.includes(value)) return { value: false };
      return refuse('neither true nor false (nor text strconv.ParseBool reads: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)');
    case 'int64': {
      if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 2 ** 63) return { value: Math.trunc(value) };
      if (typeof value === 'string' && /^[+-]?\d+$/.test(value) && BigInt(value) >= -INT64 && BigInt(value) < INT64) return { value: Number(value) };
      return refuse('no whole number of int64 (a JSON number, or text strconv.ParseInt reads in base 10)');
    }
    case 'float64': {
      const v = typeof value === 'number' ? value : typeof value === 'string' ? goParseFloat(value) : NaN;
      return Number.isFinite(v) ? { value: v } : refuse('no finite number (a JSON number, or text strconv.ParseFloat reads; NaN and Inf are not read)');
    }
    default:
      if (es) return typeof value === 'string' && value.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(value) ? { value } : refuse('not hex text (hex.DecodeString)');
      return typeof value === 'string' && value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? { value } : refuse('not base64 text (the UI\'s JSON writes bytes as base64)');
  }
}
