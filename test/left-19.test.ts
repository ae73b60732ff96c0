import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';
import { IMPORT_SCHEMAS, type OpenApiSchema } from '../src/interop/unleash/openapi.js';
import { ActivitySampler, cohortDocument, generateCohort } from '../src/cohorts/cohort.js';
import { readCohortFile } from '../src/cohorts/file.js';
import { parseExpression } from '../src/lang/expression.js';
import * as flagd from '../src/interop/flagd/index.js';
import * as launchdarkly from '../src/interop/launchdarkly/index.js';
import { journalRefusal, rechainedJournal } from './journal-edits.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/vendor/unleash/${f}`, import.meta.url), 'utf8');
type Json = Record<string, any>;

/** The vendor's feature export (import-data.json), edited. */
const exported = (edit: (d: Json) => void = () => {}) => {
  const d = JSON.parse(fixture('features-batch-export.import-data.json')) as Json;
  edit(d);
  return JSON.stringify(d, null, 1);
};
const parts = (text: string, name = 'export.json') => unleash.toScenarioParts(parseFlagText(text, name));
const served = (text: string) => unleash.open(parseFlagText(text, 'export.json')).evaluate('first_feature', { userId: 'u1', appName: 'conduit' });
const refusal = (text: string): string => {
  try {
    parts(text);
  } catch (e) {
    return String((e as Error).message);
  }
  return '';
};
const IMPORT = 'Unleash\'s feature import refuses it (its OpenAPI validation of importTogglesSchema, src/lib/openapi/spec/import-toggles-schema.ts';

/**
 * Unleash/unleash at ceeb5a9ca6 src/lib/features/export-import-toggles/export-import-controller.ts (POST
 * /api/admin/features-batch/import and /validate: requestBody importTogglesSchema, whose data is exportResultSchema,
 * src/lib/openapi/spec/import-toggles-schema.ts, export-result-schema.ts); src/lib/services/openapi-service.ts hands
 * the document to @wesleytodd/openapi with `coerce: true`, whose lib/validate.js (1.1.0) validates the request with
 * `new Ajv({ coerceTypes: true, strict: false })` and ajv-formats, converting the body in place: the import reads
 * "true" as true. Every object of those schemas but a link, a strategy variant's payload and a toggle's
 * collaborators says additionalProperties: false.
 */
describe('a feature export is held to Unleash\'s import validation, not to the client API\'s tables', () => {
  it('takes what ajv converts, and serves the value the import stores ("true" is true, "500" is 500, 50 is "50", null is false)', () => {
    expect(served(exported())).toMatchObject({ enabled: true, variant: expect.any(String) });
    expect(served(exported((d) => { d.featureEnvironments[0].enabled = 'true'; }))).toMatchObject({ enabled: true });
    expect(served(exported((d) => { d.featureEnvironments[0].enabled = 'false'; }))).toMatchObject({ enabled: false, reason: 'disabled' });
    expect(served(exported((d) => { d.featureEnvironments[0].enabled = 0; }))).toMatchObject({ enabled: false, reason: 'disabled' });
    const converted = parts(exported((d) => {
      d.featureEnvironments[0].variants[0].weight = '500';
      d.featureStrategies[0].name = 'flexibleRollout';
      d.featureStrategies[0].parameters = { rollout: 50, stickiness: 'default', groupId: 'first_feature' };
      d.features[0].stale = null;
      d.featureStrategies[0].constraints[0].inverted = 'false';
    }));
    expect(converted.warnings.map((w) => w.message)).toEqual([]);
    const strategy = (converted.state as Json).features[0].strategies[0];
    expect(strategy.parameters).toEqual({ rollout: '50', stickiness: 'default', groupId: 'first_feature' });
    expect(strategy.constraints[0].inverted).toBe(false);
    expect((converted.state as Json).features[0].variants[0].weight).toBe(500);
  });
  it('a client API response is still held to unleash-client: enabled "true" is refused there', () => {
    const client = JSON.stringify({ version: 2, features: [{ name: 'a', enabled: 'true', strategies: [] }] }, null, 1);
    expect(() => parts(client, 'client.json')).toThrow(/features\[0\]\.enabled: enabled is true or false \(unleash-client reports anything else as an error\)/);
  });
  it('refuses a value ajv does not convert, at its line and column', () => {
    expect(refusal(exported((d) => { d.featureEnvironments[0].enabled = 'yes'; }))).toMatch(new RegExp(`^export\\.json:\\d+:\\d+: featureEnvironments\\[0\\]\\.enabled: "yes" is text, where Unleash's featureEnvironmentSchema\\.enabled is true or false: ${esc(IMPORT)}, converts no such value\\)$`));
    expect(refusal(exported((d) => { d.featureEnvironments[0].variants[0].weight = '50%'; }))).toContain('featureEnvironments[0].variants[0].weight: "50%" is text, where Unleash\'s variantSchema.weight is a number');
    expect(refusal(exported((d) => { d.featureStrategies[0].segments = ['one']; }))).toContain('featureStrategies[0].segments[0]: "one" is text, where each of Unleash\'s featureStrategySchema.segments is a number');
    expect(refusal(exported((d) => { d.contextFields = [{ name: 'plan', sortOrder: 2.5 }]; }))).toContain('contextFields[0].sortOrder: 2.5 is not a whole number, where Unleash\'s contextFieldSchema.sortOrder is an integer');
    expect(refusal(exported((d) => { d.contextFields = [{ name: 'plan', sortOrder: '2' }]; }))).toBe('');
    expect(refusal(exported((d) => { d.featureStrategies = null; }))).toContain('featureStrategies: null is null, where Unleash\'s exportResultSchema.featureStrategies is a list');
  });
  it('refuses a key its schema does not name (additionalProperties: false), where the client API\'s table warned it', () => {
    const text = exported((d) => { d.features[0].owner = 'team-a'; d.featureStrategies[0].environment = 'production'; d.notes = 'x'; });
    const lines = refusal(text).split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^export\.json:\d+:\d+: features\[0\]\.owner: "owner" is not a field of Unleash's featureSchema: .*ajv answers "must NOT have additional properties"\)$/),
      expect.stringMatching(/^export\.json:\d+:\d+: featureStrategies\[0\]\.environment: "environment" is not a field of Unleash's featureStrategySchema: /),
      expect.stringMatching(/^export\.json:\d+:\d+: notes: "notes" is not a field of Unleash's exportResultSchema: /),
    ]);
    // A link is an open object in Unleash's schema: another key is taken there, and warned as not read.
    const link = parts(exported((d) => { d.links = [{ feature: 'first_feature', links: [{ url: 'https://x', colour: 'red' }] }]; }));
    expect(link.warnings.map((w) => w.message)).toEqual([expect.stringContaining('"colour" is not a field of Unleash\'s linkSchema')]);
  });
  it('refuses a file without a field the schema requires', () => {
    expect(refusal(exported((d) => { delete d.tagTypes; }))).toMatch(/^export\.json:1:1: \(top level\): no tagTypes, which Unleash's exportResultSchema requires: .*ajv answers "must have required property 'tagTypes'"\)$/);
    expect(refusal(exported((d) => { delete d.featureStrategies[0].name; }))).toMatch(/featureStrategies\[0\]: no name, which Unleash's featureStrategySchema requires/);
    expect(refusal(exported((d) => { delete d.featureEnvironments[0].enabled; }))).toMatch(/featureEnvironments\[0\]: no enabled, which Unleash's featureEnvironmentSchema requires/);
    expect(refusal(exported((d) => { delete d.featureEnvironments[0].variants[1].weight; }))).toMatch(/featureEnvironments\[0\]\.variants\[1\]: no weight, which Unleash's variantSchema requires/);
  });
  it('refuses an operator, a weight type or a payload type the schema does not list, a weight past 1000, an empty value, a date that is none', () => {
    expect(refusal(exported((d) => { d.featureStrategies[0].constraints[0].operator = 'IS'; }))).toContain('featureStrategies[0].constraints[0].operator: "IS" is none of the values Unleash\'s constraintSchema.operator takes ("NOT_IN", "IN", ');
    expect(refusal(exported((d) => { d.featureEnvironments[0].variants[0].weightType = 'fixed'; }))).toContain('weightType: "fixed" is none of the values Unleash\'s variantSchema.weightType takes ("variable", "fix")');
    expect(refusal(exported((d) => { d.featureEnvironments[0].variants[0].payload.type = 'text'; }))).toContain('payload.type: "text" is none of the values');
    expect(refusal(exported((d) => { d.featureEnvironments[0].variants[0].weight = 1001; }))).toContain('weight: 1001 is above 1000, the most Unleash\'s variantSchema.weight takes');
    expect(refusal(exported((d) => { d.featureStrategies[0].constraints[0] = { contextName: 'age', operator: 'NUM_GT', value: '' }; }))).toContain('value: "" is shorter than 1 characters, the least Unleash\'s constraintSchema.value takes');
    expect(refusal(exported((d) => { d.features[0].createdAt = '2026-12-06 10:00'; }))).toContain('features[0].createdAt: "2026-12-06 10:00" is no date and time with a time zone');
    expect(refusal(exported((d) => { d.features[0].createdAt = '2026-02-30T10:00:00Z'; }))).toContain('is no date and time');
    expect(refusal(exported((d) => { d.features[0].createdAt = '2026-12-06T10:00:00.123+01:00'; }))).toBe('');
    expect(refusal(exported((d) => { d.tagTypes[0].color = 'red'; }))).toContain('tagTypes[0].color: "red" does not match ^#[0-9A-Fa-f]{6}$');
  });
  it('each schema it holds to has the fields, types and required fields of the transcribed OpenAPI field lists (openapi-fields.json)', () => {
    const fields = JSON.parse(fixture('schemas/openapi-fields.json')) as { commit: string; schemas: Record<string, { required?: string[]; additionalProperties?: unknown; fields: Record<string, { type?: string; required?: boolean }> }> };
    const shared = Object.keys(fields.schemas).filter((n) => IMPORT_SCHEMAS[n]);
    expect(shared.length).toBe(29);
    const differ = shared.flatMap((n) => {
      const s: OpenApiSchema = IMPORT_SCHEMAS[n];
      const f = fields.schemas[n];
      const props = Object.entries(s.properties ?? {}).map(([k, p]) => `${k}:${p.type ?? 'ref'}`).sort().join(' ');
      const listed = Object.entries(f.fields).map(([k, p]) => `${k}:${p.type ?? 'ref'}`).sort().join(' ');
      return [
        ...(props === listed ? [] : [`${n} fields: ${props} / ${listed}`]),
        ...(JSON.stringify([...(s.required ?? [])].sort()) === JSON.stringify([...(f.required ?? [])].sort()) ? [] : [`${n} required`]),
        ...((s.additionalProperties === false) === (f.additionalProperties === false) ? [] : [`${n} additionalProperties`]),
      ];
    });
    expect(differ).toEqual([]);
  });
});

/**
 * What the imports do with a row that names a toggle the file does not hold (src/interop/unleash/joins.ts). The feature
 * import: Unleash/unleash at ceeb5a9ca6 src/lib/features/export-import-toggles/export-import-service.ts importStrategies
 * (createStrategy for each strategy with a featureName), importToggleStatuses (updateEnabled by a row's name),
 * importToggleVariants (legacySaveVariantsOnEnv by a row's featureName); feature-toggle-service.ts
 * validateFeatureBelongsToProject throws NotFoundError; export-import-controller.ts importData runs it in one
 * transaction. The state import: src/lib/services/state-service.ts at ff377cd70461 importFeatureStrategies and
 * importFeatureEnvironments insert each row; src/migrations/20210610085817-features-strategies-table.js: feature_name
 * REFERENCES features(name).
 */
describe('a row naming a toggle the file does not hold is refused, as the import fails on it', () => {
  it('a feature export: a strategy, a row by its name, a row with variants by its featureName', () => {
    expect(refusal(exported((d) => { d.featureStrategies[0].featureName = 'second_feature'; }))).toMatch(/^export\.json:\d+:\d+: featureStrategies\[0\]\.featureName: no toggle "second_feature" in the file: Unleash's feature import adds this strategy to that toggle \(export-import-service\.ts importStrategies: createStrategy\) of the project it imports into, and fails where the project has none \("There's no feature named "second_feature" in project \.\.\.": feature-toggle-service\.ts validateFeatureBelongsToProject\), importing nothing/);
    expect(refusal(exported((d) => { d.featureEnvironments[0].name = 'second_feature'; d.featureEnvironments[0].variants = []; }))).toMatch(/^export\.json:\d+:\d+: featureEnvironments\[0\]\.name: no toggle "second_feature" in the file: Unleash's feature import turns that toggle on or off by this row's name/);
    const both = refusal(exported((d) => { d.featureEnvironments[0].featureName = 'second_feature'; }));
    expect(both).toMatch(/featureEnvironments\[0\]\.featureName: no toggle "second_feature" in the file: Unleash's feature import gives that toggle this row's variants .*feature_environments\.feature_name REFERENCES features\(name\)/);
    // Without variants, the row's featureName is not read by the import: taken.
    expect(refusal(exported((d) => { d.featureEnvironments[0].featureName = 'second_feature'; d.featureEnvironments[0].variants = []; }))).toBe('');
    // A strategy with no featureName is left out by the import (hasFeatureName), and warned.
    const left = parts(exported((d) => { delete d.featureStrategies[0].featureName; }));
    expect(left.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^a strategy with no featureName belongs to no toggle: Unleash's feature import leaves it out/)]);
  });
  it('a feature export: a toggle is on by the row of its name, and has the variants of the row of its featureName', () => {
    const text = exported((d) => {
      d.features.push({ name: 'second_feature' });
      d.featureEnvironments[0].featureName = 'second_feature';
      d.featureEnvironments.push({ name: 'second_feature', featureName: 'first_feature', environment: 'irrelevant', enabled: false, variants: [] });
    });
    const state = parts(text).state as Json;
    expect(state.features.map((f: Json) => [f.name, f.enabled, f.variants.map((v: Json) => v.name)])).toEqual([['first_feature', true, []], ['second_feature', false, ['variantA', 'variantB']]]);
  });
  it('a state export: a strategy or a featureEnvironments row, each inserted as it stands', () => {
    const state = JSON.parse(fixture('state-v4.built-from-exportV4.json')) as Json;
    const text = (edit: (d: Json) => void) => {
      const d = structuredClone(state);
      edit(d);
      return JSON.stringify(d, null, 1);
    };
    const refused = (t: string) => {
      try {
        unleash.toScenarioParts(parseFlagText(t, 'state.json'), { environment: 'production' });
      } catch (e) {
        return String((e as Error).message);
      }
      return '';
    };
    expect(refused(text(() => {}))).toBe('');
    expect(refused(text((d) => { d.featureStrategies[0].featureName = 'gone'; }))).toMatch(/^state\.json:\d+:\d+: featureStrategies\[0\]\.featureName: no toggle "gone" in the file: Unleash's state import inserts this row as it stands \(state-service\.ts importFeatureStrategies: createStrategyFeatureEnv\), and the database refuses it where the server holds no such toggle \(feature_strategies\.feature_name REFERENCES features\(name\)\)/);
    expect(refused(text((d) => { d.featureEnvironments[0].featureName = 'gone'; }))).toMatch(/^state\.json:\d+:\d+: featureEnvironments\[0\]\.featureName: no toggle "gone" in the file: Unleash's state import inserts this row as it stands \(state-service\.ts importFeatureEnvironments: addFeatureEnvironment\), and the database refuses it where the server holds no such toggle \(feature_environments/);
  });
});

/**
 * docs/gameday.md "Nothing lost: the journal": every action with its simulated and wall time. A drill writes the wall
 * clock as new Date().toISOString() (src/live/drill.ts `wall`), in every version (test/fixtures/drill-0.10.0); the
 * debrief shows it and a resumed drill's writer compares with it (journal.ts). One that is no such time is refused
 * at its line and column (src/live/journal.ts wallProblem).
 */
describe('a journal\'s wall time that no drill writes is refused at its line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'left-19-journal-'));
  const lines = readFileSync(new URL('./fixtures/drill-0.10.0/drill.journal', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
  /** The fixture's lines, edited, chained again as a drill chains them (so that only the edit is wrong). */
  const rechained = (name: string, edit: (l: Json[]) => void) => rechainedJournal(dir, name, lines, edit);
  const refusal = journalRefusal;
  const rule = 'is not a wall time a drill writes: the machine\'s clock in UTC to the millisecond, as new Date().toISOString() writes it (2026-12-06T12:10:04.965Z), a real date and time of the years 0000 to 9999 (the debrief and a resumed drill read it as one)';
  it('reads the 0.10.0 journal, and the same chained again', () => {
    expect(refusal(rechained('same.journal', () => {}))).toBeNull();
    expect(lines.length).toBeGreaterThan(8);
  });
  it('refuses a clock line\'s wall that is text, a number, NaN, a day that is none, a year out of range, or another form', () => {
    const line = 8;
    const column = lines[line - 1].indexOf('"wall":') + 8;
    expect(lines[line - 1]).toContain('"kind":"clock"');
    for (const [wall, shown] of [['yesterday', '"yesterday"'], [-5, '-5'], ['NaN', '"NaN"'], [null, 'null'], ['2026-02-30T12:10:05.500Z', '"2026-02-30T12:10:05.500Z"'],
      ['+275760-09-13T00:00:00.000Z', '"+275760-09-13T00:00:00.000Z"'], ['2026-12-06T12:10:05Z', '"2026-12-06T12:10:05Z"'], ['2026-12-06T13:10:05.500+01:00', '"2026-12-06T13:10:05.500+01:00"']] as const) {
      const path = rechained('wall.journal', (l) => { l[line - 1].wall = wall; });
      expect(refusal(path), String(wall)).toEqual({ lines: [`${path}:${line}:${column}: wall: ${shown} ${rule}`], tampered: false });
    }
  });
  it('refuses the header\'s wall and an action\'s wallTime the same way', () => {
    const header = rechained('header.journal', (l) => { l[0].wall = '0'; });
    expect(refusal(header)?.lines).toEqual([`${header}:1:${lines[0].indexOf('"wall":') + 8}: wall: "0" ${rule}`]);
    const i = lines.findIndex((l) => l.includes('"kind":"action"'));
    expect(i).toBeGreaterThan(0);
    const action = rechained('action.journal', (l) => { l[i].wallTime = 'Sun Dec 06 2026'; });
    expect(refusal(action)?.lines).toEqual([`${action}:${i + 1}:${lines[i].indexOf('"wallTime":') + 12}: wallTime: "Sun Dec 06 2026" ${rule}`]);
  });
});

/**
 * A cohort's account age in days with a fraction (2.5) is kept: an account's age is the time since it was made, and
 * the flag rules that read it compare numbers with their fractions: flagd's JsonLogic `<` (JavaScript's, in
 * @openfeature/flagd-core), Unleash's NUM_LT (unleash-client lib/strategy/strategy.js: parseFloat of the context
 * value and of the constraint's), LaunchDarkly's lessThan (js-core shared/sdk-server src/evaluation/Operations.ts:
 * numeric, JavaScript's <), and rehearse's own audience expressions. A user 2.5 days old is under 3 days and not
 * under 2.5 days in all four, evaluated here by the vendors' own evaluators.
 */
describe('a cohort user whose account is 2.5 days old is served as the flag systems compare numbers', () => {
  const flag = (limit: number) => ({
    flagd: JSON.stringify({ flags: { young: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ '<': [{ var: 'accountAgeDays' }, limit] }, 'on', 'off'] } } } }),
    unleash: JSON.stringify({ version: 2, features: [{ name: 'young', enabled: true, strategies: [{ name: 'default', parameters: {}, constraints: [{ contextName: 'accountAgeDays', operator: 'NUM_LT', value: String(limit) }] }] }] }),
    launchdarkly: JSON.stringify({ flags: { young: { key: 'young', version: 1, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 0 }, salt: 's', targets: [], prerequisites: [], rules: [{ id: 'r', variation: 1, clauses: [{ attribute: 'accountAgeDays', op: 'lessThan', values: [limit], negate: false }] }] } } }),
  });
  const young = (limit: number) => {
    const f = flag(limit);
    const at = (set: { evaluate: (k: string, c: Json) => { enabled: boolean; value: unknown }; contextOf: (k: string, a: Json) => Json }) => set.evaluate('young', set.contextOf('u1', { accountAgeDays: 2.5 })).value;
    return {
      flagd: at(flagd.open(parseFlagText(f.flagd, 'f.flagd.json')) as never),
      unleash: at(unleash.open(parseFlagText(f.unleash, 'u.json')) as never),
      launchdarkly: at(launchdarkly.open(parseFlagText(f.launchdarkly, 'ld.json')) as never),
      rehearse: parseExpression(`accountAgeDays < ${limit}`, ['accountAgeDays'])({ accountAgeDays: 2.5 }),
    };
  };
  it('under 3 days, not under 2.5, in flagd, Unleash, LaunchDarkly and rehearse\'s audiences alike', () => {
    expect(young(3)).toEqual({ flagd: true, unleash: true, launchdarkly: true, rehearse: true });
    expect(young(2.5)).toEqual({ flagd: false, unleash: false, launchdarkly: false, rehearse: false });
  });
  it('a cohort file with it reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'left-19-age-'));
    const d = cohortDocument(generateCohort({ name: 'u', size: 4, seed: 3 })) as unknown as { users: { accountAgeDays: number[] } };
    d.users.accountAgeDays[1] = 2.5;
    writeFileSync(join(dir, 'c.json'), JSON.stringify(d, null, 2));
    const r = readCohortFile(join(dir, 'c.json'));
    expect(r.ok && r.cohort.accountAgeDays[1]).toBe(2.5);
  });
});

/**
 * A user's activity is a weight: users are drawn with probability activity / the sum of all (src/cohorts/cohort.ts
 * ActivitySampler, Vose's alias method over activity x users / sum). Past what a double holds the sum is infinite,
 * and every user was drawn alike; such a cohort file is refused at the user where it happens.
 */
describe('a cohort file whose activities add up past what a number holds is refused at the user', () => {
  it('was not drawn by activity: the sampler cannot weigh an infinite sum', () => {
    // Shares 40%, 40% and 20%: the third user was never drawn.
    expect([...new ActivitySampler([1e308, 1e308, 5e307]).probability]).toEqual([1, 1, 0]);
    expect([...new ActivitySampler([1e307, 1e307, 5e306]).probability]).toEqual([1, expect.closeTo(0.8, 9), expect.closeTo(0.6, 9)]);
  });
  it('is refused at users.activity[i], its line and column; large activities that add up are read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'left-19-activity-'));
    const file = (name: string, values: number[]) => {
      const d = cohortDocument(generateCohort({ name: 'u', size: 4, seed: 3 })) as unknown as { users: { activity: number[] } };
      d.users.activity = values;
      writeFileSync(join(dir, name), JSON.stringify(d, null, 2));
      return join(dir, name);
    };
    const path = file('big.json', [1, 1e308, 1e308, 1]);
    const lines = readFileSync(path, 'utf8').split('\n');
    const line = lines.findIndex((l, i) => l.trim() === '1e+308,' && lines[i - 1].trim() === '1e+308,') + 1;
    expect(line).toBeGreaterThan(0);
    expect(readCohortFile(path)).toEqual({ ok: false, path: 'users.activity[2]', line, column: 7, message: `1e+308: a user's share of the journeys is their activity over the sum of all users' activities, and with this one the sum passes what a number holds (1.798e+308): the users would not be drawn by their activity; "rehearse cohorts generate" draws activities around 1` });
    expect(readCohortFile(file('fine.json', [1e307, 1e308, 1, 0.5])).ok).toBe(true);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
