/**
 * What a new user met following the README and docs/ from a clean clone: a risk report whose words named a pause a
 * rollback, errors by cause that named a service once per cause, sweep figures in raw seconds and fractions beside
 * the same figures in their units, `tune.samples` silently ignored or cut to the grid, a calibrated scenario whose
 * schema line named a file that exists only in a clone of rehearse, a flag block whose `from:` path failed once
 * pasted into a scenario, and a docs page whose tune block was not the file it named.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { riskSummary } from '../src/report/html/run.js';
import { flagCharts, serviceCharts } from '../src/report/html/series.js';
import { formatOutcomes, formatSummary, formatTimelines } from '../src/report/terminal.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'rehearse-newuser17-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The built command, as people run it, from `cwd`: exit code and everything it printed. */
function rehearse(args: string[], cwd = root): { code: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** A harmless flag whose gate trips on the service's own 1% of errors: the policy acts though the flag hurt nobody. */
const falseAlarm = (onBreach: 'pause' | 'rollback') => runScenario(scenario({
  seed: 3,
  duration: '10m',
  traffic: { rate: '40/s', cohort: { size: 2000, seed: 1 } },
  journeys: { use: { steps: ['web.get'] } },
  services: {
    web: { concurrency: 200, latency: '5ms', errors: '1%', endpoints: { get: { calls: ['db.read'] } } },
    db: { concurrency: 200, latency: '2ms', errors: '1%', endpoints: { read: {} } },
  },
  flags: { f: { 'evaluated-by': ['web'], propagation: '0s' } },
  rollout: [{ flag: 'f', 'evaluate-every': '1m', 'on-breach': onBreach, stages: [{ to: '50%', hold: '5m' }, { to: '100%' }], gates: ['req_failed{service:web,flag:on} rate<0.001'] }],
}));

describe('a pause is not called a rollback', () => {
  it('the ground truth and the risk summary say "false alarm" for a plan that paused, "false rollback" for one rolled back', () => {
    const paused = falseAlarm('pause');
    expect(paused.rollouts[0].outcome).toBe('paused');
    expect(paused.outcomes.flags.f).toMatchObject({ defective: false, false_rollback: true });
    const line = formatOutcomes(paused).find((l) => l.startsWith('  f: '))!;
    expect(line).toContain('FALSE ALARM (paused)');
    expect(line).not.toContain('ROLLBACK');
    expect(riskSummary(paused)[0]).toMatch(/^f was paused at 50% \([\d,]+ users\), stage 1 of 2\. It hurt nobody\. That pause was a false alarm\. The gates blamed it for harm something else caused \(its gates failed as much with the flag off\)\.$/);
    expect(riskSummary(paused)[0]).toContain(`(${paused.rollouts[0].exposedUsers.toLocaleString('en-US')} users)`);

    const rolledBack = falseAlarm('rollback');
    expect(rolledBack.rollouts[0].outcome).toBe('rolled-back');
    expect(formatOutcomes(rolledBack).find((l) => l.startsWith('  f: '))).toContain('FALSE ROLLBACK');
    expect(riskSummary(rolledBack)[0]).toContain('That rollback was a false alarm.');
  });
});

describe("the run report's charts draw a window where the gates read it", () => {
  it('a reading at 1m00s and its window share x = 1 on every chart; a cumulative count never leads the harm it counts', () => {
    const r = runScenario(scenario({
      seed: 4,
      duration: '10m',
      traffic: { rate: '20/s', cohort: { size: 2000, seed: 1 } },
      journeys: { use: { steps: ['web.get'] } },
      services: { web: { concurrency: 500, latency: '10ms', errors: '1%', endpoints: { get: {} } } },
      flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.get': { errors: '+20%' } } } },
      rollout: [{ flag: 'f', 'evaluate-every': '1m', 'failure-limit': 3, stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], gates: ['req_failed{service:web,flag:on} rate<0.05'] }],
    }));
    const readings = [...new Set(r.audit.filter((a) => a.event === 'gate').map((a) => a.timeSeconds / 60))];
    expect(readings.slice(0, 2)).toEqual([1, 2]);
    const web = serviceCharts(r)[0].spec as { data: { values: { service: string; series: string; minute: number[] }[] } };
    const minutes = web.data.values.find((v) => v.service === 'web' && v.series === 'all calls')!.minute;
    expect(minutes.slice(0, 3)).toEqual([1, 2, 3]);
    for (const m of readings) expect(minutes).toContain(m);
    const charts = flagCharts(r);
    const blast = charts.find((c) => c.title.startsWith('Blast radius'))!.spec as { data: { values: { minute: number; journeys: number }[] } };
    const onset = r.outcomes.flags.f.onset_seconds!;
    expect(onset).toBeGreaterThan(0);
    expect(blast.data.values[0]).toEqual({ flag: 'f', minute: 0, journeys: 0 });
    const first = blast.data.values.find((v) => v.journeys > 0)!;
    expect(first.minute * 60).toBeGreaterThanOrEqual(onset);
  });
});

describe('the failure counter counts evaluations', () => {
  it('a rollback says how many evaluations failed, beside the count of readings of every gate', () => {
    const r = runScenario(scenario({
      seed: 4,
      duration: '10m',
      traffic: { rate: '20/s', cohort: { size: 2000, seed: 1 } },
      journeys: { use: { steps: ['web.get'] } },
      services: { web: { concurrency: 500, latency: '10ms', errors: '1%', endpoints: { get: {} } } },
      flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.get': { errors: '+40%' } } } },
      rollout: [{ flag: 'f', 'evaluate-every': '1m', 'failure-limit': 1, stages: [{ to: '50%', hold: '10m' }, { to: '100%' }],
        gates: ['req_failed{service:web,flag:on} rate<0.05', 'req_failed{journey:use,flag:on} rate<0.05'] }],
    }));
    const lines = formatTimelines(r);
    // Two rounds of two gates, each reading failed: "2 failed readings" beside "4 failed" named two things alike.
    expect(lines.find((l) => /rollback/.test(l))).toMatch(/2m00s {2}rollback 2 failed evaluations, over the failure limit of 1; back to 0%$/);
    expect(lines).toContain('    gates: 4 readings, 4 failed, 0 inconclusive');
  });
});

describe('errors by cause', () => {
  it('names each service once, its causes after it', () => {
    const r = falseAlarm('rollback');
    const line = formatSummary(r).split('\n').find((l) => l.startsWith('errors by cause: '))!;
    expect(line).toMatch(/^errors by cause: web: [\d,]+ error, [\d,]+ downstream; db: [\d,]+ error$/);
    const web = r.services.web.errorsByCause;
    expect(line).toContain(`web: ${web.error.toLocaleString('en-US')} error, ${web.downstream.toLocaleString('en-US')} downstream;`);
  });
});

describe('a sweep says its figures in their units', () => {
  it('a time objective as a duration, rates as percentages, in the table, the recommendation and the warnings', () => {
    const file = join(work, 'ttd.yaml');
    writeFileSync(file, readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8')
      .replace("minimize: 'blast_radius_users{case:defective} p(95)'", "minimize: 'time_to_detect{case:defective} p(95)'"));
    const html = join(work, 'ttd.html');
    const r = rehearse(['sweep', file, '--seeds', '3', '--workers', '1', '--html', html]);
    expect(r.code).toBe(0);
    // 82.6 beside "1m20s" in the detect column read as another quantity.
    expect(r.out).toMatch(/^ {2}objective time_to_detect\{case:defective\} p\(95\) = (\d+m\d\ds|\d+(\.\d+)?s) \(95% interval /m);
    const table = r.out.split('\n').filter((l) => /^\d+\*? +new-engine/.test(l));
    expect(table.length).toBe(8);
    for (const row of table) expect(row).toMatch(/ (\d+m\d\ds|\d+(\.\d+)?s|-) \[(\d+m\d\ds|\d+(\.\d+)?s|\?), (\d+m\d\ds|\d+(\.\d+)?s|\?)\] +(yes|no)$/);
    // "holds at the point estimate (0) but not across its 95% interval (0..0.561497)" beside "0% (95% interval 0% to 56.1%)".
    const warnings = r.out.split('\n').filter((l) => l.startsWith('warning: "'));
    expect(warnings.length).toBeGreaterThan(0);
    for (const w of warnings) expect(w).toMatch(/holds at the point estimate \(\d+(\.\d+)?%\) but not across its 95% interval \(\d+(\.\d+)?% to \d+(\.\d+)?%\)/);
    expect(r.out).not.toMatch(/\d\.\.\d/);
    // The HTML report's heatmap writes each policy's objective as the table does (it wrote 82.57).
    const objectives = table.map((row) => row.match(/ (\S+) \[\S+, \S+\] +(yes|no)$/)![1]);
    const drawn = [...readFileSync(html, 'utf8').matchAll(/"shown":"([^"]*)"/g)].map((m) => m[1]);
    expect(drawn).toEqual(objectives);
  }, 300_000);
});

describe('tune.samples', () => {
  const tuned = (name: string, extra: string) => {
    const file = join(work, `${name}.yaml`);
    writeFileSync(file, readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8').replace('  seeds: 30\n', `  seeds: 30\n${extra}`));
    return file;
  };

  it('beside a grid search is refused, not ignored', () => {
    const r = rehearse(['sweep', tuned('grid-samples', '  samples: 3\n'), '--seeds', '1', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('tune.samples: samples draws policies for search: random, and this block searches the whole grid (all 8 policies): add search: random, or leave samples out');
    expect(r.out).not.toMatch(/\n\s+at /);
  }, 300_000);

  it('beyond the grid is refused, not cut to it', () => {
    const r = rehearse(['sweep', tuned('many-samples', '  search: random\n  samples: 30\n'), '--seeds', '1', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.out).toContain("tune.samples: 30 samples are more than the grid's 8 policies");
  }, 300_000);

  it('a path to a plan that matches none suggests the plan, and an index past the list says the list', () => {
    const file = tuned('bad-plan', '');
    writeFileSync(file, readFileSync(file, 'utf8').replace('rollout.new-engine.failure-limit:', 'rollout.new-engin.failure-limit:'));
    const r = rehearse(['sweep', file, '--seeds', '1', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('rollout.new-engin.failure-limit: no item with flag "new-engin"; did you mean "new-engine"? (plans: new-engine)');
    writeFileSync(file, readFileSync(file, 'utf8').replace('rollout.new-engin.failure-limit:', 'rollout.new-engine.failure-limit:').replace('rollout.new-engine.gates.0:', 'rollout.new-engine.gates.3:'));
    const index = rehearse(['sweep', file, '--seeds', '1', '--workers', '1']);
    expect(index.code).toBe(2);
    expect(index.out).toContain("rollout.new-engine.gates.3: there is no item 3 (the list's items are 0 to 0)");
  }, 300_000);

  it('within the grid draws that many policies', () => {
    const r = rehearse(['sweep', tuned('three-samples', '  search: random\n  samples: 3\n'), '--seeds', '1', '--workers', '1']);
    expect(r.code).not.toBe(2);
    expect(r.out).toContain('gate-tuning: 3 policies x 2 cases x 1 seed = 6 runs');
  }, 300_000);
});

describe('a new project outside the clone', () => {
  it('init --from-traces points the calibrated scenario at the schema as the scaffold does, not at ../schema', () => {
    const project = join(work, 'project');
    const r = rehearse(['init', project, '--from-traces', join(root, 'test/fixtures/traces/hotrod-otlp.json')], work);
    expect(r.code).toBe(0);
    const first = (f: string) => readFileSync(join(project, 'rehearsals', f), 'utf8').split('\n')[0];
    expect(first('new-checkout.yaml')).toMatch(/^# yaml-language-server: \$schema=https:\/\/unpkg\.com\/rollout-rehearsal@/);
    expect(first('from-traces.yaml')).toBe(first('new-checkout.yaml'));
    // In the clone the calibrated scenario keeps its path to the clone's schema.
    const inClone = rehearse(['calibrate', 'test/fixtures/traces/hotrod-otlp.json', '-q']);
    expect(inClone.stdout.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/scenario.schema.json');
    // Printed out of the clone, where it will be saved is not known: the published schema, true wherever it lands.
    const printed = rehearse(['calibrate', join(root, 'test/fixtures/traces/hotrod-otlp.json'), '-q'], work);
    expect(printed.stdout.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=https:\/\/unpkg\.com\/rollout-rehearsal@\d+\.\d+\.\d+\/schema\/scenario\.schema\.json$/);
  }, 300_000);

  it('import flags says the path a scenario in rehearsals/ needs, and that path loads', () => {
    const project = join(work, 'flags-project');
    mkdirSync(join(project, 'flags'), { recursive: true });
    mkdirSync(join(project, 'rehearsals'));
    cpSync(join(root, 'test/fixtures/vendor/flagd/samples/example_flags.flagd.json'), join(project, 'flags/example.flagd.json'));
    const printed = rehearse(['import', 'flags', 'flagd', 'flags/example.flagd.json'], project);
    expect(printed.code).toBe(0);
    const said = printed.stdout.match(/^# from: is read relative to the scenario file that holds it: flags\/example\.flagd\.json is this folder's path; from a scenario in rehearsals\/ it is (\S+)$/m);
    expect(said?.[1]).toBe('../flags/example.flagd.json');
    writeFileSync(join(project, 'rehearsals/s.yaml'), [
      'name: s', 'duration: 5m', 'traffic: { rate: 5/s }', 'journeys: { use: { steps: [web.get] } }',
      'services: { web: { latency: 5ms, endpoints: { get: {} } } }',
      `flags: { from: { flagd: ${said![1]} }, myBoolFlag: { kind: ops, owner: team, evaluated-by: [web] } }`, '',
    ].join('\n'));
    const valid = rehearse(['validate', 'rehearsals/s.yaml'], project);
    expect(valid.out).toContain('rehearsals/s.yaml: ok');
    expect(valid.code).toBe(0);
  }, 300_000);
});

describe('a flag file that is not there', () => {
  it('is named as the scenario writes it, and where it was looked for from where the command runs', () => {
    const dir = join(work, 'paths');
    mkdirSync(join(dir, 'rehearsals'), { recursive: true });
    const file = readFileSync(join(root, 'scenarios/checkout.yaml'), 'utf8') + '\nflags:\n  from:\n    flagd: ../flags/missing.json\n';
    writeFileSync(join(dir, 'rehearsals', 'shop.yaml'), file);
    const r = rehearse(['validate', 'rehearsals/shop.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.out).toContain('flags.from.flagd: ../flags/missing.json: cannot read the flag file: ');
    expect(r.out).toContain("(looked for flags/missing.json: a path in flags.from is relative to the scenario's folder)");
    // From the scenario's own folder the path as written is the one to open: nothing more is said.
    const there = rehearse(['validate', 'shop.yaml'], join(dir, 'rehearsals'));
    expect(there.code).toBe(2);
    expect(there.out).not.toContain('looked for');
  });
});

describe('docs/sweeps.md', () => {
  it('shows the tune block of the file it names', () => {
    const page = readFileSync(join(root, 'docs/sweeps.md'), 'utf8');
    expect(page).toContain('`scenarios/gate-tuning.yaml` tunes an error-rate gate\'s\nthreshold and failure limit:\n\n```yaml\ntune:');
    const shown = parse(page.split('```yaml\n')[1].split('```')[0]);
    const file = parse(readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8'));
    expect(shown.tune).toEqual(file.tune);
  });
});

describe('ci against a baseline', () => {
  it('counts the outcomes that got worse in the table as outcomes, beside the cases under it', () => {
    const project = join(work, 'ci-project');
    expect(rehearse(['init', project], work).code).toBe(0);
    expect(rehearse(['ci', '--json', 'reports/ci.json'], project).code).toBe(0);
    const scenarioFile = join(project, 'rehearsals/new-checkout.yaml');
    writeFileSync(scenarioFile, readFileSync(scenarioFile, 'utf8').replace('max<300', 'max<3').replace('failure-limit: 1 ', 'failure-limit: 3 '));
    const r = rehearse(['ci', '--baseline', 'reports/ci.json'], project);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✘ FAIL +new-checkout \[defective\] .* 2 outcomes worse$/m);
    expect(r.stdout).toMatch(/^✘ FAIL: 2 cases: 1 PASS, 1 FAIL, 0 INVALID, 0 CRASHED; 1 worse than the baseline$/m);
    expect(r.stdout).toMatch(/new-checkout \[defective\]: was passing, now failed; new-checkout time to detect: 1m20s → \d+m\d\ds/);
  }, 300_000);
});

describe('messages for a mistyped command and a failed hand-over', () => {
  it('help NAME for no command says so, with the closest command, exit 2', () => {
    const r = rehearse(['help', 'valdate']);
    expect(r.code).toBe(2);
    expect(r.out.trim()).toBe('help: no command "valdate"; did you mean "validate"? (rehearse --help lists them)');
    const known = rehearse(['help', 'sweep']);
    expect(known.code).toBe(0);
    expect(known.out).toContain('Usage: rehearse sweep [options] <scenario>');
  });

  it('init --from-traces with traces that do not read says the scaffold is written and how to finish, exit 2', () => {
    const project = join(work, 'bad-traces');
    const traces = join(root, 'test/fixtures/traces/jaeger-anonymizer-scan_error.json');
    const r = rehearse(['init', project, '--from-traces', traces], work);
    expect(r.code).toBe(2);
    expect(r.out).toContain('jaeger-anonymizer-scan_error.json:2:1: unexpected "]" after ",": JSON allows no trailing comma');
    const target = join(project, 'rehearsals', 'from-traces.yaml');
    expect(r.out).toContain(`${target} not written: the traces did not calibrate (above); the scaffold is in place: fix the traces, then run rehearse calibrate ${traces} --out ${target}`);
    expect(readFileSync(join(project, 'rehearsals', 'new-checkout.yaml'), 'utf8')).toMatch(/^# yaml-language-server/);
  }, 120_000);
});
