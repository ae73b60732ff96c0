/**
 * Multiwindow burn-rate alerts from generated rule files over simulated series, against the real thing:
 * Sloth's generated rules (slok/sloth examples/_gen/getting-started.yml, as they are) and the rules Pyrra
 * generates for its http-ratio objective (transcribed from pyrra-dev/pyrra slo/rules_test.go; evaluated every
 * 30s, alerts with for:).
 * - `promtool test rules` (Prometheus 2.42) on a unit test written from each run: the simulated series as its
 *   input, the ALERTS series rehearse's rules wrote at every evaluation as the expected result. promtool
 *   evaluates the same rules over the same series and must find the same pending and firing alerts at every
 *   evaluation, so each alert fires in the same simulated minute as the rollout's alert gate saw it fire.
 * - a real Prometheus holding the simulated series and the series rehearse recorded: each recording rule's and
 *   each alert's query, evaluated by Prometheus at every evaluation, gives what rehearse computed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { formatLabels, formatNumber, observeSeries, writeOpenMetrics, type ScrapeSeries } from '../src/observe/metrics.js';
import type { Labels } from '../src/metrics/series.js';
import { evaluate } from '../src/promql/eval.js';
import { RuleEngine } from '../src/promql/rules.js';
import { runScenario, type RunResult } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { PrometheusServer, prometheusAvailable } from './prometheus.js';
import { promtool, promtoolTestText, type Point } from './promtool.js';

const root = new URL('..', import.meta.url).pathname;
const available = prometheusAvailable();

const CASES = [
  {
    name: 'Sloth\'s generated rules (getting-started SLO)', scenario: 'test/fixtures/rules/sloth-availability.yaml',
    rules: 'test/fixtures/vendor/sloth/_gen/getting-started.yml', alert: 'MyServiceAvailabilitySLO', gated: { sloth_severity: 'page' },
    firesAt: '35m00s', family: 'http_request_duration_seconds_count',
  },
  {
    name: 'Pyrra\'s generated rules (http-ratio objective)', scenario: 'test/fixtures/rules/pyrra-availability.yaml',
    rules: 'test/fixtures/rules/pyrra-http-ratio.yaml', alert: 'ErrorBudgetBurn', gated: { severity: 'critical' },
    firesAt: '13m30s', family: 'http_requests_total',
  },
];

describe.each(CASES)('alerts of $name', (c) => {
  let scenario: Scenario;
  let series: ScrapeSeries;
  let result: RunResult;
  let engine: RuleEngine;
  let dir: string;
  let step: number;

  /** Rule evaluation times (ms after the start). */
  const evaluations = () => Array.from({ length: Math.floor(scenario.durationUs / 1000 / step) + 1 }, (_, k) => k * step);
  const vectorAt = (q: string, tMs: number) => {
    const r = evaluate(q, engine, series.epochMs + tMs);
    return r.type === 'scalar' ? [{ labels: {} as Labels, value: r.value }] : r.samples;
  };
  const matching = (l: Labels) => Object.entries(c.gated).every(([k, v]) => l[k] === v);

  beforeAll(() => {
    const loaded = loadScenarioFile(join(root, c.scenario));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    scenario = loaded.scenario;
    result = runScenario(scenario, { observe: (sim) => (series = observeSeries(sim, scenario)) });
    // The same rules over the run's series, evaluated again after the run: what the gate read, at every evaluation.
    engine = new RuleEngine(scenario.metrics.rules, series, series.epochMs);
    engine.advance(series.epochMs + scenario.durationUs / 1000);
    const intervals = new Set(scenario.metrics.rules.map((g) => g.intervalMs));
    expect(intervals.size).toBe(1);
    step = [...intervals][0];
    dir = mkdtempSync(join(tmpdir(), 'rehearse-rules-'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rolls the release back when the gated alert fires', () => {
    const plan = result.rollouts[0];
    expect(plan.outcome).toBe('rolled-back');
    const rollback = plan.decisions.find((d) => d.action === 'rollback')!;
    expect(rollback.reason).toContain(`: firing since ${c.firesAt}`);
    // The gate's first failing reading is the first evaluation at which the alert fires in the rules' own series.
    const firing = evaluations().find((t) => vectorAt(`ALERTS{alertname="${c.alert}",alertstate="firing"}`, t).some((s) => matching(s.labels)));
    expect(firing! / 1000).toBe(rollback.timeSeconds);
  });

  it.skipIf(!available)('fires at the same evaluation under promtool test rules, with every pending and firing alert the same', () => {
    // promtool reads plain rule groups: a PrometheusRule's spec.groups, as the Prometheus Operator writes them.
    const doc = parse(readFileSync(join(root, c.rules), 'utf8').replace(/^\s*---\s*$/m, ''));
    const rules = join(dir, 'rules.yml');
    writeFileSync(rules, doc.kind === 'PrometheusRule' ? stringify({ groups: doc.spec.groups }) : readFileSync(join(root, c.rules), 'utf8'));
    // Input: the family the SLI queries read, one value per scrape (promtool's time 0 is the run's start).
    const scrape = series.intervalMs;
    const input = series.series(c.family).map((s) => {
      const values: Point[] = Array.from({ length: series.scrapes + 1 }, () => null);
      for (let i = 0; i < s.length; i++) values[Math.round((s.time(i) - series.epochMs) / scrape)] = s.value(i);
      return { labels: s.labels, values };
    });
    expect(input.length).toBeGreaterThan(2);
    const exprTests = evaluations().map((t) => ({ expr: `ALERTS{alertname="${c.alert}"}`, evalTime: `${t / 1000}s`, samples: vectorAt(`ALERTS{alertname="${c.alert}"}`, t) }));
    // The gated alert's trajectory is not trivial: firing at some evaluations, absent at others.
    const gated = exprTests.map((q) => q.samples.filter((s) => matching(s.labels)));
    expect(gated.filter((p) => p.some((s) => s.labels.alertstate === 'firing')).length).toBeGreaterThan(0);
    expect(gated.filter((p) => p.length === 0).length).toBeGreaterThan(10);
    // All groups in the file's order, as rehearse evaluates them at a shared time (recordings before alerts);
    // without group_eval_order promtool takes them in a random order.
    const groupEvalOrder = readRuleFile(readFileSync(join(root, c.rules), 'utf8'), c.rules).groups.map((g) => g.name);
    const file = join(dir, 'test.yml');
    const test = (tests: typeof exprTests) => promtoolTestText({
      ruleFiles: [rules], evaluationInterval: `${step / 1000}s`, groupEvalOrder, interval: `${scrape / 1000}s`, inputSeries: input, exprTests: tests,
    });
    writeFileSync(file, test(exprTests));
    const r = promtool(file);
    expect(r.output.slice(0, 3000)).toContain('SUCCESS');
    expect(r.ok).toBe(true);
    // The oracle can disagree: alerts expected one evaluation early fail it.
    writeFileSync(file, test(exprTests.map((q, i) => ({ ...q, samples: exprTests[Math.min(i + 1, exprTests.length - 1)].samples }))));
    expect(promtool(file).ok).toBe(false);
  }, 120_000);

  describe.skipIf(!available)('against a real Prometheus holding the simulated and the recorded series', () => {
    let server: PrometheusServer;
    beforeAll(async () => {
      let simulated = '';
      writeOpenMetrics(series, (chunk) => (simulated += chunk));
      // The series rehearse's rules recorded, as gauges (staleness markers are not written).
      let recorded = '';
      for (const name of new Set(scenario.metrics.rules.flatMap((g) => g.rules.filter((r) => r.kind === 'record').map((r) => r.name)))) {
        recorded += `# TYPE ${name} gauge\n`;
        for (const s of engine.series(name)) {
          for (let i = 0; i < s.length; i++) if (!s.stale?.(i)) recorded += `${name}${formatLabels(s.labels)} ${formatNumber(s.value(i))} ${s.time(i) / 1000}\n`;
        }
      }
      writeFileSync(join(dir, 'simulated.om'), simulated);
      writeFileSync(join(dir, 'recorded.om'), `${recorded}# EOF\n`);
      server = await PrometheusServer.start([join(dir, 'simulated.om'), join(dir, 'recorded.om')]);
    }, 180_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('gives every recording rule\'s and alert\'s query the values rehearse computed', async () => {
      const key = (l: Labels) => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));
      const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)));
      const failures: string[] = [];
      let compared = 0, withData = 0;
      const rules = scenario.metrics.rules.flatMap((g) => g.rules);
      for (const rule of rules) {
        for (const t of evaluations()) {
          const theirs = await server.query(rule.query, series.epochMs + t);
          if (theirs.status !== 'success') {
            failures.push(`${rule.name} @ ${t / 1000}s: Prometheus: ${theirs.error}`);
            continue;
          }
          const list = theirs.data!.resultType === 'scalar'
            ? [{ metric: {}, value: theirs.data!.result as [number, string] }]
            : theirs.data!.result as { metric: Record<string, string>; value: [number, string] }[];
          const p = new Map(list.map((x) => [key(x.metric), Number(x.value[1])]));
          const mine = vectorAt(rule.query, t);
          compared++;
          if (p.size > 0) withData++;
          if (p.size !== mine.length || mine.some((s) => !p.has(key(s.labels)) || !same(s.value, p.get(key(s.labels))!))) {
            failures.push(`${rule.name} @ ${t / 1000}s: ${JSON.stringify(mine)} vs ${JSON.stringify([...p])}`);
          }
          // What a recording rule wrote at t is its query's result there, under its name and labels.
          if (rule.kind === 'record') {
            const written = vectorAt(rule.name, t);
            const want = mine.map((s) => ({ labels: { ...s.labels, __name__: rule.name, ...rule.labels }, value: s.value }));
            if (written.length !== want.length || want.some((w) => !written.some((s) => key(s.labels) === key(w.labels) && same(s.value, w.value)))) {
              failures.push(`${rule.name} @ ${t / 1000}s: recorded ${JSON.stringify(written)}, query gives ${JSON.stringify(want)}`);
            }
          }
        }
      }
      expect(failures.slice(0, 20)).toEqual([]);
      expect(withData).toBeGreaterThan(compared / 2);
      console.info(`Rules differential (${c.name}): ${rules.length} rules x ${evaluations().length} evaluations = ${compared} comparisons, ${withData} with data`);
    }, 180_000);
  });
});
