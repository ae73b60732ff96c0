/**
 * Reports in a real browser (Debian's chromium through playwright-core): every chart rendered as SVG marks, no
 * request left the page, no console error, and names from scenario files shown as text, never run.
 * Screenshots go to reports/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const shots = join(root, 'reports', 'screenshots');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-html-'));
const cli = (...args: string[]) => {
  try {
    execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    if ((e as { status: number }).status !== 1) throw e; // 1: acceptance failed, still a report
  }
};

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
});

async function open(file: string, shot: string) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
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
  await page.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 30_000 });
  const state = await page.evaluate(() => {
    const charts = [...document.querySelectorAll('div.chart')];
    return {
      rendered: document.body.dataset.rendered,
      renderError: document.body.dataset.renderError,
      charts: charts.length,
      // Marks vega draws: paths, lines, rects, text inside its mark groups.
      marks: charts.map((c) => c.querySelectorAll('svg g[class^="mark-"] > path, svg g[class^="mark-"] > line, svg g[class^="mark-"] > rect, svg g[class^="mark-"] > text').length),
      xss: (window as unknown as { __xss?: number }).__xss,
      text: document.body.innerText,
    };
  });
  await page.screenshot({ path: join(shots, shot), fullPage: true });
  await page.close();
  return { ...state, external, errors };
}

describe('HTML reports in chromium', () => {
  it('a run report renders every section and chart, offline, without errors', async () => {
    const html = join(dir, 'release.html');
    cli('run', 'scenarios/two-flag-release.yaml', '-q', '--html', html);
    const s = await open(html, 'run-report.png');
    expect(s.renderError).toBeUndefined();
    expect(s.errors).toEqual([]);
    expect(s.external).toEqual([]);
    expect(Number(s.rendered)).toBe(s.charts);
    expect(s.charts).toBeGreaterThanOrEqual(6);
    for (const m of s.marks) expect(m).toBeGreaterThan(0);
    for (const section of ['Acceptance', 'Risk summary', 'Timeline', 'Services', 'Dependency map', 'Audit trail']) expect(s.text).toContain(section);
    expect(s.text).toContain('new-checkout was completed at 100%');
  });

  it('names from a scenario file show as text and run nothing', async () => {
    const html = join(dir, 'hostile.html');
    cli('run', 'test/fixtures/hostile.yaml', '-q', '--html', html);
    const s = await open(html, 'hostile-report.png');
    expect(s.xss).toBeUndefined();
    expect(s.errors).toEqual([]);
    expect(s.text).toContain('<img src=x onerror="window.__xss=1">');
    expect(s.text).toContain('<img src=y onerror=window.__xss=4>');
    for (const m of s.marks) expect(m).toBeGreaterThan(0);
  });

  it('a sweep report shows its trade-off, Pareto chart, heatmap, distributions and recommendation', async () => {
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
    expect(s.errors).toEqual([]);
    expect(s.external).toEqual([]);
    expect(Number(s.rendered)).toBe(4);
    for (const m of s.marks) expect(m).toBeGreaterThan(0);
    expect(s.text).toContain('Pareto front');
    expect(s.text).toMatch(/Recommended: #\d/);
  });

  it('rehearse ci --html-dir writes a page per case and an index that links them', async () => {
    const out = join(dir, 'ci');
    cli('ci', 'scenarios', '--html-dir', out);
    const s = await open(join(out, 'index.html'), 'ci-index.png');
    expect(s.errors).toEqual([]);
    expect(s.text).toContain('two-teams [collision]');
    expect(existsSync(join(out, 'two-teams--collision.html'))).toBe(true);
    const page = await open(join(out, 'error-spike--saturates.html'), 'ci-error-spike.png');
    expect(page.errors).toEqual([]);
    for (const m of page.marks) expect(m).toBeGreaterThan(0);
  });
});
