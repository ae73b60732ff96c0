/**
 * Reports in a real browser (Debian's chromium) with names that try to run code or to hide: a case, a gate, an
 * endpoint, a journey, a fault and a scenario named with closing tags of script, style, title and textarea, an HTML comment
 * opened inside a script, template braces, U+2028 and U+2029 (line breaks to JavaScript before ES2019), a
 * right-to-left override and a name 300 characters long. Through `run --html`, `report` of the run's JSON and the
 * pages of `ci --html-dir`: nothing runs (no global set, no dialog, no console error), every chart renders, and each
 * name the page shows is its text as written. This round found nothing to fix here; it guards what test/browser.test.ts
 * does not reach (its fixture names a service, a journey and an owner).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rendered, sharedChromium, watchErrors } from './chromium.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-20-browser-'));
const cli = (...args: string[]) => {
  try {
    execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 100_000 });
  } catch (e) {
    if ((e as { status: number }).status !== 1) throw e; // 1: acceptance failed, still a report
  }
};

const NAMES = {
  scenario: `scn</title><script>__xss=1</script>\u202e${'x'.repeat(300)}`,
  caseName: 'case<img src=x onerror=__xss=2>\u2029',
  gate: 'gate</script><img src=x onerror=__xss=3>',
  unusedService: 'svc</style><script>__xss=4</script>',
  endpoint: 'ep"><svg onload=__xss=5>',
  journey: 'j<!--<script>\u2028{{constructor.constructor(\'__xss=6\')()}}',
  fault: 'slow</script><img src=x onerror=__xss=8>\u202e&amp;',
};
const q = (s: string) => JSON.stringify(s);
const scenario = `name: ${q(NAMES.scenario)}
description: ${q('</textarea><img src=x onerror=__xss=7>')}
seed: 3
duration: 12m
traffic: { rate: 30/s, cohort: { size: 2000, seed: 1 } }
journeys:
  ${q(NAMES.journey)}: { steps: [api.call] }
services:
  api:
    concurrency: 50
    latency: 5ms
    errors: 0.5%
    endpoints:
      call: {}
      ${q(NAMES.endpoint)}: {}
  ${q(NAMES.unusedService)}: { latency: 1ms }
flags:
  f:
    evaluated-by: [api]
    when-on: { api: { errors: +5% } }
rollout:
  - flag: f
    stages: [{ to: 20%, hold: 4m }, { to: 100% }]
    gates:
      - 'req_failed{flag:on} rate<0.03'
      - { name: ${q(NAMES.gate)}, promql: 'sum(rate(http_requests_total[1m]))', success: 'result >= 0' }
faults:
  - { kind: latency, target: api, at: 2m, for: 1m, add: 1ms, name: ${q(NAMES.fault)} }
cases:
  ${q(NAMES.caseName)}: {}
  other: { flags: { f: { when-on: { api: { errors: +1% } } } } }
acceptance: ['blast_radius_users max<10']
`;

const browser = sharedChromium();

async function open(file: string) {
  const page = await browser().newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  watchErrors(page, errors);
  await page.goto(`file://${file}`);
  await rendered(page);
  const state = await page.evaluate(() => ({
    xss: (window as unknown as { __xss?: number }).__xss,
    renderError: document.body.dataset.renderError,
    rendered: Number(document.body.dataset.rendered),
    charts: document.querySelectorAll('div.chart').length,
    title: document.title,
    // Text as the DOM holds it (innerText would fold U+2028 and lay out the right-to-left override).
    text: document.body.textContent ?? '',
    svgText: [...document.querySelectorAll('svg text')].map((t) => t.textContent ?? '').join('\n'),
  }));
  await page.close();
  return { ...state, errors };
}

describe('hostile names in reports, rendered', () => {
  const file = join(dir, 'hostile.yaml');
  beforeAll(() => {
    writeFileSync(file, scenario);
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'hostile.yaml'), scenario);
  });

  it('run --html, as the run ran (the default case)', async () => {
    const html = join(dir, 'run.html');
    cli('run', file, '-q', '--html', html, '--json', join(dir, 'run.json'));
    const s = await open(html);
    expect(s.xss).toBeUndefined();
    expect(s.errors).toEqual([]);
    expect(s.renderError).toBeUndefined();
    expect(s.rendered).toBe(s.charts);
    expect(s.title).toBe(`rehearse: ${NAMES.scenario}`);
    expect(s.text).toContain(NAMES.scenario);
    expect(s.text).toContain(NAMES.unusedService);
    expect(s.text).toContain(NAMES.gate);
    expect(s.text).toContain(NAMES.fault);
  }, 240_000);

  it('report of the run document: the same page, names as written', async () => {
    const html = join(dir, 'report.html');
    cli('report', join(dir, 'run.json'), '--html', html);
    const s = await open(html);
    expect(s.xss).toBeUndefined();
    expect(s.errors).toEqual([]);
    expect(s.rendered).toBe(s.charts);
    expect(s.text).toContain(NAMES.scenario);
    expect(s.text).toContain(NAMES.gate);
  }, 240_000);

  it('ci --html-dir: the index and each case page, the case named with U+2029 and a tag', async () => {
    const out = join(dir, 'ci-out');
    cli('ci', join(dir, 'ci'), '--html-dir', out);
    const pages = readdirSync(out).filter((f) => f.endsWith('.html'));
    expect(pages.length).toBe(3); // the index and a page for each of the two cases
    let sawCase = false;
    for (const p of pages) {
      const s = await open(join(out, p));
      expect(s.xss, p).toBeUndefined();
      expect(s.errors, p).toEqual([]);
      expect(s.rendered, p).toBe(s.charts);
      if ((s.text + s.svgText).includes(NAMES.caseName)) sawCase = true;
    }
    expect(sawCase).toBe(true);
  }, 240_000);
});
