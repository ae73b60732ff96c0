/**
 * flagd / OpenFeature flag definitions (flagd.dev/schema/v0/flags.json): read, checked, and evaluated by
 * flagd's own evaluator, @openfeature/flagd-core (JsonLogic with fractional, sem_ver, starts_with, ends_with,
 * $evaluators and $ref).
 */
import { createRequire } from 'node:module';
import { murmur3 } from '../../flags/bucketing.js';
import { at, invalid, isObject, type FlagFile, type FlagWarning } from '../document.js';
import type { Evaluation, FlagSet, ImportedFlag, ScenarioParts } from '../flagset.js';

const require = createRequire(import.meta.url);

/** JsonLogic operations flagd evaluates: the standard set and flagd's own. */
export const FLAGD_OPERATIONS = new Set([
  'var', 'missing', 'missing_some', 'if', '?:', '==', '===', '!=', '!==', '!', '!!', 'or', 'and', '>', '>=', '<', '<=',
  'max', 'min', '+', '-', '*', '/', '%', 'map', 'reduce', 'filter', 'all', 'none', 'some', 'merge', 'in', 'cat', 'substr',
  'fractional', 'sem_ver', 'starts_with', 'ends_with', '$ref',
]);

interface FlagdFlag {
  state?: unknown;
  variants?: unknown;
  defaultVariant?: unknown;
  targeting?: unknown;
  metadata?: unknown;
}

function flagsOf(doc: FlagFile): Record<string, FlagdFlag> {
  const v = doc.value;
  if (!isObject(v) || !isObject(v.flags)) throw invalid(doc, ['flags'], 'a flagd file has "flags": an object of flag definitions');
  return v.flags as Record<string, FlagdFlag>;
}

export function toScenarioParts(doc: FlagFile, _file: string = doc.file): ScenarioParts {
  const flags = flagsOf(doc);
  const warnings: FlagWarning[] = [];
  const evaluators = isObject(doc.value) && isObject((doc.value as Record<string, unknown>).$evaluators)
    ? (doc.value as Record<string, Record<string, unknown>>).$evaluators : {};
  const out: ImportedFlag[] = [];
  for (const [key, f] of Object.entries(flags)) {
    const path = ['flags', key];
    if (!isObject(f)) throw invalid(doc, path, 'a flag definition is an object');
    if (f.state !== 'ENABLED' && f.state !== 'DISABLED') throw invalid(doc, [...path, 'state'], 'state is "ENABLED" or "DISABLED"');
    if (!isObject(f.variants) || Object.keys(f.variants).length === 0) throw invalid(doc, [...path, 'variants'], 'variants is an object of at least one variant');
    if (f.defaultVariant !== undefined && f.defaultVariant !== null && !(typeof f.defaultVariant === 'string' && f.defaultVariant in f.variants)) {
      throw invalid(doc, [...path, 'defaultVariant'], `defaultVariant ${JSON.stringify(f.defaultVariant)} is not one of the variants (${Object.keys(f.variants).join(', ')})`);
    }
    const attributes = new Map<string, (string | number)[]>();
    if (f.targeting !== undefined && !(isObject(f.targeting) && Object.keys(f.targeting).length === 0)) {
      const unsupported = scan(f.targeting, [...path, 'targeting'], attributes, evaluators, new Set());
      for (const u of unsupported) {
        warnings.push(at(doc, u.path, `operation "${u.op}" is not supported; the flag is served its default variant`));
      }
      const clock = JSON.stringify(f.targeting).includes('$flagd.timestamp');
      if (clock) warnings.push(at(doc, [...path, 'targeting'], 'the rule reads $flagd.timestamp: users are served as of the time the rehearsal loads, not as the simulated clock runs'));
    }
    out.push({
      key, description: isObject(f.metadata) && typeof f.metadata.description === 'string' ? f.metadata.description : '',
      variants: Object.keys(f.variants), requires: [], attributes: [...attributes.keys()].sort(),
      reads: [...attributes].map(([attribute, p]) => ({ attribute, path: p })), path,
    });
  }
  return { system: 'flagd', flags: out, warnings };
}

/** Operations flagd does not know, and the attributes a rule reads (through $ref too). */
function scan(node: unknown, path: (string | number)[], attributes: Map<string, (string | number)[]>, evaluators: Record<string, unknown>, seen: Set<string>): { op: string; path: (string | number)[] }[] {
  const found: { op: string; path: (string | number)[] }[] = [];
  if (Array.isArray(node)) {
    node.forEach((x, i) => found.push(...scan(x, [...path, i], attributes, evaluators, seen)));
  } else if (isObject(node)) {
    for (const [op, args] of Object.entries(node)) {
      if (!FLAGD_OPERATIONS.has(op)) found.push({ op, path });
      if (op === 'var') {
        const name = Array.isArray(args) ? args[0] : args;
        const attribute = typeof name === 'string' ? name.split('.')[0] : '';
        if (attribute !== '' && !name.startsWith('$flagd') && attribute !== 'targetingKey' && !attributes.has(attribute)) attributes.set(attribute, path);
      } else if (op === '$ref' && typeof args === 'string' && !seen.has(args)) {
        seen.add(args);
        scan(evaluators[args], ['$evaluators', args], attributes, evaluators, seen).forEach((x) => found.push(x));
      } else {
        found.push(...scan(args, [...path, op], attributes, evaluators, seen));
      }
    }
  }
  return found;
}

/** The first fractional operation in a targeting rule (outside $ref), or null. */
function findFractional(node: unknown): unknown[] | null {
  if (Array.isArray(node)) {
    for (const x of node) {
      const f = findFractional(x);
      if (f) return f;
    }
  } else if (isObject(node)) {
    for (const [op, args] of Object.entries(node)) {
      if (op === 'fractional' && Array.isArray(args)) return args;
      const f = findFractional(args);
      if (f) return f;
    }
  }
  return null;
}

interface FlagdCoreLike {
  setConfigurations(text: string): string[];
  getFlag(key: string): { evaluate(ctx: Record<string, unknown>): { value?: unknown; variant?: string; reason: string; errorMessage?: string }; defaultVariant?: string; variants: Map<string, unknown>; state: string } | undefined;
  getFlags(): Map<string, unknown>;
}

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

export function open(doc: FlagFile): FlagSet {
  const { FlagdCore } = require('@openfeature/flagd-core') as { FlagdCore: new (storage?: unknown, logger?: unknown) => FlagdCoreLike };
  const core = new FlagdCore(undefined, quiet);
  try {
    core.setConfigurations(JSON.stringify(doc.value));
  } catch (e) {
    throw invalid(doc, [], `not a valid flagd flag configuration (${(e as Error).message})`);
  }
  const raw = flagsOf(doc);
  const keys = [...core.getFlags().keys()];
  return {
    system: 'flagd',
    keys,
    evaluate(key, context): Evaluation {
      const flag = core.getFlag(key);
      if (!flag) return { flag: key, enabled: false, variant: null, value: null, reason: 'error: flag not found', bucket: null };
      const r = flag.evaluate(context);
      const targeting = raw[key]?.targeting;
      const fractional = findFractional(targeting);
      let bucket: number | null = null;
      // The default bucketing key of fractional: the flag key and the targeting key.
      if (Array.isArray(fractional) && Array.isArray(fractional[0]) && typeof context.targetingKey === 'string') {
        bucket = Math.round((murmur3(key + context.targetingKey) / 2 ** 32) * 100 * 1e6) / 1e6;
      }
      const defaultVariant = flag.defaultVariant ?? null;
      if (r.reason === 'ERROR') {
        // An error serves the default variant, as a flagd provider does.
        const value = defaultVariant === null ? null : flag.variants.get(defaultVariant) ?? null;
        return { flag: key, enabled: value === true, variant: defaultVariant, value, reason: `error: ${r.errorMessage ?? 'evaluation failed'}`, bucket: null };
      }
      const variant = r.variant ?? null;
      const value = r.value ?? null;
      const enabled = typeof value === 'boolean' ? value : variant !== null && variant !== defaultVariant;
      const topLevelSplit = isObject(targeting) && 'fractional' in targeting;
      const reason = r.reason === 'DISABLED' ? 'disabled'
        : r.reason === 'TARGETING_MATCH' ? (topLevelSplit ? 'split' : 'targeting match')
          : r.reason === 'STATIC' || r.reason === 'DEFAULT' ? 'default' : r.reason.toLowerCase();
      return { flag: key, enabled: flag.state === 'DISABLED' ? false : enabled, variant, value, reason: flag.state === 'DISABLED' ? 'disabled' : reason, bucket };
    },
    contextOf(key, attributes) {
      return { ...attributes, targetingKey: key };
    },
    close() {},
  };
}
