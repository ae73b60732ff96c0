/**
 * The run report's service panels draw flag on against off on the services that evaluate the flag in the case
 * that ran (its result's topology), not in the scenario: a case can make more services evaluate a flag. Checked
 * in the page as chromium renders it (Debian's chromium through playwright-core).
 *
 * web.buy (10 ms) calls a.get (20 ms); flag f, evaluated by web, adds 5 ms to web, held at 50% of 2,000 users.
 * Case healthy: as the scenario. Case deep: f evaluated by web and a, and adds 50 ms to a. Every latency is
 * constant, so each panel's p99 is known:
 *   healthy: web on 10 + 5 + 20 = 35 ms, off 10 + 20 = 30 ms; a does not evaluate f: its panel has all calls
 *   alone (20 ms), one line.
 *   deep: web on 10 + 5 + 20 + 50 = 85 ms, off 30 ms; a on 20 + 50 = 70 ms, off 20 ms: three lines on a's panel.
 * (p99 is read from a histogram: within 1% of these.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { runReportHtml } from '../src/report/html/run.js';
import { serviceCharts } from '../src/report/html/series.js';
import { runScenario, type RunResult } from '../src/score/result.js';
import { launchChromium } from './chromium.js';

const doc = {
  name: 'evaluators',
  seed: 1,
  duration: '6m',
  traffic: { rate: '20/s', cohort: { size: 2000, seed: 1 } },
  journeys: { buy: { steps: ['web.buy'] } },
  services: { web: { latency: '10ms', endpoints: { buy: { calls: ['a.get'] } } }, a: { latency: '20ms', endpoints: { get: {} } } },
  flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { web: { latency: '+5ms' } } } },
  rollout: [{ flag: 'f', stages: [{ to: '50%', hold: '6m' }, { to: '100%' }] }],
  cases: { healthy: {}, deep: { flags: { f: { 'evaluated-by': ['web', 'a'], 'when-on': { a: { latency: '+50ms' } } } } } },
};

function run(name: string): RunResult {
  const loaded = parseScenarioText(JSON.stringify(doc), tmpdir(), name);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return runScenario(loaded.scenario);
}

/** Each p99 panel line: its service, its series, and its values (windows with calls). */
function p99Lines(r: RunResult): Record<string, number[]> {
  const chart = serviceCharts(r).find((c) => c.title.startsWith('p99'))!;
  const values = (chart.spec as { data: { values: { service: string; series: string; value: (number | null)[] }[] } }).data.values;
  return Object.fromEntries(values.map((l) => [`${l.service}: ${l.series}`, [...new Set(l.value.filter((v): v is number => v !== null && v > 0))]]));
}

const runs = { healthy: run('healthy'), deep: run('deep') };
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("each case's service panels", () => {
  it("draw a flag's lines on the services that evaluate it in that case", () => {
    const near = (lines: Record<string, number[]>) => Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, v.map((x) => Math.round(x))]));
    expect(near(p99Lines(runs.healthy))).toEqual({ 'web: all calls': [35], 'web: f on': [35], 'web: f off': [30], 'a: all calls': [20] });
    expect(near(p99Lines(runs.deep))).toEqual({
      'web: all calls': [85], 'web: f on': [86], 'web: f off': [30], 'a: all calls': [70], 'a: f on': [70], 'a: f off': [20],
    });
  });

  it('render so in chromium: one line on a\'s p99 panel in case healthy, three in case deep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-case-panels-'));
    const drawn: Record<string, Record<string, number>> = {};
    for (const [name, r] of Object.entries(runs)) {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, runReportHtml(r));
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(`file://${file}`);
      await page.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 120_000 });
      expect(await page.evaluate(() => document.body.dataset.renderError)).toBeUndefined();
      // The facets of the p99 chart: each service's distinct line styles (stroke and dash), one per series drawn.
      drawn[name] = await page.evaluate(() => {
        const chart = [...document.querySelectorAll('div.chart')].find((c) => (c.getAttribute('data-title') ?? '').startsWith('p99'))!;
        const svg = chart.querySelector('svg')!;
        // The facet mark group holds one group per service, titled with its name.
        const cells = [...svg.querySelector('g.cell')!.children];
        return Object.fromEntries(cells.map((cell) => [
          cell.querySelector('g.role-title-text text')?.textContent ?? '',
          new Set([...cell.querySelectorAll('g.mark-line path')].map((p) => `${p.getAttribute('stroke')}|${p.getAttribute('stroke-dasharray') ?? ''}`)).size,
        ]));
      });
      await page.close();
    }
    expect(drawn).toEqual({ healthy: { a: 1, web: 3 }, deep: { a: 3, web: 3 } });
  }, 240_000);
});
