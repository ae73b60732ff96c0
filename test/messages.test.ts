/**
 * Messages in the scenario's terms. A walk over the scenario schema puts a wrong value of every kind at every
 * field it has (wrong type, missing, too small, a fraction for a whole number, an unknown option, a form a
 * pattern refuses, an unknown key, an empty list) into an otherwise valid scenario: no message keeps the
 * schema library's own wording. Then the sentences that replace it: a file without the keys every scenario
 * has, unknown keys with the keys allowed there, control characters in keys shown escaped, durations without
 * a unit in acceptance criteria, and the other documents rehearse reads (CI reports, cohorts, drill records).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem, type PathSegment } from '../src/scenario/problems.js';
import { ScenarioFile } from '../src/scenario/schema.js';
import { validateScenario } from '../src/scenario/validate.js';
import { RAW_WORDING } from '../src/units/issues.js';

const BASE_TEXT = 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n';
const BASE = { name: 'x', duration: '1m', traffic: { rate: '1/s' }, journeys: { j: { steps: ['a'] } }, services: { a: {} } };

interface Def { type: string; [k: string]: any }
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** [path, wrong value] for every field of the schema, by the kind of the field. */
export function wrongValues(schema: unknown, path: PathSegment[] = [], depth = 0): [PathSegment[], unknown][] {
  if (depth > 14) return [];
  const def = defOf(schema);
  const here = (...values: unknown[]) => values.map((v): [PathSegment[], unknown] => [path, v]);
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'readonly':
      return wrongValues(def.innerType, path, depth + 1);
    case 'pipe':
      return wrongValues(def.in, path, depth + 1);
    case 'object':
      return [
        ...here(5, 'text', [], {}, { 'not-a-key': 1 }, null),
        ...Object.entries(def.shape as Record<string, unknown>).flatMap(([k, v]) => wrongValues(v, [...path, k], depth + 1)),
        ...(def.catchall && defOf(def.catchall).type !== 'never' ? wrongValues(def.catchall, [...path, 'extra'], depth + 1) : []),
      ];
    case 'record':
      return [...here(5, [], { 'bad key!': {} }), ...wrongValues(def.valueType, [...path, 'k'], depth + 1)];
    case 'array':
      return [...here('text', {}, [], 7), ...wrongValues(def.element, [...path, 0], depth + 1)];
    case 'tuple':
      return [...here([], 'text', [1, 2, 3, 4]), ...(def.items as unknown[]).flatMap((item, i) => wrongValues(item, [...path, i], depth + 1))];
    case 'union':
      return [...here(12345, [], {}, true, null), ...(def.options as unknown[]).flatMap((o) => wrongValues(o, path, depth + 1))];
    case 'string':
      return here(12345, true, '', '!! not @ valid ~~', {}, ['a']);
    case 'number':
      return here('abc', -5, 1.5, 0, 1e300, true);
    case 'boolean':
      return here('yes', 1);
    case 'enum': case 'literal':
      return here('zzz', 5, '');
    default:
      return [];
  }
}

function withValue(path: PathSegment[], value: unknown): unknown {
  const raw = structuredClone(BASE) as Record<string, any>;
  if (path.length === 0) return value;
  let node: any = raw;
  path.forEach((seg, i) => {
    if (i === path.length - 1) node[seg] = value;
    else {
      if (node[seg] === null || typeof node[seg] !== 'object') node[seg] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[seg];
    }
  });
  return raw;
}

describe('validation messages', () => {
  it('never carry the schema library\'s wording, whatever is wrong where', () => {
    const cases = wrongValues(ScenarioFile);
    expect(cases.length).toBeGreaterThan(1000);
    const raw = new Map<string, string>();
    let messages = 0;
    for (const [path, value] of cases) {
      const r = validateScenario(withValue(path, value), (_p, p) => p);
      if (r.ok) continue;
      for (const p of r.problems) {
        messages++;
        expect(p.message.trim(), `${JSON.stringify(path)} = ${JSON.stringify(value)}`).not.toBe('');
        if (RAW_WORDING.test(p.message)) raw.set(p.message, `${JSON.stringify(path)} = ${JSON.stringify(value)}`);
      }
    }
    expect(messages).toBeGreaterThan(1000);
    expect([...raw].map(([m, at]) => `${at}: ${m}`)).toEqual([]);
  });

  it('say what a scenario needs when a file lacks its top-level keys', () => {
    const one = (text: string) => {
      const r = parseScenarioText(text);
      return r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
    };
    expect(one('jobs: { build: {} }\non: push\n')[0]).toBe('f.yaml:1:1: a scenario has a name, traffic (how users arrive), journeys (what they do) and services (what those call): this file has no name, traffic, journeys or services (it has "jobs", "on": is it a scenario?)');
    expect(one('name: x\nservices: { a: {} }\n')).toEqual(['f.yaml:1:1: a scenario has a name, traffic (how users arrive), journeys (what they do) and services (what those call): this file has no traffic or journeys']);
    expect(one('{}\n')[0]).toMatch(/this file has no name, traffic, journeys or services \(it is empty\)$/);
    expect(one('- a\n- b\n')[0]).toBe('f.yaml: a scenario is a mapping with name, traffic, journeys and services');
  });

  it('list the keys allowed where an unknown key is', () => {
    const r = validateScenario({ ...BASE, services: { a: { replica: 2, latency: { dist: 'lognormal', p50: '1ms', p99: '5ms', mean: '2ms' } } } }, (_p, p) => p);
    const messages = r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
    expect(messages).toContain('f.yaml: services.a.replica: unknown key "replica"; did you mean "replicas"? (keys here: description, replicas, concurrency, ingress, queue, timeout, breaker, http, latency, errors, error-latency, calls, endpoints)');
    expect(messages).toContain('f.yaml: services.a.latency.mean: key "mean" does not go with dist: lognormal (keys here: dist, p50, p99, plus)');
    const top = validateScenario({ ...BASE, servics: {} }, (_p, p) => p);
    expect(!top.ok && top.problems[0].message).toMatch(/^unknown key "servics"; did you mean "services"\? \(keys here: \$schema, name, .*, tune; keys of your own start with x-\)$/);
  });

  it('suggest the nearest value of a closed list once (the error map and validate both added it: "did you mean "experiment"?; did you mean "experiment"?")', () => {
    const r = validateScenario({ ...BASE, flags: { f: { kind: 'experimnt', 'evaluated-by': ['a'] } } }, (_p, p) => p);
    const messages = r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
    expect(messages).toContain('f.yaml: flags.f.kind: expected one of "release", "experiment", "ops", not "experimnt"; did you mean "experiment"?');
  });

  it('show control characters in keys escaped, in the message and the path', () => {
    for (const key of ['a\rb', 'a\nb', 'x\u001b[2Jy', 'c\u009bd', 'e\u202ef', 'g\u0007h']) {
      const r = validateScenario({ ...BASE, [key]: 1, services: { a: { [key]: 1 } } }, (_p, p) => p);
      const lines = r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
      expect(lines.length, JSON.stringify(key)).toBe(2);
      for (const l of lines) {
        // eslint-disable-next-line no-control-regex
        expect(l, JSON.stringify(l)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e]/);
        expect(l).toContain(`unknown key ${JSON.stringify(key).replace(/\\u001b/g, '\\x1b').replace(/\\u0007/g, '\\x07').replace(/\u009b/g, '\\x9b').replace(/\u202e/g, '\\u202e')}`);
      }
      expect(lines.filter((l) => /^f\.yaml: services\.a\["/.test(l))).toHaveLength(1);
    }
  });

  it('refuse a duration without a unit in an acceptance criterion, with the unit to add', () => {
    const text = 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\nflags: { f: { evaluated-by: [a] } }\n'
      + "acceptance: ['time_to_detect{flag:f} max<15', 'time_to_recover{flag:f} max<15m', 'time_to_full_rollout{flag:f} max<=0']\n";
    const r = parseScenarioText(text);
    expect(r.ok).toBe(false);
    const lines = r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
    expect(lines).toEqual(['f.yaml:7:42: acceptance[0]: a duration needs a unit: write 15m, 15s or 15ms, not 15\n    time_to_detect{flag:f} max<15\n                               ^']);
  });

  it('say what was expected in the other documents rehearse reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-messages-'));
    const run = async (...argv: string[]) => {
      const err: string[] = [];
      const code = await main(argv, { out: () => {}, err: (s) => err.push(s) });
      return { code, err: err.join('\n') };
    };
    writeFileSync(join(dir, 'ci.json'), JSON.stringify({ schema: 'rehearse/ci@1', version: 1, passed: 'yes', counts: {}, cases: [{}] }));
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'ok.yaml'), BASE_TEXT);
    const baseline = await run('ci', join(dir, 'ci'), '--baseline', join(dir, 'ci.json'));
    writeFileSync(join(dir, 'cohort.json'), JSON.stringify({ schema: 'rehearse/cohort@1', name: 5, size: -1, users: [] }));
    writeFileSync(join(dir, 's.yaml'), `name: s\nduration: 1m\ntraffic: { rate: 1/s, cohort: cohort.json }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n`);
    const cohort = await run('validate', join(dir, 's.yaml'));
    writeFileSync(join(dir, 'drill.json'), JSON.stringify({ schema: 'rehearse/drill@2', version: '1', record: { scenario: { file: 5, sha256: 'x', name: 'n' }, actions: 'none' }, digest: 'x' }));
    const drill = await run('gameday', 'replay', join(dir, 'drill.json'));
    for (const r of [baseline, cohort, drill]) {
      expect(r.code).toBe(2);
      expect(r.err).not.toMatch(RAW_WORDING);
      expect(r.err).toMatch(/expected /);
    }
    expect(drill.err).toContain('record.scenario.file: expected text, not 5');
    expect(drill.err).toContain('record.actions: expected a list, not "none"');
  });

  it('another of rehearse\'s documents given to replay is named for what it is, alone, with what replay reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-messages-'));
    const err: string[] = [];
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ schema: 'rehearse/run@1', version: '1', scenario: { name: 'x' } }));
    const code = await main(['gameday', 'replay', file], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join('\n').trim()).toBe(`${file}: a rehearse/run@1 document, not a drill's: replay reads the PREFIX.json (rehearse/drill@2) or PREFIX.journal a game day wrote`);
  });
});
