/**
 * Every field of LaunchDarkly's flag and segment data model as its server SDKs read it (launchdarkly/js-core
 * packages/shared/sdk-server/src/evaluation/data/*.ts at 1ff89ecac7da, the file data source
 * data_sources/FileDataSource.ts, the stream put data_sources/createStreamListeners.ts; the Go reader
 * go-server-sdk-evaluation ldmodel/model_unmarshal.go also reads `deleted`), and what becomes of it.
 * test/dispositions.test.ts walks test/fixtures/vendor/launchdarkly/schemas/data-model-fields.json against it.
 */
import { modelled, warned, type DispositionTable } from '../disposition.js';

const NONE = 'no effect on what a user is served';
const EVENTS = 'analytics events only; ' + NONE;
const COMPUTED = 'computed by the SDK while it parses; a value in the file is replaced';
const isTrue = (v: unknown) => v === true;

export const LAUNCHDARKLY_DISPOSITIONS: DispositionTable = {
  FileDataSourceFile: {
    flags: modelled('flags, stored under each one\'s own key, as the SDK stores them', { values: 'Flag' }),
    flagValues: modelled('a flag that serves one value to everyone (the SDK\'s makeFlagWithValue)'),
    segments: modelled('segments, stored under each one\'s own key', { values: 'Segment' }),
  },
  StreamPut: {
    path: modelled('"/": the SDK\'s put listener does not read it'),
    data: modelled('the flags and segments', { object: 'StreamPutData' }),
  },
  StreamPutData: {
    flags: modelled('flags, stored under each one\'s own key', { values: 'Flag' }),
    segments: modelled('segments, stored under each one\'s own key', { values: 'Segment' }),
  },
  Flag: {
    key: modelled('the key the SDK stores and evaluates the flag under'),
    version: modelled(NONE),
    on: modelled('evaluated by the SDK: off serves offVariation'),
    prerequisites: modelled('evaluated by the SDK; one the files do not hold is warned (it always fails)', { items: 'Prerequisite' }),
    targets: modelled('evaluated by the SDK', { items: 'Target' }),
    contextTargets: modelled('evaluated by the SDK', { items: 'Target' }),
    rules: modelled('evaluated by the SDK', { items: 'FlagRule' }),
    fallthrough: modelled('evaluated by the SDK', { object: 'VariationOrRollout' }),
    offVariation: modelled('served when the flag is off (none: the caller\'s default)'),
    variations: modelled('the values the flag serves'),
    clientSide: modelled('which SDKs receive the flag; ' + NONE),
    clientSideAvailability: modelled('which SDKs receive the flag; ' + NONE, { object: 'ClientSideAvailability' }),
    salt: modelled('part of the bucketing hash, as the SDK hashes'),
    trackEvents: modelled(EVENTS), trackEventsFallthrough: modelled(EVENTS), debugEventsUntilDate: modelled(EVENTS),
    excludeFromSummaries: modelled(EVENTS), samplingRatio: modelled(EVENTS),
    migration: warned('migration settings: rehearse runs no migration; the flag is served as any other'),
    deleted: warned('a deleted flag: the SDK treats it as absent; left out', isTrue),
  },
  Prerequisite: { key: modelled('the prerequisite flag'), variation: modelled('the variation it must serve') },
  Target: {
    contextKind: modelled('the context kind whose key is listed'), values: modelled('keys that get the variation'),
    variation: modelled('the variation they get'),
  },
  FlagRule: {
    id: modelled(NONE), variation: modelled('served when the rule matches'),
    rollout: modelled('split when the rule matches, bucketed as the SDK buckets', { object: 'Rollout' }),
    trackEvents: modelled(EVENTS), clauses: modelled('evaluated by the SDK (all must match)', { items: 'Clause' }),
  },
  Clause: {
    attribute: modelled('the attribute the clause reads'), negate: modelled('evaluated by the SDK'),
    op: modelled('evaluated by the SDK; an operator it does not know never matches (warned)'),
    values: modelled('evaluated by the SDK; a segment that is a big segment is warned'),
    contextKind: modelled('the context kind the attribute is read from'), attributeReference: modelled(COMPUTED),
  },
  VariationOrRollout: {
    variation: modelled('the variation served'),
    rollout: modelled('a split, bucketed as the SDK buckets', { object: 'Rollout' }),
  },
  Rollout: {
    kind: modelled('rollout or experiment: bucketed alike (an experiment only adds event data)'),
    contextKind: modelled('the context kind that is bucketed'), bucketBy: modelled('the attribute that is bucketed'),
    variations: modelled('the split', { items: 'WeightedVariation' }), seed: modelled('the bucketing seed, as the Node SDK hashes it; 0 is warned (no seed to the Node SDK, hashed by the Go SDK), one that is not a whole number refused'),
    bucketByAttributeReference: modelled(COMPUTED),
  },
  WeightedVariation: { variation: modelled('a variation of the split'), weight: modelled('its share (of 100000)'), untracked: modelled(EVENTS) },
  ClientSideAvailability: { usingMobileKey: modelled(NONE), usingEnvironmentId: modelled(NONE) },
  Segment: {
    key: modelled('the key the SDK stores the segment under'),
    version: modelled(NONE),
    included: modelled('keys in the segment (ignored for a big segment, as the SDK ignores them)'),
    excluded: modelled('keys out of the segment (ignored for a big segment)'),
    includedContexts: modelled('context keys in the segment', { items: 'SegmentTarget' }),
    excludedContexts: modelled('context keys out of the segment', { items: 'SegmentTarget' }),
    rules: modelled('evaluated by the SDK', { items: 'SegmentRule' }),
    salt: modelled('part of the segment rules\' bucketing hash'),
    unbounded: warned('a big segment: its members are in a big segment store, which a file cannot hold; served as the SDK serves it without a store (big segments status NOT_CONFIGURED: no member; rules still read when the segment has a generation)', isTrue),
    unboundedContextKind: modelled('the context kind of a big segment'),
    generation: modelled('a big segment\'s generation: with one, the SDK still reads the segment\'s rules'),
    deleted: warned('a deleted segment: the SDK treats it as absent; left out', isTrue),
    bucketByAttributeReference: modelled(COMPUTED), generated_includedSet: modelled(COMPUTED), generated_excludedSet: modelled(COMPUTED),
  },
  SegmentTarget: { contextKind: modelled('the context kind whose key is listed'), values: modelled('the keys'), generated_valuesSet: modelled(COMPUTED) },
  SegmentRule: {
    id: modelled(NONE), clauses: modelled('evaluated by the SDK (all must match)', { items: 'Clause' }),
    weight: modelled('the share of matching contexts in the segment, bucketed as the SDK buckets'),
    bucketBy: modelled('the attribute that is bucketed'), rolloutContextKind: modelled('the context kind that is bucketed'),
    bucketByAttributeReference: modelled(COMPUTED),
  },
};
