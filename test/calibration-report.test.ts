/**
 * The calibration report: a pool's size from a wait attribute (the shop in realsys/ records each request's wait
 * for a worker as `worker_pool.wait_us` inside its server span), and the check as a page in a real browser
 * (Debian's chromium through playwright-core): the journeys' table, the quantile chart drawn, the fit per
 * endpoint, what could not be inferred, names from traces shown as text and never run. Screenshots go to
 * reports/screenshots-latest/ (ignored by git).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import type { CheckResult } from '../src/calibrate/check.js';
import { parseWaitAttribute } from '../src/calibrate/pool-waits.js';
import { main } from '../src/cli/main.js';
import { load } from './roundtrip-helpers.js';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test', 'fixtures', 'realsys');
const system = JSON.parse(readFileSync(join(root, 'realsys', 'system.json'), 'utf8')) as { services: Record<string, { workers: number }> };
const services = Object.keys(system.services);
const baseFiles = services.map((s) => join(fixtures, 'base', `${s}.otlp.json`));
const attribute = parseWaitAttribute('worker_pool.wait_us');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-check-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const concurrencyOf = (yaml: string) => new Map(load(yaml).services.map((s) => [s.name, s.capacityKnown ? s.concurrency : null]));

describe('a pool\'s size from a wait attribute', () => {
  it('reads the unit from the name or after a colon, and refuses a name without one', () => {
    expect(parseWaitAttribute('worker_pool.wait_us')).toEqual({ name: 'worker_pool.wait_us', us: 1, unit: 'us' });
    expect(parseWaitAttribute('pool.wait:ms')).toEqual({ name: 'pool.wait', us: 1000, unit: 'ms' });
    expect(parseWaitAttribute('queue_wait_seconds').us).toBe(1e6);
    expect(() => parseWaitAttribute('pool.wait')).toThrow(/say the unit of its values: pool\.wait:us/);
  });

  it('the live shop, every span kept: each pool whose requests waited is inferred at the workers the system declares', () => {
    const out = join(dir, 'live');
    const run = spawnSync(process.execPath, [join(root, 'realsys', 'run.mjs'), '--quick', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    expect(run.status, run.stderr).toBe(0);
    const cal = calibrateFiles(services.map((s) => join(out, `${s}.otlp.json`)), { waitAttribute: attribute });
    const concurrency = concurrencyOf(cal.yaml);
    const waited = [...cal.pools.values()].filter((p) => p.counted > 0);
    // recommend (2 workers, 50 ms of work, a third busy) has its requests wait within seconds at the base load.
    expect(waited.map((p) => p.service)).toContain('recommend');
    for (const p of waited) {
      expect(p.capacity, p.why).toBe(system.services[p.service].workers);
      expect(concurrency.get(p.service), p.service).toBe(system.services[p.service].workers);
      expect(cal.yaml).toContain(`# inferred from worker_pool.wait_us: ${p.waited} of ${p.spans} requests waited for a worker; `);
    }
    // A pool whose requests never waited (or only within the clock's millisecond) shows no size.
    for (const p of cal.pools.values()) if (p.counted === 0) expect(p.capacity, p.service).toBeNull();
  }, 300_000);

  /** The committed base traces calibrated with their waits, once for the two tests that read that calibration. */
  let sampled: ReturnType<typeof calibrateFiles> | undefined;
  const withWaitsOfBase = () => (sampled ??= calibrateFiles(baseFiles, { sampleRate: 0.6, waitAttribute: attribute }));

  it('the committed base traces are a 60% sample: which pools waited is reported, their sizes only as lower bounds', () => {
    const cal = withWaitsOfBase();
    const pools = Object.fromEntries([...cal.pools].map(([s, p]) => [s, p.waited]));
    // Every server span carries the attribute; the database's and the catalog's requests never waited.
    expect(pools).toEqual({ cart: 2, catalog: 0, db: 0, frontend: 7, recommend: 7 });
    for (const p of cal.pools.values()) {
      expect(p.capacity, p.service).toBeNull();
      const seen = Math.max(0, ...p.inService.keys());
      expect(seen, p.service).toBeLessThanOrEqual(system.services[p.service].workers);
    }
    for (const s of ['frontend', 'cart', 'recommend']) {
      expect(cal.warnings.some((w) => w.startsWith(`${s}: worker_pool.wait_us: `) && w.includes('the traces are a sample (--sample-rate 0.6)')), s).toBe(true);
    }
    expect([...concurrencyOf(cal.yaml).values()].every((c) => c === null)).toBe(true);
  });

  it('a span\'s wait leaves its endpoint\'s own latency, once', () => {
    const without = calibrateFiles(baseFiles, { sampleRate: 0.6 });
    const withWaits = withWaitsOfBase();
    // Every span kept in the reservoir (fewer than its size): the own times differ by the waits of successful spans.
    let waits = 0;
    for (const f of baseFiles) {
      const doc = JSON.parse(readFileSync(f, 'utf8')) as { resourceSpans: { scopeSpans: { spans: { kind: number; status?: { code?: number }; attributes: { key: string; value: { intValue?: string | number } }[] }[] }[] }[] };
      for (const r of doc.resourceSpans) for (const sc of r.scopeSpans) for (const sp of sc.spans) {
        const a = sp.attributes.find((x) => x.key === 'worker_pool.wait_us');
        if (a && sp.status?.code !== 2) waits += Number(a.value.intValue);
      }
    }
    const sum = (c: ReturnType<typeof calibrateFiles>) => [...c.analysis.endpoints.values()].reduce((n, e) => n + e.own.reduce((a, b) => a + b, 0), 0);
    expect(waits).toBeGreaterThan(200_000);
    expect(Math.abs(sum(without) - sum(withWaits) - waits)).toBeLessThan(0.001 * waits);
  });

  it('calibrate --wait-attribute without a unit exits 2 with the fix', async () => {
    const lines: string[] = [];
    const code = await main(['calibrate', baseFiles[0], '--wait-attribute', 'pool.wait'], { out: (x) => lines.push(x), err: (x) => lines.push(x) });
    expect(code).toBe(2);
    expect(lines.join('\n')).toContain('--wait-attribute: pool.wait: say the unit of its values');
  });
});

/** Two services whose operation names are markup: what a page must show as text and never run. */
function hostileTraces(file: string, traces: number, gapMs: number, NAME = '<img src=x onerror="window.__xss=1">'): void {
  const spans: Record<string, unknown[]> = { 'edge<b>': [], 'store"\'': [] };
  const id = (n: number, w: number) => n.toString(16).padStart(w, '0');
  for (let t = 0; t < traces; t++) {
    const start = 1_700_000_000_000_000 + t * gapMs * 1000 + (t % 7) * 137;
    const n = t + (NAME.includes('src=y') ? 1000 : 0);
    const traceId = id(n + 1, 32), root = id(2 * n + 1, 16), child = id(2 * n + 2, 16);
    const span = (spanId: string, parent: string, name: string, kind: number, from: number, us: number) => ({
      traceId, spanId, parentSpanId: parent, name, kind, startTimeUnixNano: String(from * 1000), endTimeUnixNano: String((from + us) * 1000), attributes: [], status: {},
    });
    spans['edge<b>'].push(span(root, '', NAME, 2, start, 3000 + (t % 5) * 400));
    spans['store"\''].push(span(child, root, `${NAME} </script><script>window.__xss=2</script>`, 2, start + 500, 1500 + (t % 3) * 300));
  }
  writeFileSync(file, JSON.stringify({
    resourceSpans: Object.entries(spans).map(([service, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 't' }, spans: list }],
    })),
  }));
}

describe('the check as a page, in chromium', () => {
  const shots = join(root, 'reports', 'screenshots-latest');
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string, shot: string) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const external: string[] = [], errors: string[] = [];
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
      xss: (window as unknown as { __xss?: number }).__xss,
      text: document.body.innerText,
      tables: [...document.querySelectorAll('table')].map((t) => [...t.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((d) => (d as HTMLElement).innerText))),
      bars: document.querySelectorAll('div.chart svg g.mark-rect path').length,
      chartWidth: document.querySelector('div.chart svg')?.getBoundingClientRect().width ?? 0,
      column: document.body.clientWidth - parseFloat(getComputedStyle(document.body).paddingLeft) - parseFloat(getComputedStyle(document.body).paddingRight),
    }));
    await page.screenshot({ path: join(shots, shot), fullPage: true });
    await page.close();
    return { ...state, external, errors };
  }

  it('the shop\'s check: every journey figure with its error, a bar per quantile and side, each endpoint\'s fit, each capacity\'s evidence', async () => {
    const json = join(dir, 'check.json'), html = join(dir, 'check.html'), again = join(dir, 'again.html');
    const lines: string[] = [];
    const code = await main(['calibrate', ...baseFiles, '--sample-rate', '60%', '--capacity', 'frontend=6,catalog=4,cart=4', '--wait-attribute', 'worker_pool.wait_us',
      '-q', '--out', join(dir, 'shop.yaml'), '--check', join(fixtures, 'double', 'collector.otlp.json'), '--check-sample-rate', '3%', '--resamples', '20', '--check-json', json, '--check-html', html],
    { out: (x) => lines.push(x), err: (x) => lines.push(x) });
    expect(code, lines.join('\n')).toBe(0);
    expect(lines).toContain(`comparison page written to ${html}`);
    // The same page from the document.
    expect(await main(['report', json, '--html', again], { out: () => {}, err: (x) => lines.push(x) }), lines.join('\n')).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(html, 'utf8'));

    const doc = JSON.parse(readFileSync(json, 'utf8')) as CheckResult;
    expect(doc.schema).toBe('rehearse/calibration-check@1');
    // Each endpoint the checked traces reached, its callers' view against the model's: 8 endpoints, all modelled.
    expect(doc.endpoints.map((e) => `${e.service}.${e.endpoint}`)).toEqual([
      'cart.GET-cart', 'cart.POST-checkout', 'catalog.GET-item', 'db.GET-query', 'db.POST-write', 'frontend.GET-product', 'frontend.POST-checkout', 'recommend.GET-recs']);
    // The journeys' first endpoint is the root span itself: the same figures as the journey's row.
    const browse = doc.journeys.find((j) => j.journey === 'GET-product')!;
    const front = doc.endpoints.find((e) => e.endpoint === 'GET-product')!;
    expect(front.measured.meanMs).toBeCloseTo(browse.measured.meanMs, 6);
    expect(front.measured.spans).toBe(browse.measured.requests);
    expect(front.predicted!.meanMs).toBeCloseTo(browse.predicted.meanMs, 0);
    // Capacities: three given, two unknown (a 60% sample shows only lower bounds), with the evidence.
    expect(doc.notes.capacities.map((c) => [c.service, c.capacity, c.concurrency]).sort()).toEqual([
      ['cart', 'given', 4], ['catalog', 'given', 4], ['db', 'unknown', null], ['frontend', 'given', 6], ['recommend', 'unknown', null]]);
    expect(doc.notes.warnings.some((w) => w.startsWith('recommend: worker_pool.wait_us: 7 of 91 requests waited'))).toBe(true);

    const s = await open(html, 'calibration-check.png');
    expect(s.renderError).toBeUndefined();
    expect(s.errors).toEqual([]);
    expect(s.external).toEqual([]);
    expect(s.rendered).toBe('1');
    // Two journeys x four figures x two sides.
    expect(s.bars).toBe(16);
    expect(s.chartWidth).toBeLessThanOrEqual(s.column + 1);
    const [journeys, endpoints, capacities] = s.tables;
    expect(journeys).toHaveLength(10);
    // Each error's range from the resamples, as the document has it, and whether it holds 0.
    const r = browse.ranges!.error!.meanMs!;
    const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    expect(journeys[0].slice(1)).toEqual(['mean (ms)', browse.measured.meanMs.toFixed(1), browse.predicted.meanMs.toFixed(1),
      `${browse.predicted.meanMs >= browse.measured.meanMs ? '+' : ''}${((browse.predicted.meanMs / browse.measured.meanMs - 1) * 100).toFixed(1)}%`,
      `${signed(r.lo)} to ${signed(r.hi)}`, r.lo <= 0.0005 && r.hi >= -0.0005 ? 'yes' : 'no']);
    expect(browse.withinNoise.meanMs).toBe(journeys[0][6]);
    expect(s.text).toContain('Calibrated from frontend.otlp.json, catalog.otlp.json, cart.otlp.json, recommend.otlp.json, db.otlp.json; checked against collector.otlp.json.');
    // 36 browse traces cannot tell a p99.
    expect(journeys[3].slice(-2)).toEqual(['-', 'too few']);
    expect(s.text).toContain('ranges: 90% of 20 resamples');
    expect(journeys[4][0]).toBe('error rate');
    expect(endpoints.map((r) => `${r[0]}.${r[1]}`)).toEqual(doc.endpoints.map((e) => `${e.service}.${e.endpoint}`));
    const db = endpoints.find((r) => r[0] === 'db' && r[1] === 'GET-query')!;
    const dbDoc = doc.endpoints.find((e) => e.service === 'db' && e.endpoint === 'GET-query')!;
    expect(db.slice(2)).toEqual([String(dbDoc.measured.spans), dbDoc.measured.meanMs.toFixed(1), dbDoc.predicted!.meanMs.toFixed(1),
      `${dbDoc.predicted!.meanMs >= dbDoc.measured.meanMs ? '+' : ''}${((dbDoc.predicted!.meanMs / dbDoc.measured.meanMs - 1) * 100).toFixed(1)}%`,
      // 72 spans cannot tell a p99 (500 needed): no error is claimed for it.
      dbDoc.measured.p99Ms.toFixed(1), dbDoc.predicted!.p99Ms.toFixed(1), 'too few']);
    expect(capacities.find((r) => r[0] === 'frontend')!.slice(1, 3)).toEqual(['given', '1 x 6']);
    expect(capacities.find((r) => r[0] === 'db')![3]).toMatch(/^capacity unknown: the traces are a sample/);
    expect(s.text).toContain('What could not be inferred');
  }, 300_000);

  it('names from traces show as text and run nothing', async () => {
    const traces = join(dir, 'hostile.otlp.json'), other = join(dir, 'hostile-other.otlp.json'), html = join(dir, 'hostile.html');
    hostileTraces(traces, 60, 20);
    // The checked traces have a journey the scenario lacks, named in markup: the page lists it.
    hostileTraces(other, 40, 20, '<img src=y onerror=window.__xss=4>');
    const lines: string[] = [];
    const code = await main(['calibrate', traces, '-q', '--out', join(dir, 'hostile.yaml'), '--check', traces, '--check', other, '--check-html', html], { out: (x) => lines.push(x), err: (x) => lines.push(x) });
    expect(code, lines.join('\n')).toBe(0);
    const s = await open(html, 'calibration-check-hostile.png');
    expect(s.errors).toEqual([]);
    expect(s.external).toEqual([]);
    expect(s.xss).toBeUndefined();
    expect(s.rendered).toBe('1');
    // Journeys and endpoints carry the scenario's names; a missing journey is named in the traces' own words, as text.
    expect(s.tables[1].map((r) => r[0]).sort()).toEqual(['edge-b', 'edge-b', 'store', 'store']);
    expect(s.text).toContain('give it with --capacity edge<b>=N');
    expect(s.text).toContain('journey <img src=y onerror=window.__xss=4> of the checked traces is not in the calibrated scenario');
  }, 300_000);
});
