/**
 * One vocabulary across the four outputs. `rehearse ci` runs over the bundled scenarios (and two variants that
 * fail and do not load), and every case's verdict, what happened to each flag and each criterion's verdict
 * read the same in the terminal, the Markdown summary, the JUnit XML and the HTML pages as Chromium renders
 * them: PASS, FAIL, N/A with why, NO CRITERIA (never a tick), INVALID, CRASHED; never "PASSED" alone. The
 * words are written here, not taken from the module under test.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CiCase, CiReport } from '../src/score/ci.js';
import { junitXml } from '../src/report/junit.js';
import { markdownSummary } from '../src/report/markdown.js';
import { ciSummaryTable, caseLines } from '../src/report/ci-terminal.js';
import { ciIndexHtml } from '../src/report/html/ci.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-vocabulary-'));

/** The vocabulary, as a reader meets it. */
const CASE_LABEL: Record<CiCase['status'], string> = {
  passed: '✔ PASS', failed: '✘ FAIL', 'no-criteria': '– NO CRITERIA', invalid: '✘ INVALID', crashed: '✘ CRASHED',
};
const criterionLabel = (a: CiCase['acceptance'][number]) => (a.note?.startsWith('does not apply: ') ? '– N/A' : a.pass ? '✔ PASS' : '✘ FAIL');
/** What a criterion reads as in every output (Markdown and HTML escape the same text). */
const criterionText = (a: CiCase['acceptance'][number]) => `${criterionLabel(a)} ${a.criterion}`;
const name = (c: Pick<CiCase, 'scenario' | 'case'>) => (c.case ? `${c.scenario} [${c.case}]` : c.scenario);
const FIRST_WORDS = /^(caught|missed|shipped|false rollback|false alarm|unfinished|not started|no rollout plan): /;
/** Words that must never appear: a bare "passed" reads as "safe to ship"; a tick belongs to PASS only. */
const FORBIDDEN = [/\bPASSED\b/, /\bFAILED\b/, /✔ (NO CRITERIA|N\/A)/, /✅|❌|➖/];

const squash = (s: string) => s.replace(/[ \t]+/g, ' ');

describe('one vocabulary over the bundled scenarios', () => {
  let report: CiReport;
  let terminal: string;
  let markdown: string;
  let junit: Record<string, any>[];
  let browser: Browser;

  beforeAll(async () => {
    const scenarios = join(dir, 'scenarios');
    cpSync(join(root, 'scenarios'), scenarios, { recursive: true });
    for (const d of ['cohorts', 'flags']) symlinkSync(join(root, d), join(dir, d));
    // A criterion that fails in one case and does not apply in the other; a file that does not load.
    const tuning = readFileSync(join(scenarios, 'gate-tuning.yaml'), 'utf8').replace(/^name: .*$/m, 'name: gate-tuning-strict');
    writeFileSync(join(scenarios, 'gate-tuning-strict.yaml'), `${tuning}\nacceptance: ['blast_radius_users{flag:new-engine,case:defective} max<1', 'time_to_detect{flag:new-engine} max<10m']\n`);
    writeFileSync(join(scenarios, 'broken.yaml'), tuning.replace(/^name: .*$/m, 'name: broken\nstages: 3'));
    terminal = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [join(root, 'bin/rehearse.js'), 'ci', 'scenarios', '--json', 'out/ci.json', '--junit', 'out/junit.xml', '--summary', 'out/summary.md', '--html-dir', 'out/html'],
        { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (err, stdout) => {
          if (err && (err as { code?: unknown }).code !== 1) reject(err);
          else resolve(stdout);
        });
    });
    report = JSON.parse(readFileSync(join(dir, 'out/ci.json'), 'utf8'));
    markdown = readFileSync(join(dir, 'out/summary.md'), 'utf8');
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(dir, 'out/junit.xml'), 'utf8'));
    junit = [xml.testsuites.testsuite].flat().flatMap((s: { testcase: unknown }) => [s.testcase].flat()) as Record<string, any>[];
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers every verdict but CRASHED, and every criterion verdict', () => {
    const statuses = new Set(report.cases.map((c) => c.status));
    for (const s of ['passed', 'failed', 'no-criteria', 'invalid'] as const) expect(statuses, s).toContain(s);
    const labels = new Set(report.cases.flatMap((c) => c.acceptance.map(criterionLabel)));
    expect([...labels].sort()).toEqual(['– N/A', '✔ PASS', '✘ FAIL'].sort());
    expect(report.cases.length).toBeGreaterThan(20);
  });

  it('headlines say what the ground truth says happened', () => {
    for (const c of report.cases) {
      const lines = terminal.split('\n');
      const at = lines.findIndex((l) => l.startsWith(CASE_LABEL[c.status]) && l.includes(`  ${name(c)}  (`));
      expect(at, name(c)).toBeGreaterThanOrEqual(0);
      for (const [k, f] of Object.entries(c.flags)) {
        const line = lines.slice(at + 1).find((l) => l.startsWith(`    ${k}: `))!.slice(4 + k.length + 2);
        expect(line, `${name(c)} ${k}`).toMatch(FIRST_WORDS);
        const first = FIRST_WORDS.exec(line)![1];
        if (first === 'caught') expect(f.defective && f.time_to_detect_seconds !== null).toBe(true);
        if (first === 'missed') expect(f.defective && f.outcome === 'completed').toBe(true);
        if (first === 'shipped') expect(!f.defective && f.outcome === 'completed').toBe(true);
        if (first === 'false rollback') expect(f.false_rollback && f.outcome === 'rolled-back').toBe(true);
        expect(line).toMatch(f.defective ? new RegExp(`[:,] ${f.blast_radius_users.toLocaleString('en-US')} users? hurt`) : /nobody hurt/);
        if (f.outcome === 'rolled-back' && f.acted_percent) expect(line).toContain(`rolled back at ${f.acted_percent}%`);
      }
    }
  });

  it('the terminal: each case as it finishes and in the table, each criterion with its verdict', () => {
    for (const c of report.cases) {
      expect(terminal, name(c)).toMatch(new RegExp(`^${CASE_LABEL[c.status]} +${escapeRe(name(c))}  \\(`, 'm'));
      expect(terminal, name(c)).toMatch(new RegExp(`^${CASE_LABEL[c.status]} +${escapeRe(name(c))}  +\\S`, 'm'));
      for (const a of c.acceptance) expect(terminal).toContain(`    ${criterionText(a)}`);
    }
    expect(terminal).toMatch(/^✘ FAIL: \d+ cases: \d+ PASS, 1 FAIL, 1 INVALID, 0 CRASHED, \d+ NO CRITERIA$/m);
    for (const re of FORBIDDEN) expect(terminal).not.toMatch(re);
  });

  it('the Markdown summary: the same label, headlines and criteria in each row', () => {
    for (const c of report.cases) {
      const row = markdown.split('\n').find((l) => l.startsWith(`| ${CASE_LABEL[c.status]} | ${name(c)} |`));
      expect(row, name(c)).toBeDefined();
      for (const a of c.acceptance) expect(row).toContain(criterionText(a).replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      for (const k of Object.keys(c.flags)) expect(row).toMatch(new RegExp(`${escapeRe(k)}: (caught|missed|shipped|false rollback|false alarm|unfinished|not started|no rollout plan): `));
    }
    expect(markdown).toContain('## rehearse ci: ✘ FAIL');
    for (const re of FORBIDDEN) expect(markdown).not.toMatch(re);
  });

  it('JUnit: the verdict as the message and first line of output, the element a CI system reads it by', () => {
    for (const c of report.cases) {
      const t = junit.find((x) => x.name === name(c))!;
      expect(t, name(c)).toBeDefined();
      expect(String(t['system-out'])).toMatch(new RegExp(`^${CASE_LABEL[c.status]}: `));
      const element = c.status === 'passed' ? null : c.status === 'crashed' ? 'error' : c.status === 'no-criteria' ? 'skipped' : 'failure';
      for (const e of ['failure', 'error', 'skipped']) expect(t[e] !== undefined, `${name(c)} <${e}>`).toBe(e === element);
      if (element) expect(t[element].message).toMatch(new RegExp(`^${CASE_LABEL[c.status]}: `));
      for (const a of c.acceptance) expect(String(t['system-out'])).toContain(criterionText(a));
    }
    const all = JSON.stringify(junit);
    for (const re of FORBIDDEN) expect(all).not.toMatch(re);
  });

  it('HTML, as Chromium renders it: the index and every case page say the same, with no mark drawn by CSS', async () => {
    const page = await browser.newPage();
    const read = async (file: string) => {
      await page.goto(`file://${join(dir, 'out/html', file)}`, { waitUntil: 'domcontentloaded' });
      return page.evaluate(() => ({
        text: document.body.innerText,
        rows: [...document.querySelectorAll('table')].map((t) => [...t.querySelectorAll('tbody tr')].map((tr) => [...(tr as HTMLTableRowElement).cells].map((td) => td.innerText))),
        criteria: [...document.querySelectorAll('table.acceptance tbody tr')].map((tr) => [...(tr as HTMLTableRowElement).cells].map((td) => td.innerText)),
        badge: document.querySelector('.verdict')?.textContent ?? null,
        headlines: [...document.querySelectorAll('.headlines li')].map((li) => li.textContent),
        caveat: document.querySelector('.caveat')?.textContent ?? null,
        // Generated content: a tick or a word drawn by a style sheet that no text search would see.
        generated: [...document.querySelectorAll('*')].flatMap((el) => ['::before', '::after'].map((p) => getComputedStyle(el, p).content)).filter((x) => x !== 'none' && x !== 'normal'),
      }));
    };
    const index = await read('index.html');
    expect(index.generated).toEqual([]);
    for (const c of report.cases) {
      const row = index.rows[0].find((r) => r[1] === name(c));
      expect(row, name(c)).toBeDefined();
      expect(row![0]).toBe(CASE_LABEL[c.status]);
      for (const a of c.acceptance) expect(squash(row!.at(-1)!)).toContain(criterionText(a));
      if (!c.page) continue;
      const p = await read(c.page);
      expect(p.generated, c.page).toEqual([]);
      expect(p.badge, c.page).toBe(CASE_LABEL[c.status]);
      // The run page judges each criterion as ci did; the headlines, and what a PASS rests on, are the index's.
      expect(p.criteria.map((r) => `${r[0]} ${r[1]}`), c.page).toEqual(c.acceptance.map(criterionText));
      const [headlines, caveat = null] = row![2].trim().split(/\n+(?=PASS judges)/);
      expect(p.headlines.join('\n') || '-', c.page).toBe(headlines);
      expect(p.caveat, c.page).toBe(caveat);
      for (const re of FORBIDDEN) expect(p.text, c.page).not.toMatch(re);
    }
    for (const re of FORBIDDEN) expect(index.text).not.toMatch(re);
    expect(readdirSync(join(dir, 'out/html')).length).toBeGreaterThan(report.cases.length / 2);
    await page.close();
  }, 300_000);
});

describe('one vocabulary in every writer, every verdict (a crash included)', () => {
  const flag = { outcome: 'rolled-back' as const, final_percent: 0, defective: true, blast_radius_users: 12, blast_radius_requests: 15, time_to_detect_seconds: 120, false_rollback: false, missed_defect: false, misattribution: false, acted_seconds: 300, acted_percent: 1 };
  const make = (status: CiCase['status'], over: Partial<CiCase> = {}): CiCase => ({
    scenario: status, file: `${status}.yaml`, case: null, status, messages: [], seconds: 1.5, acceptance: [], flags: {}, errorBudgetBurned: null, regressions: [], ...over,
  });
  const cases: CiCase[] = [
    make('passed', { flags: { f: flag }, acceptance: [{ criterion: 'blast_radius_users{flag:f} max<50', value: 12, pass: true }, { criterion: 'time_to_detect{flag:f,case:other} max<5m', value: null, pass: true, note: 'does not apply: case other not run' }] }),
    make('failed', { flags: { f: { ...flag, outcome: 'completed', final_percent: 100, acted_seconds: null, acted_percent: null, time_to_detect_seconds: null, blast_radius_users: 690 } }, acceptance: [{ criterion: 'blast_radius_users{flag:f} max<50', value: 690, pass: false }], messages: ['blast_radius_users{flag:f} max<50: 690'] }),
    make('no-criteria'),
    make('invalid', { messages: ['invalid.yaml:1:1: a scenario needs traffic, journeys and services'] }),
    make('crashed', { messages: ['RangeError: out of memory'] }),
  ];
  const report: CiReport = { schema: 'rehearse/ci@1', version: '0', passed: false, counts: { cases: 5, passed: 1, failed: 1, invalid: 1, crashed: 1, 'no-criteria': 1, worse: 0 }, cases, timing: { seconds: 7 } };
  const outputs = {
    terminal: [...cases.flatMap(caseLines), ciSummaryTable(report)].join('\n'),
    markdown: markdownSummary(report),
    junit: junitXml(report),
    html: ciIndexHtml(report).replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' '),
  };

  it.each(Object.keys(outputs))('%s', (which) => {
    const text = outputs[which as keyof typeof outputs];
    for (const c of cases) expect(text, c.status).toContain(CASE_LABEL[c.status]);
    expect(text).toContain('✔ PASS blast_radius_users{flag:f} max&lt;50: 12'.replace(/&lt;/g, which === 'terminal' ? '<' : '&lt;'));
    expect(text).toContain(`– N/A time_to_detect{flag:f,case:other} max${which === 'terminal' ? '<' : '&lt;'}5m (case other not run)`);
    expect(text).toContain('f: caught: rolled back at 1% after 2m, 12 users hurt');
    expect(text).toContain('f: missed: 690 users hurt, no gate acted (promoted to 100%)');
    for (const re of FORBIDDEN) expect(text).not.toMatch(re);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
