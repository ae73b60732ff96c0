/**
 * Hostile values for every command's options and arguments (test/fuzz-22.test.ts): each command's base command line
 * (valid, small), and the values to put in place of each option's value or each argument.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './fuzz-22-targets.js';

const tiny = readFileSync(join(root, 'test/fixtures/tiny-tuned.yaml'), 'utf8');

/** The files the command lines read, in `dir`; the special files hostile values name. */
export function setUp(dir: string): Record<string, string> {
  const f = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  mkdirSync(join(dir, 'ci'), { recursive: true });
  writeFileSync(join(dir, 'ci', 'tiny.yaml'), tiny);
  mkdirSync(join(dir, 'a-folder'), { recursive: true });
  const fifo = join(dir, 'a-fifo');
  execFileSync('mkfifo', [fifo]);
  const locked = f('locked.yaml', tiny);
  chmodSync(locked, 0o000);
  copyFileSync(join(root, 'test/fixtures/drill-0.13.0/drill.journal'), join(dir, 'drill.journal'));
  return { tiny: f('tiny.yaml', tiny), dir, folder: join(dir, 'a-folder'), fifo, locked, out: join(dir, 'out') };
}

/** Values for an option or argument: empty, negative, huge, not numbers, special files, names with controls. */
export function hostileValues(files: Record<string, string>): string[] {
  return ['', ' ', '-1', '0', '1e999', 'NaN', 'Infinity', '99999999999999999999999', '0x10', '1.5', '-', files.folder, files.fifo, '/dev/zero', files.locked,
    join(files.dir, 'new\nline'), join(files.dir, 'rtl\u202eevil'), join(files.dir, 'rlm\u200fevil.yaml'), join(files.dir, 'no', 'such', 'folder', 'x'), 'x'.repeat(5000)];
}

/** Each command's base command line, valid, with where its options' values go. */
export function commandLines(files: Record<string, string>): { name: string; argv: string[]; options: string[] }[] {
  const o = files.out;
  const realsys = ['frontend', 'catalog'].map((s) => join(root, 'test', 'fixtures', 'realsys', 'base', `${s}.otlp.json`));
  return [
    { name: 'run', argv: ['run', files.tiny, '-q'], options: ['--seed', '--case', '--json', '--html', '--openmetrics', '--traces', '--trace-sample', '--trace-format'] },
    { name: 'validate', argv: ['validate', files.tiny], options: [] },
    { name: 'ci', argv: ['ci', join(files.dir, 'ci'), '--workers', '1'], options: ['--junit', '--summary', '--json', '--baseline', '--seed', '--html-dir', '--workers'] },
    { name: 'sweep', argv: ['sweep', files.tiny, '--workers', '1', '-q'], options: ['--seeds', '--workers', '--json', '--html', '--shard', '--resume', '--write-back'] },
    { name: 'report', argv: ['report', `${o}.json`, '--html', `${o}.html`], options: ['--html'] },
    { name: 'cohorts generate', argv: ['cohorts', 'generate', '--size', '10', '--out', `${o}.cohort.json`], options: ['--size', '--out', '--seed', '--name', '--attribute', '--segment'] },
    { name: 'bucket', argv: ['bucket', '--system', 'flagd', '--flag', 'f', '--user', 'u', '--percent', '50'], options: ['--system', '--flag', '--user', '--salt', '--seed', '--hash-version', '--percent'] },
    { name: 'gameday debrief', argv: ['gameday', 'debrief', join(files.dir, 'drill.journal'), '--scenario', join(root, 'test/fixtures/drill-0.13.0/drill.yaml'), '--out', `${o}-debrief`], options: ['--scenario', '--out'] },
    { name: 'lint', argv: ['lint', files.tiny], options: ['--today'] },
    { name: 'export k6', argv: ['export', 'k6', join(root, 'scenarios/unleash-shop.yaml'), '--base-url', 'http://localhost:1', '--out', `${o}.k6.ts`], options: ['--base-url', '--out', '--key-header'] },
    { name: 'flags eval', argv: ['flags', 'eval', join(root, 'flags/demo.flagd.json'), '--flag', 'new-checkout', '--context', '{"targetingKey":"u"}'], options: ['--flag', '--context', '--system', '--environment', '--default', '--fractional', '--selector'] },
    { name: 'import flags', argv: ['import', 'flags', 'flagd', join(root, 'flags/demo.flagd.json')], options: ['--cohort', '--environment', '--selector'] },
    { name: 'import argo', argv: ['import', 'argo', join(root, 'examples/argo/rollout.yaml'), join(root, 'examples/argo/analysis-templates.yaml')], options: ['--flag', '--arg', '--service', '--rollout'] },
    { name: 'import flagger', argv: ['import', 'flagger', join(root, 'examples/flagger/canary.yaml'), join(root, 'examples/flagger/metric-templates.yaml')], options: ['--flag', '--canary'] },
    { name: 'init', argv: ['init', `${o}-init`], options: ['--template', '--from-traces', '--from-argo', '--rollout'] },
    { name: 'calibrate', argv: ['calibrate', ...realsys, '--out', `${o}.calibrated.yaml`, '-q'], options: ['--out', '--group-by', '--latency', '--sample-rate', '--name', '--duration', '--capacity', '--deployment', '--replica-concurrency', '--wait-attribute', '--check', '--predict', '--resamples'] },
    { name: 'schema', argv: ['schema', '--out', `${o}.schema.json`], options: ['--out'] },
  ];
}

/** Every command line: each command's base with each option's value, and each of its arguments, made hostile. */
export function allCommandLines(files: Record<string, string>): string[][] {
  const out: string[][] = [];
  for (const c of commandLines(files)) {
    for (const option of c.options) {
      for (const v of hostileValues(files)) {
        const i = c.argv.indexOf(option);
        out.push(i >= 0 ? c.argv.map((a, j) => (j === i + 1 ? v : a)) : [...c.argv, option, v]);
      }
    }
    const firstOption = c.argv.findIndex((a) => a.startsWith('-'));
    const words = c.name.split(' ').length;
    for (let p = words; p < (firstOption < 0 ? c.argv.length : firstOption); p++) {
      for (const v of hostileValues(files)) out.push(c.argv.map((a, j) => (j === p ? v : a)));
    }
  }
  return out;
}
