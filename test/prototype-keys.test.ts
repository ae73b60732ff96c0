/**
 * Names from input are data, never prototype members: a flag, service, endpoint, journey, case, segment,
 * attribute or variant named like a member of Object.prototype is an ordinary name (validates, runs, and
 * appears in the result under its name), and a bad body under such a name is a problem with its path, never
 * a TypeError. `__proto__` is refused by name wherever a name goes: JavaScript cannot hold it as an ordinary key.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';

export const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];

/** A small scenario in which `name` is the name of every kind of thing at once. */
function scenarioNaming(name: string): string {
  return JSON.stringify({
    name: 'prototype-names',
    duration: '20m',
    window: '1m',
    traffic: { rate: '20/s', cohort: { size: 200, segments: { [name]: '50%', other: '50%' }, attributes: { [name]: 'x:50%,y:50%' } } },
    journeys: { [name]: { steps: [`${name}.${name}`] }, plain: { steps: ['other'] } },
    services: {
      [name]: { endpoints: { [name]: { latency: '5ms', calls: ['other'] } } },
      other: { latency: '2ms' },
    },
    flags: {
      [name]: { 'evaluated-by': [name], 'when-on': { [name]: { latency: 'x2', segment: name } } },
      second: { 'evaluated-by': [name], requires: [name] },
    },
    rollout: [
      { flag: name, stages: [{ to: '10%', hold: '5m' }, { to: '100%' }], gates: [`req_duration{journey:${name},flag:on} p(99)<500ms`] },
      { flag: 'second', after: name, stages: [{ to: '100%' }] },
    ],
    cases: { [name]: { flags: { [name]: { 'when-on': { [name]: { latency: 'x3', segment: name } } } } } },
    acceptance: [`blast_radius_users{flag:${name}} max<100000`],
  });
}

describe('names that are prototype members', () => {
  for (const name of PROTOTYPE_NAMES) {
    it(`"${name}" is an ordinary name for every kind of thing`, () => {
      for (const caseName of [undefined, name]) {
        const loaded = parseScenarioText(scenarioNaming(name), '.', caseName, 'JSON');
        if (!loaded.ok) throw new Error(loaded.problems.map((p) => formatProblem('t.json', p)).join('\n'));
        const s = loaded.scenario;
        expect(s.flags.map((f) => f.key)).toEqual([name, 'second']);
        expect(s.services.map((x) => x.name)).toEqual([name, 'other']);
        expect(s.journeys.map((j) => j.name)).toEqual([name, 'plain']);
        const result = runScenario(s, { seed: 3 });
        expect(Object.keys(result.services)).toContain(name);
        expect(Object.hasOwn(result.journeys, name)).toBe(true);
        expect(result.rollouts.map((r) => r.flag)).toEqual([name, 'second']);
      }
    });

    it(`a bad body under "${name}" is a problem with its path`, () => {
      const doc = JSON.parse(scenarioNaming(name));
      doc.flags[name].bogus = 1;
      doc.services[name].replicas = 'many';
      const loaded = parseScenarioText(JSON.stringify(doc), '.', undefined, 'JSON');
      expect(loaded.ok).toBe(false);
      if (loaded.ok) return;
      const text = loaded.problems.map((p) => formatProblem('t.json', p)).join('\n');
      expect(text).toContain(`flags.${name}.bogus: unknown key "bogus"`);
      expect(text).toContain(`services.${name}.replicas`);
    });
  }

  it('refuses __proto__ by name wherever a name goes, and says so', () => {
    const places: [string, (doc: Record<string, any>) => void, string][] = [
      ['flag', (d) => { d.flags = { ...d.flags }; Object.defineProperty(d.flags, '__proto__', { value: { 'evaluated-by': ['other'] }, enumerable: true }); }, 'flags'],
      ['service', (d) => { Object.defineProperty(d.services, '__proto__', { value: {}, enumerable: true }); }, 'services'],
      ['journey', (d) => { Object.defineProperty(d.journeys, '__proto__', { value: { steps: ['other'] }, enumerable: true }); }, 'journeys'],
      ['case', (d) => { Object.defineProperty(d.cases, '__proto__', { value: {}, enumerable: true }); }, 'cases'],
    ];
    for (const [what, edit, parent] of places) {
      const doc = JSON.parse(scenarioNaming('checkout'));
      edit(doc);
      const text = JSON.stringify(doc);
      expect(text).toContain('"__proto__"');
      const loaded = parseScenarioText(text, '.', undefined, 'JSON');
      expect(loaded.ok, what).toBe(false);
      if (loaded.ok) continue;
      const messages = loaded.problems.map((p) => formatProblem('t.json', p));
      expect(messages.some((m) => m.includes(`${parent}.__proto__`) && m.includes('reserved')), messages.join('\n')).toBe(true);
    }
  });

  it('refuses __proto__ in YAML too, with its line and column', () => {
    const yaml = 'name: t\nduration: 10m\ntraffic: { rate: 10/s }\njourneys: { j: { steps: [a] } }\nservices:\n  a: {}\n  __proto__: { replicas: 2 }\n';
    const loaded = parseScenarioText(yaml);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(formatProblem('s.yaml', loaded.problems[0])).toMatch(/^s\.yaml:7:\d+: services\.__proto__: the name "__proto__" is reserved/);
  });
});

describe('prototype-member names through the command line', () => {
  it('runs, reports and validates a scenario whose every name is "constructor" or "toString"', async () => {
    const { main } = await import('../src/cli/main.js');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'proto-'));
    for (const name of ['constructor', 'toString']) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, scenarioNaming(name));
      const said: string[] = [];
      const io = { out: (s: string) => said.push(s), err: (s: string) => said.push(s) };
      const json = join(dir, `${name}.result.json`);
      const code = await main(['run', file, '--json', json, '--html', join(dir, `${name}.html`), '--openmetrics', join(dir, `${name}.om`), '--traces', join(dir, `${name}.traces.json`), '--case', name], io);
      expect(code, said.join('\n')).toBeLessThan(2);
      const doc = JSON.parse(readFileSync(json, 'utf8'));
      expect(Object.keys(doc.services)).toContain(name);
      expect(readFileSync(join(dir, `${name}.html`), 'utf8')).toContain(name);
      expect(await main(['report', json, '--html', join(dir, `${name}.again.html`)], io), said.join('\n')).toBeLessThan(2);
      expect(await main(['validate', file], io), said.join('\n')).toBe(0);
      expect(await main(['lint', file], io), said.join('\n')).toBeLessThan(2);
    }
  }, 120_000);
});

describe('prototype-member names in traces', () => {
  it('a service, operation and root named "__proto__" calibrate to a scenario that validates (named "proto")', async () => {
    const { main } = await import('../src/cli/main.js');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'proto-traces-'));
    const t0 = 1_700_000_000_000_000_000n;
    const span = (trace: number, id: number, parent: number | null, start: number, end: number) => ({
      traceId: trace.toString(16).padStart(32, '0'), spanId: id.toString(16).padStart(16, '0'), ...(parent ? { parentSpanId: parent.toString(16).padStart(16, '0') } : {}),
      name: '__proto__', kind: 2, startTimeUnixNano: String(t0 + BigInt(start)), endTimeUnixNano: String(t0 + BigInt(end)), status: {},
    });
    const traces = { resourceSpans: ['constructor', '__proto__'].map((service, s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: {}, spans: Array.from({ length: 20 }, (_, k) => span(k + 1, k * 2 + s + 1, s ? k * 2 + 1 : null, k * 1e9 + s * 1e5, k * 1e9 + 2e6 - s * 1e5)) }],
    })) };
    const file = join(dir, 'proto.otlp.json');
    writeFileSync(file, JSON.stringify(traces));
    const said: string[] = [];
    const io = { out: (s: string) => said.push(s), err: (s: string) => said.push(s) };
    const out = join(dir, 'calibrated.yaml');
    expect(await main(['calibrate', file, '--out', out, '--capacity', '__proto__=4', '-q'], io), said.join('\n')).toBe(0);
    const text = readFileSync(out, 'utf8');
    // Written under its reduced name, with what the traces called it.
    expect(text).toMatch(/^ {2}proto: {3}# traced as "__proto__"\n(?: {4}#.*\n)* {4}replicas: 1\n {4}concurrency: 4$/m);
    expect(text).toContain('steps: [constructor.proto]');
    expect(await main(['validate', out], io), said.join('\n')).toBe(0);
  }, 120_000);
});

describe('prototype keys in a flag context', () => {
  it('flags eval refuses a --context holding "__proto__", which flagd-core copied into the prototype: the user was served as gold', async () => {
    const { main } = await import('../src/cli/main.js');
    const said: string[] = [];
    const io = { out: (s: string) => said.push(s), err: (s: string) => said.push(s) };
    const flagd = new URL('../flags/demo.flagd.json', import.meta.url).pathname;
    // u2 is outside express-checkout's 10% split: only tier gold (or a plan and country) turns it on.
    expect(await main(['flags', 'eval', flagd, '--flag', 'express-checkout', '--context', '{"targetingKey":"u2"}', '--json'], io)).toBe(0);
    expect(JSON.parse(said.pop()!)).toMatchObject({ enabled: false, variant: 'off' });
    for (const [context, at] of [['{"targetingKey":"u2","__proto__":{"tier":"gold"}}', '__proto__'], ['{"targetingKey":"u2","a":[{"__proto__":{}}]}', 'a[0].__proto__']]) {
      said.length = 0;
      expect(await main(['flags', 'eval', flagd, '--flag', 'express-checkout', '--context', context], io), context).toBe(2);
      expect(said).toEqual([`--context: ${at}: the key "__proto__" is refused: the evaluators copy the context into objects of their own, where it would set the prototype, not an attribute`]);
    }
  });

  it('a cohort attribute named "__proto__" is refused by cohorts generate and in a cohort file (its column was dropped without a word)', async () => {
    const { main } = await import('../src/cli/main.js');
    const { readCohortFile } = await import('../src/cohorts/file.js');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'proto-cohort-'));
    const said: string[] = [];
    const io = { out: (s: string) => said.push(s), err: (s: string) => said.push(s) };
    expect(await main(['cohorts', 'generate', '--size', '5', '--out', join(dir, 'c.json'), '--attribute', '__proto__=x:100%'], io)).toBe(2);
    expect(said).toEqual(['--attribute __proto__=x:100%: the attribute name "__proto__" is reserved (JavaScript\'s prototype key): choose another name']);
    expect(await main(['cohorts', 'generate', '--size', '5', '--out', join(dir, 'c.json'), '--attribute', 'tier=x:100%'], io)).toBe(0);
    const file = join(dir, 'c.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"tier":', '"__proto__":'));
    expect(readCohortFile(file)).toEqual({ ok: false, path: 'users.__proto__', message: 'the attribute name "__proto__" is reserved (JavaScript\'s prototype key): rename the column' });
  });
});
