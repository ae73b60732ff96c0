/**
 * Reports in a real browser (Debian's chromium through playwright-core): every chart rendered as SVG marks, no
 * request left the page, no console error, names from scenario files shown as text, never run; and the
 * properties a reader relies on, measured on the rendered page rather than its pixels: a legend entry per
 * series, no chart wider than the page column at 1100 and 1400 px, no overlapping labels on the dependency map
 * and the sweep's scatter plots, a 1% stage a few pixels tall, a chart of the deciding readings for each
 * rollback with its breach marked. Screenshots go to reports/screenshots-latest/ (ignored by git); `npm run
 * screenshots` writes them to reports/screenshots/, the ones the docs show.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const shots = process.env.REHEARSE_SCREENSHOTS ?? join(root, 'reports', 'screenshots-latest');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-html-'));
const cli = (...args: string[]) => {
  try {
    execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    if ((e as { status: number }).status !== 1) throw e; // 1: acceptance failed, still a report
  }
};

let browser: Browser;
// Written once, read by several tests: a CI run over two bundled scenarios whose plans roll back under every
// gate kind (threshold, burn rate, comparison), one with a 1% first stage.
const ciDir = join(dir, 'ci');
let ciDone: Promise<void>;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const cases = join(dir, 'scenarios');
  mkdirSync(cases);
  symlinkSync(join(root, 'cohorts'), join(dir, 'cohorts'));
  for (const f of ['consumer-first.yaml', 'error-spike.yaml']) copyFileSync(join(root, 'scenarios', f), join(cases, f));
  // In the background: the tests that read its pages wait for it, the others run meanwhile.
  ciDone = new Promise<void>((done, fail) => {
    execFile(process.execPath, [join(root, 'bin/rehearse.js'), 'ci', cases, '--html-dir', ciDir], { cwd: root }, (err) => {
      if (err && (err as { code?: unknown }).code !== 1) fail(err);
      else done();
    });
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

interface ChartFacts {
  label: string;
  /** Bounding box widths: the chart's SVG and the page column holding it. */
  width: number;
  column: number;
  /** Distinct line styles (stroke and dash) drawn as series, and the legend's entry labels. */
  lineStyles: number;
  legendLabels: string[];
  /** Each axis's tick labels. */
  axisLabels: string[][];
  texts: { text: string; x: number; y: number; w: number; h: number }[];
  marks: number;
}

async function facts(page: Page): Promise<ChartFacts[]> {
  return page.evaluate(() => [...document.querySelectorAll('div.chart')].map((c) => {
    const svg = c.querySelector('svg')!;
    // Line marks are the series; their style (stroke colour and dash) tells one series from another.
    const lines = [...svg.querySelectorAll('g.mark-line path')].map((p) => `${p.getAttribute('stroke')}|${p.getAttribute('stroke-dasharray') ?? ''}`);
    const legendLabels = [...svg.querySelectorAll('g.role-legend-label text')].map((t) => t.textContent ?? '');
    const axisLabels = [...svg.querySelectorAll('g.role-axis')].map((a) => [...a.querySelectorAll('g.role-axis-label text')].map((t) => t.textContent ?? ''));
    const texts = [...svg.querySelectorAll('g.mark-text text')].filter((t) => (t.textContent ?? '').trim() !== '').map((t) => {
      const b = t.getBoundingClientRect();
      return { text: t.textContent ?? '', x: b.x, y: b.y, w: b.width, h: b.height };
    });
    return {
      label: (c as HTMLElement).dataset.title ?? '',
      width: svg.getBoundingClientRect().width,
      // The page column: the body's content box (a chart's own box grows with what it holds).
      column: document.body.clientWidth - parseFloat(getComputedStyle(document.body).paddingLeft) - parseFloat(getComputedStyle(document.body).paddingRight),
      lineStyles: new Set(lines).size,
      legendLabels,
      axisLabels,
      texts,
      // Marks that show something: a line through one point is a path with no extent, an empty chart all the same.
      // Data marks only (role-mark): axes, legends and titles are drawn as marks too, and a chart of nothing has axes.
      marks: [...svg.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect, g.role-mark > text')].filter((m) => {
        const b = (m as SVGGraphicsElement).getBBox();
        return m.tagName === 'text' ? (m.textContent ?? '').trim() !== '' : b.width > 0 || b.height > 0;
      }).length,
    };
  }));
}

const overlaps = (ts: ChartFacts['texts']) => ts.flatMap((a, i) => ts.slice(i + 1)
  .filter((b) => a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5)
  .map((b) => `"${a.text}" and "${b.text}"`));

async function open(file: string, shot: string) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const external: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!/^(file|data|blob):/.test(r.url())) external.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 120_000 });
  const state = await page.evaluate(() => ({
    rendered: document.body.dataset.rendered,
    renderError: document.body.dataset.renderError,
    charts: document.querySelectorAll('div.chart').length,
    xss: (window as unknown as { __xss?: number }).__xss,
    text: document.body.innerText,
  }));
  const narrow = await facts(page);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.waitForTimeout(300); // container-width charts re-render on resize
  const wide = await facts(page);
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, shot), fullPage: true });
  return { ...state, page, narrow, wide, external, errors };
}

/** The properties every page keeps: fits its column at both widths, a legend entry per series, marks drawn. */
function checkLayout(s: Awaited<ReturnType<typeof open>>) {
  expect(s.renderError).toBeUndefined();
  expect(s.errors).toEqual([]);
  expect(s.external).toEqual([]);
  expect(Number(s.rendered)).toBe(s.charts);
  for (const set of [s.narrow, s.wide]) {
    for (const c of set) {
      expect(c.width, `${c.label}: ${c.width} px in a ${c.column} px column`).toBeLessThanOrEqual(c.column + 1);
      expect(c.marks, c.label).toBeGreaterThan(0);
      if (c.lineStyles > 1) expect(c.legendLabels.length, `${c.label}: ${c.lineStyles} series, legend ${JSON.stringify(c.legendLabels)}`).toBeGreaterThanOrEqual(c.lineStyles);
    }
  }
}

describe('HTML reports in chromium', () => {
  it('a run report (npm start\'s) is self-contained, labels each flag and its events, and shows a 1% stage', async () => {
    const html = join(dir, 'release.html');
    cli('run', 'scenarios/two-flag-release.yaml', '-q', '--html', html);
    expect(readFileSync(html, 'utf8')).not.toMatch(/<script src=/);
    const s = await open(html, 'run-report.png');
    checkLayout(s);
    expect(s.charts).toBeGreaterThanOrEqual(5); // no blast-radius chart: nobody was hurt
    for (const section of ['Acceptance', 'Risk summary', 'Timeline', 'Services', 'Dependency map', 'Audit trail']) expect(s.text).toContain(section);
    expect(s.text).toContain('new-checkout was completed at 100%');
    expect(s.text).toContain('No flag hurt anyone (ground truth).');
    const timeline = s.narrow.find((c) => c.label.startsWith('Exposure per flag'))!;
    expect(timeline.legendLabels).toEqual(expect.arrayContaining(['payments-v2-api', 'new-checkout']));
    // The 1% stage: its step stands at least a few pixels above 0% on the exposure axis.
    const step = await s.page.evaluate(() => {
      const views = (window as unknown as { rehearseViews: { scale(name: string): (x: number) => number }[] }).rehearseViews;
      const y = views[0].scale('y');
      return y(0) - y(1);
    });
    expect(step).toBeGreaterThanOrEqual(4);
    expect(timeline.texts.map((t) => t.text)).toContain('1%');
    const map = s.narrow.find((c) => c.label.startsWith('Dependency map'))!;
    expect(overlaps(map.texts)).toEqual([]);
    await s.page.close();
  });

  it('a flag compared in one window only gets a sentence with its figures, not a chart with nothing drawn', async () => {
    const html = join(dir, 'defective.html');
    cli('run', 'scenarios/gate-tuning.yaml', '--case', 'defective', '-q', '--html', html);
    const s = await open(html, 'run-one-window.png');
    checkLayout(s);
    expect(s.narrow.map((c) => c.label)).not.toContain(expect.stringMatching(/^Journeys, flag on/));
    expect(s.text).toMatch(/new-engine: compared in one window only \(0m00s to 1m00s\), too few for a line: journey error rate \d+\.\d\d% with the flag on against \d+\.\d\d% off/);
    await s.page.close();
  });

  it('a PASS beside a missed defect says, under the verdict, what PASS rests on', async () => {
    const html = join(dir, 'missed-defect.html');
    cli('run', 'test/fixtures/missed-defect.yaml', '-q', '--html', html);
    const s = await open(html, 'run-missed-defect.png');
    checkLayout(s);
    expect(s.text).toMatch(/✔ PASS 2 criteria: 2 met\n+new-engine: missed: \d+ users hurt, no gate acted \(promoted to 100%\)\n+PASS judges the acceptance criteria alone[^\n]*a missed defect, the rollout decision was wrong/);
    await s.page.close();
  });

  it('names from a scenario file show as text and run nothing', async () => {
    const html = join(dir, 'hostile.html');
    cli('run', 'test/fixtures/hostile.yaml', '-q', '--html', html);
    const s = await open(html, 'hostile-report.png');
    checkLayout(s);
    expect(s.xss).toBeUndefined();
    expect(s.text).toContain('<img src=x onerror="window.__xss=1">');
    expect(s.text).toContain('<img src=y onerror=window.__xss=4>');
    const map = s.narrow.find((c) => c.label.startsWith('Dependency map'))!;
    expect(overlaps(map.texts)).toEqual([]);
    await s.page.close();
  });

  it('a sweep report shows its trade-off, Pareto chart, heatmap, distributions and recommendation, labels apart', async () => {
    const scenario = join(dir, 'tune.yaml');
    writeFileSync(scenario, `
name: tune
duration: 10m
traffic: { rate: 30/s, cohort: { size: 1000 } }
journeys: { j: { steps: [api] } }
services: { api: { concurrency: 50, latency: 5ms, errors: 1% } }
flags: { f: { evaluated-by: [api] } }
rollout: [{ flag: f, stages: [{ to: 20%, hold: 5m }, { to: 100% }], gates: ['req_failed{flag:on} rate<0.03'] }]
cases: { healthy: {}, defective: { flags: { f: { when-on: { api: { errors: +6% } } } } } }
tune:
  seeds: 3
  vary: { rollout.f.gates.0: ['rate<0.02', 'rate<0.05'], rollout.f.failure-limit: [0, 1] }
  subject-to: ['detected{case:defective} rate>0.5']
  minimize: 'blast_radius_users{case:defective} p(95)'
`);
    const html = join(dir, 'sweep.html');
    execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), 'sweep', scenario, '-q', '--workers', '2', '--html', html], { cwd: root, stdio: 'pipe' });
    const s = await open(html, 'sweep-report.png');
    checkLayout(s);
    expect(Number(s.rendered)).toBe(4);
    expect(s.text).toContain('Pareto front');
    expect(s.text).toMatch(/Recommended: #\d/);
    for (const c of s.narrow.filter((x) => /^(Trade-off|Pareto front)/.test(x.label))) expect(overlaps(c.texts), c.label).toEqual([]);
    // The policies table names runs by case, one row per policy and case, as the terminal does.
    const rows = await s.page.evaluate(() => [...[...document.querySelectorAll('table')].find((t) => t.querySelector('th')?.textContent === '#')!
      .querySelectorAll('tbody tr')].map((tr) => (tr as HTMLTableRowElement).cells[2].textContent));
    expect(rows.length % 2).toBe(0);
    expect(rows.slice(0, 2)).toEqual(['healthy', 'defective']);
    expect(new Set(rows)).toEqual(new Set(['healthy', 'defective']));
    await s.page.close();
  });
  it('a sweep whose worst policy hurts 700 users keeps the others readable on the Pareto chart, ticks whole', async () => {
    const html = join(dir, 'sweep-outlier.html');
    execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), 'sweep', 'scenarios/gate-tuning.yaml', '--seeds', '2', '-q', '--workers', '2', '--html', html], { cwd: root, stdio: 'pipe' });
    const doc = readFileSync(html, 'utf8');
    const s = await open(html, 'sweep-outlier.png');
    checkLayout(s);
    const pareto = s.narrow.find((c) => c.label.startsWith('Pareto front'))!;
    expect(pareto.texts.map((t) => t.text)).toContainEqual(expect.stringMatching(/\(recommended\)$/));
    for (const c of [pareto, s.narrow.find((x) => x.label.startsWith('Users hurt per run'))!]) {
      const counts = c.axisLabels.find((a) => a.some((t) => /^\d+$/.test(t)) && !a.some((t) => t.endsWith('%')))!;
      for (const t of counts) expect(t, c.label).toMatch(/^\d{1,3}(,\d{3})*$/);
    }
    // The recommended policy (a handful of users hurt) stands well clear of the axis's 0, whatever the worst policy.
    const specs = JSON.parse(/<script type="application\/json" id="specs">(.*?)<\/script>/s.exec(doc)![1]) as { spec: { data?: { values: { harm: number; recommended: string }[] } } }[];
    const points = specs[1].spec.data!.values;
    expect(Math.max(...points.map((p) => p.harm))).toBeGreaterThan(50 * points.find((p) => p.recommended === 'recommended')!.harm);
    const lift = await s.page.evaluate((harm) => {
      const y = (window as unknown as { rehearseViews: { scale(name: string): (x: number) => number }[] }).rehearseViews[1].scale('y');
      return y(0) - y(harm);
    }, points.find((p) => p.recommended === 'recommended')!.harm);
    expect(lift).toBeGreaterThanOrEqual(40);
    await s.page.close();
  });

  it('ci --html-dir: pages share one chart script, still offline; each rollback has the chart of the readings that decided it', async () => {
    await ciDone;
    const shared = join(ciDir, 'rehearse-charts.js');
    expect(existsSync(shared)).toBe(true);
    for (const page of ['consumer-first.html', 'error-spike--saturates.html']) {
      expect(readFileSync(join(ciDir, page), 'utf8')).toContain('<script src="rehearse-charts.js"></script>');
      expect(statSync(join(ciDir, page)).size).toBeLessThan(300_000);
    }
    const s = await open(join(ciDir, 'consumer-first.html'), 'ci-run-rollback.png');
    checkLayout(s);
    // consumer-first rolls new-checkout back on all three of its gate kinds at once.
    const decisive = s.narrow.filter((c) => c.label.startsWith('new-checkout: rollback at'));
    expect(decisive.map((c) => c.label.replace(/.*decided by /, '').split(' ')[0])).toEqual(['req_failed{journey:checkout,flag:on}', 'burn-rate', 'compare']);
    for (const c of decisive) {
      expect(c.texts.map((t) => t.text)).toContain('breach');
      expect(c.texts.map((t) => t.text)).toContain('rollback');
    }
    expect(decisive[0].texts.some((t) => t.text.startsWith('limit '))).toBe(true);
    expect(s.text).toMatch(/The reading at 3m00s: fail/);
    for (const m of [s.narrow.find((c) => c.label.startsWith('Dependency map'))!]) expect(overlaps(m.texts)).toEqual([]);
    await s.page.close();
    const spike = await open(join(ciDir, 'error-spike--saturates.html'), 'ci-error-spike.png');
    checkLayout(spike);
    expect(spike.narrow.filter((c) => c.label.startsWith('new-ranking: rollback at'))).toHaveLength(1);
    // Numbered events keyed to the table under the timeline: the rollback among them, at the second failing reading
    // (the stage's readings share its 1%, and the plan's failure limit is 1: the first breach is noted, the second
    // rolls back).
    const breaches = [...spike.text.matchAll(/\n\d+\t(\d+m\d\ds)\tnew-ranking\tgate breach\t/g)].map((m) => m[1]);
    expect(breaches.length).toBeGreaterThanOrEqual(2);
    expect(spike.text).toMatch(new RegExp(`\\n\\d+\\t${breaches[1]}\\tnew-ranking\\trollback\\t`));
    await spike.page.close();
  });

  it('the ci index links every page with its verdict, what happened and time to detect', async () => {
    await ciDone;
    const s = await open(join(ciDir, 'index.html'), 'ci-index.png');
    checkLayout(s);
    expect(s.text).toContain('error-spike [saturates]');
    expect(s.text).toMatch(/new-ranking: caught: rolled back at \d+% after \S+, [1-9][\d,]* users? hurt/);
    expect(s.text).toMatch(/new-checkout: \d+m\d\ds/);
    // Users hurt is a count: whole-number ticks only (no 0.2 of a user).
    const hurt = s.narrow.find((c) => c.label.startsWith('Users hurt per rehearsal'))!;
    const numeric = hurt.axisLabels.find((a) => a.some((t) => /^\d/.test(t)))!;
    expect(numeric.length).toBeGreaterThan(1);
    for (const t of numeric) expect(t).toMatch(/^\d{1,3}(,\d{3})*$/);
    const links = await s.page.evaluate(() => [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')));
    expect(links).toEqual(['consumer-first.html', 'error-spike--saturates.html', 'error-spike--sized-right.html']);
    await s.page.close();
  });

  it('a ci PASS beside a missed defect says what PASS rests on: in the terminal, each case and the summary, and on the index page', async () => {
    const cases = join(dir, 'ci-missed');
    mkdirSync(cases);
    copyFileSync(join(root, 'test/fixtures/missed-defect.yaml'), join(cases, 'missed-defect.yaml'));
    const out = execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), 'ci', cases, '--html-dir', join(cases, 'html')], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    // The run report's words (test/format.test.ts): the basis, what the ground truth shows, the criterion that would fail it.
    const basis = 'PASS judges the acceptance criteria alone, and each that applies was met; the ground truth is not part of it:';
    const missed = /new-engine hurt \d+ users and the gates still promoted it to 100%: a missed defect, the rollout decision was wrong/;
    const advice = "to fail a run like this, add 'missed_defect{flag:new-engine} max<1' or 'error_budget_burned max<1' to acceptance";
    const [each, summary] = out.split(/\nresult +rehearsal/);
    expect(each).toMatch(new RegExp(`^✔ PASS +missed-defect .*\n    new-engine: missed: \\d+ users hurt, no gate acted \\(promoted to 100%\\)\n    ${basis.replace(/[()]/g, '\\$&')}\n      ${missed.source}\n      the error budget is exhausted \\(\\S+ the budget\\)\n      ${advice.replace(/[{}]/g, '\\$&')}\n    ✔ PASS blast_radius_users`));
    expect(summary).toContain(`\nmissed-defect: ✔ PASS\n  ${basis}\n`);
    expect(summary).toMatch(missed);
    expect(summary).toContain(`    ${advice}\n`);
    const s = await open(join(cases, 'html', 'index.html'), 'ci-index-missed-defect.png');
    checkLayout(s);
    expect(s.text).toMatch(/new-engine: missed: \d+ users hurt, no gate acted \(promoted to 100%\)\n+PASS judges the acceptance criteria alone, and each that applies was met; the ground truth is not part of it: new-engine hurt \d+ users and the gates still promoted it to 100%: a missed defect, the rollout decision was wrong; the error budget is exhausted \(\S+ the budget\)\. To fail a run like this, add 'missed_defect\{flag:new-engine\} max<1' or 'error_budget_burned max<1' to acceptance\./);
    await s.page.close();
  });
});
