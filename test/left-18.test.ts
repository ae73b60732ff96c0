import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/vendor/unleash/${f}`, import.meta.url), 'utf8');

/**
 * Unleash/unleash at ff377cd70461, src/lib/services/state-util.ts parseFile and src/lib/routes/admin-api/state.ts
 * import(): `mime.getType(file) === 'text/yaml' ? YAML.load(data) : JSON.parse(data)`; mime 3.0.0 (broofa/mime v3.0.0
 * Mime.js getType: the text after the last dot, lowercased; types/standard.js "text/yaml": ["yaml", "yml"]).
 */
describe('an Unleash file is YAML only where its name ends in .yaml or .yml (mime text/yaml)', () => {
  const yaml = fixture('state-v4.built-from-exportV4.yaml');
  const json = fixture('state-v4.built-from-exportV4.json');
  const parts = (text: string, name: string) => unleash.toScenarioParts(parseFlagText(text, name), { environment: 'production' });
  it('refuses YAML in a file named otherwise, at its line and column, as JSON.parse refuses it', () => {
    for (const name of ['state.txt', 'flags/state', 'state.yaml.bak']) {
      expect(() => parts(yaml, name)).toThrow(`${name}:1:1: invalid JSON: "version" is no JSON value`);
      expect(() => parts(yaml, name)).toThrow(/Unleash reads a file whose name does not end in \.yaml or \.yml as JSON/);
    }
    // JSON with a YAML comment after its first line: refused where the comment stands.
    const commented = json.replace('\n', '\n  # exported\n');
    expect(() => parts(commented, 'state.export')).toThrow(/^state\.export:2:3: invalid JSON/);
  });
  it('reads JSON in such a file as it reads the .json file, and YAML where mime says text/yaml, in any case', () => {
    const served = (r: ReturnType<typeof parts>) => JSON.stringify(r.state);
    const asJson = served(parts(json, 'state.json'));
    expect(served(parts(json, 'state.txt'))).toBe(asJson);
    for (const name of ['state.yaml', 'state.YML', 'dir/state.Yaml']) expect(served(parts(yaml, name))).toBe(asJson);
    expect(unleash.unleashYamlName('yaml')).toBe(true);
    expect(unleash.unleashYamlName('state.yaml.txt')).toBe(false);
  });
});

/**
 * Unleash/unleash at ceeb5a9ca6 src/lib/openapi/spec/import-toggles-schema.ts (data: exportResultSchema) and
 * export-result-schema.ts: contextFields, featureTags, tagTypes and links are lists of contextFieldSchema,
 * featureTagSchema, tagTypeSchema and featureLinksSchema, which src/lib/openapi/validate.ts (ajv, no coercion) holds
 * the import to. A state export's featureTags are Joi's (featureTagSchema), already held (state-import.ts).
 */
describe('a feature export\'s context fields, tags, tag types and links are held to the import\'s schemas', () => {
  const base = JSON.parse(fixture('features-batch-export.import-data.json')) as Record<string, unknown>;
  const parts = (extra: Record<string, unknown>) => unleash.toScenarioParts(parseFlagText(JSON.stringify({ ...base, ...extra }, null, 1), 'export.json'));
  it('refuses a field of another type, and an item that is no object, at its place', () => {
    expect(() => parts({ contextFields: [{ name: 5 }] })).toThrow(/export\.json:\d+:\d+: contextFields\[0\]\.name: 5 is a number, where Unleash's contextFieldSchema\.name is text: Unleash's feature import refuses it \(its OpenAPI validation of importTogglesSchema/);
    expect(() => parts({ contextFields: [{ name: 'plan', legalValues: [{ value: 1 }] }] })).toThrow(/contextFields\[0\]\.legalValues\[0\]\.value: 1 is a number, where Unleash's legalValueSchema\.value is text/);
    expect(() => parts({ featureTags: [{ featureName: 'first_feature', tagValue: true }] })).toThrow(/featureTags\[0\]\.tagValue: true is true or false, where Unleash's featureTagSchema\.tagValue is text/);
    expect(() => parts({ tagTypes: ['simple'] })).toThrow(/tagTypes\[0\]: "simple" is text, where each of Unleash's exportResultSchema\.tagTypes is an object \(tagTypeSchema\)/);
    expect(() => parts({ links: [{ feature: 'first_feature', links: 'https://x' }] })).toThrow(/links\[0\]\.links: "https:\/\/x" is text, where Unleash's featureLinksSchema\.links is a list/);
    expect(() => parts({ links: [{ feature: 'first_feature', links: [{ url: 7 }] }] })).toThrow(/links\[0\]\.links\[0\]\.url: 7 is a number, where Unleash's linkSchema\.url is text/);
  });
  it('reads them as written where they hold to it, and warns a field they do not have at its line and column', () => {
    const ok = parts({ contextFields: [{ name: 'plan', stickiness: true, legalValues: [{ value: 'free' }] }], links: [{ feature: 'first_feature', links: [{ url: 'https://x', title: null }] }] });
    expect(ok.warnings.map(String)).toEqual([]);
    const odd = parts({ contextFields: [{ name: 'plan', colour: 'red' }] });
    expect(odd.warnings.map((w) => `${w.file}:${w.line}:${w.column}: ${w.message}`)).toEqual([expect.stringMatching(/^export\.json:\d+:\d+: "colour" is not a field of Unleash's contextFieldSchema/)]);
  });
});
