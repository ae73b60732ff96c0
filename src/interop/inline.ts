/**
 * A flag file's flags in rehearse's own format, where that format can say the same thing: on/off flags whose
 * rules translate to targeting expressions and whose split is a percentage bucketed as the system buckets.
 * Every translation is checked against the system's own evaluator on a cohort; a flag the translation serves
 * differently to any user, or that has no inline form, is left out with the reason.
 */
import { generateCohort, userAttributes, type Cohort } from '../cohorts/cohort.js';
import { FlagRuntime } from '../flags/runtime.js';
import { normalize } from '../scenario/normalize.js';
import { validateScenario } from '../scenario/validate.js';
import { isObject, type FlagFile, type FlagSystem } from './document.js';
import { ADAPTERS } from './flags.js';
import type { ImportOptions } from './flagset.js';
import { quoted } from '../units/escape.js';

type Json = Record<string, unknown>;

/** A flag in rehearse's own terms: first-match rules, then a percentage of the rest. */
export interface InlineFlag {
  readonly key: string;
  readonly description: string;
  readonly bucketing: 'flagd' | 'unleash' | 'launchdarkly';
  readonly salt: string | null;
  readonly targeting: readonly { when: string; serve: 'on' | 'off' }[];
  readonly percent: number;
}

export interface Translation {
  readonly flags: InlineFlag[];
  /** Flags left out, with why. */
  readonly skipped: { key: string; why: string }[];
}

class Untranslatable extends Error {}
const no = (why: string): never => {
  throw new Untranslatable(why);
};

const literal = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return no(`the value ${JSON.stringify(v)} has no inline form`);
};
const identifier = (name: unknown): string => {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || ['and', 'or', 'not', 'in', 'true', 'false'].includes(name)) {
    return no(`the attribute ${JSON.stringify(name)} has no inline form`);
  }
  return name === 'targetingKey' ? 'key' : name;
};

// --- flagd ---------------------------------------------------------------------------------------------

/** `refs`: the evaluators whose $ref led here, so that one that refers back to itself ends (it recursed without end). */
function flagdCondition(node: unknown, evaluators: Json, refs: readonly string[] = []): string {
  if (!isObject(node) || Object.keys(node).length !== 1) return no('a condition that is not an operation');
  const [op, raw] = Object.entries(node)[0];
  const args = Array.isArray(raw) ? raw : [raw];
  const varName = (x: unknown): string | null => {
    if (!isObject(x) || !('var' in x)) return null;
    const v = Array.isArray(x.var) ? x.var[0] : x.var;
    return identifier(v);
  };
  switch (op) {
    case '$ref': {
      const name = String(raw);
      if (refs.includes(name)) return no(`$ref ${quoted(name)} refers back to itself (${[...refs, name].join(' -> ')})`);
      return Object.hasOwn(evaluators, name) ? flagdCondition(evaluators[name], evaluators, [...refs, name]) : no(`$ref ${quoted(name)} has no evaluator`);
    }
    case 'var':
      return varName(node)!;
    case '!!':
      return `!(!(${flagdCondition(args[0], evaluators, refs)}))`;
    case 'and': case 'or':
      return `(${args.map((a) => flagdCondition(a, evaluators, refs)).join(op === 'and' ? ' && ' : ' || ')})`;
    case '!':
      return `!(${flagdCondition(args[0], evaluators, refs)})`;
    case '==': case '===': case '!=': case '!==': case '<': case '<=': case '>': case '>=': {
      if (args.length !== 2) return no(`${quoted(op)} with ${args.length} operands`);
      const [a, b] = args;
      const sym = op.startsWith('==') ? '==' : op.startsWith('!=') ? '!=' : op;
      const va = varName(a), vb = varName(b);
      if (va && !vb) return `${va} ${sym} ${literal(b)}`;
      if (vb && !va) return `${literal(a)} ${sym} ${vb}`;
      return no(`${quoted(op)} between two attributes or two values`);
    }
    case 'in': {
      const v = varName(args[0]);
      if (v && Array.isArray(args[1])) return `${v} in [${args[1].map(literal).join(', ')}]`;
      return no('"in" other than an attribute in a list');
    }
    default:
      return no(`operation ${quoted(op)} has no inline form`);
  }
}

function translateFlagd(key: string, f: Json, evaluators: Json): InlineFlag {
  const variants = isObject(f.variants) ? f.variants : {};
  const defaultVariant = String(f.defaultVariant);
  const bool = Object.values(variants).every((v) => typeof v === 'boolean');
  const isOn = (v: unknown): boolean => {
    if (typeof v !== 'string' || !(v in variants)) return no(`the result ${JSON.stringify(v)} is not a variant name`);
    return bool ? variants[v] === true : v !== defaultVariant;
  };
  if (!bool && Object.keys(variants).length > 2) no('more than two variants: rehearse\'s own flags are on or off');
  const description = isObject(f.metadata) && typeof f.metadata.description === 'string' ? f.metadata.description : '';
  const base = { key, description, bucketing: 'flagd' as const, salt: null };
  if (f.state === 'DISABLED') return { ...base, targeting: [], percent: 0 };
  const rules: { when: string; serve: 'on' | 'off' }[] = [];
  let node: unknown = f.targeting;
  const tail = (t: unknown): number => {
    if (t === undefined || t === null || (isObject(t) && Object.keys(t).length === 0)) return isOn(defaultVariant) ? 100 : 0;
    if (typeof t === 'string') return isOn(t) ? 100 : 0;
    if (isObject(t) && Array.isArray(t.fractional)) {
      const buckets = t.fractional;
      if (!buckets.every((b) => Array.isArray(b))) return no('fractional with a bucketing expression has no inline form');
      const weights = buckets.map((b) => [b[0], b.length > 1 ? Number(b[1]) : 1] as const);
      const total = weights.reduce((a, [, w]) => a + w, 0);
      const firstOff = weights.findIndex(([v]) => !isOn(v));
      if (weights.slice(firstOff < 0 ? weights.length : firstOff).some(([v]) => isOn(v))) {
        return no('fractional with an on variant after an off one has no inline form (the percentage takes the first buckets)');
      }
      const on = weights.filter(([v]) => isOn(v)).reduce((a, [, w]) => a + w, 0);
      return (on / total) * 100;
    }
    return no('targeting of this shape has no inline form');
  };
  while (isObject(node) && Array.isArray(node.if)) {
    const parts = node.if;
    let i = 0;
    for (; i + 1 < parts.length; i += 2) {
      if (typeof parts[i + 1] !== 'string') return no('a branch that is not a variant name has no inline form');
      rules.push({ when: flagdCondition(parts[i], evaluators), serve: isOn(parts[i + 1]) ? 'on' : 'off' });
    }
    node = i < parts.length ? parts[i] : null;
  }
  return { ...base, targeting: rules, percent: tail(node) };
}

// --- Unleash -------------------------------------------------------------------------------------------

const UNLEASH_COMPARE: Record<string, string> = { NUM_EQ: '==', NUM_GT: '>', NUM_GTE: '>=', NUM_LT: '<', NUM_LTE: '<=' };

function unleashConstraint(c: Json): string {
  const attr = c.contextName === 'userId' ? 'key' : identifier(c.contextName);
  const values = Array.isArray(c.values) ? c.values : [];
  let expr: string;
  if (c.operator === 'IN' || c.operator === 'NOT_IN') {
    if (c.caseInsensitive) no('a case-insensitive IN has no inline form');
    expr = `${attr} ${c.operator === 'IN' ? 'in' : 'not in'} [${values.map((v) => literal(String(v))).join(', ')}]`;
  } else if (typeof c.operator === 'string' && c.operator in UNLEASH_COMPARE) {
    expr = `${attr} ${UNLEASH_COMPARE[c.operator]} ${literal(Number(c.value))}`;
  } else {
    return no(`constraint operator ${String(c.operator)} has no inline form`);
  }
  return c.inverted ? `!(${expr})` : expr;
}

function translateUnleash(f: Json): InlineFlag {
  const key = String(f.name);
  const strategies = (Array.isArray(f.strategies) ? f.strategies : []) as Json[];
  const base = { key, description: typeof f.description === 'string' ? f.description : '', bucketing: 'unleash' as const };
  if (Array.isArray(f.dependencies) && f.dependencies.length) no('dependencies have no inline form');
  if (f.enabled === false) return { ...base, salt: null, targeting: [], percent: 0 };
  const rules: { when: string; serve: 'on' | 'off' }[] = [];
  let percent = 0;
  let salt: string | null = null;
  for (const s of strategies.filter((x) => x.disabled !== true)) {
    const p = isObject(s.parameters) ? s.parameters : {};
    if (Array.isArray(s.segments) && s.segments.length) no('segments have no inline form');
    const constraints = (Array.isArray(s.constraints) ? s.constraints : []) as Json[];
    let rollout: number;
    if (s.name === 'default') rollout = 100;
    else if (s.name === 'flexibleRollout' || s.name === 'gradualRolloutUserId') {
      const stickiness = s.name === 'gradualRolloutUserId' ? 'userId' : String(p.stickiness ?? 'default');
      if (stickiness !== 'default' && stickiness !== 'userId') no(`stickiness ${quoted(stickiness)} has no inline form`);
      rollout = Number(s.name === 'flexibleRollout' ? p.rollout : p.percentage);
    } else if (s.name === 'userWithId') {
      const ids = String(p.userIds ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      rules.push({ when: `key in [${ids.map((x) => literal(x)).join(', ')}]`, serve: 'on' });
      continue;
    } else {
      return no(`strategy ${quoted(String(s.name))} has no inline form`);
    }
    if (rollout === 100 && constraints.length) {
      rules.push({ when: constraints.map(unleashConstraint).join(' && '), serve: 'on' });
    } else if (constraints.length === 0 && rollout >= percent) {
      if (rollout < 100) {
        const groupId = typeof p.groupId === 'string' ? p.groupId : key;
        if (salt !== null && salt !== groupId) no('two percentages with different groupIds');
        salt = groupId === key ? null : groupId;
      }
      percent = rollout;
    } else {
      return no('a strategy with constraints and a percentage below 100 has no inline form');
    }
  }
  return { ...base, salt, targeting: rules, percent };
}

// --- LaunchDarkly --------------------------------------------------------------------------------------

const LD_COMPARE: Record<string, string> = { lessThan: '<', lessThanOrEqual: '<=', greaterThan: '>', greaterThanOrEqual: '>=' };

function ldClause(c: Json): string {
  if (c.contextKind !== undefined && c.contextKind !== 'user') no('a clause on a context kind other than user');
  const attr = identifier(c.attribute);
  const values = Array.isArray(c.values) ? c.values : [];
  let expr: string;
  if (c.op === 'in') expr = values.length === 1 ? `${attr} == ${literal(values[0])}` : `${attr} in [${values.map(literal).join(', ')}]`;
  else if (typeof c.op === 'string' && c.op in LD_COMPARE && values.length === 1 && typeof values[0] === 'number') expr = `${attr} ${LD_COMPARE[c.op]} ${values[0]}`;
  else return no(`clause operator ${quoted(String(c.op))} has no inline form`);
  return c.negate ? `!(${expr})` : expr;
}

function translateLaunchDarkly(key: string, f: Json): InlineFlag {
  const variations = Array.isArray(f.variations) ? f.variations : [];
  if (!variations.every((v) => typeof v === 'boolean')) no('variations other than true and false: rehearse\'s own flags are on or off');
  if (Array.isArray(f.prerequisites) && f.prerequisites.length) no('prerequisites have no inline form');
  const on = (i: unknown) => variations[Number(i)] === true;
  const base = { key, description: typeof f.description === 'string' ? f.description : '', bucketing: 'launchdarkly' as const };
  const salt = typeof f.salt === 'string' ? f.salt : '';
  if (f.on === false) return { ...base, salt: null, targeting: [], percent: 0 };
  const rules: { when: string; serve: 'on' | 'off' }[] = [];
  for (const t of (Array.isArray(f.targets) ? f.targets : []) as Json[]) {
    if (t.contextKind !== undefined && t.contextKind !== 'user') no('targets of a context kind other than user');
    rules.push({ when: `key in [${(t.values as unknown[]).map(literal).join(', ')}]`, serve: on(t.variation) ? 'on' : 'off' });
  }
  for (const r of (Array.isArray(f.rules) ? f.rules : []) as Json[]) {
    if (r.rollout !== undefined) no('a rule with a rollout has no inline form');
    rules.push({ when: ((r.clauses ?? []) as Json[]).map(ldClause).join(' && '), serve: on(r.variation) ? 'on' : 'off' });
  }
  const ft = isObject(f.fallthrough) ? f.fallthrough : {};
  let percent: number;
  if (isObject(ft.rollout)) {
    const r = ft.rollout;
    if (r.seed !== undefined || (r.bucketBy !== undefined && r.bucketBy !== 'key') || r.kind === 'experiment') no('a rollout with a seed, bucketBy or an experiment has no inline form');
    const wv = (Array.isArray(r.variations) ? r.variations : []) as Json[];
    const firstOff = wv.findIndex((x) => !on(x.variation));
    if (wv.slice(firstOff < 0 ? wv.length : firstOff).some((x) => on(x.variation))) no('a rollout with the on variation after an off one has no inline form');
    percent = wv.filter((x) => on(x.variation)).reduce((a, x) => a + Number(x.weight), 0) / 1000;
  } else {
    percent = on(ft.variation) ? 100 : 0;
  }
  // No salt is the SDK's "" (Evaluator.ts `flag.salt || ""`), rehearse's default for bucketing: launchdarkly.
  return { ...base, salt: salt === '' ? null : salt, targeting: rules, percent };
}

// --- all systems ---------------------------------------------------------------------------------------

/** Translates every flag it can and checks each against the system's evaluator on `cohort`. */
export function translateFlags(system: FlagSystem, doc: FlagFile, cohort: Cohort = generateCohort({ name: 'import', size: 10_000, seed: 1 }), options: ImportOptions = {}): Translation {
  const candidates: { key: string; build: () => InlineFlag }[] = [];
  const state = ADAPTERS[system].toScenarioParts(doc, options).state as { flags?: Json; features?: Json[]; sources?: { flags: Json; $evaluators?: Json }[] };
  if (system === 'flagd') {
    // One file: one flagd source.
    for (const source of state.sources!) {
      const evaluators = isObject(source.$evaluators) ? source.$evaluators : {};
      for (const [key, f] of Object.entries(source.flags)) candidates.push({ key, build: () => translateFlagd(key, f as Json, evaluators) });
    }
  } else if (system === 'unleash') {
    for (const f of state.features!) candidates.push({ key: String(f.name), build: () => translateUnleash(f) });
  } else {
    for (const [key, f] of Object.entries(state.flags!)) candidates.push({ key, build: () => translateLaunchDarkly(key, f as Json) });
  }
  const set = ADAPTERS[system].serve(state);
  const flags: InlineFlag[] = [];
  const skipped: { key: string; why: string }[] = [];
  try {
    for (const c of candidates) {
      let inline: InlineFlag;
      try {
        const built = c.build();
        inline = { ...built, percent: Math.round(built.percent * 1000) / 1000 };
      } catch (e) {
        if (!(e instanceof Untranslatable)) throw e;
        skipped.push({ key: c.key, why: e.message });
        continue;
      }
      const differ = disagreements(inline, cohort, (u) => set.evaluate(c.key, set.contextOf(cohort.key[u], userAttributes(cohort, u))).enabled);
      if (differ === null) skipped.push({ key: c.key, why: 'its rules do not parse as rehearse expressions' });
      else if (differ > 0) skipped.push({ key: c.key, why: `the inline form serves ${differ} of ${cohort.size} users differently from ${system}` });
      else flags.push(inline);
    }
  } finally {
    set.close();
  }
  return { flags, skipped };
}

/** Users for whom the inline flag is on where the system's is off or the other way round (null: invalid). */
function disagreements(f: InlineFlag, cohort: Cohort, system: (u: number) => boolean): number | null {
  const extra = Object.fromEntries(Object.keys(cohort.attributes ?? {}).map((a) => [a, 'x:100%']));
  const valid = validateScenario({
    name: 'import-check',
    duration: '1m',
    traffic: { rate: '1/s', cohort: { size: 1, attributes: extra } },
    journeys: { j: { steps: ['s'] } },
    services: { s: {} },
    flags: { [f.key]: inlineEntry(f, ['s']) },
  }, (_path, p) => p);
  if (!valid.ok) return null;
  const loaded = normalize(valid.input);
  if (!loaded.ok) return null;
  const rt = new FlagRuntime(loaded.scenario, cohort, ['s']);
  rt.apply(0, 0, rt.publish(0, { enabled: true, percent: f.percent, audience: null }));
  let n = 0;
  for (let u = 0; u < cohort.size; u++) if (rt.isOn(0, 0, u) !== system(u)) n++;
  return n;
}

/** The scenario entry of an inline flag. */
export function inlineEntry(f: InlineFlag, evaluatedBy: readonly string[]): Json {
  return {
    kind: 'release',
    ...(f.description ? { description: f.description } : {}),
    'evaluated-by': [...evaluatedBy],
    bucketing: f.bucketing,
    ...(f.salt !== null ? { salt: f.salt } : {}),
    ...(f.targeting.length ? { targeting: f.targeting.map((t) => ({ ...t })) } : {}),
  };
}
