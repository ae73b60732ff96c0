/**
 * What a flag file leaves out or gives as something else is said as such: a strategy with no name, a clause with
 * no operator or one that is not text. These read "strategy "undefined"" and "operator "undefined"" before, as if
 * the file had named them so (found by mutating the vendors' own files: test/fixtures/vendor/unleash and
 * launchdarkly).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-import-messages-'));
const vendor = (p: string) => JSON.parse(readFileSync(join('test/fixtures/vendor', p), 'utf8'));

async function imported(system: string, doc: unknown, name: string): Promise<{ code: number; text: string }> {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 1));
  const lines: string[] = [];
  const code = await main(['import', 'flags', system, file], { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return { code, text: lines.join('\n') };
}

describe('what a flag file leaves out is said as left out', () => {
  it('Unleash: a strategy with no name, or a name that is not text, never matches, as unleash-client serves it', async () => {
    const doc = vendor('unleash/client-features.v1-with-segments.json');
    delete doc.features[1].strategies[0].name;
    doc.features[4].strategies[1].name = { a: 1 };
    const r = await imported('unleash', doc, 'unleash.json');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/unleash\.json:\d+:\d+: features\[1\]\.strategies\[0\]\.name: a strategy with no name is not a strategy unleash-client knows: it never matches/);
    expect(r.text).toMatch(/features\[4\]\.strategies\[1\]\.name: a strategy named by \{"a":1\}, not text, is not a strategy unleash-client knows/);
    expect(r.text).not.toMatch(/undefined|\[object Object\]/);
  });

  it('LaunchDarkly: a clause with no operator is not supported and never matches, as the SDK serves it (one that is not text is refused)', async () => {
    const doc = vendor('launchdarkly/server-side-eval.flags.json');
    const [a] = Object.values(doc.flags as Record<string, { rules?: { clauses: { op?: unknown }[] }[] }>).filter((f) => (f.rules ?? []).length > 0);
    delete a.rules![0].clauses[0].op;
    const r = await imported('launchdarkly', doc, 'ld.json');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/ld\.json:\d+:\d+: flags\.[\w-]+\.rules\[0\]\.clauses\[0\]\.op: a clause with no operator is not supported by the SDK; the clause never matches/);
    expect(r.text).not.toMatch(/"undefined"/);
    a.rules![0].clauses[0].op = 7;
    const refused = await imported('launchdarkly', doc, 'ld-number.json');
    expect(refused.code).toBe(2);
    expect(refused.text).toMatch(/ld-number\.json:\d+:\d+: flags\.[\w-]+\.rules\[0\]\.clauses\[0\]\.op: expected text/);
  });

  it('Unleash: a variant named by a map is refused at its place; a strategy with no featureName is said to belong to no toggle (refused in a state export, whose import cannot store it)', async () => {
    const doc = vendor('unleash/client-features.v1-with-segments.json');
    const i = doc.features.findIndex((f: { variants?: unknown[] }) => (f.variants ?? []).length > 0);
    doc.features[i].variants[0].name = { a: 1 };
    const r = await imported('unleash', doc, 'variant.json');
    expect(r.code).toBe(2);
    expect(r.text).toMatch(new RegExp(`variant\\.json:\\d+:\\d+: features\\[${i}\\]: a variant's name is text \\(what unleash-client serves as the variant\\), not a map`));
    expect(r.text).not.toMatch(/\[object Object\]/);
    const state = vendor('unleash/state-v3.exported-segments.json');
    delete state.featureStrategies[0].featureName;
    const s = await imported('unleash', state, 'state.json');
    expect(s.code).toBe(2);
    expect(s.text).toMatch(/state\.json:\d+:\d+: featureStrategies\[0\]: a strategy without featureName: Unleash's state import inserts it as Joi leaves it/);
    expect(s.text).not.toMatch(/undefined/);
    const batch = vendor('unleash/features-batch-export.import-data.json');
    delete batch.featureStrategies[0].featureName;
    const b = await imported('unleash', batch, 'batch.json');
    expect(b.code).toBe(0);
    expect(b.text).toMatch(/batch\.json:\d+:\d+: featureStrategies\[0\]: a strategy with no featureName belongs to no toggle: Unleash's feature import leaves it out/);
    expect(b.text).not.toMatch(/undefined/);
  });

  it('LaunchDarkly: a segment whose unbounded is not true or false, or whose generation is not a whole number, is refused at its place (the SDK took a list as a big segment and could not answer at once: a crash)', async () => {
    for (const [field, value, message] of [['unbounded', [true], 'expected true or false, not a list'], ['unbounded', 'false', 'expected true or false, not "false"'], ['generation', '1h', 'expected a whole number, not "1h"']] as const) {
      const doc = JSON.parse(readFileSync('test/fixtures/flags/big-segment.launchdarkly.json', 'utf8'));
      doc.segments['beta-users'][field] = value;
      const file = join(dir, `segment-${field}.json`);
      writeFileSync(file, JSON.stringify(doc, null, 1));
      const lines: string[] = [];
      const code = await main(['flags', 'eval', file, '--flag', 'beta-banner', '--context', '{"kind":"user","key":"u-1"}'], { out: (x) => lines.push(x), err: (x) => lines.push(x) });
      expect(code).toBe(2);
      expect(lines.join('\n')).toMatch(new RegExp(`segment-${field}\\.json:\\d+:\\d+: segments\\.beta-users\\.${field}: ${message.replace(/[()]/g, '\\$&')}`));
    }
  });
});
