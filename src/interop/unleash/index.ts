/**
 * Unleash feature toggles, as the client API serves them (`{version, features, segments}`) or as a feature
 * export (`features`, `featureStrategies`, `featureEnvironments`, `segments`): read, checked, and evaluated by
 * unleash-client's own UnleashClient over an in-memory repository (no fetcher, no timers, no metrics).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { unleashNormalized } from '../../flags/bucketing.js';
import { at, invalid, isObject, type FlagFile, type FlagWarning } from '../document.js';
import type { Evaluation, FlagSet, ImportedFlag, ScenarioParts } from '../flagset.js';

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

/** Context fields Unleash reads at the top level; anything else is a property. */
const TOP_LEVEL = new Set(['userId', 'sessionId', 'remoteAddress', 'environment', 'appName', 'currentTime']);

type Json = Record<string, unknown>;

export interface ClientState {
  readonly features: Json[];
  readonly segments: Json[];
  /** Path of each feature in the file. */
  readonly paths: Map<string, (string | number)[]>;
}

/** The client API state a file holds (an export is joined per feature, for its first environment). */
export function clientState(doc: FlagFile, warnings: FlagWarning[] = []): ClientState {
  const v = doc.value;
  if (!isObject(v) || !Array.isArray(v.features)) throw invalid(doc, ['features'], 'an Unleash file has "features": a list of toggles');
  const segments = Array.isArray(v.segments) ? (v.segments as Json[]) : [];
  const paths = new Map<string, (string | number)[]>();
  if (Array.isArray(v.featureStrategies)) {
    const envs = [...new Set((v.featureStrategies as Json[]).map((s) => s.environment).filter((e): e is string => typeof e === 'string'))];
    const env = envs[0] ?? null;
    if (envs.length > 1) warnings.push(at(doc, ['featureStrategies'], `the export holds environments ${envs.join(', ')}; rehearsing "${env}"`));
    const featureEnvs = Array.isArray(v.featureEnvironments) ? (v.featureEnvironments as Json[]) : [];
    const features = (v.features as Json[]).map((f, i) => {
      const name = String(f.name);
      paths.set(name, ['features', i]);
      const fe = featureEnvs.find((e) => e.featureName === name && (env === null || e.environment === env));
      const strategies = (v.featureStrategies as Json[])
        .map((s, j) => ({ s, j }))
        .filter(({ s }) => s.featureName === name && (env === null || s.environment === env))
        .sort((a, b) => Number(a.s.sortOrder ?? 0) - Number(b.s.sortOrder ?? 0))
        .map(({ s }) => ({ name: s.name, parameters: s.parameters ?? {}, constraints: s.constraints ?? [], segments: s.segments ?? [], variants: s.variants ?? [], disabled: s.disabled }));
      return { ...f, enabled: fe ? fe.enabled !== false : f.enabled !== false, strategies, variants: fe?.variants ?? f.variants ?? [] };
    });
    return { features, segments, paths };
  }
  (v.features as Json[]).forEach((f, i) => {
    if (!isObject(f) || typeof f.name !== 'string') throw invalid(doc, ['features', i], 'a toggle is an object with a name');
    paths.set(f.name, ['features', i]);
  });
  return { features: v.features as Json[], segments, paths };
}

export function toScenarioParts(doc: FlagFile, _file: string = doc.file): ScenarioParts {
  const warnings: FlagWarning[] = [];
  const state = clientState(doc, warnings);
  const flags: ImportedFlag[] = state.features.map((f) => {
    const name = String(f.name);
    const path = state.paths.get(name)!;
    const attributes = new Map<string, (string | number)[]>();
    const strategies = Array.isArray(f.strategies) ? (f.strategies as Json[]) : [];
    strategies.forEach((s, i) => {
      const sp = [...path, 'strategies', i];
      if (!UNLEASH_STRATEGIES.has(String(s.name))) {
        warnings.push(at(doc, [...sp, 'name'], `strategy "${String(s.name)}" is not supported; it never matches`));
      }
      const params = isObject(s.parameters) ? s.parameters : {};
      if (typeof params.stickiness === 'string' && !['default', 'userId', 'sessionId', 'random'].includes(params.stickiness) && !attributes.has(params.stickiness)) {
        attributes.set(params.stickiness, [...sp, 'parameters', 'stickiness']);
      }
      const constraints = Array.isArray(s.constraints) ? (s.constraints as Json[]) : [];
      constraints.forEach((c, j) => {
        if (!UNLEASH_OPERATORS.has(String(c.operator))) {
          warnings.push(at(doc, [...sp, 'constraints', j, 'operator'], `operator "${String(c.operator)}" is not supported; the constraint never matches`));
        }
        if ((c.operator === 'DATE_AFTER' || c.operator === 'DATE_BEFORE') && (c.contextName === 'currentTime' || c.contextName === undefined)) {
          warnings.push(at(doc, [...sp, 'constraints', j], 'the constraint reads currentTime: users are served as of the time the rehearsal loads, not as the simulated clock runs'));
        }
        if (typeof c.contextName === 'string' && !TOP_LEVEL.has(c.contextName) && !attributes.has(c.contextName)) attributes.set(c.contextName, [...sp, 'constraints', j]);
      });
    });
    const variants = Array.isArray(f.variants) ? (f.variants as Json[]).map((x) => String(x.name)) : [];
    const strategyVariants = strategies.flatMap((s) => (Array.isArray(s.variants) ? (s.variants as Json[]).map((x) => String(x.name)) : []));
    const requires = Array.isArray(f.dependencies) ? (f.dependencies as Json[]).map((d) => String(d.feature)) : [];
    return {
      key: name, description: typeof f.description === 'string' ? f.description : '',
      variants: [...new Set([...variants, ...strategyVariants])], requires, attributes: [...attributes.keys()].sort(),
      reads: [...attributes].map(([attribute, p]) => ({ attribute, path: p })), path,
    };
  });
  return { system: 'unleash', flags, warnings };
}

interface UnleashClientLike {
  isEnabled(name: string, context: Json, fallback: () => boolean): boolean;
  getVariant(name: string, context: Json): { name: string; enabled: boolean; payload?: { type: string; value: string }; feature_enabled?: boolean };
  isParentDependencySatisfied(feature: unknown, context: Json): boolean;
}

class MemoryRepository extends EventEmitter {
  constructor(private readonly state: ClientState) {
    super();
  }
  getToggle(name: string) { return this.state.features.find((f) => f.name === name); }
  getToggles() { return this.state.features; }
  getTogglesWithSegmentData() { return []; }
  getSegment(id: number) { return this.state.segments.find((s) => s.id === id); }
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

export function open(doc: FlagFile): FlagSet {
  const state = clientState(doc);
  const UnleashClient = (require('unleash-client/lib/client.js') as { default: new (repo: unknown, strategies: unknown[]) => UnleashClientLike }).default;
  const { defaultStrategies } = require('unleash-client/lib/strategy/index.js') as { defaultStrategies: unknown[] };
  const client = new UnleashClient(new MemoryRepository(state), defaultStrategies);
  // Warnings about unknown strategies go to an event the client emits; nobody listens, nothing is printed.
  (client as unknown as EventEmitter).on('warn', () => {});
  (client as unknown as EventEmitter).on('error', () => {});
  return {
    system: 'unleash',
    keys: state.features.map((f) => String(f.name)),
    evaluate(key, context): Evaluation {
      const feature = state.features.find((f) => f.name === key);
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
