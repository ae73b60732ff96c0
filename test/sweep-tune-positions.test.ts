/**
 * A mistake in a sweep's tune block (a constraint or the objective naming a metric or a case that does not exist, an
 * operator that is none, a case of tune.cases the scenario lacks) is reported as every other scenario problem is:
 * file:line:column at the mistake's own character, the path, the reason with a suggestion, the caret display;
 * exit 2, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-sweep-positions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = (constraint: string, minimize: string, cases = '') => `name: tuned
seed: 1
duration: 12m
traffic: { rate: 40/s, cohort: { size: 3000, seed: 2 } }
journeys: { use: { steps: [api] } }
services: { api: { concurrency: 200, latency: 10ms, errors: 1% } }
flags: { f: { evaluated-by: [api] } }
rollout:
  - flag: f
    stages: [{ to: 10%, hold: 8m }, { to: 100% }]
    gates: ['req_failed{flag:on} rate<0.03']
cases:
  healthy: {}
  defective: { flags: { f: { when-on: { api: { errors: +4% } } } } }
tune:
  seeds: 2
  vary:
    rollout.f.gates.0: ['rate<0.015', 'rate<0.03']
  subject-to:
    - 'false_rollback{case:healthy} rate<0.2'
    - '${constraint}'
  minimize: '${minimize}'
${cases}`;

const OBJECTIVE = 'blast_radius_users{case:defective} p(95)';

/** Line and column (1-based) of `needle` in `text`, plus `offset` characters into it. */
function at(text: string, needle: string, offset = 0): string {
  const i = text.indexOf(needle) + offset;
  const lines = text.slice(0, i).split('\n');
  return `${lines.length}:${lines[lines.length - 1].length + 1}`;
}

function sweep(text: string): { status: number | null; stderr: string } {
  const file = join(dir, 's.yaml');
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'sweep', 's.yaml', '--workers', '1'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('a problem of a sweep\'s tune block', () => {
  it.each([
    ['an unknown metric in a constraint', 'false_rollbak{case:healthy} rate<0.2', OBJECTIVE, 0,
      'tune.subject-to[1]: unknown metric "false_rollbak"; did you mean "false_rollback"?\n    false_rollbak{case:healthy} rate<0.2\n    ^'],
    ['an operator that is none', 'false_rollback{case:healthy} rate=<0.2', OBJECTIVE, 33,
      'tune.subject-to[1]: expected an operator; "=" alone is not one, use "=="\n    false_rollback{case:healthy} rate=<0.2\n                                     ^'],
    ['a case that does not exist, in a constraint', 'false_rollback{case:helthy} rate<0.2', OBJECTIVE, 15,
      'tune.subject-to[1]: unknown case "helthy"; did you mean "healthy"?\n    false_rollback{case:helthy} rate<0.2\n                   ^'],
  ])('%s: at its character in the file', (_, constraint, minimize, offset, message) => {
    const text = scenario(constraint, minimize);
    const r = sweep(text);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`s.yaml:${at(text, `'${constraint}'`, 1 + offset)}: ${message}\n`);
  });

  it.each([
    ['an unknown metric', 'blast_radius_user{case:defective} p(95)', 0,
      'tune.minimize: unknown metric "blast_radius_user"; did you mean "blast_radius_users"?\n    blast_radius_user{case:defective} p(95)\n    ^'],
    ['a case that does not exist', 'blast_radius_users{case:defectiv} p(95)', 19,
      'tune.minimize: unknown case "defectiv"; did you mean "defective"?\n    blast_radius_users{case:defectiv} p(95)\n                       ^'],
  ])('the objective naming %s: at its character, the caret under the objective as written', (_, minimize, offset, message) => {
    const text = scenario('detected rate>0.5', minimize);
    const r = sweep(text);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`s.yaml:${at(text, `'${minimize}'`, 1 + offset)}: ${message}\n`);
  });

  it('a case of tune.cases the scenario lacks: at the item, with a suggestion', () => {
    const text = scenario('detected rate>0.5', OBJECTIVE, '  cases: [healthy, defectiv]\n');
    const r = sweep(text);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`s.yaml:${at(text, 'defectiv]')}: tune.cases[1]: unknown case "defectiv"; did you mean "defective"?\n`);
  });
});
