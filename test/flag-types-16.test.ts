/**
 * Two fields of flag files the fuzz round found read in silence, each held to its vendor's type:
 * - a LaunchDarkly prerequisite's variation is an index (go-server-sdk-evaluation ldmodel/model_unmarshal.go reads
 *   it with r.Int(), and the Go SDK then starts with no flags; the Node SDK compared "x" with the prerequisite's
 *   index, never equal, so the prerequisite failed for everyone);
 * - an Unleash strategy parameter is text (Unleash's OpenAPI parametersSchema: additionalProperties string, which
 *   its import holds a feature export to); a stickiness of [1, 2] served the strategy to no one.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-flag-types-16-'));
const root = join(import.meta.dirname, '..');

async function importFlags(system: string, edit: (doc: Record<string, any>) => void, source: string) {
  const doc = JSON.parse(readFileSync(join(root, 'flags', source), 'utf8'));
  edit(doc);
  const file = join(dir, `${system}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const err: string[] = [];
  const code = await main(['import', 'flags', system, file], { out: () => {}, err: (s) => err.push(s) });
  return { code, err: err.join('\n'), file };
}

describe('flag file fields the fuzz found read in silence', () => {
  it('a LaunchDarkly prerequisite whose variation is not a whole number is refused at its place', async () => {
    const r = await importFlags('launchdarkly', (d) => { d.flags['fraud-v3'].prerequisites[0].variation = 'x'; }, 'demo.launchdarkly.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^${r.file}:\\d+:\\d+: flags\\.fraud-v3\\.prerequisites\\[0\\]\\.variation: expected a whole number, not "x"$`, 'm'));
    const ok = await importFlags('launchdarkly', () => {}, 'demo.launchdarkly.json');
    expect(ok.code).toBe(0);
  });

  it('an Unleash strategy parameter that is a list or a mapping is refused at its place; text and numbers are read', async () => {
    const list = await importFlags('unleash', (d) => { d.featureStrategies[1].parameters.stickiness = [1, 2]; }, 'demo.unleash.json');
    expect(list.code).toBe(2);
    expect(list.err).toMatch(new RegExp(`^${list.file}:\\d+:\\d+: featureStrategies\\[1\\]\\.parameters\\.stickiness: \\[1,2\\] is a list, where Unleash's parametersSchema\\.stickiness is text: Unleash's feature import refuses it \\(its OpenAPI validation of importTogglesSchema`, 'm'));
    const map = await importFlags('unleash', (d) => { d.featureStrategies[1].parameters.groupId = { a: 1 }; }, 'demo.unleash.json');
    expect(map.code).toBe(2);
    expect(map.err).toContain('featureStrategies[1].parameters.groupId: {"a":1} is an object, where Unleash\'s parametersSchema.groupId is text');
    const number = await importFlags('unleash', (d) => { d.featureStrategies[1].parameters.rollout = 20; }, 'demo.unleash.json');
    expect(number.code, number.err).toBe(0);
  });
});
