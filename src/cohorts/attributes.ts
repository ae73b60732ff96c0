/**
 * Extra user attributes for targeting rules: `plan=free:70%,pro:25%,enterprise:5%` (a weighted choice) or
 * `email=faker:internet.email` (a faker generator, looked up by name among faker's own modules, never evaluated).
 * Each attribute is drawn from its own seeded stream, so adding one changes no other column of the cohort.
 */
import { didYouMean } from '../errors.js';
import { RESERVED_NAME } from '../records.js';
import { englishFaker } from './faker.js';
import { quoted } from '../units/escape.js';

export type AttributeValue = string | number | boolean;

export type AttributeSpec =
  | { readonly name: string; readonly kind: 'choice'; readonly choices: readonly (readonly [AttributeValue, number])[] }
  | { readonly name: string; readonly kind: 'faker'; readonly module: string; readonly method: string };

export type ParsedSpec = { ok: true; spec: AttributeSpec } | { ok: false; message: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A value as written: numbers and true/false become numbers and booleans. */
function valueOf(text: string): AttributeValue {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Parses the right-hand side of `name=...` for attribute `name`. */
export function parseAttributeValues(name: string, text: string): ParsedSpec {
  if (!NAME.test(name)) return { ok: false, message: `attribute name ${quoted(name)} is letters, digits and "_"` };
  // A cohort file could not hold it: its column would be the users' prototype, and dropped when read.
  if (name === RESERVED_NAME) return { ok: false, message: `the attribute name ${quoted(RESERVED_NAME)} is reserved (JavaScript's prototype key): choose another name` };
  const faker = /^faker:([a-z]+)\.([A-Za-z]+)$/.exec(text.trim());
  if (faker) {
    const probe = englishFaker() as unknown as Record<string, unknown>;
    const mod = Object.prototype.hasOwnProperty.call(probe, faker[1]) ? probe[faker[1]] : undefined;
    const fn = mod && typeof mod === 'object' ? (mod as Record<string, unknown>)[faker[2]] : undefined;
    if (typeof fn !== 'function' || faker[2].startsWith('_') || faker[2] === 'constructor') {
      return { ok: false, message: `${quoted(text)} is not a faker generator${didYouMean(`faker:${faker[1]}.${faker[2]}`, fakerGenerators(probe))} (e.g. faker:internet.email, faker:location.city)` };
    }
    // Called once here as each user's value is: a generator that needs arguments, or gives no single value,
    // is refused by name (not a TypeError from faker, not a column of ",," or of dates relative to today).
    let sample: unknown;
    try {
      sample = (fn as () => unknown).call(mod);
    } catch {
      return { ok: false, message: `${quoted(text)} needs arguments: an attribute takes a faker generator called with none (e.g. faker:internet.email, faker:location.city)` };
    }
    if (sample instanceof Date) return { ok: false, message: `${quoted(text)} gives a date drawn relative to today, so the same seed would not give the same users: use a generator of text or numbers` };
    if (!['string', 'number', 'boolean'].includes(typeof sample)) {
      return { ok: false, message: `${quoted(text)} gives ${Array.isArray(sample) ? 'a list' : sample === null || sample === undefined ? 'nothing' : `${typeof sample === 'object' ? 'an object' : `a ${typeof sample}`}`}, not one value per user (text, a number or true/false)` };
    }
    return { ok: true, spec: { name, kind: 'faker', module: faker[1], method: faker[2] } };
  }
  const parts = text.split(',').map((p) => p.trim());
  const choices: [AttributeValue, number][] = [];
  for (const p of parts) {
    const m = /^(.+):(\d+(?:\.\d+)?)%$/.exec(p);
    if (!m) return { ok: false, message: `${quoted(p)} is value:share%, e.g. free:70%` };
    const value = valueOf(m[1]);
    // free:50%,free:50% named one value twice: its shares were two choices of the same value.
    if (choices.some(([v]) => v === value)) return { ok: false, message: `the value ${JSON.stringify(m[1])} is given twice: give each value once, with its whole share` };
    choices.push([value, Number(m[2]) / 100]);
  }
  const total = choices.reduce((a, [, w]) => a + w, 0);
  if (Math.abs(total - 1) > 1e-9) return { ok: false, message: `shares add up to ${+(total * 100).toFixed(6)}%, not 100%` };
  return { ok: true, spec: { name, kind: 'choice', choices } };
}

/** faker:module.method for every generator faker has (the candidates of a suggestion). */
function fakerGenerators(probe: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [module, mod] of Object.entries(probe)) {
    if (!/^[a-z]+$/.test(module) || mod === null || typeof mod !== 'object') continue;
    let o: object | null = mod;
    const seen = new Set<string>();
    // Generators are methods of the module's class: on its prototype chain, not its own keys.
    while (o && o !== Object.prototype) {
      for (const k of Object.getOwnPropertyNames(o)) {
        if (seen.has(k) || k === 'constructor' || k.startsWith('_') || !/^[A-Za-z]+$/.test(k)) continue;
        seen.add(k);
        if (typeof (mod as Record<string, unknown>)[k] === 'function') out.push(`faker:${module}.${k}`);
      }
      o = Object.getPrototypeOf(o) as object | null;
    }
  }
  return out;
}

/** Parses `name=values` (the form of cohorts generate --attribute). */
export function parseAttributeOption(text: string): ParsedSpec {
  const i = text.indexOf('=');
  if (i <= 0) return { ok: false, message: 'an attribute is name=value:share%,... or name=faker:module.method' };
  return parseAttributeValues(text.slice(0, i).trim(), text.slice(i + 1));
}

/** FNV-1a of a name, to give each attribute its own stream. */
function streamOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** One value per user. */
export function generateAttribute(spec: AttributeSpec, size: number, seed: number): AttributeValue[] {
  const faker = englishFaker();
  faker.seed([seed, streamOf(spec.name)]);
  if (spec.kind === 'choice') {
    const weighted = spec.choices.map(([value, weight]) => ({ value, weight }));
    return Array.from({ length: size }, () => faker.helpers.weightedArrayElement(weighted));
  }
  const mod = (faker as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[spec.module];
  return Array.from({ length: size }, () => {
    const v = mod[spec.method].call(mod);
    return typeof v === 'number' || typeof v === 'boolean' ? v : String(v); // text (parseAttributeValues checked)
  });
}
