/**
 * What a first run says: the case a run took (none, and which there are), what --strict covers in run and validate,
 * the flag systems each help line names, and long warnings on a terminal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { wrapWarning } from '../src/cli/wrap.js';
import { VERSION } from '../src/version.js';

const tmp = mkdtempSync(join(tmpdir(), 'rehearse-words-24-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a run of a scenario with cases', () => {
  it('says it ran no case, and names the cases to try', async () => {
    const r = await cli('run', 'examples/first-scenario.yaml');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`rehearse ${VERSION}: shop (seed 7)`);
    expect(lines[1]).toBe('no case (the scenario as written); its cases: healthy, defective: --case NAME');
  });

  it('says the case it ran, and no line about the others', async () => {
    const r = await cli('run', 'examples/first-scenario.yaml', '--case', 'defective');
    expect(r.out.split('\n')[0]).toBe(`rehearse ${VERSION}: shop, case defective (seed 7)`);
    expect(r.out).not.toContain('no case');
  });

  it('says the case in the result document, null without one', async () => {
    const r = await cli('run', 'examples/first-scenario.yaml', '--json', '-');
    expect(JSON.parse(r.out).scenario).toEqual({ name: 'shop', seed: 7, case: null });
    expect(readFileSync('docs/results.md', 'utf8')).toContain('`scenario` (`name`, `seed`, `case`: the case run, null when run without `--case`)');
  });
});

describe('--strict of run and of validate', () => {
  const common = 'the scenario\'s warnings (what its flag and cohort files use that rehearse does not model, gate queries and faults that never act, changes that change nothing)';
  const help = async (command: string) => (await cli(command, '--help')).out.replace(/\s+/g, ' ');

  it('says the same words for what both make errors, and what validate does more', async () => {
    expect(await help('run')).toContain(`--strict ${common} are errors (exit 2); unlike validate --strict, not those of an imported Argo Rollout or Flagger Canary, stability warnings nor governance findings`);
    expect(await help('validate')).toContain(`--strict every warning is an error (exit 2): ${common} for the file and each of its cases`);
    const doc = readFileSync('docs/cli.md', 'utf8');
    expect(doc.split(common.replace(/^the scenario's warnings /, '')).length - 1).toBe(2);
    expect(doc).toContain('`run --strict` only the scenario\'s, for what it runs');
  });

  // Both as the help says: a fault after the end is the scenario's warning; a service over its capacity a stability one.
  const file = join(tmp, 'strict.yaml');
  writeFileSync(file, [
    'name: strict', 'seed: 1', 'duration: 1m',
    'traffic: { rate: 50/s }',
    'services:', '  api: { latency: 100ms, concurrency: 2, endpoints: { get: {} } }',
    'journeys:', '  get: { steps: [api.get] }',
    'faults:', '  - { kind: latency, at: 5m, for: 1m, target: api, add: 10ms }',
  ].join('\n'));

  it('fails both on the scenario\'s warnings, and only validate on stability warnings', async () => {
    const run = await cli('run', file, '--strict', '-q');
    const validate = await cli('validate', file, '--strict');
    expect(run.code).toBe(2);
    expect(validate.code).toBe(2);
    expect(run.err).toMatch(/faults\[0\]\.at: the fault starts at 5m, after the run ends/);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/faults:[\s\S]*$/, ''));
    const run2 = await cli('run', file, '--strict', '-q');
    const validate2 = await cli('validate', file, '--strict');
    expect(run2.code).not.toBe(2);
    expect(validate2.code).toBe(2);
    expect(validate2.err).toMatch(/api: offered/);
  });
});

describe('help lines name the flag systems their commands take', () => {
  it('bucket names GrowthBook, flags points to it', async () => {
    const top = (await cli('--help')).out.replace(/\s+/g, ' ');
    expect(top).toContain('bucket [options] show where a user falls in a flag\'s rollout, as the flag system computes it (flagd, unleash, launchdarkly, growthbook)');
    expect(top).toContain('flags evaluate the flags of flagd, Unleash and LaunchDarkly files (where a user falls in a rollout, GrowthBook too: bucket)');
    expect(top).toContain('import bring definitions from other tools: flagd, Unleash and LaunchDarkly flags, Argo Rollouts, Flagger Canaries');
    const evalHelp = (await cli('flags', 'eval', '--help')).out;
    expect(evalHelp).toContain('flagd, unleash or launchdarkly');
    expect((await cli('bucket', '--system', 'growthbook', '--flag', 'f', '--user', 'u')).code).toBe(0);
  });
});

describe('a long warning on a terminal', () => {
  const warning = `warning: examples/argo/rollout.yaml:22:7: spec.strategy.canary: no trafficRouting: ${'the controller scales the canary '.repeat(20).trim()}`;

  it('is wrapped at the width between words, file:line:column first, the rest indented under it', () => {
    const lines = wrapWarning(warning, 100).split('\n');
    expect(lines[0].startsWith('warning: examples/argo/rollout.yaml:22:7: spec.strategy.canary: no trafficRouting:')).toBe(true);
    expect(lines.length).toBe(8);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {4}\S/);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(warning);
  });

  it('stays one line when not on a terminal, or short, or not a warning', () => {
    expect(wrapWarning(warning, null)).toBe(warning);
    expect(wrapWarning('warning: a.yaml:1:1: x: short', 80)).toBe('warning: a.yaml:1:1: x: short');
    expect(wrapWarning(`a.yaml:1:1: ${'long '.repeat(40)}`, 80)).toBe(`a.yaml:1:1: ${'long '.repeat(40)}`);
  });
});

describe('the first calibration example of docs/calibration.md', () => {
  it('fails 42.5% of journeys as the doc explains: 3 of 13 GetDriver spans failed, one retry, ten lookups', async () => {
    const out = join(tmp, 'hotrod.yaml');
    expect((await cli('calibrate', 'test/fixtures/traces/hotrod-otlp.json', '--group-by', 'http.route', '--latency', 'lognormal', '--out', out)).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('# 13 spans, 3 failed (3 in the endpoint itself)');
    expect(text).toContain('{ to: redis-manual.GetDriver, repeat: 10, retry: { attempts: 1,');
    const lookup = (3 / 13) ** 2;
    const expected = 1 - (1 - lookup) ** 10;
    const r = await cli('run', out, '--json', '-');
    const dispatch = JSON.parse(r.out).journeys.dispatch;
    expect(dispatch.errorRate).toBe(0.425386);
    expect(Math.abs(dispatch.errorRate - expected)).toBeLessThan(0.02);
    expect(readFileSync('docs/calibration.md', 'utf8').replace(/\s+/g, ' ')).toContain('The 42.5% of failed journeys is HotROD\'s own doing');
  });
});

describe('a second approval of the same stage in a drill', () => {
  it('is refused saying who approved the stage, when, and where the plan is', async () => {
    const { DrillSession, readDrillScenario } = await import('../src/live/session.js');
    const file = 'test/fixtures/drill.yaml';
    const s = new DrillSession({ file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, readDrillScenario(file, 'healthy').scenario);
    s.act({ type: 'start' }, { name: 'fran', role: 'facilitator' }, 'w');
    const approve = (name: string) => s.act({ type: 'plan', flag: 'new-pay', op: 'approve' }, { name, role: 'operator' }, 'w').refused;
    // Stage 2 waits for an approval once stage 1 (10%) has held its 4 minutes.
    let t = 0;
    while (s.controller!.planStates()[0].phase !== 'approval') s.advanceTo((t += 1e6));
    expect(approve('ada')).toBeNull();
    const refused = approve('bob');
    const at = s.controller!.planStates()[0];
    expect(t).toBe(240e6);
    expect(refused).toBe('new-pay is not waiting for an approval: stage 2 was approved by ada at 4m00s; it is at stage 2 of 3 (50%), holding');
    expect(at.stage).toBe(1);
  });

  it('an old journal\'s shorter refusal still replays as the same refusal', async () => {
    const { sameRefusal } = await import('../src/live/legacy.js');
    expect(sameRefusal('new-pay is not waiting for an approval: stage 2 was approved by ada at 4m01s; it is at stage 2 of 3 (50%), holding', 'new-pay is not waiting for an approval')).toBe(true);
    expect(sameRefusal('new-pay is not waiting for an approval: it has not started', 'new-pay is not waiting for an approval')).toBe(true);
    expect(sameRefusal('old-pay is not waiting for an approval: it has not started', 'new-pay is not waiting for an approval')).toBe(false);
    expect(sameRefusal('new-pay is not paused', 'new-pay is not waiting for an approval')).toBe(false);
  });
});
