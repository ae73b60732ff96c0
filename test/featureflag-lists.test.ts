/**
 * The OpenFeature Operator's FeatureFlags as `kubectl get featureflags -A -o yaml` prints them: a v1 List whose items
 * carry the fields the API server writes. kubectl applies each item as a resource of its own (cli-runtime
 * pkg/resource/visitor.go FlattenListVisitor), so each is read as the FeatureFlag it is (open-feature-operator
 * api/core/v1beta1/featureflag_types.go), every message naming its place among the items.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';

const flag = (name: string, key: string, defaultVariant: string, ns = 'shop') => `- apiVersion: core.openfeature.dev/v1beta1
  kind: FeatureFlag
  metadata:
    creationTimestamp: "2026-01-05T09:12:44Z"
    generation: 1
    name: ${name}
    namespace: ${ns}
    resourceVersion: "48213"
    uid: 0b6f2f0e-8d1c-4d3a-9a51-000000000001
  spec:
    flagSpec:
      flags:
        ${key}:
          state: ENABLED
          variants:
            "on": true
            "off": false
          defaultVariant: ${defaultVariant}
  status: {}
`;
const list = (...items: string[]) => `apiVersion: v1\nitems:\n${items.join('')}kind: List\nmetadata:\n  resourceVersion: ""\n`;
const refusal = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  return [];
};

describe('FeatureFlags in a v1 List', () => {
  it('reads each item as a FeatureFlag and serves the flags of both', () => {
    const text = list(flag('checkout', 'new-checkout', '"on"'), flag('search', 'new-search', '"off"'));
    const parts = flagd.toScenarioParts(parseFlagText(text, 'flags.yaml'));
    const set = flagd.open(parseFlagText(text, 'flags.yaml'));
    expect(set.keys).toEqual(['new-checkout', 'new-search']);
    expect(set.evaluate('new-checkout', { targetingKey: 'u1' })).toMatchObject({ variant: 'on', value: true });
    expect(set.evaluate('new-search', { targetingKey: 'u1' })).toMatchObject({ variant: 'off', value: false });
    // The server's fields of each, in one warning per FeatureFlag (as rule files and calibrate's manifests name them).
    expect(parts.warnings.map(formatWarning)).toEqual([
      'flags.yaml:11:10: items[0].metadata.uid: and metadata.resourceVersion, metadata.generation, metadata.creationTimestamp, status: written by the API server (as `kubectl get -o yaml` prints a resource), not rehearsed',
      'flags.yaml:30:10: items[1].metadata.uid: and metadata.resourceVersion, metadata.generation, metadata.creationTimestamp, status: written by the API server (as `kubectl get -o yaml` prints a resource), not rehearsed',
    ]);
  });

  it('an item the API server refuses is refused at its place among the items, read as Kubernetes reads YAML', () => {
    // YAML 1.1, which Kubernetes reads: an unquoted on is true, no variant's name.
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(list(flag('checkout', 'a', '"on"'), flag('search', 'b', 'on')), 'flags.yaml')))).toEqual([
      expect.stringMatching(/^flags\.yaml:39:27: items\[1\]\.spec\.flagSpec\.flags\.b\.defaultVariant: Invalid value: "boolean": must be of type string/),
    ]);
  });

  it('a flag key two items define is refused as two FeatureFlags of one file are', () => {
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(list(flag('checkout', 'a', '"on"'), flag('search', 'a', '"off"')), 'flags.yaml')))).toEqual([
      expect.stringMatching(/^flags\.yaml:35:11: items\[1\]\.spec\.flagSpec\.flags\.a: flag "a" is also defined by the FeatureFlag at flags\.yaml:16:11/),
    ]);
  });

  it('a single FeatureFlag document still reads the server\'s fields in one warning', () => {
    const one = flag('checkout', 'a', '"on"').replace(/^- /, '').replace(/^ {2}/gm, '');
    expect(flagd.toScenarioParts(parseFlagText(one, 'ff.yaml')).warnings.map(formatWarning)).toEqual([
      'ff.yaml:9:8: metadata.uid: and metadata.resourceVersion, metadata.generation, metadata.creationTimestamp, status: written by the API server (as `kubectl get -o yaml` prints a resource), not rehearsed',
    ]);
  });
});
