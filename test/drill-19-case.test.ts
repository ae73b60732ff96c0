/**
 * A game day of a case the scenario does not have, on scenarios/two-teams.yaml (cases defective, healthy and
 * collision; acceptance criteria that name the healthy case). The drill applied the mistyped case to the file and
 * answered with the scenario's own acceptance criteria, as if they named a case that does not exist
 * (`acceptance[1]: unknown case "healthy"`), never the name typed. Now: the file, `cases`, the name typed and the
 * nearest one, exit 2, no stack trace.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

describe('a game day of a case the scenario does not have', () => {
  it.each([
    ['two-teams.yaml', 'colision', 'cases: no case "colision"; did you mean "collision"? (cases: "defective", "healthy", "collision")'],
    ['two-teams.yaml', 'nope', 'cases: no case "nope" (cases: "defective", "healthy", "collision")'],
    ['hotrod.yaml', 'healthy', 'cases: no case "healthy": the scenario has no cases'],
  ])('%s --case %s names the case typed, exit 2', async (file, name, message) => {
    const scenario = join(root, 'scenarios', file);
    const c = builtCli(['gameday', scenario, '--case', name, '--start', '--exit-on-end', '--out', join(root, 'reports', 'never')], children, 120_000);
    expect(await c.exited).toBe(2);
    expect(c.out).toBe(`${scenario}: ${message}\n`);
  });
});

/**
 * `rehearse run` of such a case said the same of the scenario's acceptance (load/scenario.ts: a refused case's cause
 * was sought in the scenario without its cases, whose acceptance names them): the load says the case typed now.
 */
describe('a run of a case the scenario does not have', () => {
  it.each([
    ['colision', 'cases: no case "colision"; did you mean "collision"? (cases: "defective", "healthy", "collision")'],
    ['nope', 'cases: no case "nope" (cases: "defective", "healthy", "collision")'],
  ])('two-teams.yaml --case %s names the case typed, exit 2', async (name, message) => {
    const scenario = join(root, 'scenarios', 'two-teams.yaml');
    const c = builtCli(['run', scenario, '--case', name], children, 120_000);
    expect(await c.exited).toBe(2);
    expect(c.out).toBe(`${scenario}: ${message}\n`);
  });
});
