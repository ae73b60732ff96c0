/**
 * Files the command may not read, and folders it may not write, as a user who is not root (test/unprivileged.ts:
 * the tests run as root here and in CI, and root reads and writes anything). Each is rehearse's own message naming
 * the file, exit 2, no stack trace; an output is refused before any work, and nothing is left half written.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asNobody, sharedFolder, unprivileged } from './unprivileged.js';

const root = new URL('..', import.meta.url).pathname;
const dir = sharedFolder('rehearse-unprivileged-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at \S|TypeError|RangeError|ERR_/);
const rehearse = (...argv: string[]) => unprivileged(dir, ...argv);

const tiny = readFileSync(join(root, 'test/fixtures/tiny-tuned.yaml'), 'utf8');

/** A file in the folder with `text`, or a copy of the repository's `from`, made unreadable when `locked`. */
function file(name: string, text: string | { from: string }, locked = false): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  if (typeof text === 'string') writeFileSync(path, text);
  else copyFileSync(join(root, text.from), path);
  chmodSync(path, locked ? 0o000 : 0o644);
  return name;
}

const scenario = file('tiny.yaml', tiny);
const run = join('runs', 'run.json');
mkdirSync(join(dir, 'runs'), { mode: 0o777 });
chmodSync(join(dir, 'runs'), 0o777);
// A folder the user may read but not write.
mkdirSync(join(dir, 'ro'));
chmodSync(join(dir, 'ro'), 0o555);

it('the commands run as a user who is not root, who can read the shared files', () => {
  if (asNobody) {
    const r = unprivileged(dir, 'run', scenario, '-q', '--json', run);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, run), 'utf8')).toContain('"rehearse/run@1"');
  }
  expect(process.getuid?.() === 0 ? asNobody : true).toBe(true);
});

describe('an input it may not read', () => {
  it.each([
    ['a scenario', () => ['validate', file('locked.yaml', tiny, true)], 'locked.yaml: cannot read the scenario: permission denied'],
    ['a scenario, run', () => ['run', file('locked.yaml', tiny, true), '-q'], 'locked.yaml: cannot read the scenario: permission denied'],
    ['a scenario, swept', () => ['sweep', file('locked.yaml', tiny, true), '--workers', '1', '-q'], 'locked.yaml: cannot read the scenario: permission denied'],
    ['a scenario, drilled', () => ['gameday', file('locked.yaml', tiny, true), '--out', join('runs', 'drill')], 'locked.yaml: cannot read the scenario: permission denied'],
    ['a scenario in a folder it may not enter', () => {
      file('shut/tiny.yaml', tiny);
      chmodSync(join(dir, 'shut'), 0o700);
      return ['validate', 'shut/tiny.yaml'];
    }, 'shut/tiny.yaml: cannot read the scenario: permission denied'],
    ['a flag file', () => ['import', 'flags', 'flagd', file('locked.flagd.json', { from: 'flags/demo.flagd.json' }, true)], 'locked.flagd.json: cannot read the flag file: permission denied'],
    ['a flag file a scenario imports', () => {
      file('flags/demo.flagd.json', { from: 'flags/demo.flagd.json' }, true);
      return ['validate', file('scenarios/flagd-shop.yaml', { from: 'scenarios/flagd-shop.yaml' })];
    }, /^scenarios\/flagd-shop\.yaml:\d+:\d+: .*\.\.\/flags\/demo\.flagd\.json: cannot read the flag file: permission denied/m],
    ['a rule file', () => {
      file('prom/slo-rules.yaml', { from: 'examples/prometheus/slo-rules.yaml' }, true);
      return ['validate', file('prom/thanos-receive.yaml', { from: 'examples/prometheus/thanos-receive.yaml' })];
    }, /^prom\/thanos-receive\.yaml:28:11: metrics\.rules\[0\]: cannot read the rule file slo-rules\.yaml: permission denied$/m],
    ['a cohort file', () => {
      file('cohorts/shoppers.json', { from: 'cohorts/shoppers.json' }, true);
      return ['validate', file('scenarios/consumer-first.yaml', { from: 'scenarios/consumer-first.yaml' })];
    }, /^scenarios\/consumer-first\.yaml:\d+:\d+: traffic\.cohort: cohort file \.\.\/cohorts\/shoppers\.json.*: permission denied$/m],
    ['an Argo Rollout', () => ['import', 'argo', file('rollout.yaml', { from: 'examples/argo/rollout.yaml' }, true), join(root, 'examples/argo/analysis-templates.yaml')], /^rollout\.yaml: .*permission denied$/m],
    ['a trace file', () => ['calibrate', file('locked.otlp.json', { from: 'test/fixtures/realsys/base/frontend.otlp.json' }, true), '-q'], 'locked.otlp.json: cannot read: permission denied'],
    ['a folder of Kubernetes resources', () => {
      file('k8s/workloads.yaml', { from: 'test/fixtures/k8s/workloads.yaml' });
      chmodSync(join(dir, 'k8s'), 0o700);
      return ['calibrate', join(root, 'test/fixtures/realsys/base/frontend.otlp.json'), '--deployment', 'k8s', '-q'];
    }, '--deployment: k8s: cannot read the folder: permission denied'],
    ['a run document', () => ['report', file('locked-run.json', '{}', true), '--html', join('runs', 'r.html')], 'locked-run.json: cannot read: permission denied'],
    ['a baseline', () => ['ci', file('ci/tiny.yaml', tiny).replace(/\/tiny\.yaml$/, ''), '--workers', '1', '--baseline', file('locked-run.json', '{}', true)], 'locked-run.json: cannot read: permission denied'],
    ['a drill journal', () => ['gameday', 'debrief', file('locked.journal', { from: 'test/fixtures/drill-0.13.0/drill.journal' }, true), '--scenario', join(root, 'test/fixtures/drill-0.13.0/drill.yaml'), '--out', join('runs', 'debrief')], 'locked.journal: cannot read the journal: permission denied'],
    ['a drill journal, replayed', () => ['gameday', 'replay', file('locked.journal', { from: 'test/fixtures/drill-0.13.0/drill.journal' }, true), '--out', join('runs', 'replay')], 'locked.journal: cannot read: permission denied'],
  ])('%s: exit 2, its own message naming the file', (_what, argv, message) => {
    const r = rehearse(...argv());
    expect(r.code, r.err).toBe(2);
    if (typeof message === 'string') expect(r.err.trim()).toBe(message);
    else expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/cannot read: cannot read|cannot read the \w+( \w+)?: cannot read/);
    noStack(r.err);
  });

  it('init --from-traces with traces it may not read writes no scaffold', () => {
    const r = rehearse('init', join('runs', 'project'), '--from-traces', file('locked.otlp.json', { from: 'test/fixtures/realsys/base/frontend.otlp.json' }, true));
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim()).toBe('--from-traces: locked.otlp.json: cannot read: permission denied');
    expect(existsSync(join(dir, 'runs', 'project'))).toBe(false);
  });
});

describe('an output in a folder it may not write', () => {
  const refused = (path: string) => `${path}: cannot write: ${join(dir, 'ro')} is not writable (permission denied)`;
  it.each([
    ['run --json', ['run', scenario, '-q', '--json', 'ro/a.json'], 'ro/a.json'],
    ['run --html', ['run', scenario, '-q', '--html', 'ro/a.html'], 'ro/a.html'],
    ['run --openmetrics', ['run', scenario, '-q', '--openmetrics', 'ro/a.om'], 'ro/a.om'],
    ['run --traces', ['run', scenario, '-q', '--traces', 'ro/a.json'], 'ro/a.json'],
    ['sweep --json', ['sweep', scenario, '--workers', '1', '-q', '--json', 'ro/s.json'], 'ro/s.json'],
    ['sweep --html', ['sweep', scenario, '--workers', '1', '-q', '--html', 'ro/s.html'], 'ro/s.html'],
    ['sweep --write-back', ['sweep', scenario, '--workers', '1', '-q', '--write-back', 'ro/tuned'], 'ro/tuned/rollout.yaml'],
    ['ci --junit', ['ci', 'ci', '--workers', '1', '--junit', 'ro/j.xml'], 'ro/j.xml'],
    ['ci --html-dir', ['ci', 'ci', '--workers', '1', '--html-dir', 'ro/html'], 'ro/html/index.html'],
    ['init', ['init', 'ro/project'], 'ro/project/.github/workflows/rehearse.yml'],
    ['export k6 --out', ['export', 'k6', join(root, 'scenarios/unleash-shop.yaml'), '--base-url', 'http://localhost:1', '--out', 'ro/k6.ts'], 'ro/k6.ts'],
    ['cohorts generate --out', ['cohorts', 'generate', '--size', '10', '--out', 'ro/c.json'], 'ro/c.json'],
    ['calibrate --out', ['calibrate', join(root, 'test/fixtures/realsys/base/frontend.otlp.json'), '--out', 'ro/c.yaml', '-q'], 'ro/c.yaml'],
    ['gameday --out', ['gameday', join(root, 'test/fixtures/drill.yaml'), '--out', 'ro/drill'], 'ro/drill.journal'],
  ])('%s: exit 2 before any work, naming the file and the folder', (_what, argv, path) => {
    file('ci/tiny.yaml', tiny);
    const r = rehearse(...argv);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim()).toBe(refused(path));
    expect(r.out).toBe('');
    noStack(r.err);
    expect(readdirSync(join(dir, 'ro'))).toEqual([]);
  });

  it('report --html: refused before the run document is read', () => {
    expect(rehearse('run', scenario, '-q', '--json', run).code).toBe(0);
    const r = rehearse('report', run, '--html', 'ro/r.html');
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim()).toBe(refused('ro/r.html'));
  });

  it('run with --json where it may write and --html where it may not writes neither', () => {
    const r = rehearse('run', scenario, '-q', '--json', join('runs', 'both.json'), '--html', 'ro/both.html');
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim()).toBe(refused('ro/both.html'));
    expect(existsSync(join(dir, 'runs', 'both.json'))).toBe(false);
  });
});
