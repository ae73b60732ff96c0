/**
 * What a schema expected, in the words of the file's author rather than the schema library's ("expected a whole
 * number, 1 or more, not 0"; "expected a list, not a mapping"; "missing: expected a mapping"). `plainError`
 * is the error map of every parse of input (`schema.safeParse(data, PLAIN)`, PLAIN below), so
 * that no message a user reads carries the library's own wording; the schema's own messages ("replicas must
 * be at least 1") still come first.
 */
import { z } from 'zod';
import { didYouMean } from '../errors.js';
import { quoted } from './escape.js';

/** The library's English wording, for tests that check none of it reaches a user. */
export const RAW_WORDING = /Invalid input|Invalid option|Invalid string|Invalid key|Invalid element|Invalid type|Too small|Too big|Unrecognized key|received (undefined|string|number|boolean|object|array|null|nan|bigint)|expected (string|number|object|array|record|tuple|int|boolean|nonoptional), received|must match pattern|expected array to have|expected number to be|expected string to have/;

interface Def {
  type: string;
  [k: string]: unknown;
}
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
const bagOf = (s: unknown): Record<string, unknown> => (s as { _zod?: { bag?: Record<string, unknown> } } | undefined)?._zod?.bag ?? {};

/** A value from input, as a message shows it: 5, "abc", a list, a mapping, nothing. */
export function given(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (typeof input === 'string') return input === '' ? 'an empty text' : quoted(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (typeof input === 'number' || typeof input === 'boolean' || typeof input === 'bigint') return String(input);
  if (Array.isArray(input)) return input.length ? 'a list' : 'an empty list';
  if (typeof input === 'object') return Object.keys(input).length ? 'a mapping' : 'an empty mapping';
  return typeof input;
}

/** A short description a schema carries (meta), when it is a few words that fit in a message. */
function shortDescription(schema: unknown): string | null {
  const d = z.globalRegistry.get(schema as z.ZodType)?.description;
  return d && d.length <= 48 && !/[.:;]/.test(d.replace(/\.$/, '')) ? d.replace(/\.$/, '') : null;
}

const show = (v: unknown) => (typeof v === 'string' ? quoted(v) : String(v));
const or = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`);

/** What a schema takes, in words: "a whole number, 1 or more", "a list", "one of "pause", "promote"", "text". */
export function expected(schema: unknown, depth = 0): string {
  const def = defOf(schema);
  if (!def || depth > 8) return 'a valid value';
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return expected(def.innerType, depth + 1);
    case 'pipe':
      return expected(def.in, depth + 1);
    case 'lazy':
      return expected((schema as { _zod: { innerType: unknown } })._zod.innerType, depth + 1);
    case 'string':
      return shortDescription(schema) ? `text (${shortDescription(schema)})` : 'text';
    case 'number': {
      const bag = bagOf(schema);
      const whole = typeof bag.format === 'string' && /int/.test(bag.format);
      const min = bag.minimum as number | undefined;
      const exclusive = bag.exclusiveMinimum as number | undefined;
      const lo = exclusive !== undefined && exclusive > Number.MIN_SAFE_INTEGER ? `, above ${exclusive}` : min !== undefined && min > Number.MIN_SAFE_INTEGER && min > -Number.MAX_VALUE ? `, ${min} or more` : '';
      return `${whole ? 'a whole number' : 'a number'}${lo}`;
    }
    case 'boolean': return 'true or false';
    case 'null': return 'an empty value';
    case 'literal': return or((def.values as unknown[]).map(show));
    case 'enum': return `one of ${Object.values(def.entries as Record<string, unknown>).map(show).join(', ')}`;
    case 'object': return 'a mapping';
    case 'record': return 'a mapping of names';
    case 'array': return 'a list';
    case 'tuple': return `a list of ${(def.items as unknown[]).length} items`;
    case 'union': return or([...new Set((def.options as unknown[]).map((o) => expected(o, depth + 1)))]);
    case 'unknown': case 'any': return 'any value';
    default: return 'a valid value';
  }
}

type RawIssue = z.core.$ZodRawIssue;

/** The library's type names, when an issue carries no schema to describe. */
const BY_TYPE: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'a mapping', record: 'a mapping of names',
  array: 'a list', tuple: 'a list', null: 'an empty value', nonoptional: 'a value',
};

/** An issue in plain words; the message the error map gives the library. */
export function plainMessage(iss: RawIssue): string {
  const input = iss.input;
  switch (iss.code) {
    case 'invalid_type': {
      const what = iss.inst ? expected(iss.inst) : BY_TYPE[String((iss as { expected?: unknown }).expected)] ?? 'a value';
      return input === undefined ? `missing: expected ${what}` : `expected ${what}, not ${given(input)}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const bound = Number(small ? (iss as { minimum: unknown }).minimum : (iss as { maximum: unknown }).maximum);
      const inclusive = (iss as { inclusive?: boolean }).inclusive !== false;
      const origin = (iss as { origin?: string }).origin;
      if (origin === 'array' || origin === 'set') {
        return small ? `expected at least ${bound} item${bound === 1 ? '' : 's'}, not ${given(input)}` : `expected at most ${bound} item${bound === 1 ? '' : 's'}`;
      }
      if (origin === 'string') {
        return small ? (bound <= 1 ? 'expected text, not an empty text' : `expected at least ${bound} characters`) : `expected at most ${bound} characters`;
      }
      const side = small ? (inclusive ? `${bound} or more` : `above ${bound}`) : inclusive ? `${bound} or less` : `below ${bound}`;
      return `expected ${side}, not ${given(input)}`;
    }
    case 'invalid_format':
      return `${given(input)} is not in the form this field takes${shortDescription(iss.inst) ? ` (${shortDescription(iss.inst)})` : ''}`;
    case 'invalid_value': {
      const values = (iss as { values: unknown[] }).values;
      const hint = typeof input === 'string' && values.length > 1 ? didYouMean(input, values.map(String)) : '';
      return values.length === 1 ? `expected ${show(values[0])}, not ${given(input)}` : `expected one of ${values.map(show).join(', ')}, not ${given(input)}${hint}`;
    }
    case 'unrecognized_keys': {
      const keys = (iss as { keys: string[] }).keys;
      return `unknown key${keys.length === 1 ? '' : 's'} ${keys.map(quoted).join(', ')}`;
    }
    case 'invalid_union': {
      // A discriminated union whose discriminator matched no option: say which values it takes (its path is the
      // discriminator's, so "type: ..." names the field), not that a mapping was expected of a mapping.
      const disc = (iss as { discriminator?: unknown }).discriminator;
      const options = (iss as { options?: unknown[] }).options;
      if (typeof disc === 'string' && Array.isArray(options) && input !== null && typeof input === 'object' && !Array.isArray(input)) {
        const value = (input as Record<string, unknown>)[disc];
        const list = `expected one of ${options.map(String).join(', ')}`;
        if (value === undefined) return `missing ${quoted(disc)}: ${list}`;
        const hint = typeof value === 'string' ? didYouMean(value, options.map(String)) : '';
        return `unknown ${disc} ${typeof value === 'string' ? quoted(value) : given(value)}: ${list}${hint}`;
      }
      return `expected ${expected(iss.inst)}, not ${given(input)}`;
    }
    case 'invalid_key': {
      const inner = (iss as { issues?: { message?: string }[] }).issues?.[0]?.message;
      return `the key ${given(input)} is not valid here${inner ? `: ${inner}` : ''}`;
    }
    case 'invalid_element':
      return `an element here is not valid: ${given(input)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String((iss as { divisor: unknown }).divisor)}, not ${given(input)}`;
    default:
      return (iss as { message?: string }).message ?? `${given(input)} is not valid here`;
  }
}

/** `services.payments.calls[2].to`; keys that are not plain identifiers are quoted. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${quoted(seg)}]`;
  }
  return out || '(top level)';
}

/** A failed parse's issues as lines, "path: message", the first `shown` of them and a count of the rest. */
export function issueLines(issues: readonly { path: readonly PropertyKey[]; message: string }[], shown = 10): string[] {
  const lines = issues.slice(0, shown).map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? p : String(p)));
    return path.length ? `${formatPath(path)}: ${i.message}` : i.message;
  });
  if (issues.length > shown) lines.push(`... and ${issues.length - shown} more`);
  return lines;
}

/** The error map to parse input with: the schema's own messages first, plain words for the rest. */
export const plainError = (iss: RawIssue): string => plainMessage(iss);

/**
 * The options of every parse of input: `plainError`, and zod's interpreted path (`jitless`). Without it zod
 * compiles a parser for each object schema with `new Function` at its first parse: code outside the CLI's code
 * cache, compiled anew at every start, which costs a file parsed once more than it saves (some 4 ms of
 * `rehearse validate`). The result and the messages are the same.
 */
export const PLAIN: z.core.ParseContext<z.core.$ZodIssue> = { error: plainError, jitless: true };
