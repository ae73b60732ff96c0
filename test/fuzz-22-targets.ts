/**
 * The importers test/fuzz-22.test.ts mutates the files of: each real file with the command that reads it. `argv`
 * gets the mutant's path and a fresh folder to write beside it (a scenario that names the mutant, an output).
 */
import { copyFileSync, existsSync, symlinkSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test', 'fixtures');

export interface Target {
  kind: string;
  /** The real file mutated. */
  file: string;
  argv: (mutant: string, dir: string) => string[];
  /** The folder under the mutant's own where it is written, with links to the repository's folders it names. */
  under?: string;
}

const files = (dir: string, ext = /\.(ya?ml|json)$/): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p, ext);
    return ext.test(f) && statSync(p).size < 300_000 ? [p] : [];
  });

const realsys = ['frontend', 'cart', 'db'].map((s) => join(fixtures, 'realsys', 'base', `${s}.otlp.json`));

/** A scenario beside the mutant that reads it as `key` (its text with MUTANT for the mutant's name). */
function scenarioNaming(dir: string, mutant: string, text: string): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, text.replaceAll('MUTANT', basename(mutant)));
  return file;
}

const thanos = readFileSync(join(root, 'examples/prometheus/thanos-receive.yaml'), 'utf8');
const consumerFirst = readFileSync(join(root, 'scenarios/consumer-first.yaml'), 'utf8');

export function targets(): Target[] {
  const out: Target[] = [];
  const add = (kind: string, list: string[], argv: Target['argv']) => list.forEach((file) => out.push({ kind, file, argv }));
  const flagFiles = (system: string, dirs: string[], test: RegExp) => dirs.flatMap((d) => files(d)).filter((f) => test.test(f));
  add('flagd', flagFiles('flagd', [join(fixtures, 'vendor/flagd'), join(root, 'flags')], /flagd|\/vendor\/flagd\//), (m) => ['import', 'flags', 'flagd', m]);
  add('unleash', flagFiles('unleash', [join(fixtures, 'vendor/unleash'), join(root, 'flags')], /unleash/), (m) => ['import', 'flags', 'unleash', m]);
  add('launchdarkly', flagFiles('launchdarkly', [join(fixtures, 'vendor/launchdarkly'), join(root, 'flags')], /launchdarkly/), (m) => ['import', 'flags', 'launchdarkly', m]);
  add('argo', [...files(join(fixtures, 'vendor/argo')), join(root, 'examples/argo/rollout.yaml')], (m) => ['import', 'argo', m]);
  add('argo-templates', [join(root, 'examples/argo/analysis-templates.yaml')], (m) => ['import', 'argo', join(root, 'examples/argo/rollout.yaml'), m]);
  add('flagger', [...files(join(fixtures, 'vendor/flagger')), join(root, 'examples/flagger/canary.yaml')], (m) => ['import', 'flagger', m]);
  add('flagger-templates', [join(root, 'examples/flagger/metric-templates.yaml')], (m) => ['import', 'flagger', join(root, 'examples/flagger/canary.yaml'), m]);
  const ruleFiles = [
    ...files(join(fixtures, 'rules')), ...files(join(fixtures, 'vendor/rulefmt')), ...files(join(fixtures, 'vendor/promtool')),
    ...files(join(fixtures, 'vendor/sloth')), ...files(join(fixtures, 'vendor/pyrra')), ...files(join(fixtures, 'vendor/prometheus-operator')),
    ...files(join(fixtures, 'vendor/kube-prometheus')), join(root, 'examples/prometheus/slo-rules.yaml'),
  ].filter((f) => !/unittest|README/.test(f));
  const ruleScenario = thanos.replace(/ {6}- \{ alert: [^\n]*/, "      - 'req_failed rate<0.5'").replace('rules: [slo-rules.yaml]', 'rules: [MUTANT]');
  add('rules', ruleFiles, (m, dir) => ['validate', scenarioNaming(dir, m, ruleScenario)]);
  const traces = files(join(fixtures, 'traces'), /\.json$/).concat(files(join(fixtures, 'otlp'), /\.json$/)).filter((f) => !/invalid_json|scan_error/.test(f));
  add('traces', traces, (m, dir) => ['calibrate', m, '--out', join(dir, 'out.yaml'), '-q']);
  add('deployments', files(join(fixtures, 'k8s')).concat(files(join(fixtures, 'vendor/kubernetes'))), (m, dir) => {
    for (const f of files(join(fixtures, 'k8s'))) if (basename(f) !== basename(m)) copyFileSync(f, join(dir, basename(f)));
    return ['calibrate', ...realsys, '--deployment', dir, '--sample-rate', '0.6', '--out', join(dir, 'out.yaml'), '-q'];
  });
  add('cohorts', [join(root, 'cohorts/shoppers.json')], (m, dir) => ['validate', scenarioNaming(dir, m, consumerFirst.replace('../cohorts/shoppers.json', 'MUTANT'))]);
  for (const file of files(join(root, 'scenarios')).concat(files(join(root, 'examples'), /first-scenario/))) {
    out.push({ kind: 'scenarios', file, under: 'scenarios', argv: (m, dir) => {
      for (const d of ['flags', 'cohorts']) if (!existsSync(join(dir, d))) symlinkSync(join(root, d), join(dir, d));
      return ['validate', m];
    } });
  }
  return out;
}
