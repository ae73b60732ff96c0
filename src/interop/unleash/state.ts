/**
 * Unleash files as Unleash writes them, turned into the one form unleash-client evaluates: a client API
 * response (`{version, features, segments}`) for one environment. Formats, decided by shape:
 * - client API responses (`/api/client/features`), the client delta API (`{events}`), and the client
 *   specification's files (`{name, state, tests}`);
 * - state exports v1 to v4 (`/api/admin/state/export`, Unleash/unleash src/lib/services/state-service.ts at
 *   ff377cd70461: v1 strategies inside each toggle; v2-v4 `featureStrategies` named by `strategyName`,
 *   `featureEnvironments`, `segments` with `featureStrategySegments`; variants per toggle up to v3, per
 *   environment in v4);
 * - the feature export (`/api/admin/features-batch/export`, src/lib/features/export-import-toggles/
 *   export-import-service.ts): one environment, strategies named by `name`, segments without constraints.
 * Answers of Unleash's other APIs are refused as what they are (other-shapes.ts).
 */
import { didYouMean, InputError } from '../../errors.js';
import type { PathSegment } from '../../scenario/problems.js';
import { walkFields, type Findings } from '../disposition.js';
import { at, formatWarning, isObject, type FlagFile } from '../document.js';
import { UNLEASH_DISPOSITIONS as TABLE, UNLEASH_EXPORT_DISPOSITIONS } from './dispositions.js';
import { exportUnjoined, linksUnjoined, stateUnjoined, type Unjoined } from './joins.js';
import { unleashExportImport } from './openapi.js';
import { joiRefusal, unleashStateImport } from './state-import.js';
import { otherShape } from './other-shapes.js';
import { quoted, quotedList } from '../../units/escape.js';

type Json = Record<string, unknown>;

/** The client API state of one environment, with where each part came from in the file. */
export interface UnleashImport {
  readonly format: string;
  readonly environment: string | null;
  readonly state: { version: 2; features: Json[]; segments: Json[] };
  readonly featurePaths: Map<string, PathSegment[]>;
  /** Path of each served strategy, in the order served, per toggle. */
  readonly strategyPaths: Map<string, PathSegment[][]>;
  readonly segmentPaths: ReadonlyMap<unknown, PathSegment[]>; // path of each segment, by id
  /** Names of strategies the file defines itself (custom strategies). */
  readonly defined: Set<string>;
}

/**
 * How a format's strategies are served: as listed (a client API response or delta, as unleash-client reads it), or
 * sorted as a server sorts them (sortStrategies.ts), from a state export, whose import drops sortOrder, or not.
 */
type Order = 'listed' | 'sorted' | 'state';

/** A state export strategy's fields the database needs, its column, and what older exports wrote instead. */
const NOT_NULL: readonly (readonly [string, string, string])[] = [['featureName', 'feature_name', ''], ['projectId', 'project_name', 'projectName'], ['strategyName', 'strategy_name', 'name']];

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as unknown[]).filter(isObject) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Unleash src/lib/util/sortStrategies.ts: release-plan strategies first, then by sortOrder (a stable sort). */
function sortStrategies(a: Json, b: Json): number {
  if (a.milestoneId && !b.milestoneId) return -1;
  if (!a.milestoneId && b.milestoneId) return 1;
  return typeof a.sortOrder === 'number' && typeof b.sortOrder === 'number' ? a.sortOrder - b.sortOrder : 0;
}

/** Parameter values as the client API serves them: strings. */
function parameters(p: unknown): Json {
  if (!isObject(p)) return {};
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]));
}

/** The lists of a state export besides features and feature strategies (Unleash/unleash src/lib/services/state-schema.ts stateSchema). */
const STATE_LISTS = ['projects', 'environments', 'strategies', 'tagTypes', 'tags', 'featureTags', 'segments', 'featureStrategySegments'];

/** `dates`: where the file writes a value js-yaml reads as a date (flag-js-yaml.ts), which Joi's string() refuses. */
export function readUnleash(doc: FlagFile, wanted: string | undefined, out: Findings, dates: readonly PathSegment[][] = []): UnleashImport {
  let v = doc.value;
  let base: PathSegment[] = [];
  if (isObject(v) && (isObject(v.state)) && ('tests' in v || 'variantTests' in v)) {
    walkFields(doc, TABLE, 'specification', v, [], out, 'Unleash');
    v = v.state;
    base = ['state'];
  }
  const fail = (path: PathSegment[], message: string): never => {
    throw new InputError([formatWarning(at(doc, [...base, ...path], message))]);
  };
  if (!isObject(v)) return fail([], 'not an Unleash file: expected a client API response ({"features": [...]}), a state export or a feature export');
  const own = dates.filter((d) => base.every((b, i) => d[i] === b)).map((d) => d.slice(base.length));
  const r = new Reader(doc, base, out, fail, own);
  let result: UnleashImport;
  if (Array.isArray(v.events)) result = r.delta(v, wanted);
  else if (Array.isArray(v.featureStrategies) || Array.isArray(v.featureEnvironments)) {
    result = v.version === undefined ? r.featureExport(v, wanted) : r.stateExport(v, wanted);
  } else if (Array.isArray(v.features)) {
    const stateV1 = ['strategies', 'projects', 'tags', 'tagTypes', 'featureTags'].some((k) => k in v) && !('segments' in v || 'query' in v);
    result = stateV1 ? r.stateExport(v, wanted) : r.clientApi(v, wanted);
  } else if (typeof v.version === 'number' && STATE_LISTS.some((k) => Array.isArray(v[k]))) {
    // Every list of the state schema is optional: a file of projects and environments alone imports (202).
    result = r.stateExport(v, wanted);
  } else return fail([], `not an Unleash file: expected a client API response ({"features": [...]}), a state export or a feature export${otherShape(v)}`);
  if (out.refusals.length) throw new InputError(out.refusals.map(formatWarning));
  return result;
}

class Reader {
  private readonly features: Json[] = [];
  private readonly segments = new Map<unknown, Json>();
  private readonly segmentPaths = new Map<unknown, PathSegment[]>();
  private readonly featurePaths = new Map<string, PathSegment[]>();
  private readonly strategyPaths = new Map<string, PathSegment[][]>();
  readonly defined = new Set<string>();

  constructor(
    private readonly doc: FlagFile,
    private readonly base: PathSegment[],
    private readonly out: Findings,
    private readonly fail: (path: PathSegment[], message: string) => never,
    private readonly dates: readonly PathSegment[][] = [],
  ) {}

  private warn(path: PathSegment[], message: string) {
    this.out.warnings.push(at(this.doc, [...this.base, ...path], message));
  }
  private refuse(path: PathSegment[], message: string) {
    this.out.refusals.push(at(this.doc, [...this.base, ...path], message));
  }
  private walk(type: string, value: unknown) {
    walkFields(this.doc, TABLE, type, value, this.base, this.out, 'Unleash');
  }

  /** The environment served: the one named (which the file must hold), else the file's only one. */
  private choose(held: string[] | null, wanted: string | undefined, where: PathSegment[]): string | null {
    if (held === null) {
      if (wanted !== undefined) this.warn(where, `the file does not say which environment it serves; rehearsed as environment ${quoted(wanted)}, as named`);
      return wanted ?? null;
    }
    if (wanted !== undefined) {
      if (held.includes(wanted)) return wanted;
      return this.fail(where, `no environment ${quoted(wanted)} in the file${didYouMean(wanted, held)} (environments: ${quotedList(held) || 'none'})`);
    }
    if (held.length > 1) return this.fail(where, `the file holds environments ${quotedList(held)}: name the one to rehearse (environment: beside unleash: in flags.from, or --environment)`);
    return held[0] ?? null;
  }

  private segment(s: Json, path: PathSegment[]) {
    if (this.segments.has(s.id)) this.refuse([...path, 'id'], `segment id ${JSON.stringify(s.id)} is used twice`);
    this.segments.set(s.id, { id: s.id, name: s.name, constraints: Array.isArray(s.constraints) ? s.constraints : undefined });
    this.segmentPaths.set(s.id, path);
  }

  /** A toggle as the client API serves it, with its strategies (each with its path) in serving order. */
  private feature(f: Json, path: PathSegment[], enabled: boolean, strategies: { s: Json; path: PathSegment[]; segments: unknown[] }[], variants: unknown, dependencies?: unknown, order: Order = 'sorted') {
    if (typeof f.name !== 'string') return this.refuse(path, 'a toggle is an object with a name');
    if (f.archived === true) return;
    const name = f.name;
    const other = this.featurePaths.get(name);
    if (other) return this.refuse([...path, 'name'], `toggle ${quoted(name)} is also at ${formatWarning(at(this.doc, other, '')).replace(/: $/, '')}`);
    // A server serves the strategies sorted (sortStrategies.ts); unleash-client evaluates a response's list as it
    // stands (client.js: feature.strategies.some), so a client API response or delta is served in its own order.
    const enabledOnes = strategies.filter((x) => x.s.disabled !== true);
    const served = order === 'listed' ? enabledOnes : [...enabledOnes].sort((a, b) => sortStrategies(a.s, b.s));
    if (order !== 'sorted' && served.length > 1 && served.some((x) => Array.isArray(x.s.variants) && x.s.variants.length)) this.orderDecides(served, order);
    for (const x of served) {
      for (const id of x.segments) {
        const seg = this.segments.get(id);
        if (!seg) this.warn([...x.path, 'segments'], `segment ${JSON.stringify(id)} is not in the file: unleash-client fails the strategy for everyone, and so does the rehearsal`);
        else if (!Array.isArray(seg.constraints)) {
          this.refuse([...x.path, 'segments'], `segment ${quoted(String(seg.name))} (id ${JSON.stringify(id)}) has no constraints in the file: a feature export carries only segment names; export the toggles from the client API (/api/client/features), which carries them`);
        }
      }
    }
    this.featurePaths.set(name, [...this.base, ...path]);
    this.strategyPaths.set(name, served.map((x) => [...this.base, ...x.path]));
    this.features.push({
      name, description: f.description ?? '', type: f.type, project: f.project, impressionData: f.impressionData === true, enabled,
      strategies: served.map(({ s, segments }) => ({
        name: str(s.strategyName) ?? s.name, constraints: Array.isArray(s.constraints) ? s.constraints : [], parameters: parameters(s.parameters),
        variants: Array.isArray(s.variants) ? s.variants : [], ...(segments.length ? { segments } : {}),
      })),
      variants: Array.isArray(variants) ? variants : [],
      ...(Array.isArray(dependencies) && dependencies.length ? { dependencies } : {}),
    });
  }

  private result(format: string, environment: string | null): UnleashImport {
    return {
      format, environment, state: { version: 2, features: this.features, segments: [...this.segments.values()].filter((s) => Array.isArray(s.constraints)) },
      featurePaths: this.featurePaths, strategyPaths: this.strategyPaths, defined: this.defined, segmentPaths: new Map([...this.segmentPaths].map(([id, path]) => [id, [...this.base, ...path]])),
    };
  }

  clientApi(v: Json, wanted: string | undefined): UnleashImport {
    this.walk('clientFeaturesSchema', v);
    const env = isObject(v.query) && typeof v.query.environment === 'string' ? [v.query.environment] : null;
    const environment = this.choose(env, wanted, env ? ['query', 'environment'] : []);
    list(v.segments).forEach((s, i) => this.segment(s, ['segments', i]));
    (v.features as unknown[]).forEach((f, i) => this.clientFeature(f, ['features', i]));
    return this.result('client API response', environment);
  }

  private clientFeature(f: unknown, path: PathSegment[]) {
    if (!isObject(f)) return this.refuse(path, 'a toggle is an object');
    if (typeof f.enabled !== 'boolean') return this.refuse([...path, 'enabled'], 'enabled is true or false (unleash-client reports anything else as an error)');
    if (!Array.isArray(f.strategies)) return this.refuse([...path, 'strategies'], 'strategies is a list (unleash-client turns the toggle off otherwise)');
    const strategies = list(f.strategies).map((s, j) => ({ s, path: [...path, 'strategies', j], segments: Array.isArray(s.segments) ? s.segments : [] }));
    this.feature(f, path, f.enabled, strategies, f.variants, f.dependencies, 'listed');
  }

  /**
   * The order of a toggle's strategies, where it decides what is served: unleash-client serves the variants of the
   * first strategy that matches. A response listed out of its sortOrder is served as listed; a state export's
   * sortOrder is dropped by Unleash's import (state-schema.ts featureStrategySchema strips it; importFeatureStrategies
   * inserts the strategies all at once, each taking the highest sortOrder + 1 it reads: feature-toggle-strategies-store.ts
   * createStrategyFeatureEnv), as are the strategy variants it orders (warned at each).
   */
  private orderDecides(served: { s: Json; path: PathSegment[] }[], order: 'listed' | 'state') {
    if (order === 'listed') {
      const i = served.findIndex((x, j) => j > 0 && sortStrategies(served[j - 1].s, x.s) > 0);
      if (i > 0) this.warn([...served[i].path, 'sortOrder'], `sortOrder ${JSON.stringify(served[i].s.sortOrder)} is below the one of the strategy listed before it: unleash-client evaluates a response's strategies in the order listed (client.js: feature.strategies.some) and serves the variants of the first that matches, as rehearse does; a server lists them by sortOrder (sortStrategies.ts)`);
      return;
    }
    for (const x of served) {
      if (x.s.sortOrder !== undefined) this.warn([...x.path, 'sortOrder'], 'Unleash\'s state import drops sortOrder (state-schema.ts featureStrategySchema), and a server this file is imported into orders these strategies as it inserts them, all at once (state-service.ts importFeatureStrategies: Promise.all of createStrategyFeatureEnv): the order decides whose strategy variants unleash-client serves; rehearsed in this order, as the server that exported it served it');
    }
  }

  delta(v: Json, wanted: string | undefined): UnleashImport {
    this.walk('delta', v);
    const environment = this.choose(null, wanted, []);
    let features = new Map<string, [unknown, PathSegment[]]>();
    let segments = new Map<unknown, [Json, PathSegment[]]>();
    (v.events as unknown[]).forEach((e, i) => {
      const p: PathSegment[] = ['events', i];
      if (!isObject(e)) return this.refuse(p, 'an event is an object');
      if (e.type === 'hydration') {
        features = new Map(list(e.features).map((f, j) => [String(f.name), [f, [...p, 'features', j]]]));
        segments = new Map(list(e.segments).map((s, j) => [s.id, [s, [...p, 'segments', j]]]));
      } else if (e.type === 'feature-updated' && isObject(e.feature)) features.set(String(e.feature.name), [e.feature, [...p, 'feature']]);
      else if (e.type === 'feature-removed') features.delete(String(e.featureName));
      else if (e.type === 'segment-updated' && isObject(e.segment)) segments.set(e.segment.id, [e.segment, [...p, 'segment']]);
      else if (e.type === 'segment-removed') segments.delete(e.segmentId);
      else this.warn([...p, 'type'], `unknown event type ${JSON.stringify(e.type)}: skipped, as unleash-client skips it`);
    });
    for (const [s, p] of segments.values()) this.segment(s, p);
    for (const [f, p] of features.values()) this.clientFeature(f, p);
    return this.result('client delta events', environment);
  }

  /**
   * A state export as Unleash's state import reads it (state-import.ts): what Joi refuses is refused at its place;
   * toggles, strategies and featureEnvironments as Joi converted them ("true" is true, "5" is 5); segments and
   * their links as the file writes them, as the import stored them.
   */
  stateExport(v: Json, wanted: string | undefined): UnleashImport {
    this.walk('state.stateSchema', v);
    const unread = this.unreadStrategyVariants();
    const imported = unleashStateImport(v, this.dates);
    const walked = new Set(this.out.refusals.map((r) => JSON.stringify(r.path)));
    for (const p of imported.problems) if (!walked.has(JSON.stringify([...this.base, ...p.path]))) this.refuse(p.path, joiRefusal(p));
    if (this.out.refusals.length) return this.result('state export', null);
    const d = imported.value;
    if (imported.unwritten) this.warn(v.version === undefined ? [] : ['version'], `version ${JSON.stringify(v.version)}: no Unleash writes a state export of this version (StateService.export wrote 1 to 4); its import reads the file as ${imported.unwritten}, and so does rehearse`);
    for (const s of list(v.strategies)) if (typeof s.name === 'string') this.defined.add(s.name);
    if (imported.legacy) return this.legacyExport(v, d, wanted);
    const features = list(d.features);
    // import(): importFeatureStrategies calls featureStrategies.filter, importFeatures featureEnvironments.filter per toggle.
    const crash = (key: string, call: string) => this.refuse([], `a state export of version ${JSON.stringify(v.version)} with features and no ${key}: Unleash's import fails on it (state-service.ts ${call} of undefined) and imports nothing; give ${key}: [] for none`);
    if (Array.isArray(d.features) && !Array.isArray(d.featureStrategies)) crash('featureStrategies', 'importFeatureStrategies: featureStrategies.filter');
    if (features.length && !Array.isArray(d.featureEnvironments)) crash('featureEnvironments', 'enabledIn: env.filter');
    if (this.out.refusals.length) return this.result('state export', null);
    // The import keeps of a strategy only what featureStrategySchema names; the rest is the exporting server's.
    const strategies = list(d.featureStrategies).map((s, j): Json => ({ ...list(v.featureStrategies)[j], ...s, ...(unread.has(j) ? { variants: [] } : {}) }));
    strategies.forEach((s, j) => this.strippedByImport(s, ['featureStrategies', j]));
    const rows = list(d.featureEnvironments);
    const held = [...new Set([...list(d.environments).map((e) => e.name), ...rows.map((e) => e.environment), ...strategies.map((s) => s.environment)]
      .filter((e): e is string => typeof e === 'string'))];
    const environment = this.choose(held, wanted, v.environments ? ['environments'] : ['featureEnvironments']);
    list(v.segments).forEach((s, i) => {
      this.segment(s, ['segments', i]);
      this.textBooleans(s.constraints, ['segments', i, 'constraints'], 'stored the segment as the file writes it (state-service.ts importSegments reads the file, not what Joi converted)');
    });
    const links = list(d.featureStrategySegments);
    // import(): strategies and featureEnvironments are read only where the file has features.
    if (Array.isArray(d.features)) this.unjoined([...stateUnjoined(strategies, rows, new Set(features.map((f) => f.name))), ...linksUnjoined(links, strategies, [...this.segments.keys()])]);
    else strategies.forEach((_, j) => this.warn(['featureStrategies', j], 'the file has no features: Unleash\'s state import reads no strategies without them (state-service.ts import(): if (importData.features)), and rehearse serves none'));
    if (Array.isArray(d.features)) list(d.featureStrategies).forEach((s, j) => this.insertable(s, list(v.featureStrategies)[j] ?? {}, ['featureStrategies', j]));
    strategies.forEach((s, j) => {
      if (typeof s.strategyName === 'string' && typeof s.name === 'string' && s.name !== s.strategyName) {
        this.warn(['featureStrategies', j, 'name'], `strategyName ${quoted(s.strategyName)} is served; name ${quoted(s.name)} is not read`);
      }
      this.textBooleans(s.constraints, ['featureStrategies', j, 'constraints'], 'does not check a strategy\'s constraints (state-schema.ts featureStrategySchema: joi.array()) and stored them as the file writes them');
    });
    const version = d.version as number;
    features.forEach((f, i) => {
      const p = ['features', i];
      const row = rows.find((e) => e.featureName === f.name && e.environment === environment);
      const own = strategies.map((s, j) => ({ s, j })).filter(({ s }) => s.featureName === f.name && s.environment === environment)
        .map(({ s, j }) => ({
          s, path: ['featureStrategies', j] as PathSegment[],
          segments: [...new Set([...(Array.isArray(s.segments) ? s.segments : []), ...links.filter((l) => l.featureStrategyId === s.id && this.segments.has(l.segmentId)).map((l) => l.segmentId)])],
        }));
      if (version >= 4 && Array.isArray(f.variants) && f.variants.length) this.warn([...p, 'variants'], 'a version 4 export keeps variants per environment (featureEnvironments): these are not read');
      // Below version 4 the import copied each toggle's variants into its rows (moveVariantsToFeatureEnvironments).
      this.feature(f, p, row?.enabled === true, own, row?.variants, undefined, 'state');
    });
    return this.result(`state export v${String(version)}`, environment);
  }

  /** A version 1 export (state-service.ts convertLegacyFeatures): each toggle's own strategies, in environment default. */
  private legacyExport(v: Json, d: Json, wanted: string | undefined): UnleashImport {
    const environment = this.choose(['default'], wanted, []);
    for (const key of ['featureStrategies', 'featureEnvironments']) {
      if (list(v[key]).length) this.warn([key], `a version 1 export's toggles carry their own strategies and state: Unleash's import does not read ${key} (state-service.ts convertLegacyFeatures), nor does rehearse`);
    }
    list(d.features).forEach((f, i) => {
      const p = ['features', i];
      if (!Array.isArray(f.strategies)) return this.refuse([...p, 'strategies'], `a version 1 toggle without a list of strategies: Unleash's import fails on it (state-service.ts convertLegacyFeatures: f.strategies.map of ${f.strategies === undefined ? 'a missing field' : JSON.stringify(f.strategies)}) and imports nothing`);
      const strategies = list(f.strategies).map((s, j) => ({ s, path: [...p, 'strategies', j], segments: [] }));
      this.feature(f, p, f.enabled === true, strategies, f.variants);
    });
    return this.result('state export v1', environment);
  }

  /**
   * Strategy variants of a state export that the client API's types refuse (a weight "50"): Unleash's state import
   * never reads them (state-schema.ts featureStrategySchema strips variants unchecked), so it takes the file and serves
   * the strategy without them; so does rehearse, warned at each (no server served such variants to be rehearsed as
   * it served them). Returns the strategies whose variants are left out.
   */
  private unreadStrategyVariants(): Set<number> {
    const under = (r: { path: readonly PathSegment[] }) => {
      const [top, j, field] = r.path.slice(this.base.length);
      return top === 'featureStrategies' && field === 'variants' && typeof j === 'number' ? j : -1;
    };
    const unread = this.out.refusals.filter((r) => under(r) >= 0);
    for (const r of unread) {
      this.out.refusals.splice(this.out.refusals.indexOf(r), 1);
      this.out.warnings.push({ ...r, message: `${r.message.replace(/: Unleash's import refuses it.*$/, '')}: Unleash's state import drops strategy variants without reading them (state-schema.ts featureStrategySchema), and a server this file is imported into serves the strategy without them; so does rehearse` });
    }
    return new Set(unread.map(under));
  }

  /** What Unleash's import drops of a strategy (featureStrategySchema strips what it does not name) where it serves. */
  private strippedByImport(s: Json, path: PathSegment[]) {
    const dropped = (field: string, what: string) => this.warn([...path, field], `Unleash's state import drops ${field} (state-schema.ts featureStrategySchema keeps id, featureName, projectId, environment, parameters, constraints and strategyName): a server this file is imported into serves ${what}; rehearsed as the server that exported it served it`);
    if (s.disabled === true) dropped('disabled', 'the strategy, enabled');
    if (Array.isArray(s.variants) && s.variants.length) dropped('variants', 'the strategy without its variants');
    if (Array.isArray(s.segments) && s.segments.length) dropped('segments', 'the strategy without these segments (featureStrategySegments joins those it keeps)');
  }

  /**
   * A strategy the import cannot store: it inserts each as Joi left it (state-service.ts importFeatureStrategies,
   * feature-toggle-strategies-store.ts createStrategyFeatureEnv), and the database refuses a row without these
   * (feature_strategies, NOT NULL: src/migrations/20210610085817-features-strategies-table.js); the import stops there.
   */
  private insertable(kept: Json, raw: Json, path: PathSegment[]) {
    const missing = NOT_NULL.filter(([field]) => kept[field] === undefined);
    if (!missing.length) return;
    const fields = missing.map(([f]) => f).join(' and ');
    const written = missing.flatMap(([f, , other]) => (other && other in raw ? [`${other}, which the import strips, where it reads ${f}`] : []));
    this.refuse(path, `a strategy without ${fields}${written.length ? ` (it writes ${written.join(', and ')})` : ''}: Unleash's state import inserts it as Joi leaves it (state-schema.ts featureStrategySchema), and the database refuses a strategy without ${missing.map(([, c]) => c).join(' or ')} (feature_strategies, NOT NULL): the import stops with an error, the toggles imported before it kept${missing.some(([f]) => f === 'projectId') ? ' (Unleash\'s own e2e test renames a 4.1 export\'s projectName projectId for its import to work: exported412-enterprise-necessary-fixes.json)' : ''}`);
  }

  /** A constraint's inverted or caseInsensitive written as text, which unleash-client reads as true whatever it says. */
  private textBooleans(constraints: unknown, path: PathSegment[], stored: string) {
    list(constraints).forEach((c, i) => {
      for (const key of ['inverted', 'caseInsensitive']) {
        if (typeof c[key] === 'string' && c[key] !== '') this.warn([...path, i, key], `the text ${JSON.stringify(c[key])}: Unleash's import ${stored}, and unleash-client reads any text here but "" as true (strategy.js: if (constraint.${key})), as rehearse does; write true or false without quotes`);
      }
    });
  }

  /** Rows naming no toggle of the file (joins.ts): refused or warned at the row. */
  private unjoined(rows: readonly Unjoined[]) {
    for (const r of rows) (r.refused ? this.refuse : this.warn).call(this, r.path, r.message);
  }

  /**
   * A feature export as Unleash's feature import reads it (openapi.ts): what its validation refuses is refused at
   * its place; the rest is read as it converted it ("true" is true, 5 is "5").
   */
  featureExport(raw: Json, wanted: string | undefined): UnleashImport {
    const imported = unleashExportImport(raw);
    for (const p of imported.problems) this.refuse(p.path, p.message);
    if (this.out.refusals.length) return this.result('feature export', null);
    const v = imported.value;
    walkFields(this.doc, UNLEASH_EXPORT_DISPOSITIONS, 'exportResultSchema', v, this.base, this.out, 'Unleash');
    const rows = list(v.featureEnvironments);
    const held = [...new Set(rows.map((e) => e.environment).filter((e): e is string => typeof e === 'string'))];
    const environment = this.choose(held.length ? held : null, wanted, ['featureEnvironments']);
    list(v.segments).forEach((s, i) => this.segment(s, ['segments', i]));
    const strategies = list(v.featureStrategies);
    const dependencies = list(v.dependencies);
    this.unjoined(exportUnjoined(strategies, rows, new Set(list(v.features).map((f) => f.name))));
    // The import turns a toggle on or off by a row's name, and gives it the variants of a row by featureName (joins.ts).
    const here = (e: Json) => environment === null || e.environment === environment;
    list(v.features).forEach((f, i) => {
      const row = rows.find((e) => e.name === f.name && here(e));
      const variants = rows.find((e) => e.featureName === f.name && Array.isArray(e.variants) && e.variants.length && here(e))?.variants;
      const own = strategies.map((s, j) => ({ s, path: ['featureStrategies', j] as PathSegment[], segments: Array.isArray(s.segments) ? s.segments : [] }))
        .filter(({ s }) => s.featureName === f.name);
      const deps = dependencies.filter((d) => d.feature === f.name).flatMap((d) => list(d.dependencies));
      this.feature(f, ['features', i], row?.enabled === true, own, variants, deps);
    });
    return this.result('feature export', environment);
  }
}
