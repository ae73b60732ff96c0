/**
 * readAsGo reads a document as a Go program reads it without changing the document it is given: the copy is made
 * only for a document that holds a scalar read otherwise, and the reading of one that holds none is the document's
 * own (goyaml.v2/resolve.go reads `012` as the octal 10 and `on` as true; YAML 1.2 reads 12 and "on").
 */
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readAsGo } from '../src/interop/flag-yaml.js';

describe('reading a document as Kubernetes reads it', () => {
  it('sets the scalars read otherwise in a copy, never in the document given', () => {
    const doc = parseDocument('spec:\n  weight: 012\n  labels: { app: on }\n  base: &b { x: 1 }\n  merged: { x: 2, <<: *b }\n', { merge: true });
    const r = readAsGo(doc, 'kubernetes');
    expect(r.value).toEqual({ spec: { weight: 10, labels: { app: true }, base: { x: 1 }, merged: { x: 1 } } });
    expect(r.scalars.map((s) => s.path.join('.'))).toEqual(['spec.weight', 'spec.labels.app', 'spec.merged.x']);
    expect(doc.toJS()).toEqual({ spec: { weight: 12, labels: { app: 'on' }, base: { x: 1 }, merged: { x: 2 } } });
  });

  it('reads a document with nothing read otherwise as it is', () => {
    const doc = parseDocument('kind: Deployment\nspec: { replicas: 3, image: "app:v1", ports: [8080] }\n');
    expect(readAsGo(doc, 'kubernetes')).toEqual({ value: doc.toJS(), scalars: [] });
  });
});
