/** The command line as a user runs it: the built bin, exit codes, messages without stack traces, files written. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_GROUPS } from '../src/cli/main.js';
import { launchdarklyHashValue } from '../src/flags/bucketing.js';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/rehearse.js');

function rehearse(...args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('the program a command line builds', () => {
  const names = (named?: string) => buildProgram(() => {}, () => {}, () => {}, named).commands.map((c) => c.name());

  it('names each command in its group, and a command line naming one builds only that group', () => {
    expect(names()).toEqual(COMMAND_GROUPS.flatMap(([, group]) => group));
    for (const [, group] of COMMAND_GROUPS) for (const name of group) expect(names(name)).toEqual(group);
  });

  it('builds every command for help, an option or a misspelt command, so that help lists them and a suggestion can be made', () => {
    for (const first of [undefined, '--help', 'help', 'valdate']) expect(names(first)).toHaveLength(16);
    const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'valdate', 'x.yaml'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("(Did you mean validate?)");
  });
});

describe('rehearse validate', () => {
  it('names the file, line, path and a suggestion for a misspelt service, and exits 2', () => {
    const r = rehearse('validate', 'test/fixtures/broken.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('test/fixtures/broken.yaml:10:17: services.frontend.endpoints.checkout.calls[0]: unknown service "paymnet"; did you mean "payment"?');
    noStack(r.stderr);
  });

  it('says that a plan stops at a pause no one ends, without failing (and fails with --strict)', () => {
    const r = spawnSync(process.execPath, [bin, 'validate', 'test/fixtures/argo/pause/scenario.yaml'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('test/fixtures/argo/pause/scenario.yaml: ok');
    expect(r.stderr).toContain('warning: ../../vendor/argo/rollout-canary.yaml:31:16: spec.strategy.canary.steps[1].pause: waits for a promotion, and the scenario names no approver (rollout[0].argo.approval): the plan stops before stage 2 (40%), paused');
    const strict = rehearse('validate', '--strict', 'test/fixtures/argo/pause/scenario.yaml');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('rollout-canary.yaml:31:16: spec.strategy.canary.steps[1].pause: waits for a promotion, and the scenario names no approver (rollout[0].argo.approval): the plan stops before stage 2 (40%), paused');
  });

  it('passes the examples', () => {
    const r = rehearse('validate', 'scenarios/checkout.yaml', 'bench/tandem.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('scenarios/checkout.yaml: ok');
  });

  it.each([
    ['a missing file', 'nope.yaml', 'nope.yaml: cannot read the scenario: no such file'],
    ['a directory', 'scenarios', 'scenarios: cannot read the scenario: is a directory'],
  ])('rejects %s with exit 2', (_what, file, message) => {
    const r = rehearse('validate', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    noStack(r.stderr);
  });

  it('reports bad YAML with its line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: x\ntraffic: { rate: 100/s\njourneys: {}\n');
    const r = rehearse('validate', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+: invalid YAML`));
    noStack(r.stderr);
  });
});

describe('rehearse run', () => {
  it('prints a summary and writes the result contract', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const out = join(dir, 'sub', 'tandem.json');
    const r = rehearse('run', 'bench/tandem.yaml', '--json', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/service\s+req\/s\s+errors\s+p50\s+p99/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.schema).toBe('rehearse/run@1');
    expect(doc.passed).toBe(true);
    expect(doc.simulated.requests).toBe(1_000_000);
    expect(Math.abs(doc.journeys.visit.latencyMs.mean / 15.094 - 1)).toBeLessThan(0.02);
    for (const key of ['requests', 'errors', 'latencyMs']) expect(doc.services.a).toHaveProperty(key);
    for (const key of ['mean', 'p50', 'p95', 'p99']) expect(doc.services.a.latencyMs).toHaveProperty(key);
    expect(doc.rollouts).toEqual([]);
  });

  it('gives the same bytes for the same seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    rehearse('run', 'scenarios/checkout.yaml', '--quiet', '--seed', '9', '--json', join(dir, 'a.json'));
    rehearse('run', 'scenarios/checkout.yaml', '--quiet', '--seed', '9', '--json', join(dir, 'b.json'));
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
  });

  it.each([
    [['run'], "missing required argument 'scenario'"],
    [['run', 'bench/tandem.yaml', '--seed', 'abc'], 'the seed is a whole number'],
    [['run', 'bench/tandem.yaml', '--sed', '1'], "unknown option '--sed'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['cohorts', 'generate', '--size', '10', '--out', '/tmp/never.json', '--segment', 'beta=5'], 'a share is a percentage: write beta=5%'],
    [['bucket', '--system', 'unleesh', '--flag', 'f', '--user', 'u'], 'expected one of flagd, unleash, launchdarkly, growthbook; did you mean "unleash"?'],
    // The last share of a segment given twice won without a word; shares naming general that fell short were scaled up to 100%.
    [['cohorts', 'generate', '--size', '10', '--out', '/tmp/never.json', '--segment', 'beta=60%', '--segment', 'beta=30%'], 'segment "beta" is given twice: give each segment once'],
    [['cohorts', 'generate', '--size', '10', '--out', '/tmp/never.json', '--segment', 'general=10%', '--segment', 'beta=5%'], '--segment: the shares add up to 15%, not 100%: give general the rest (general=95%), or leave general out and the rest goes to it'],
  ])('usage error %j exits 2', (args, message) => {
    const r = rehearse(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    noStack(r.stderr);
  });
});

describe('rehearse schema', () => {
  it('prints the JSON Schema that is committed for editors', () => {
    const r = rehearse('schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8')));
    expect(JSON.parse(r.stdout).properties.services).toBeDefined();
  });
});

describe('rehearse bucket', () => {
  it.each([
    [['--system', 'flagd', '--flag', 'fractional-flag', '--user', 'jack', '--percent', '62.46'], 'OUT'],
    [['--system', 'flagd', '--flag', 'fractional-flag', '--user', 'jack', '--percent', '62.47'], 'IN'],
    [['--system', 'unleash', '--flag', 'f', '--salt', 'Feature.flexibleRollout.10', '--user', '174', '--percent', '10'], 'IN'],
    [['--system', 'unleash', '--flag', 'f', '--salt', 'Feature.flexibleRollout.10', '--user', '499', '--percent', '10'], 'OUT'],
    [['--system', 'launchdarkly', '--flag', 'hashKey', '--salt', 'saltyA', '--user', 'userKeyB', '--percent', '67.1'], 'IN'],
    [['--system', 'growthbook', '--flag', 'feature', '--user', '1', '--hash-version', '1', '--percent', '50'], 'OUT'],
  ])('%j -> %s', (args, verdict) => {
    const r = rehearse('bucket', ...args);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`: ${verdict}`);
  });

  it('prints the system\'s own figure', () => {
    expect(rehearse('bucket', '--system', 'launchdarkly', '--flag', 'hashKey', '--salt', 'saltyA', '--user', 'userKeyA').stdout)
      .toContain('bucket 0.42157587');
  });

  /**
   * A LaunchDarkly rollout seed is an int in its data model, negative ones too: the SDKs hash its decimal form
   * (launchdarkly/sdk-test-harness sdktests/helpers.go computeExpectedBucketValue: strconv.Itoa(seed) + "." + key;
   * go-server-sdk-evaluation evaluator_bucketing.go AppendInt; js-server-sdk-common Bucketer.ts `${Number(seed)}.`).
   */
  it('takes a negative LaunchDarkly seed and hashes it as the SDKs do; refuses what is not a whole number, and a seed for another system', () => {
    const r = rehearse('bucket', '--system', 'launchdarkly', '--flag', 'hashKey', '--salt', 'saltyA', '--user', 'userKeyA', '--seed', '-7');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`bucket ${launchdarklyHashValue('-7.userKeyA').toFixed(8)}`);
    expect(r.stdout).not.toContain(`bucket ${launchdarklyHashValue('hashKey.saltyA.userKeyA').toFixed(8)}`);
    for (const bad of ['1.5', '-', '99999999999999999999']) {
      const x = rehearse('bucket', '--system', 'launchdarkly', '--flag', 'f', '--user', 'u', '--seed', bad);
      expect([x.code, x.stderr]).toEqual([2, expect.stringContaining('a rollout seed is a whole number')]);
      noStack(x.stderr);
    }
    const other = rehearse('bucket', '--system', 'flagd', '--flag', 'f', '--user', 'u', '--seed', '3');
    expect([other.code, other.stderr]).toEqual([2, expect.stringContaining('--seed: only a LaunchDarkly rollout has a seed; flagd has none')]);
  });

  it('refuses a percentage the system cannot express', () => {
    const r = rehearse('bucket', '--system', 'unleash', '--flag', 'f', '--user', '1', '--percent', '0.5');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('whole percentages');
  });
});

describe('rehearse validate and cases', () => {
  it('checks every case of a scenario too, and points at the patch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\ncases:\n  bad: { services: { a: { errors: 200% } } }\n');
    const r = rehearse('validate', file);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${file}:7:35: cases.bad.services.a.errors: percentage "200%" is over 100%`);
  });

  it('run --case refuses a file another of whose cases breaks a value of the scenario, as validate does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: { latency: { dist: lognormal, p50: 10ms, p99: 50ms } } }\ncases:\n  good: {}\n  bad: { services: { a: { latency: { p50: 80ms } } } }\n');
    const message = `${file}:5:62: services.a.latency.p99: case bad: p99 (50ms) must be above p50 (80ms)`;
    expect(rehearse('validate', file).stderr.trim()).toBe(message);
    const r = rehearse('run', file, '--case', 'good');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(message);
  });

  it('run --case names a mistake of the scenario itself without a case, as validate does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: { latency: { dist: lognormal, p50: 80ms, p99: 50ms } } }\ncases:\n  good: {}\n');
    const message = `${file}:5:62: services.a.latency.p99: p99 (50ms) must be above p50 (80ms)`;
    expect(rehearse('validate', file).stderr.trim()).toBe(message);
    const r = rehearse('run', file, '--case', 'good');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(message);
  });
});

describe('names in the terminal', () => {
  it('a colour code in a journey name is printed escaped, so it cannot colour the rest of the table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const file = join(dir, 'sgr.yaml');
    writeFileSync(file, 'name: x\nduration: 1m\ntraffic: { rate: 10/s }\njourneys:\n  "b\\e[31muy": { steps: [a] }\nservices: { a: {} }\n');
    const r = rehearse('run', file);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toContain('b\\x1b[31muy');
  });
});

describe('counts in messages', () => {
  it('say one thing in the singular: "1 trace from 1 file", "1 journey", "1 user"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const calibrated = rehearse('calibrate', 'test/fixtures/traces/jaeger-ui-testtrace.json', '--out', join(dir, 's.yaml'));
    expect(calibrated.code).toBe(0);
    expect(calibrated.stdout).toContain('11 spans in 1 trace from 1 file: 2 services, 3 endpoints, 1 journey;');
    expect(readFileSync(join(dir, 's.yaml'), 'utf8')).toContain('from 11 spans in 1 trace:');
    const cohort = rehearse('cohorts', 'generate', '--size', '1', '--out', join(dir, 'c.json'));
    expect(cohort.stdout).toContain(': 1 user (seed 1)');
  });
});
