/**
 * The Joi schemas Unleash's state import (POST /api/admin/state/import, StateService.import) validated a file with,
 * transcribed from Unleash/unleash at ff377cd70461912e9e390c178cb718afc69254db (the parent of 61a8908694, which
 * removed the state service): src/lib/services/state-schema.ts stateSchema and what it holds, from
 * src/lib/schema/feature-schema.ts, src/lib/services/{strategy,tag,tag-type,project,segment}-schema.ts and
 * src/lib/routes/util.ts (nameType); the operators of src/lib/util/constants.ts ALL_OPERATORS.
 */
import type { JoiSchema } from './joi.js';

const string = (more: Partial<JoiSchema> = {}): JoiSchema => ({ type: 'string', ...more });
const number = (more: Partial<JoiSchema> = {}): JoiSchema => ({ type: 'number', ...more });
const boolean = (more: Partial<JoiSchema> = {}): JoiSchema => ({ type: 'boolean', ...more });
const array = (items?: JoiSchema, more: Partial<JoiSchema> = {}): JoiSchema => ({ type: 'array', ...(items ? { items } : {}), ...more });
const object = (keys?: Record<string, JoiSchema>, more: Partial<JoiSchema> = {}): JoiSchema => ({ type: 'object', ...(keys ? { keys } : {}), ...more });
const TEXT_OR_EMPTY = { allow: [null, ''] };
const STRIP = { options: { allowUnknown: false, stripUnknown: true } };

/** src/lib/routes/util.ts: customJoi.isUrlFriendly().min(1).max(100).required(). */
const nameType = (more: Partial<JoiSchema> = {}): JoiSchema => string({ urlFriendly: true, min: 1, max: 100, required: true, ...more });

export const UNLEASH_IMPORT_OPERATORS = [
  'NOT_IN', 'IN', 'STR_ENDS_WITH', 'STR_STARTS_WITH', 'STR_CONTAINS', 'NUM_EQ', 'NUM_GT', 'NUM_GTE', 'NUM_LT', 'NUM_LTE',
  'DATE_AFTER', 'DATE_BEFORE', 'SEMVER_EQ', 'SEMVER_GT', 'SEMVER_LT',
];

const FEATURE_SCHEMA = 'src/lib/schema/feature-schema.ts';

const constraintSchema = object({
  contextName: string({ required: true }),
  operator: string({ allow: UNLEASH_IMPORT_OPERATORS, only: true, required: true }),
  values: array(string({ min: 1, max: 100 }), { default: [] }),
  value: { type: 'any' },
  caseInsensitive: boolean(),
  inverted: boolean(),
}, { source: `${FEATURE_SCHEMA} constraintSchema` });

const strategiesSchema = object({
  id: string(), name: nameType(), constraints: array(constraintSchema, { allow: [null] }), parameters: object(),
}, { source: `${FEATURE_SCHEMA} strategiesSchema` });

const variantsSchema = object({
  name: nameType(),
  weight: number({ integer: 'Weight only supports 1 decimal', min: 0, max: 1000, required: true }),
  weightType: string({ allow: ['variable', 'fix'], only: true, default: 'variable' }),
  payload: object({ type: string({ required: true }), value: string({ required: true, jsonWhenTypeJson: true }) }),
  stickiness: string({ default: 'default' }),
  overrides: array(object({ contextName: string({ required: true }), values: array(string()) })),
}, { source: `${FEATURE_SCHEMA} variantsSchema` });

const featureSchema = object({
  name: nameType(),
  enabled: boolean({ default: false }), stale: boolean({ default: false }), archived: boolean({ default: false }),
  type: string({ default: 'release' }), project: string({ default: 'default' }),
  description: string({ allow: ['', null] }),
  impressionData: boolean({ allow: [true, false], default: false }),
  strategies: array(strategiesSchema, { allow: [null] }),
  variants: array(variantsSchema, { allow: [null], uniqueName: true }),
}, { ...STRIP, source: `${FEATURE_SCHEMA} featureSchema` });

const featureTagSchema = object({
  featureName: nameType(), tagType: nameType({ required: false }), tagValue: string(), type: nameType({ required: false }),
  value: string(), createdByUserId: number(),
}, { source: `${FEATURE_SCHEMA} featureTagSchema` });

const strategySchema = object({
  name: nameType(), title: string(TEXT_OR_EMPTY), disabled: boolean({ allow: [null] }), editable: boolean({ default: true }),
  deprecated: boolean({ default: false }), description: string(TEXT_OR_EMPTY),
  parameters: array(object({ name: string({ required: true }), type: string({ required: true }), description: string(TEXT_OR_EMPTY), required: boolean() }), { required: true }),
}, { ...STRIP, source: 'src/lib/services/strategy-schema.ts' });

const tagSchema = object({
  value: string({ min: 2, max: 50 }), type: string({ urlFriendly: true, min: 2, max: 50, default: 'simple' }),
}, { ...STRIP, source: 'src/lib/services/tag-schema.ts' });

const tagTypeSchema = object({
  name: string({ urlFriendly: true, min: 2, max: 50, required: true }), description: string({ allow: [''] }), icon: string(TEXT_OR_EMPTY),
}, { ...STRIP, source: 'src/lib/services/tag-type-schema.ts' });

const projectSchema = object({
  id: nameType(), name: string({ required: true }), description: string(TEXT_OR_EMPTY),
  mode: string({ allow: ['open', 'protected', 'private'], only: true, default: 'open' }), defaultStickiness: string({ default: 'default' }),
  featureLimit: number({ allow: [null] }),
  featureNaming: object({ pattern: string(TEXT_OR_EMPTY), example: string(TEXT_OR_EMPTY), description: string(TEXT_OR_EMPTY) }),
  environments: array(string()), changeRequestEnvironments: array(object({ name: string(), requiredApprovals: number() })),
}, { ...STRIP, source: 'src/lib/services/project-schema.ts' });

const SEGMENT_SCHEMA = 'src/lib/services/segment-schema.ts';
const segmentSchema = object({
  name: string({ required: true }), description: string(TEXT_OR_EMPTY), constraints: array(constraintSchema, { required: true }),
}, { options: { allowUnknown: true }, source: `${SEGMENT_SCHEMA} segmentSchema` });
const featureStrategySegmentSchema = object({
  segmentId: number({ required: true }), featureStrategyId: string({ required: true }),
}, { options: { allowUnknown: true }, source: `${SEGMENT_SCHEMA} featureStrategySegmentSchema` });

const STATE_SCHEMA = 'src/lib/services/state-schema.ts';
const featureStrategySchema = object({
  id: string(), featureName: string(), projectId: string(), environment: string(), parameters: object(undefined, { allow: [null] }),
  constraints: array(), strategyName: string(),
}, { options: { stripUnknown: true }, source: `${STATE_SCHEMA} featureStrategySchema` });
const featureEnvironmentsSchema = object({
  environment: string(), featureName: string(), enabled: boolean(), variants: array(variantsSchema),
}, { source: `${STATE_SCHEMA} featureEnvironmentsSchema` });
const environmentSchema = object({
  name: nameType(), displayName: string({ allow: [''] }), type: string({ required: true }), sortOrder: number(), enabled: boolean(), protected: boolean(),
}, { source: `${STATE_SCHEMA} environmentSchema` });

export const STATE_SCHEMA_JOI: JoiSchema = object({
  version: number(),
  features: array(featureSchema), strategies: array(strategySchema), tags: array(tagSchema), tagTypes: array(tagTypeSchema),
  featureTags: array(featureTagSchema), projects: array(projectSchema), featureStrategies: array(featureStrategySchema),
  featureEnvironments: array(featureEnvironmentsSchema), environments: array(environmentSchema), segments: array(segmentSchema),
  featureStrategySegments: array(featureStrategySegmentSchema),
}, { source: `${STATE_SCHEMA} stateSchema` });
