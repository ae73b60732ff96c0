/** Cohort attributes for real targeting rules: generated, stored, read back, and checked against the rules. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAttributeOption } from '../src/cohorts/attributes.js';
import { cohortDocument, generateCohort, userAttributes } from '../src/cohorts/cohort.js';
import { readCohortFile } from '../src/cohorts/file.js';
import { main } from '../src/cli/main.js';
import { loadScenarioFile } from '../src/load/scenario.js';

const root = new URL('..', import.meta.url).pathname;
const spec = (text: string) => {
  const r = parseAttributeOption(text);
  if (!r.ok) throw new Error(r.message);
  return r.spec;
};

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cohort attributes', () => {
  const plain = generateCohort({ name: 'c', size: 4000, seed: 5 });
  const rich = generateCohort({ name: 'c', size: 4000, seed: 5, attributes: [spec('tier=gold:10%,silver:30%,bronze:60%'), spec('email=faker:internet.email'), spec('seats=1:50%,10:50%')] });

  it('draws each attribute in its shares, leaving every other column as it was', () => {
    const tiers = rich.attributes!.tier;
    const share = (v: string) => tiers.filter((t) => t === v).length / tiers.length;
    expect(share('gold')).toBeGreaterThan(0.08);
    expect(share('gold')).toBeLessThan(0.12);
    expect(share('bronze')).toBeGreaterThan(0.57);
    expect(rich.attributes!.email.every((e) => typeof e === 'string' && e.includes('@'))).toBe(true);
    expect(new Set(rich.attributes!.seats)).toEqual(new Set([1, 10]));
    for (const col of ['key', 'country', 'plan', 'platform', 'appVersion', 'accountAgeDays', 'employee', 'betaTester', 'segment', 'activity'] as const) {
      expect(rich[col]).toEqual(plain[col]);
    }
    expect(userAttributes(rich, 0)).toMatchObject({ key: plain.key[0], tier: tiers[0] });
  });

  it('replaces a built-in column of the same name and type', () => {
    const c = generateCohort({ name: 'c', size: 1000, seed: 5, attributes: [spec('plan=free:70%,pro:25%,enterprise:5%')] });
    expect(new Set(c.plan)).toEqual(new Set(['free', 'pro', 'enterprise']));
    expect(c.attributes).toBeUndefined();
  });

  it('survives a cohort file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-attr-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(cohortDocument(rich)));
    const read = readCohortFile(join(dir, 'c.json'));
    if (!read.ok) throw new Error(read.message);
    expect(read.cohort.attributes).toEqual(rich.attributes);
    expect(read.cohort.key).toEqual(rich.key);
  });

  it('rejects what is not an attribute: bad shares, unknown faker generators', async () => {
    expect(parseAttributeOption('plan=free:70%,pro:20%')).toMatchObject({ ok: false, message: 'shares add up to 90%, not 100%' });
    expect(parseAttributeOption('x=faker:constructor.name').ok).toBe(false);
    const r = await cli('cohorts', 'generate', '--size', '10', '--out', join(tmpdir(), 'never.json'), '--attribute', 'email=faker:nope.x');
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not a faker generator');
  });

  it('a misspelt faker generator gets a suggestion; a value or an attribute given twice is refused (the last one won without a word)', async () => {
    expect(parseAttributeOption('email=faker:internet.emaill')).toEqual({ ok: false, message: '"faker:internet.emaill" is not a faker generator; did you mean "faker:internet.email"? (e.g. faker:internet.email, faker:location.city)' });
    expect(parseAttributeOption('name=faker:person.firstname')).toMatchObject({ ok: false, message: expect.stringContaining('did you mean "faker:person.firstName"?') });
    expect(parseAttributeOption('plan=free:50%,free:50%')).toEqual({ ok: false, message: 'the value "free" is given twice: give each value once, with its whole share' });
    const r = await cli('cohorts', 'generate', '--size', '10', '--out', join(tmpdir(), 'never.json'), '--attribute', 'plan=a:100%', '--attribute', 'plan=b:100%');
    expect(r.code).toBe(2);
    expect(r.err).toBe('--attribute: attribute "plan" is given twice: give each attribute once');
  });

  it('refuses faker generators that need arguments, give no single value, or draw dates relative to today', async () => {
    // Before: a TypeError's words ("Cannot read properties of undefined"), a column of ",," or "", or dates that
    // changed from one day to the next under the same seed.
    expect(parseAttributeOption('x=faker:helpers.arrayElement')).toEqual({ ok: false, message: '"faker:helpers.arrayElement" needs arguments: an attribute takes a faker generator called with none (e.g. faker:internet.email, faker:location.city)' });
    expect(parseAttributeOption('x=faker:helpers.multiple')).toEqual({ ok: false, message: '"faker:helpers.multiple" gives a list, not one value per user (text, a number or true/false)' });
    expect(parseAttributeOption('x=faker:airline.airline')).toEqual({ ok: false, message: '"faker:airline.airline" gives an object, not one value per user (text, a number or true/false)' });
    expect(parseAttributeOption('x=faker:date.past')).toEqual({ ok: false, message: '"faker:date.past" gives a date drawn relative to today, so the same seed would not give the same users: use a generator of text or numbers' });
    for (const ok of ['faker:internet.email', 'faker:number.int', 'faker:datatype.boolean']) expect(parseAttributeOption(`x=${ok}`).ok, ok).toBe(true);
    const r = await cli('cohorts', 'generate', '--size', '10', '--out', join(tmpdir(), 'never.json'), '--attribute', 'x=faker:date.between');
    expect(r.code).toBe(2);
    expect(r.err).toBe('--attribute x=faker:date.between: "faker:date.between" needs arguments: an attribute takes a faker generator called with none (e.g. faker:internet.email, faker:location.city)');
  });

  it('a scenario rule can target an attribute of a cohort file; one no user has is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-attr-'));
    writeFileSync(join(dir, 'users.json'), JSON.stringify(cohortDocument(rich)));
    const scenario = (when: string) => `name: t\nduration: 1m\ntraffic: { rate: 10/s, cohort: users.json }\njourneys: { j: { steps: [a] } }\nservices: { a: { latency: 1ms } }\nflags:\n  f: { evaluated-by: [a], targeting: [{ when: '${when}', serve: on }] }\n`;
    writeFileSync(join(dir, 'ok.yaml'), scenario('tier == "gold"'));
    expect(loadScenarioFile(join(dir, 'ok.yaml')).ok).toBe(true);
    writeFileSync(join(dir, 'bad.yaml'), scenario('level == "gold"'));
    const bad = loadScenarioFile(join(dir, 'bad.yaml'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0].message).toContain('unknown attribute "level"');
  });

  it('a flag file rule reading an attribute no user has is a warning naming the rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-attr-'));
    const text = readFileSync(join(root, 'scenarios/flagd-shop.yaml'), 'utf8')
      .replace(/    attributes: .*\n/, '').replace('flagd: ../flags/demo.flagd.json', `flagd: ${join(root, 'flags/demo.flagd.json')}`);
    writeFileSync(join(dir, 's.yaml'), text);
    const l = loadScenarioFile(join(dir, 's.yaml'));
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    expect(l.warnings).toHaveLength(1);
    expect(l.warnings[0]).toMatch(/demo\.flagd\.json:\d+:\d+: flags\.express-checkout\.targeting\.if\[0\]\.or\[0\]\.in\[0\]: flag "express-checkout" reads attribute "tier", which no user of the cohort has/);
    const withTier = loadScenarioFile(join(root, 'scenarios/flagd-shop.yaml'));
    expect(withTier.ok && withTier.warnings).toEqual([]);
  });
});
