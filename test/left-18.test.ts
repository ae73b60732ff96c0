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
