/**
 * Unleash feature toggles as Unleash writes them (client API responses and delta events, state exports v1 to
 * v4, the feature export; see state.ts), joined into the client API state of one environment, and evaluated by
 * unleash-client's own UnleashClient over an in-memory repository (no fetcher, no timers, no metrics).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { unleashNormalized } from '../../flags/bucketing.js';
import { findings } from '../disposition.js';
import { at, formatWarning, isObject, readAsJson, type FlagFile, type FlagWarning } from '../document.js';
import { docList, type Evaluation, type FlagSet, type ImportedFlag, type ImportOptions, type ScenarioParts } from '../flagset.js';
import { readUnleash } from './state.js';
import { readByGo } from '../flag-yaml.js';
import { didYouMean, InputError } from '../../errors.js';
import { quoted } from '../../units/escape.js';

const require = createRequire(import.meta.url);

export const UNLEASH_STRATEGIES = new Set([
  'default', 'flexibleRollout', 'gradualRolloutUserId', 'userWithId',
  // Also evaluated by unleash-client, though rehearsal users carry no session or address of their own:
  'gradualRolloutSessionId', 'gradualRolloutRandom', 'remoteAddress', 'applicationHostname',
]);

export const UNLEASH_OPERATORS = new Set([
  'IN', 'NOT_IN', 'STR_CONTAINS', 'STR_STARTS_WITH', 'STR_ENDS_WITH', 'NUM_EQ', 'NUM_GT', 'NUM_GTE', 'NUM_LT', 'NUM_LTE',
  'DATE_AFTER', 'DATE_BEFORE', 'SEMVER_EQ', 'SEMVER_GT', 'SEMVER_LT', 'SEMVER_GTE', 'SEMVER_LTE', 'REGEX', 'IN_CIDR',
]);

/** Operators whose constraint reads a list of values (unleash-client strategy.js cleanValues: InOperator, StringOperator, CidrOperator). */
const LIST_OPERATORS = new Set(['IN', 'NOT_IN', 'STR_CONTAINS', 'STR_STARTS_WITH', 'STR_ENDS_WITH', 'IN_CIDR']);
/**
 * caseInsensitive where it changes nothing though a team would think it does: IN and NOT_IN compare exactly whatever
 * it says (unleash-client strategy.js InOperator; only StringOperator and RegexOperator read it). The client
 * specification once asked otherwise and took it back (Unleash/client-specification 8ec0b20, reverted by f615339).
 * (On the NUM_, DATE_, SEMVER_ and IN_CIDR operators, which Unleash's own files write it on, case decides nothing.)
 */
function caseIgnored(doc: FlagFile, c: Json, path: (string | number)[]): FlagWarning | null {
  if (!c.caseInsensitive || (c.operator !== 'IN' && c.operator !== 'NOT_IN')) return null;
  return at(doc, [...path, 'caseInsensitive'], `caseInsensitive has no effect on operator ${c.operator}: unleash-client compares its values exactly (strategy.js InOperator); only STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH and REGEX read it. Rehearsed as the client serves it (a value that differs only in case does not match)`);
}

/**
 * Whether Unleash reads a file of this name as YAML: its state import takes YAML where mime 3 names the file text/yaml
 * and JSON.parse()s any other (src/lib/services/state-util.ts parseFile, src/lib/routes/admin-api/state.ts import() at
 * ff377cd70461; mime 3.0.0 Mime.js getType: the text after the name's last dot, in any case, "yaml" or "yml" in
 * types/standard.js), the name being the file's own, as an upload sends it. Unleash's other readers (the client API,
 * the feature import) take JSON only.
 */
export function unleashYamlName(file: string): boolean {
  const ext = file.replace(/^.*[/\\]/, '').replace(/^.*\./, '').toLowerCase();
  return ext === 'yaml' || ext === 'yml';
}

const AS_JSON_TO_UNLEASH = 'Unleash reads a file whose name does not end in .yaml or .yml as JSON and refuses this: its state import parses YAML only where mime names the file text/yaml (state-util.ts parseFile, admin-api/state.ts import()); name it .yaml to import it as YAML';

/** Context fields Unleash reads at the top level; anything else is a property. */
const TOP_LEVEL = new Set(['userId', 'sessionId', 'remoteAddress', 'environment', 'appName', 'currentTime']);

type Json = Record<string, unknown>;

/** The client API state unleash-client is given: `{version, features, segments}` of one environment. */
export interface ClientState {
  readonly version?: number;
  readonly features: Json[];
  readonly segments: Json[];
}

/** A constraint on the time of the evaluation: unleash-client strategy.js compares `context.currentTime ? new Date(context.currentTime) : new Date()`. */
const readsClock = (c: unknown): boolean => isObject(c) && (c.operator === 'DATE_AFTER' || c.operator === 'DATE_BEFORE') && (c.contextName === 'currentTime' || c.contextName === undefined);

/**
 * The parameters each strategy of unleash-client reads (lib/strategy/*.js: flexible-rollout-strategy.js rollout,
 * stickiness, groupId; gradual-rollout-user-id.js and gradual-rollout-session-id.js percentage, groupId;
 * gradual-rollout-random.js percentage; user-with-id-strategy.js userIds; remote-addresss-strategy.js IPs;
 * application-hostname-strategy.js hostNames), and of any strategy with variants stickiness and groupId (strategy.js
 * getResult). Unleash's own files and the client specification write no other.
 */
const STRATEGY_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  default: [], flexibleRollout: ['rollout', 'stickiness', 'groupId'], gradualRolloutUserId: ['percentage', 'groupId'],
  gradualRolloutSessionId: ['percentage', 'groupId'], gradualRolloutRandom: ['percentage'], userWithId: ['userIds'],
  remoteAddress: ['IPs'], applicationHostname: ['hostNames'],
};

/**
 * The parameters of a built-in strategy that unleash-client never reads, with what it reads instead: a name
 * written otherwise (`groupID`, `Rollout`) is ignored by the client, which then takes its default (the toggle's name
 * for groupId, 0% for rollout), so that a typo moves every user's bucket without a word. Custom strategies read what
 * they like.
 */
function unreadParameters(s: Json, params: Json): { name: string; message: string }[] {
  const reads = Object.hasOwn(STRATEGY_PARAMETERS, String(s.name)) ? STRATEGY_PARAMETERS[String(s.name)] : null;
  if (reads === null) return [];
  const all = Array.isArray(s.variants) && s.variants.length > 0 ? [...new Set([...reads, 'stickiness', 'groupId'])] : reads;
  const what = all.length ? `it reads ${all.join(', ')}` : 'it reads none';
  return Object.keys(params).filter((k) => !all.includes(k)).map((name) => ({
    name, message: `parameter ${quoted(name)} is not one unleash-client's ${String(s.name)} strategy reads (${what}): the client ignores it${all.length ? didYouMean(name, all) : ''}`,
  }));
}

/** Strategies whose result draws a random number at each evaluation in unleash-client. */
const RANDOM = (s: Json) => s.name === 'gradualRolloutRandom' || (isObject(s.parameters) && s.parameters.stickiness === 'random');

export function toScenarioParts(docs: FlagFile | readonly FlagFile[], options: ImportOptions = {}): ScenarioParts {
  const [named, ...more] = docList(docs);
  if (more.length) throw new InputError([`${more[0].file}: one Unleash file at a time (a file holds every toggle of an environment)`]);
  const given = unleashYamlName(named.file) ? named : readAsJson(named, AS_JSON_TO_UNLEASH);
  // A YAML file as Unleash reads it, with js-yaml 4 (flag-js-yaml.ts): each scalar it reads otherwise than YAML 1.2 warned.
  const yaml = readByGo(given, 'js-yaml');
  if (yaml.refusals.length) throw new InputError(yaml.refusals.map(formatWarning));
  const doc = yaml.doc;
  const out = findings();
  out.warnings.push(...yaml.warnings);
  const read = readUnleash(doc, options.environment, out, yaml.dates);
  const { warnings } = out;
  const refused: string[] = [];
  const state = read.state;
  const names = new Set(state.features.map((f) => String(f.name)));
  const flags: ImportedFlag[] = state.features.map((f) => {
    const name = String(f.name);
    const path = read.featurePaths.get(name)!;
    const attributes = new Map<string, (string | number)[]>();
    const clock: FlagWarning[] = [];
    const strategies = f.strategies as Json[];
    const paths = read.strategyPaths.get(name)!;
    const clockAt = (p: (string | number)[], what: string) => {
      const w = at(doc, p, `${what} reads currentTime: unleash-client compares the wall clock of each evaluation (strategy.js: new Date()), and rehearse evaluates each user once, as the run starts, not along the simulated clock: a scenario cannot rehearse flag ${quoted(name)}; \`rehearse flags eval\` evaluates it at the time it runs`);
      warnings.push(w);
      clock.push(w);
    };
    strategies.forEach((s, i) => {
      const sp = paths[i];
      for (const id of Array.isArray(s.segments) ? s.segments : []) {
        const seg = state.segments.find((x) => x.id === id);
        if (Array.isArray(seg?.constraints) && seg.constraints.some(readsClock)) clockAt([...sp, 'segments'], `segment ${quoted(String(seg.name))}`);
      }
      const raw = valueAt(doc.value, sp);
      const named = isObject(raw) && typeof raw.strategyName === 'string' ? 'strategyName' : 'name';
      if (!UNLEASH_STRATEGIES.has(String(s.name))) {
        const custom = read.defined.has(String(s.name)) ? 'a custom strategy (defined in the file), which unleash-client cannot evaluate' : 'not a strategy unleash-client knows';
        const what = typeof s.name === 'string' ? `strategy ${quoted(s.name)} is ${custom}` : s.name === undefined ? 'a strategy with no name is not a strategy unleash-client knows' : `a strategy named by ${JSON.stringify(s.name) ?? String(s.name)}, not text, is not a strategy unleash-client knows`;
        warnings.push(at(doc, [...sp, named], `${what}: it never matches, as unleash-client serves it`));
      }
      if (RANDOM(s)) warnings.push(at(doc, sp, 'a random strategy: unleash-client draws at each evaluation; a rehearsal draws once per user at load'));
      const params = isObject(s.parameters) ? s.parameters : {};
      // Unleash's parametersSchema: each value text (numbers in older exports), which Unleash's import holds a file to;
      // a list or a mapping (read here as its JSON text) served the strategy to no one.
      for (const [name, v] of Object.entries(isObject(raw) && isObject(raw.parameters) ? raw.parameters : {})) {
        if (Array.isArray(v) || isObject(v)) refused.push(formatWarning(at(doc, [...sp, 'parameters', name], `a strategy parameter is text (Unleash's parametersSchema), not ${Array.isArray(v) ? 'a list' : 'a mapping'}`)));
      }
      for (const unread of unreadParameters(s, isObject(raw) && isObject(raw.parameters) ? raw.parameters : {})) {
        warnings.push(at(doc, [...sp, 'parameters', unread.name], unread.message));
      }
      if (typeof params.stickiness === 'string' && !['default', 'userId', 'sessionId', 'random'].includes(params.stickiness) && !attributes.has(params.stickiness)) {
        attributes.set(params.stickiness, [...sp, 'parameters', 'stickiness']);
      }
      (s.constraints as unknown[]).forEach((c, j) => {
        const cp = [...sp, 'constraints', j];
        if (!isObject(c)) return void refused.push(formatWarning(at(doc, cp, `a constraint is a mapping (contextName, operator, values), not ${JSON.stringify(c)}`)));
        // unleash-client drops the empty values of the list and trims the others (strategy.js cleanValues): no list,
        // or one that holds a number, true, a list or a mapping, made it throw a TypeError.
        if (LIST_OPERATORS.has(String(c.operator)) && !(Array.isArray(c.values) && c.values.every((v) => !v || typeof v === 'string'))) {
          return void refused.push(formatWarning(at(doc, c.values === undefined ? cp : [...cp, 'values'], `operator ${String(c.operator)} takes values: a list of text${c.values === undefined ? ', and there is none' : ''}`)));
        }
        if (!UNLEASH_OPERATORS.has(String(c.operator))) {
          warnings.push(at(doc, [...sp, 'constraints', j, 'operator'], `operator ${quoted(String(c.operator))} is not supported by unleash-client; the constraint never matches`));
        }
        const ignored = caseIgnored(doc, c, cp);
        if (ignored) warnings.push(ignored);
        if (readsClock(c)) clockAt([...sp, 'constraints', j], 'the constraint');
        if (typeof c.contextName === 'string' && !TOP_LEVEL.has(c.contextName) && !attributes.has(c.contextName)) attributes.set(c.contextName, [...sp, 'constraints', j]);
      });
    });
    const requires = Array.isArray(f.dependencies) ? (f.dependencies as Json[]).map((d) => String(d.feature)) : [];
    requires.forEach((r) => {
      const parent = state.features.find((x) => x.name === r);
      if (!names.has(r)) warnings.push(at(doc, path, `depends on ${quoted(r)}, which is not in the file: unleash-client serves it off to everyone`));
      else if (Array.isArray(parent?.dependencies) && parent.dependencies.length) {
        warnings.push(at(doc, path, `depends on ${quoted(r)}, which has dependencies of its own: unleash-client serves it off to everyone (one level only)`));
      }
    });
    const variantsOf = (list: unknown[], vp: (string | number)[] | undefined): string[] => list.flatMap((x, i) => {
      if (isObject(x) && typeof x.name === 'string') return [x.name];
      if (isObject(x)) {
        const got = x.name === undefined ? 'none' : Array.isArray(x.name) ? 'a list' : isObject(x.name) ? 'a map' : JSON.stringify(x.name);
        refused.push(formatWarning(at(doc, vp ? [...vp, i, 'name'] : path, `a variant's name is text (what unleash-client serves as the variant), not ${got}`)));
        return [];
      }
      refused.push(formatWarning(at(doc, vp ? [...vp, i] : path, `a variant is a mapping (name, weight, ...), not ${JSON.stringify(x)}`)));
      return [];
    });
    const variants = variantsOf(f.variants as unknown[], undefined);
    const strategyVariants = strategies.flatMap((s, i) => variantsOf(s.variants as unknown[], [...paths[i], 'variants']));
    return {
      key: name, description: typeof f.description === 'string' ? f.description : '',
      variants: [...new Set([...variants, ...strategyVariants])], requires, attributes: [...attributes.keys()].sort(),
      reads: [...attributes].map(([attribute, p]) => ({ attribute, path: p })), path, doc, canFail: [], valueType: 'boolean',
      ...(clock.length ? { clock } : {}),
    };
  });
  for (const seg of state.segments) {
    const sp = read.segmentPaths.get(seg.id);
    (Array.isArray(seg.constraints) ? seg.constraints as Json[] : []).forEach((c, j) => {
      const ignored = sp && isObject(c) ? caseIgnored(doc, c, [...sp, 'constraints', j]) : null;
      if (ignored) warnings.push(ignored);
    });
  }
  if (refused.length) throw new InputError(refused);
  return { system: 'unleash', flags, warnings, state };
}

interface UnleashClientLike {
  isEnabled(name: string, context: Json, fallback: () => boolean): boolean;
  getVariant(name: string, context: Json): { name: string; enabled: boolean; payload?: { type: string; value: string }; feature_enabled?: boolean };
  isParentDependencySatisfied(feature: unknown, context: Json): boolean;
}

/** The value at `path` inside a document, or undefined. */
function valueAt(v: unknown, path: readonly (string | number)[]): unknown {
  let node = v;
  for (const seg of path) node = isObject(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[seg] : undefined;
  return node;
}

class MemoryRepository extends EventEmitter {
  private readonly toggles: Map<string, Json>;
  private readonly segments: Map<unknown, Json>;
  constructor(private readonly state: ClientState) {
    super();
    this.toggles = new Map(state.features.map((f) => [String(f.name), f]));
    this.segments = new Map(state.segments.map((s) => [s.id, s]));
  }
  getToggle(name: string) { return this.toggles.get(name); }
  getToggles() { return this.state.features; }
  getTogglesWithSegmentData() { return []; }
  getSegment(id: number) { return this.segments.get(id); }
  stop() {}
  async start() {}
}

/** Unleash's context from a context given in its own form: known fields at the top, the rest as properties. */
function unleashContext(context: Json): Json {
  const out: Json = {};
  const properties: Json = isObject(context.properties) ? { ...context.properties } : {};
  for (const [k, v] of Object.entries(context)) {
    if (k === 'properties') continue;
    if (TOP_LEVEL.has(k)) out[k] = v;
    else properties[k] = v;
  }
  out.properties = properties;
  return out;
}

export function open(docs: FlagFile | readonly FlagFile[], options: ImportOptions = {}): FlagSet {
  return serve(toScenarioParts(docs, options).state);
}

export function serve(input: unknown): FlagSet {
  const state = input as ClientState;
  const UnleashClient = (require('unleash-client/lib/client.js') as { default: new (repo: unknown, strategies: unknown[]) => UnleashClientLike }).default;
  const { defaultStrategies } = require('unleash-client/lib/strategy/index.js') as { defaultStrategies: unknown[] };
  const client = new UnleashClient(new MemoryRepository(state), defaultStrategies);
  const toggles = new Map(state.features.map((f) => [String(f.name), f]));
  // Warnings about unknown strategies go to an event the client emits; nobody listens, nothing is printed.
  (client as unknown as EventEmitter).on('warn', () => {});
  (client as unknown as EventEmitter).on('error', () => {});
  return {
    system: 'unleash',
    keys: state.features.map((f) => String(f.name)),
    evaluate(key, context): Evaluation {
      const feature = toggles.get(key);
      if (!feature) return { flag: key, enabled: false, variant: null, value: null, reason: 'error: flag not found', bucket: null };
      const ctx = unleashContext(context);
      const enabled = client.isEnabled(key, ctx, () => false);
      const v = client.getVariant(key, ctx);
      const strategies = Array.isArray(feature.strategies) ? (feature.strategies as Json[]) : [];
      let reason: string;
      if (feature.enabled === false) reason = 'disabled';
      else if (!client.isParentDependencySatisfied(feature, ctx)) reason = 'prerequisite failed';
      else if (!enabled) reason = 'default';
      else reason = strategies.some((s) => String(s.name).startsWith('gradualRollout') || (s.name === 'flexibleRollout' && Number((s.parameters as Json)?.rollout ?? 100) < 100)) ? 'split' : 'targeting match';
      return {
        flag: key, enabled, variant: v.enabled ? v.name : null, value: v.enabled ? (v.payload?.value ?? v.name) : enabled,
        reason, bucket: bucketOf(key, strategies, ctx),
      };
    },
    contextOf(key, attributes) {
      const properties: Json = {};
      for (const [k, v] of Object.entries(attributes)) if (k !== 'key') properties[k] = String(v);
      return { userId: key, properties };
    },
    close() {},
  };
}

/** The normalized value (1-100) of the first percentage strategy, when the context has its stickiness. */
function bucketOf(key: string, strategies: Json[], ctx: Json): number | null {
  for (const s of strategies) {
    const p = isObject(s.parameters) ? s.parameters : {};
    if (s.name === 'flexibleRollout') {
      const stickiness = typeof p.stickiness === 'string' ? p.stickiness : 'default';
      const props = isObject(ctx.properties) ? ctx.properties : {};
      const value = stickiness === 'default' ? (ctx.userId ?? ctx.sessionId) : stickiness === 'random' ? undefined : (ctx[stickiness] ?? props[stickiness]);
      if (value === undefined || value === null) return null;
      return unleashNormalized(typeof p.groupId === 'string' ? p.groupId : key, String(value));
    }
    if (s.name === 'gradualRolloutUserId' && ctx.userId !== undefined) {
      return unleashNormalized(typeof p.groupId === 'string' ? p.groupId : key, String(ctx.userId));
    }
  }
  return null;
}
