/**
 * Where a problem is reported: a name in a case that the scenario does not define at the case's own key, with
 * the nearest name (and `run` refuses a file with a broken case as `validate` does); an unknown key at the key (not at its value), a mistake inside a gate or an
 * expression at its own line and column where the text is on one line (plain or quoted, escapes read as YAML
 * reads them), and at the start of the text with the column inside it where it cannot be mapped (a block
 * scalar).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';

const BASE = [
  'name: x',
  'duration: 10m',
  'traffic: { rate: 1/s }',
  'journeys: { j: { steps: [a.get] } }',
  'services: { a: { endpoints: { get: {} } } }',
  'flags: { f: { evaluated-by: [a] } }',
].join('\n');

const problems = (text: string) => {
  const r = parseScenarioText(`${BASE}\n${text}`);
  return r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
};

describe('positions of problems', () => {
  it('an unknown key is reported at the key, in block and flow mappings', () => {
    const block = problems('rollout:\n  - flag: f\n    stages: [{ to: 100% }]\n    evalute-every: 1m\n');
    expect(block).toHaveLength(1);
    expect(block[0]).toMatch(/^f\.yaml:10:5: rollout\[0\]\.evalute-every: unknown key "evalute-every"; did you mean "evaluate-every"\?/);
    const flow = problems('slo: { availability: 99%, latncy: 1s }\n');
    expect(flow[0]).toMatch(/^f\.yaml:7:27: slo\.latncy: unknown key "latncy"; did you mean "latency"\?/);
  });

  it('a mistake inside a gate on one line is reported at its own column, plain or quoted', () => {
    const gate = 'req_failed{service:a,flag:on} rate<<0.02';
    // The mistake is the second "<": column 36 of the text.
    const at = gate.indexOf('<<') + 2;
    const caret = `\n    ${gate}\n    ${' '.repeat(at - 1)}^`;
    const plain = problems(`rollout:\n  - flag: f\n    stages: [{ to: 100% }]\n    gates:\n      - ${gate}\n`);
    expect(plain).toEqual([`f.yaml:11:${9 + at - 1}: rollout[0].gates[0]: expected a number, such as 0.01, 900ms or 5%${caret}`]);
    const single = problems(`rollout:\n  - flag: f\n    stages: [{ to: 100% }]\n    gates:\n      - '${gate}'\n`);
    expect(single).toEqual([`f.yaml:11:${10 + at - 1}: rollout[0].gates[0]: expected a number, such as 0.01, 900ms or 5%${caret}`]);
    // Escapes before the mistake: "\x2c" is one character of the text and four of the file.
    const escaped = problems(`rollout:\n  - flag: f\n    stages: [{ to: 100% }]\n    gates: ["req_failed{service:a\\x2cflag:on} rate<<0.02"]\n`);
    expect(escaped).toEqual([`f.yaml:10:${14 + at - 1 + 3}: rollout[0].gates[0]: expected a number, such as 0.01, 900ms or 5%${caret}`]);
  });

  it('a mistake inside an expression on one line is reported at its own column', () => {
    const r = problems('rollout:\n  - flag: f\n    stages: [{ to: 100%, audience: \'plan == "beta" &&\' }]\n');
    expect(r[0]).toMatch(/^f\.yaml:9:54: rollout\[0\]\.stages\[0\]\.audience: /);
    expect(r[0]).not.toContain('at column');
    // A single quote written twice is one character of the text: the end of the text is two columns further.
    const twice = problems('rollout:\n  - flag: f\n    stages: [{ to: 100%, audience: \'plan == \'\'beta\'\' &&\' }]\n');
    expect(twice[0]).toMatch(/^f\.yaml:9:56: rollout\[0\]\.stages\[0\]\.audience: /);
  });

  it('a mistake inside a block scalar keeps the column inside the text', () => {
    const r = problems('rollout:\n  - flag: f\n    stages: [{ to: 100% }]\n    gates:\n      - >-\n        req_failed{service:a,flag:on}\n        rate<<0.02\n');
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(/^f\.yaml:11:9: rollout\[0\]\.gates\[0\]: expected a number, such as 0\.01, 900ms or 5% at column 36\n/);
  });
});

describe('names in cases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-positions-'));
  const cli = async (...argv: string[]) => {
    const err: string[] = [];
    const code = await main(argv, { out: () => {}, err: (s) => err.push(s) });
    return { code, err: err.join('\n') };
  };
  const withCase = (patch: string) => {
    const file = join(dir, 'case.yaml');
    writeFileSync(file, `${BASE}\nrollout: [{ flag: f, stages: [{ to: 100% }] }]\ncases:\n  healthy: {}\n  broken:\n    ${patch}\n`);
    return file;
  };

  it('a misspelt flag is refused at the case\'s key with the flag meant, by validate and by run', async () => {
    const file = withCase('flags: { ff: { when-on: { a: { errors: +5% } } } }');
    const line = `${file}:11:14: cases.broken.flags.ff: unknown flag "ff"; did you mean "f"? (a case changes the scenario's flags: "f")`;
    const validate = await cli('validate', file);
    expect(validate).toEqual({ code: 2, err: line });
    // A run of the scenario as it is, or of another case, refuses the file too.
    expect(await cli('run', file, '--quiet')).toEqual({ code: 2, err: line });
    expect(await cli('run', file, '--quiet', '--case', 'healthy')).toEqual({ code: 2, err: line });
  });

  it('a service, an endpoint, a journey or a catalogue fault a case names must be one the scenario defines', () => {
    const one = (patch: string) => {
      const r = parseScenarioText(`${BASE}\ncases:\n  c:\n    ${patch}\n`);
      return r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
    };
    expect(one('services: { b: { errors: 1% } }')).toEqual(['f.yaml:9:17: cases.c.services.b: unknown service "b"; did you mean "a"? (a case changes the scenario\'s services: "a")']);
    expect(one('services: { a: { endpoints: { gut: { latency: 5ms } } } }')).toEqual(['f.yaml:9:35: cases.c.services.a.endpoints.gut: unknown endpoint "gut"; did you mean "get"? (a case changes the endpoints of "a": "get")']);
    expect(one('journeys: { i: { weight: 2 } }')).toEqual(['f.yaml:9:17: cases.c.journeys.i: unknown journey "i"; did you mean "j"? (a case changes the scenario\'s journeys: "j")']);
    expect(one('faults-catalogue: { slow: { kind: latency, target: a, add: 5ms } }')).toEqual(['f.yaml:9:25: cases.c.faults-catalogue.slow: unknown catalogue fault "slow" (scenario\'s faults-catalogue: none)']);
    // Cases do not nest: the inner ones would never run.
    expect(one('cases: { d: { services: { a: { errors: 50% } } } }')).toEqual(['f.yaml:9:5: cases.c.cases: a case cannot hold cases (cases do not nest): define each case beside the others under the top-level cases']);
    // What names the runs is the scenario's: ci baselines key on its name and the case's, sweeps on the seeds and tune block.
    const varies = 'a case varies what the scenario defines (traffic, journeys, services, flags, rollout, faults, slo, acceptance...), never what names its runs (name, seed, tune)';
    expect(one('{ name: other, services: { a: { errors: 5% } } }')).toEqual([`f.yaml:9:7: cases.c.name: a case cannot change the scenario's name: ci baselines, sweeps and reports know a case as the scenario's name and the case's; ${varies}`]);
    expect(one('{ seed: 7 }')).toEqual([`f.yaml:9:7: cases.c.seed: a case cannot change the scenario's seed: every case runs on the scenario's seed (a sweep gives its own seeds, ci --seed one), so that cases differ only in what they vary; ${varies}`]);
    expect(one('{ tune: { seeds: 3 } }')).toEqual([`f.yaml:9:7: cases.c.tune: a case cannot change the scenario's tune: a sweep plans its runs from the scenario's tune block, over its cases: a case's would never be read; ${varies}`]);
    // Keys of the author's own start with x-, in a case as in the scenario.
    expect(one('{ x-errors: &e 50%, services: { a: { errors: *e } } }')).toEqual([]);
    // What a case names inside its values is checked against the merged scenario, at the patch.
    expect(one('flags: { f: { when-on: { b.get: { errors: +5% } } } }')).toEqual(['f.yaml:9:30: cases.c.flags.f.when-on["b.get"]: unknown service "b"; did you mean "a"?']);
    expect(one("faults: [{ kind: latency, target: 'a -> b', at: 1m, for: 1m, add: 5ms }]")).toEqual([expect.stringMatching(/^f\.yaml:9:39: cases\.c\.faults\[0\]\.target: unknown service "b"; did you mean "a"\?/)]);
    expect(one("rollout: [{ flag: g, stages: [{ to: 100% }], gates: ['req_failed{service:b} rate<0.1'] }]")).toEqual([
      'f.yaml:9:23: cases.c.rollout[0].flag: unknown flag "g"; did you mean "f"?',
      expect.stringMatching(/^f\.yaml:9:70: cases\.c\.rollout\[0\]\.gates\[0\]: unknown service "b"; did you mean "a"\?\n/),
    ]);
  });

  it('a file of up to 1,000 cases loads, every case checked; one of more is refused at cases', () => {
    const many = (n: number) => `${BASE}\ncases:\n${Array.from({ length: n }, (_, i) => `  c${i}: { services: { a: { errors: ${i % 50}% } } }\n`).join('')}`;
    // Each case's scenario was parsed whole, all cases with it, and listed the case names again: 1,000 cases took
    // seconds, 10,000 minutes.
    const r = parseScenarioText(many(1000));
    expect(r.ok && r.scenario.cases.length).toBe(1000);
    const over = parseScenarioText(many(1001));
    expect(over.ok ? [] : over.problems.map((p) => formatProblem('f.yaml', p))).toEqual(['f.yaml:7:1: cases: 1,001 cases: at most 1,000 in a scenario (each is checked whenever the file loads)']);
  }, 120_000);

  it('a problem a case causes is named by its path in the file, the one its line and column point at', () => {
    const one = (patch: string, base = BASE) => {
      const r = parseScenarioText(`${base}\ncases:\n  c:\n    ${patch}\n`);
      return r.ok ? [] : r.problems.map((p) => formatProblem('f.yaml', p));
    };
    // Every kind of thing a case changes: its flags, traffic, faults, gates, acceptance, services, and a key
    // the scenario has no place for, each with its suggestion.
    expect(one('flags: { ff: { when-on: { a: { errors: +5% } } } }')).toEqual(['f.yaml:9:14: cases.c.flags.ff: unknown flag "ff"; did you mean "f"? (a case changes the scenario\'s flags: "f")']);
    expect(one('flags: { f: { when-on: { a: { errors: lots } } } }')).toEqual(['f.yaml:9:43: cases.c.flags.f.when-on.a.errors: errors effect is an addition ("+0.2%") or a new rate ("1%")']);
    expect(one('traffic: { rate: fast }')).toEqual([expect.stringMatching(/^f\.yaml:9:22: cases\.c\.traffic\.rate: invalid rate "fast"/)]);
    expect(one('trafic: { rate: 2/s }')).toEqual([expect.stringMatching(/^f\.yaml:9:5: cases\.c\.trafic: unknown key "trafic"; did you mean "traffic"\?/)]);
    expect(one("faults: [{ kind: latency, target: 'a -> bb', at: 1m, for: 1m, add: 5ms }]")).toEqual([expect.stringMatching(/^f\.yaml:9:39: cases\.c\.faults\[0\]\.target: unknown service "bb"/)]);
    expect(one("rollout: [{ flag: f, stages: [{ to: 100% }], gates: [{ promql: 'sum(x) @ 100 > 1' }] }]")).toEqual([
      'f.yaml:9:68: cases.c.rollout[0].gates[0].promql: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery at column 1 of "sum(x) @ 100 > 1"',
    ]);
    expect(one("acceptance: ['blast_radius_users{flag:ff} max<100']")).toEqual([expect.stringMatching(/^f\.yaml:9:38: cases\.c\.acceptance\[0\]: unknown flag "ff"; did you mean "f"\?/)]);
    // A value the case replaces whole (a distribution of its own): what it lacks is the case's, at the case.
    const latency = BASE.replace('get: {}', 'get: { latency: { dist: lognormal, p50: 5ms, p99: 50ms } }');
    expect(one('services: { a: { endpoints: { get: { latency: { dist: lognormal, p50: 5ms } } } } }', latency)).toEqual([
      'f.yaml:9:51: cases.c.services.a.endpoints.get.latency.p99: expected a duration such as "250ms" or "1h30m"',
    ]);
    // A problem at what the scenario wrote, arising under the case: at the scenario's place, naming the case.
    const lognormal = BASE.replace('a: {', 'a: { latency: { dist: lognormal, p50: 5ms, p99: 50ms },');
    expect(one('services: { a: { latency: { p50: 100ms } } }', lognormal)).toEqual(['f.yaml:5:61: services.a.latency.p99: case c: p99 (50ms) must be above p50 (100ms)']);
    expect(one('services: { a: { latency: { p99: 1ms } } }', lognormal)).toEqual(['f.yaml:9:38: cases.c.services.a.latency.p99: p99 (1ms) must be above p50 (5ms)']);
  });
});
