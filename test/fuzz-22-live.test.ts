/**
 * Hostile input, round 22, the parts that hold child processes and a browser to time budgets (test/fuzz-22.test.ts
 * has the cases found):
 * - mutants of the real files each importer reads (test/fuzz-22-mutants.ts), each run by its command in a child
 *   process with a time limit (test/fuzz-22-run.ts): exit 0 or 1, or 2 naming the file; no stack trace, no hang, no
 *   "undefined", "NaN", "[object Object]" or "Infinity" the input does not hold, no 1e999 read as Infinity;
 * - every command's options and arguments given hostile values (test/fuzz-22-argv.ts): empty, negative, huge, NaN,
 *   a folder, a FIFO, /dev/zero, a file that cannot be read, names with a line break, a right-to-left override or
 *   mark (shown escaped, as the terminal shows them);
 * - a drill whose names try to run code (the scenario, its file and its rule file, a journey, an endpoint, a gate,
 *   a case, an alert, its group, labels and annotation, the people, a note), in Debian's chromium: the dashboard and
 *   the debrief run no script and show each name as written; so do calibrate's --check-html page (trace files,
 *   services and routes named so) and a sweep's report (the scenario, its cases, gates with "<" in the policies).
 *   run --html, report and ci --html-dir are test/fuzz-20-browser.test.ts's. This round found nothing to fix here.
 * FUZZ22_MUTANTS=N (default 48, four of each kind), FUZZ22_ARGV=N (default 90, or all) and FUZZ22_SEED set the mutants run here; the counts of longer runs are in the
 * report of this round.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { shownPath } from '../src/errors.js';
import { lineBroken, terminalSafe } from '../src/cli/main.js';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';
import { rendered, sharedChromium, watchErrors } from './chromium.js';
import { allCommandLines, setUp } from './fuzz-22-argv.js';
import { mutate, random } from './fuzz-22-mutants.js';
import { Runner, problems } from './fuzz-22-run.js';
import { root, targets } from './fuzz-22-targets.js';
import { sharedFolder, unprivilegedIds } from './unprivileged.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-22-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mutants of the real files each importer reads', () => {
  const runner = new Runner(dir);
  afterAll(() => runner.close());
  const count = Number(process.env.FUZZ22_MUTANTS ?? 48);
  const seed = Number(process.env.FUZZ22_SEED ?? 22);

  it(`${count} mutants (seed ${seed}): exit 0, 1 or 2 naming the file, no stack, no hang, no word the input does not hold`, async () => {
    const rnd = random(seed);
    const all = targets();
    const kinds = [...new Set(all.map((t) => t.kind))];
    const found: string[] = [];
    const seen = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      // Every kind of file in turn, a file of that kind at random.
      const kind = kinds[i % kinds.length];
      const ofKind = all.filter((t) => t.kind === kind);
      const target = ofKind[Math.floor(rnd() * ofKind.length)];
      const mutant = mutate(readFileSync(target.file, 'utf8'), target.file.endsWith('.json'), rnd);
      const own = join(dir, `m${i}`);
      mkdirSync(join(own, target.under ?? ''), { recursive: true });
      const file = join(own, target.under ?? '', basename(target.file));
      writeFileSync(file, mutant.text);
      const argv = target.argv(file, own);
      // A command here takes a second or two; the limit is a loaded machine's.
      const outcome = await runner.run(argv, 120_000);
      seen.set(`${kind}:${outcome.code}`, (seen.get(`${kind}:${outcome.code}`) ?? 0) + 1);
      // A refusal names the mutant, or the file beside it that names what the mutant no longer has.
      const wrong = problems(outcome, mutant.text, argv.filter((a) => a.startsWith('/')).map((a) => basename(a)));
      if (wrong.length) found.push(`${wrong.join(', ')}: ${target.file} (${mutant.ops.join('; ')})\n${outcome.err.slice(0, 400)}`);
      rmSync(own, { recursive: true, force: true });
    }
    expect(found).toEqual([]);
    // Every importer is reached, and the mutants are not all refused (a mutator that only broke syntax would not get
    // past the parsers) nor all read: in a run of 1,500, about one in six was read.
    for (const kind of kinds) expect([...seen.keys()].some((k) => k.startsWith(`${kind}:`)), kind).toBe(true);
    const read = [...seen].filter(([k]) => /:[01]$/.test(k)).reduce((n, [, c]) => n + c, 0);
    expect(read).toBeGreaterThan(count / 20);
    expect(count - read).toBeGreaterThan(count / 20);
  }, 1_800_000);
});

describe('every command\'s options and arguments given hostile values', () => {
  // As a user who is not root (test/unprivileged.ts): the file without read permission is one then.
  const argvDir = sharedFolder('rehearse-fuzz-22-argv-');
  afterAll(() => rmSync(argvDir, { recursive: true, force: true }));
  const runner = new Runner(argvDir, unprivilegedIds);
  afterAll(() => runner.close());
  // FUZZ22_ARGV=N: that many command lines, drawn (seeded) from all of them; `all` runs each.
  const wanted = process.env.FUZZ22_ARGV ?? '90';

  it(`${wanted} command lines: exit 0, 1 or 2, no stack, no hang, no "undefined", "NaN" or "[object Object]"`, async () => {
    const files = setUp(argvDir);
    expect((await runner.run(['run', files.tiny, '-q', '--json', `${files.out}.json`], 300_000)).code).toBe(0);
    let lines = allCommandLines(files);
    if (wanted !== 'all') {
      const rnd = random(Number(process.env.FUZZ22_SEED ?? 22));
      lines = lines.map((argv) => ({ argv, key: rnd() })).sort((a, b) => a.key - b.key).slice(0, Number(wanted)).map((x) => x.argv);
    }
    const found: string[] = [];
    const codes = new Set<number | string>();
    for (const argv of lines) {
      const outcome = await runner.run(argv, 300_000);
      codes.add(outcome.code);
      // A refusal names the option, the value or the file; the words checked are those the command line does not hold.
      // A name of thousands of characters is named cut (src/errors.ts shownPath), and every name as the terminal shows
      // it: its controls and bidirectional characters escaped, its line breaks as \n (src/cli/main.ts terminalSafe:
      // rtl\u202eevil, new\nline).
      // A file made inside a folder of such a name (sweep --write-back NAME: NAME/rollout.yaml) is cut the same way:
      // its first 60 characters are the name's.
      const given = lineBroken(argv);
      const cut = argv.filter((a) => a.length > 160).map((a) => `${a.slice(0, 60)}...(`);
      const wrong = problems(outcome, argv.join(' '), [...argv.filter((a) => a.startsWith('-')), ...cut, ...argv.flatMap((a) => [basename(a), shownPath(a)]).filter((a) => a.length > 0).map((a) => terminalSafe(a, given))]);
      if (wrong.length) found.push(`${wrong.join(', ')}: ${JSON.stringify(argv).slice(0, 300)}\n${(outcome.err || outcome.out).slice(0, 300)}`);
    }
    expect(found).toEqual([]);
    expect([...codes].sort()).toEqual([0, 2]);
  }, 3_600_000);
});

const NAMES = {
  scenario: 'drill</title><script>__xss=1</script>\u202e',
  journey: 'buy<img src=x onerror=__xss=2>',
  endpoint: 'ep"><svg onload=__xss=4>',
  gate: 'gate</style><script>__xss=7</script>',
  alert: 'Burn<b>__xss</b>',
  severity: 'crit</script><script>__xss=8</script>',
  caseName: 'healthy\u2029<img src=x onerror=__xss=9>',
  group: 'g<script>__xss=10</script>',
  annotation: '<img src=x onerror=__xss=11>',
  team: 't\u202eam',
  file: 'drill<img src=x onerror=__xss=12>.yaml',
  rules: 'rules<i>.yaml',
  operator: 'ada<svg onload=__xss=13>',
  note: 'note</script><script>__xss=14</script>\u2028{{constructor.constructor(\'__xss=15\')()}}',
  fault: 'slow</script><img src=x onerror=__xss=16>\u202e&amp;',
};
const q = (s: string) => JSON.stringify(s);
const drillText = `name: ${q(NAMES.scenario)}
seed: 7
duration: 20m
window: 30s
traffic: { rate: 40/s, cohort: { size: 2000, seed: 3 } }
journeys:
  ${q(NAMES.journey)}: { weight: 1, steps: [web.buy] }
services:
  web:
    concurrency: 16
    latency: { dist: lognormal, p50: 5ms, p99: 30ms }
    endpoints: { ${q(NAMES.endpoint)}: {}, buy: { calls: [{ to: pay.charge, timeout: 1s }] } }
  pay:
    concurrency: 16
    latency: { dist: lognormal, p50: 20ms, p99: 120ms }
    errors: 0.1%
    endpoints: { charge: {} }
flags:
  new-pay: { kind: release, owner: team, evaluated-by: [pay], when-on: { pay: { errors: +0.2% } } }
faults:
  - { kind: latency, target: pay, at: 6m, for: 1m, add: 5ms, name: ${q(NAMES.fault)} }
faults-catalogue:
  pay-down: { kind: abort, target: pay, percent: 50%, for: 3m }
rollout:
  - flag: new-pay
    stages: [{ to: 10%, hold: 4m }, { to: 100% }]
    evaluate-every: 30s
    gates:
      - { name: ${q(NAMES.gate)}, promql: 'sum(rate(http_requests_total[1m]))', success: 'result >= 0' }
      - { alert: ${q(NAMES.alert)}, from: ${q(NAMES.rules)}, labels: { severity: ${q(NAMES.severity)} } }
metrics:
  rules: [${q(NAMES.rules)}]
cases:
  ${q(NAMES.caseName)}: {}
`;
const rulesText = `groups:
  - name: ${q(NAMES.group)}
    rules:
      - alert: ${q(NAMES.alert)}
        expr: sum(rate(http_requests_total[1m])) > 1e9
        labels: { severity: ${q(NAMES.severity)}, team: ${q(NAMES.team)} }
        annotations: { summary: ${q(NAMES.annotation)} }
`;

describe('hostile names in the pages, in chromium', () => {
  const chromium = sharedChromium();
  let drill: Drill | undefined;
  afterAll(async () => {
    await drill?.stop();
  });

  /** A report page opened from its file, its errors watched, once it has drawn: no render error. */
  async function report(html: string) {
    const errors: string[] = [];
    const page = await chromium().newPage({ viewport: { width: 1280, height: 1000 } });
    watchErrors(page, errors);
    await page.goto(`file://${html}`);
    await rendered(page);
    expect(await page.getAttribute('body', 'data-render-error')).toBeNull();
    return { page, errors };
  }
  /** A page's state: whether a script ran, and its text as the DOM holds it (with the charts' text). */
  const state = (page: Page) => page.evaluate(() => ({
    xss: (window as unknown as { __xss?: number }).__xss,
    title: document.title,
    text: `${document.body.textContent ?? ''}\n${[...document.querySelectorAll('svg text, title')].map((t) => t.textContent ?? '').join('\n')}`,
  }));

  it('the dashboard and the debrief run none of them and show each as written', async () => {
    const drillDir = join(dir, 'drill');
    mkdirSync(drillDir);
    const file = join(drillDir, NAMES.file);
    writeFileSync(file, drillText);
    writeFileSync(join(drillDir, NAMES.rules), rulesText);
    const read = readDrillScenario(file, NAMES.caseName);
    const opened = await Drill.open({ file: read.file, caseName: NAMES.caseName, hiddenCase: false, seed: 7, gates: 'on' }, read, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: [NAMES.operator], observers: true, out: join(drillDir, 'out'),
    });
    drill = opened.drill;
    const fran = opened.links.find((l) => l.name === 'fran')!;
    const url = new URL(fran.url);
    const ada = new URL(opened.links.find((l) => l.name === NAMES.operator)!.url);
    const post = (body: unknown, by = url) => fetch(new URL('/api/actions', url.origin), { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${by.searchParams.get('token')}`, 'Content-Type': 'application/json' } });
    const errors: string[] = [];
    const context = await chromium().newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    watchErrors(page, errors);
    await page.goto(fran.url);
    await page.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, null, { timeout: 120_000 });
    expect((await post({ type: 'start' })).status).toBe(200);
    drill.session.advanceTo(5 * 60e6);
    expect((await post({ type: 'fault', name: 'pay-down' })).status).toBe(200);
    expect((await post({ type: 'note', text: NAMES.note }, ada)).status).toBe(200);
    drill.session.advanceTo(9 * 60e6);
    await page.waitForFunction(() => Number(document.body.dataset.windows) >= 18, null, { timeout: 120_000 });
    await page.waitForFunction((note) => (document.body.textContent ?? '').includes(note), NAMES.note, { timeout: 120_000 });
    const live = await state(page);
    expect(live.xss).toBeUndefined();
    for (const name of [NAMES.scenario, NAMES.journey, NAMES.gate, NAMES.alert, NAMES.severity, NAMES.caseName, NAMES.rules, NAMES.operator, NAMES.note, NAMES.fault]) {
      expect(live.text, name).toContain(name);
    }
    expect((await post({ type: 'end' })).status).toBe(200);
    await page.waitForSelector('#debrief-link:not([hidden])', { timeout: 120_000 });
    const debrief = await context.newPage();
    watchErrors(debrief, errors);
    await debrief.goto(new URL((await page.getAttribute('#debrief-link', 'href'))!, url).href);
    await rendered(debrief);
    expect(await debrief.getAttribute('body', 'data-render-error')).toBeNull();
    const after = await state(debrief);
    expect(after.xss).toBeUndefined();
    expect(after.title).toContain(NAMES.scenario);
    for (const name of [NAMES.scenario, NAMES.caseName, NAMES.operator, NAMES.note, NAMES.fault]) expect(after.text, name).toContain(name);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);

  it('calibrate --check-html of traces whose files, service and route are named with tags: the page runs none and shows them as written', async () => {
    const traces = join(dir, 'traces');
    mkdirSync(traces);
    const service = 'front</script><script>__xss=21</script>';
    const route = 'GET /<img src=x onerror=__xss=22>';
    const files = ['frontend', 'cart', 'db'].map((s) => {
      const text = readFileSync(join(root, 'test/fixtures/realsys/base', `${s}.otlp.json`), 'utf8');
      const file = join(traces, `${s}<b onclick=__xss=23>.otlp.json`);
      writeFileSync(file, text.replaceAll('"frontend"', JSON.stringify(service)).replaceAll('"GET /', JSON.stringify(route).slice(0, -1)));
      return file;
    });
    expect(readFileSync(files[0], 'utf8')).toContain(route);
    const html = join(traces, 'check.html');
    const runner = new Runner(traces);
    const r = await runner.run(['calibrate', ...files, '--sample-rate', '0.6', '--out', join(traces, 'cal.yaml'), '--check', files[0], '--check-html', html, '-q'], 600_000);
    await runner.close();
    expect(r.code, r.err).toBe(0);
    const { page, errors } = await report(html);
    const shown = await state(page);
    expect(shown.xss).toBeUndefined();
    // Names from traces are made scenario names (the route's tag is no name); the raw ones show as written.
    expect(shown.text).toContain(`Calibrated from ${files.map((f) => basename(f)).join(', ')}; checked against ${basename(files[0])}.`);
    expect(shown.text).toContain(`--capacity ${service}=N`);
    expect(errors).toEqual([]);
    await page.close();
  }, 900_000);

  it('sweep --html with a scenario, journey and cases named with tags, and gates with "<" in the policies', async () => {
    const sweepDir = join(dir, 'sweep');
    mkdirSync(sweepDir);
    const names = { scenario: 'sweep</title><script>__xss=31</script>', healthy: 'healthy</script><script>__xss=32</script>', bad: 'bad<svg onload=__xss=33>' };
    const file = join(sweepDir, 'sweep.yaml');
    writeFileSync(file, `name: ${q(names.scenario)}
seed: 1
duration: 20s
traffic: { rate: 20/s }
journeys: { "j<img src=x onerror=__xss=34>": { steps: [web.home] } }
services:
  web: { latency: { dist: lognormal, p50: 5ms, p99: 20ms }, endpoints: { home: {} } }
flags:
  f: { kind: release, owner: me, evaluated-by: [web], when-on: { web: { errors: +5% } } }
rollout:
  - { flag: f, stages: [{ to: 50%, hold: 5s }, { to: 100% }], gates: ['req_failed rate<0.5'] }
cases:
  ${q(names.healthy)}: { flags: { f: { when-on: {} } } }
  ${q(names.bad)}: {}
tune:
  seeds: 2
  vary: { rollout.f.gates.0: ['req_failed rate<0.1', 'req_failed rate<0.5'] }
  minimize: 'blast_radius_users p(95)'
`);
    const html = join(sweepDir, 'sweep.html');
    const runner = new Runner(sweepDir);
    const r = await runner.run(['sweep', file, '--workers', '1', '-q', '--html', html], 600_000);
    await runner.close();
    expect([0, 1], r.err).toContain(r.code);
    const { page, errors } = await report(html);
    const shown = await state(page);
    expect(shown.xss).toBeUndefined();
    expect(shown.title).toBe(`rehearse sweep: ${names.scenario}`);
    for (const text of [names.scenario, names.healthy, names.bad, 'req_failed rate<0.1', 'req_failed rate<0.5']) expect(shown.text, text).toContain(text);
    expect(errors).toEqual([]);
    await page.close();
  }, 900_000);
});
