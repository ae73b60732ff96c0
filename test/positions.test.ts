/**
 * Where a problem is reported: an unknown key at the key (not at its value), a mistake inside a gate or an
 * expression at its own line and column where the text is on one line (plain or quoted, escapes read as YAML
 * reads them), and at the start of the text with the column inside it where it cannot be mapped (a block
 * scalar).
 */
import { describe, expect, it } from 'vitest';
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
