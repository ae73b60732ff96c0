/**
 * Every field of the Unleash files rehearse reads, and what becomes of it. Type names are Unleash's own:
 * the OpenAPI schemas of the feature export and the client API (Unleash/unleash src/lib/openapi/spec/*-schema.ts)
 * and, prefixed `state.`, the Joi schemas the state import validated with (src/lib/services/state-schema.ts,
 * src/lib/schema/feature-schema.ts, src/lib/services/segment-schema.ts, src/lib/services/strategy-schema.ts at
 * ff377cd70461), with the fields real state exports carry beyond them. test/dispositions.test.ts walks the
 * published field lists (test/fixtures/vendor/unleash/schemas) against this table.
 */
import { modelled, warned, withTypes, type Disposition, type DispositionTable, type JsonType } from '../disposition.js';

const NONE = 'no effect on what a user is served';
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
const isTrue = (v: unknown) => v === true;

const constraint: Record<string, Disposition> = {
  contextName: modelled('the context field the constraint reads (userId, properties.<name>, ...)'),
  operator: modelled('evaluated by unleash-client; an operator it does not know is warned (never matches)'),
  values: modelled('evaluated by unleash-client'),
  value: modelled('evaluated by unleash-client (single-value operators: NUM_*, DATE_*, SEMVER_*)'),
  caseInsensitive: modelled('evaluated by unleash-client'),
  inverted: modelled('evaluated by unleash-client'),
};

const payload = { type: modelled('the payload type, served with the variant'), value: modelled('served with the variant') };

const variant: Record<string, Disposition> = {
  name: modelled('the variant served'),
  weight: modelled('its share, as unleash-client splits'),
  weightType: modelled('fix or variable weights, as unleash-client splits'),
  stickiness: modelled('what the variant split hashes, as unleash-client does'),
  payload: modelled('served with the variant', { object: 'payload' }),
  overrides: modelled('context values that pin a variant, evaluated by unleash-client', { items: 'overrideSchema' }),
};

/** A strategy as the client API and the feature export write it (named by `name`). */
const featureStrategy: Record<string, Disposition> = {
  id: modelled('joins featureStrategySegments; ' + NONE),
  name: modelled('the strategy unleash-client evaluates; one it does not know is warned (never matches)'),
  title: modelled(NONE),
  disabled: modelled('a disabled strategy is left out, as the server leaves it out of the client API'),
  featureName: modelled('joins the strategy to its toggle'),
  sortOrder: modelled('a feature export\'s strategies are served in this order (Unleash src/lib/util/sortStrategies.ts); a client API response\'s in the order listed, as unleash-client evaluates them (listed out of sortOrder where strategy variants make the order matter: warned)'),
  milestoneId: modelled('release-plan strategies are served first (sortStrategies.ts)'),
  segments: modelled('segment ids, joined with segments; an id the file does not hold is warned (the strategy never matches, as in unleash-client)'),
  constraints: modelled('evaluated by unleash-client', { items: 'constraintSchema' }),
  variants: modelled('strategy variants, served by unleash-client', { items: 'strategyVariantSchema' }),
  parameters: modelled('handed to the strategy as the client API hands them (values as strings)'),
  environment: warned('a feature export writes no environment on a strategy: not read (featureEnvironments says where a toggle is on)'),
};

const dependent: Record<string, Disposition> = {
  feature: modelled('the parent toggle, evaluated by unleash-client (one level)'),
  enabled: modelled('whether the parent must be on or off'),
  variants: modelled('parent variants that satisfy the dependency'),
};

/** A toggle's own fields where they have no bearing on serving. */
const toggleContext: Record<string, Disposition> = {
  type: modelled(NONE), description: modelled('the flag\'s description'), project: modelled(NONE), stale: modelled(NONE),
  impressionData: modelled('impression events only; ' + NONE), createdAt: modelled(NONE), lastSeenAt: modelled(NONE),
  archived: warned('an archived toggle is not served to SDKs: left out', isTrue), archivedAt: modelled(NONE),
};

const segment: Record<string, Disposition> = {
  id: modelled('strategies refer to the segment by id'),
  name: modelled(NONE),
  description: modelled(NONE),
  constraints: modelled('added after the strategy\'s own constraints, as unleash-client does', { items: 'constraintSchema' }),
  createdBy: modelled(NONE), createdAt: modelled(NONE), project: modelled(NONE),
  usedInProjects: modelled(NONE), usedInFeatures: modelled(NONE),
};

const FIELDS: DispositionTable = {
  // --- client API: /api/client/features -------------------------------------------------------------
  clientFeaturesSchema: {
    version: modelled('the client API version; ' + NONE),
    features: modelled('the toggles', { items: 'clientFeatureSchema' }),
    segments: modelled('segments the strategies refer to by id', { items: 'clientSegmentSchema' }),
    query: modelled('query.environment names the environment the response serves', { object: 'clientFeaturesQuerySchema' }),
    meta: modelled('revision and etag of the response; ' + NONE),
  },
  clientFeaturesQuerySchema: {
    environment: modelled('the environment the response serves (checked against the one the scenario names)'),
    tag: modelled('how the response was filtered; ' + NONE), project: modelled('how the response was filtered; ' + NONE),
    namePrefix: modelled('how the response was filtered; ' + NONE),
    inlineSegmentConstraints: modelled('segments written into the strategies; evaluated the same'),
  },
  clientFeatureSchema: {
    ...toggleContext,
    name: modelled('the flag key'),
    enabled: modelled('off for everyone when false (unleash-client)'),
    strategies: modelled('evaluated in order by unleash-client; none means on for everyone', { items: 'featureStrategySchema' }),
    variants: modelled('the toggle\'s variants (null is none)', { items: 'variantSchema' }),
    dependencies: modelled('parent toggles, evaluated by unleash-client', { items: 'dependentFeatureSchema' }),
  },
  clientSegmentSchema: segment,
  featureStrategySchema: featureStrategy,
  constraintSchema: constraint,
  variantSchema: variant,
  strategyVariantSchema: variant,
  overrideSchema: { contextName: modelled('the context field an override reads'), values: modelled('values that get the variant') },
  payload,
  dependentFeatureSchema: dependent,

  // --- client delta API and the client specification's files ------------------------------------------
  delta: { events: modelled('applied in order, as unleash-client applies them', { items: 'deltaEvent' }) },
  deltaEvent: {
    type: modelled('hydration, feature-updated, feature-removed, segment-updated, segment-removed; others are warned, as unleash-client warns'),
    eventId: modelled(NONE),
    features: modelled('the toggles of a hydration', { items: 'clientFeatureSchema' }),
    segments: modelled('the segments of a hydration', { items: 'clientSegmentSchema' }),
    feature: modelled('the toggle of feature-updated', { object: 'clientFeatureSchema' }),
    featureName: modelled('the toggle of feature-removed'),
    project: modelled('the project of feature-removed (unleash-client feature.d.ts FeatureRemoved; it removes by featureName alone); ' + NONE),
    segment: modelled('the segment of segment-updated', { object: 'clientSegmentSchema' }),
    segmentId: modelled('the segment of segment-removed'),
  },
  specification: {
    name: modelled(NONE), state: modelled('the toggles (a client API response or delta events)'),
    tests: modelled('expected results of the specification; ' + NONE), variantTests: modelled('expected results of the specification; ' + NONE),
  },

  // --- feature export: POST /api/admin/features-batch/export --------------------------------------
  exportResultSchema: {
    features: modelled('the toggles', { items: 'featureSchema' }),
    featureStrategies: modelled('joined to their toggle by featureName', { items: 'featureStrategySchema' }),
    featureEnvironments: modelled('whether each toggle is on in the exported environment, and its variants there', { items: 'featureEnvironmentSchema' }),
    contextFields: modelled('context field definitions; ' + NONE, { items: 'contextFieldSchema' }),
    featureTags: modelled(NONE, { items: 'featureTagSchema' }), tagTypes: modelled(NONE, { items: 'tagTypeSchema' }),
    links: modelled(NONE, { items: 'featureLinksSchema' }),
    segments: modelled('ids and names only: a strategy that uses one is refused (the export does not carry its constraints)', { items: 'exportSegment' }),
    dependencies: modelled('parent toggles, joined to the child toggle', { items: 'featureDependenciesSchema' }),
  },
  exportSegment: { ...segment },
  // What the import stores beside the toggles (context fields, tags, links): none of it changes what a user is
  // served; held to its types by the import's OpenAPI validation (importTogglesSchema, openapi.ts).
  contextFieldSchema: {
    name: modelled('a context field the import creates; ' + NONE), description: modelled(NONE), stickiness: modelled(NONE),
    sortOrder: modelled(NONE), createdAt: modelled(NONE), usedInFeatures: modelled(NONE), usedInProjects: modelled(NONE),
    legalValues: modelled('the values the import checks constraints on this field against; ' + NONE, { items: 'legalValueSchema' }),
    project: modelled(NONE),
  },
  legalValueSchema: { value: modelled(NONE), description: modelled(NONE) },
  featureTagSchema: { featureName: modelled(NONE), tagType: modelled(NONE), tagValue: modelled(NONE), createdByUserId: modelled(NONE) },
  tagTypeSchema: { name: modelled(NONE), description: modelled(NONE), icon: modelled(NONE), color: modelled(NONE) },
  featureLinksSchema: { feature: modelled(NONE), links: modelled(NONE, { items: 'linkSchema' }) },
  linkSchema: { url: modelled(NONE), title: modelled(NONE) },
  featureSchema: {
    ...toggleContext,
    name: modelled('the flag key'),
    enabled: warned('not read: whether a toggle is on comes from featureEnvironments'),
    favorite: modelled(NONE), createdBy: modelled(NONE), tags: modelled(NONE), children: modelled(NONE), lifecycle: modelled(NONE),
    collaborators: modelled(NONE), links: modelled(NONE),
    environments: warned('not read: environments come from featureEnvironments', nonEmpty),
    dependencies: warned('not read: dependencies come from the top-level dependencies', nonEmpty),
  },
  featureEnvironmentSchema: {
    name: modelled('the toggle (a feature export writes the feature name here)'),
    featureName: modelled('joins the row to its toggle'),
    environment: modelled('the environment the row is for'),
    enabled: modelled('whether the toggle is on there (no row: off)'),
    variants: modelled('the toggle\'s variants there', { items: 'variantSchema' }),
    type: modelled(NONE), sortOrder: modelled(NONE), variantCount: modelled(NONE), changeRequestIds: modelled(NONE),
    milestoneName: modelled(NONE), milestoneOrder: modelled(NONE), totalMilestones: modelled(NONE), lastSeenAt: modelled(NONE),
    hasStrategies: modelled(NONE), hasEnabledStrategies: modelled(NONE), yes: modelled(NONE), no: modelled(NONE),
    strategies: warned('not read: strategies come from featureStrategies', nonEmpty),
    releasePlans: warned('release plans are not rehearsed: their milestones do not advance and their strategies are not served', nonEmpty),
    safeguards: warned('safeguards act on live metrics: not rehearsed', nonEmpty),
  },
  featureDependenciesSchema: {
    feature: modelled('the child toggle'),
    dependencies: modelled('its parents', { items: 'dependentFeatureSchema' }),
  },

  // --- state exports v1 to v4: /api/admin/state/export ------------------------------------------------
  'state.stateSchema': {
    version: modelled('1 to 4: where strategies and variants are read; another version is refused'),
    features: modelled('the toggles', { items: 'state.featureSchema' }),
    strategies: modelled('strategy definitions: a toggle using a custom one is warned', { items: 'state.strategySchema' }),
    tags: modelled(NONE), tagTypes: modelled(NONE), featureTags: modelled(NONE), projects: modelled(NONE),
    featureStrategies: modelled('joined by featureName and environment', { items: 'state.featureStrategySchema' }),
    featureEnvironments: modelled('whether each toggle is on per environment (no row: off)', { items: 'state.featureEnvironmentsSchema' }),
    environments: modelled('the environments the file holds', { items: 'state.environmentSchema' }),
    segments: modelled('segments, joined through featureStrategySegments', { items: 'state.segmentSchema' }),
    featureStrategySegments: modelled('which strategy uses which segment', { items: 'state.featureStrategySegmentSchema' }),
  },
  'state.featureSchema': {
    ...toggleContext,
    name: modelled('the flag key'),
    enabled: modelled('version 1: whether the toggle is on (in environment default); later versions read featureEnvironments'),
    strategies: modelled('version 1: the toggle\'s strategies', { items: 'state.strategiesSchema' }),
    variants: modelled('versions 1 to 3: the toggle\'s variants in every environment', { items: 'state.variantsSchema' }),
  },
  'state.strategiesSchema': {
    id: modelled(NONE), name: modelled('the strategy unleash-client evaluates'),
    constraints: modelled('evaluated by unleash-client', { items: 'state.constraintSchema' }),
    parameters: modelled('handed to the strategy as the client API hands them (values as strings)'),
  },
  'state.featureStrategySchema': {
    id: modelled('joins featureStrategySegments'),
    featureName: modelled('joins the strategy to its toggle'),
    projectId: modelled(NONE + '; without it the import\'s insert fails (project_name NOT NULL): refused'),
    projectName: modelled('what a 4.1 export wrote for projectId, which the import strips: a strategy without projectId is refused'),
    createdAt: modelled(NONE), title: modelled(NONE),
    environment: modelled('the environment the strategy is for (:global: is default, as the import renames it)'),
    parameters: modelled('handed to the strategy as the client API hands them (values as strings)'),
    constraints: modelled('evaluated by unleash-client', { items: 'state.constraintSchema' }),
    strategyName: modelled('the strategy unleash-client evaluates; one it does not know is warned (never matches)'),
    name: modelled('stripped by the import: a strategy without strategyName is refused (strategy_name NOT NULL); beside a different strategyName, warned'),
    sortOrder: modelled('strategies are served in this order, as the exporting server served them; the state import drops it (warned where strategy variants make the order matter)'),
    disabled: modelled('a disabled strategy is left out, as the server leaves it out of the client API'),
    variants: modelled('strategy variants, served by unleash-client', { items: 'strategyVariantSchema' }),
    segments: modelled('segment ids, with those of featureStrategySegments'),
  },
  'state.featureEnvironmentsSchema': {
    environment: modelled('the environment the row is for'), featureName: modelled('joins the row to its toggle'),
    enabled: modelled('whether the toggle is on there'),
    variants: modelled('version 4: the toggle\'s variants there (earlier versions take the toggle\'s)', { items: 'state.variantsSchema' }),
  },
  'state.environmentSchema': {
    name: modelled('an environment of the file'), displayName: modelled(NONE), type: modelled(NONE),
    sortOrder: modelled(NONE), enabled: modelled(NONE), protected: modelled(NONE),
  },
  'state.constraintSchema': constraint,
  'state.variantsSchema': variant,
  // Joi's constraintSchema, not the OpenAPI one: the import took "true" for a constraint's inverted (state-import.ts).
  'state.segmentSchema': { ...segment, constraints: modelled('added after the strategy\'s own constraints, as unleash-client does', { items: 'state.constraintSchema' }) },
  'state.featureStrategySegmentSchema': {
    segmentId: modelled('the segment; one the file does not hold is refused (the import links the server\'s, or fails)'),
    featureStrategyId: modelled('the strategy that uses it; one the file does not hold is refused (the import links the server\'s, or fails)'), createdAt: modelled(NONE),
  },
  'state.strategySchema': {
    name: modelled('a strategy definition\'s name'), title: modelled(NONE), displayName: modelled(NONE), disabled: modelled(NONE), editable: modelled(NONE),
    deprecated: modelled(NONE), description: modelled(NONE), parameters: modelled('parameter definitions; ' + NONE),
  },
};

const A = 'array' as const;
const O = 'object' as const;
/**
 * The fields that Unleash's schemas make lists or objects, in the types a walk with this table reaches: the client
 * API, its delta and a state export (test/fixtures/vendor/unleash/schemas: the OpenAPI schemas of src/lib/openapi/spec
 * and the state import's Joi schemas hold the test to them). A list or an object of another type no reader converts:
 * it would be read as none. A state export's scalars are Joi's (state-import.ts converts and refuses as the state
 * import did), and a feature export is validated by Unleash's own OpenAPI schemas (openapi.ts), then walked untyped.
 * A constraint's values are checked by the operator that reads them (index.ts).
 */
const STRUCTURE: Record<string, Record<string, JsonType>> = {
  clientFeaturesSchema: { features: A, segments: A, query: O },
  clientFeaturesQuerySchema: { tag: A, project: A },
  clientFeatureSchema: { strategies: A, variants: A, dependencies: A },
  clientSegmentSchema: { constraints: A },
  featureStrategySchema: { segments: A, constraints: A, variants: A, parameters: O },
  variantSchema: { payload: O, overrides: A },
  strategyVariantSchema: { payload: O, overrides: A },
  overrideSchema: { values: A },
  dependentFeatureSchema: { variants: A },
  delta: { events: A },
  deltaEvent: { features: A, segments: A, feature: O, segment: O },
  'state.stateSchema': {
    features: A, strategies: A, tags: A, tagTypes: A, featureTags: A, projects: A, featureStrategies: A, featureEnvironments: A, environments: A,
    segments: A, featureStrategySegments: A,
  },
  'state.featureSchema': { strategies: A, variants: A },
  'state.strategiesSchema': { constraints: A, parameters: O },
  'state.featureStrategySchema': { parameters: O, constraints: A, variants: A, segments: A },
  'state.featureEnvironmentsSchema': { variants: A },
  'state.variantsSchema': { payload: O, overrides: A },
  'state.segmentSchema': { constraints: A },
  'state.strategySchema': { parameters: A },
};

export const UNLEASH_STRUCTURE: Readonly<Record<string, Readonly<Record<string, JsonType>>>> = STRUCTURE;

const S = 'string' as const;
const N = 'number' as const;
const B = 'boolean' as const;
/**
 * The scalars of the schemas the client API is written in (src/lib/openapi/spec; the test walks openapi-fields.json):
 * the server serves them so, and unleash-client reads them as they are. A state export's (Joi, which converts "true"
 * and "5") are left to state-import.ts, but for the strategy variants a state export carries (which the import drops
 * and rehearse serves, warned; one of another type is dropped as the import drops it, warned: state.ts
 * unreadStrategyVariants). A client API toggle's enabled, a strategy's name (one unleash-client does not know
 * never matches, warned) and a variant's name are checked where they are read (state.ts, index.ts).
 */
const SCALARS: Record<string, Record<string, JsonType>> = {
  clientFeaturesSchema: { version: N },
  clientFeaturesQuerySchema: { environment: S, namePrefix: S, inlineSegmentConstraints: B },
  clientFeatureSchema: { type: S, description: S, project: S, stale: B, impressionData: B, name: S },
  clientSegmentSchema: { id: N, name: S },
  featureStrategySchema: { id: S, title: S, disabled: B, featureName: S, sortOrder: N },
  constraintSchema: { contextName: S, operator: S, value: S, caseInsensitive: B, inverted: B },
  variantSchema: { weight: N, weightType: S, stickiness: S },
  strategyVariantSchema: { weight: N, weightType: S, stickiness: S },
  overrideSchema: { contextName: S },
  dependentFeatureSchema: { feature: S, enabled: B },
};

export const UNLEASH_SCALARS: Readonly<Record<string, Readonly<Record<string, JsonType>>>> = SCALARS;

export const UNLEASH_DISPOSITIONS: DispositionTable = withTypes(
  withTypes(FIELDS, STRUCTURE, 'Unleash\'s import refuses it (its schemas), and rehearse would read nothing in its place'),
  SCALARS, 'Unleash\'s import refuses it (its OpenAPI schemas), and unleash-client would read it otherwise');

/**
 * The table a feature export is walked with once Unleash's import validation has taken it (openapi.ts): no types,
 * since that validation converts and refuses as ajv does, only the fields' fates (what is warned, what is modelled).
 */
export const UNLEASH_EXPORT_DISPOSITIONS: DispositionTable = FIELDS;
