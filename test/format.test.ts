/** The words every report uses for numbers: durations, percentages, the budget, plurals, criterion values. */
import { describe, expect, it } from 'vitest';
import { budget, clock, criterionValue, duration, ms, percent, plural } from '../src/units/format.js';
import { ciIndexHtml } from '../src/report/html/ci.js';
import { textTable } from '../src/report/table.js';
import type { CiCase, CiReport } from '../src/score/ci.js';

describe('format', () => {
  it.each([
    [0, '0s'], [0.25, '250ms'], [0.0042, '4.2ms'], [4.2, '4.2s'], [43.1, '43.1s'], [87.3005, '1m27s'], [60, '1m'],
    [3599.6, '1h'], [3900, '1h05m'], [7200, '2h'], [90000, '1d1h'], [Infinity, 'never'], [null, '-'],
  ])('duration(%s) = %s', (s, text) => expect(duration(s)).toBe(text));

  it.each([[0, '0m00s'], [1893, '31m33s'], [3900, '1h05m00s']])('clock(%s) = %s', (s, text) => expect(clock(s)).toBe(text));

  it.each([[2.54, '2.54ms'], [42, '42.0ms'], [261.2, '261ms'], [1250, '1.25s']])('ms(%s) = %s', (x, text) => expect(ms(x)).toBe(text));

  it.each([[0, '0%'], [0.0004, '0.04%'], [0.00644, '0.64%'], [0.015, '1.5%'], [0.315, '31.5%'], [1, '100%']])('percent(%s) = %s', (x, text) => expect(percent(x)).toBe(text));

  it('says the budget as a share consumed, or exhausted and how many times over, never a percentage in the thousands', () => {
    expect(budget(0.315)).toBe('31.5% consumed');
    expect(budget(1)).toBe('100.0% consumed');
    expect(budget(1.016)).toBe('exhausted (1.02x the budget)');
    expect(budget(12.93)).toBe('exhausted (12.9x the budget)');
    // 12,999%: the figure that read like an error or an overflow.
    expect(budget(129.99)).toBe('exhausted (130x the budget)');
    expect(budget(4821.6)).toBe('exhausted (4,822x the budget)');
  });

  it('gets plurals right', () => {
    expect(plural(1, 'service')).toBe('1 service');
    expect(plural(2, 'service')).toBe('2 services');
    expect(plural(0, 'policy', 'policies')).toBe('0 policies');
    expect(plural(1079934, 'journey')).toBe('1,079,934 journeys');
  });

  it.each([
    ['time_to_detect{flag:f} max<10m', 87.3005, '1m27s'],
    ['blast_radius_users{flag:f} max<2000', 24, '24'],
    ['false_rollback{flag:f} max<1', 0, 'no'],
    ['detected{case:defective} rate>0.9', 0.95, '95%'],
    ['error_budget_burned max<1', 12.93, 'exhausted (12.9x the budget)'],
  ])('criterionValue(%s, %s) = %s', (criterion, value, text) => expect(criterionValue(criterion, value)).toBe(text));

  it('draws tables with left-aligned text and right-aligned figures', () => {
    const lines = textTable(['', 'criterion', 'value'], [['PASS', 'a{flag:f} max<1', '1m27s'], ['FAIL', 'bb', '24']], ['left', 'left', 'right']);
    expect(lines).toEqual([
      '      criterion        value',
      '----  ---------------  -----',
      'PASS  a{flag:f} max<1  1m27s',
      'FAIL  bb                  24',
    ]);
  });
});

describe('ci index', () => {
  const make = (users: number, ttd: number | null, status: CiCase['status'] = 'passed'): CiCase => ({
    scenario: 's', file: 's.yaml', case: 'defective', status, messages: status === 'failed' ? [`time_to_detect{flag:f} max<1m: ${ttd}`, 'another note'] : [], seconds: 1, errorBudgetBurned: 0.2, regressions: [],
    acceptance: [{ criterion: 'time_to_detect{flag:f} max<1m', value: ttd ?? 0, pass: status === 'passed' }],
    flags: { f: { outcome: 'rolled-back', final_percent: 0, defective: true, blast_radius_users: users, blast_radius_requests: users, time_to_detect_seconds: ttd, false_rollback: false, missed_defect: false, misattribution: false } },
    page: 's--defective.html',
  });
  const report = (c: CiCase): CiReport => ({ schema: 'rehearse/ci@1', version: '0', passed: c.status === 'passed', counts: { cases: 1, passed: 1, failed: 0, invalid: 0, crashed: 0, 'no-criteria': 0, worse: 0 }, cases: [c], timing: { seconds: 1 } });

  it('shows what happened, time to detect and the trend against the baseline', () => {
    const html = ciIndexHtml(report(make(30, 87.3, 'failed')), report(make(24, 60)));
    expect(html).toContain('f: caught: rolled back after 1m27s, 30 users hurt');
    expect(html).toContain('f: 1m27s');
    expect(html).toContain('users hurt 24 → 30 ▲');
    expect(html).toContain('detection 1m → 1m27s ▲');
    expect(html).toContain('was ✔ PASS');
    expect(html).toContain('<td class="v-bad">✘ FAIL</td>');
    expect(html).toContain('✘ FAIL time_to_detect{flag:f} max&lt;1m: 1m27s');
  });

  it('the terminal table cuts a long name with an ellipsis and says NO CRITERIA as the line per case does', async () => {
    const { ciSummaryTable } = await import('../src/report/ci-terminal.js');
    const long = { ...make(3, null, 'no-criteria'), scenario: 'n'.repeat(300) };
    const table = ciSummaryTable(report(long)).split('\n');
    expect(table[2]).toMatch(new RegExp(`^– NO CRITERIA  ${'n'.repeat(59)}… `));
    expect(Math.max(...table.map((l) => l.length))).toBeLessThan(140);
  });

  it('says a failed case\'s criteria with their verdict and values in units, and keeps its other messages', async () => {
    const { caseNotes, criterionLine } = await import('../src/report/vocabulary.js');
    const c = make(30, 87.3005, 'failed');
    expect(c.acceptance.map(criterionLine)).toEqual(['✘ FAIL time_to_detect{flag:f} max<1m: 1m27s']);
    expect(caseNotes(c)).toEqual(['another note']);
  });
});

describe('progress', () => {
  it('says the time left only once there is an estimate, in the one duration format', async () => {
    const { timeLeft } = await import('../src/cli/progress.js');
    expect(timeLeft(0, 100, 10_000)).toBe('estimating the time left');
    expect(timeLeft(1, 100, 10_000)).toBe('estimating the time left'); // 1% done
    expect(timeLeft(50, 100, 1_000)).toBe('estimating the time left'); // 1 s in
    expect(timeLeft(10, 100, 10_000)).toBe('about 1m30s left');
    expect(timeLeft(25, 100, 5_000)).toBe('about 15s left');
    expect(timeLeft(100, 100, 5_000)).toBe('finishing');
  });
});

describe('terminal summary', () => {
  it('speaks in units and plurals, and lists each failed gate of a rollback on its own line', async () => {
    const { loadScenarioFile } = await import('../src/load/scenario.js');
    const { runScenario } = await import('../src/score/result.js');
    const { formatSummary } = await import('../src/report/terminal.js');
    const loaded = loadScenarioFile(new URL('../scenarios/gate-tuning.yaml', import.meta.url).pathname, 'defective');
    if (!loaded.ok) throw new Error('gate-tuning.yaml does not load');
    const text = formatSummary(runScenario(loaded.scenario));
    expect(text).toMatch(/^simulated 25m: [\d,]+ journeys, [\d,]+ events$/m);
    expect(text).toMatch(/rollback +1 failed evaluation, over the failure limit of 0; back to 0%\n +req_failed\{service:api,flag:on\} rate<0\.02: rate = [\d.]+% over [\d,]+ requests \(limit rate < 2%\)/);
    expect(text).toMatch(/gates: 1 reading, 1 failed/);
    expect(text).toMatch(/propagation to 1 service: mean [\d.]+s, max [\d.]+s/);
    expect(text).toMatch(/; error budget: exhausted \([\d.]+x the budget\)$/m);
    expect(text).toMatch(/detected after [\d.]+s/);
  });

  it('lists the failed readings of every round the failure counter counted, each with its time, not only the last', async () => {
    const { loadScenarioFile } = await import('../src/load/scenario.js');
    const { runScenario } = await import('../src/score/result.js');
    const { formatSummary } = await import('../src/report/terminal.js');
    const loaded = loadScenarioFile(new URL('../scenarios/consumer-first.yaml', import.meta.url).pathname);
    if (!loaded.ok) throw new Error('consumer-first.yaml does not load');
    // Its first 10 of 120 minutes: the rollback at 3m, its readings and the audit up to it are those of the whole run
    // (the lines below, the decision and that audit compared alike).
    const result = runScenario({ ...loaded.scenario, durationUs: 600e6 } as typeof loaded.scenario);
    const lines = formatSummary(result).split('\n');
    const at = lines.findIndex((l) => /rollback +3 failed evaluations, over the failure limit of 2; back to 0%/.test(l));
    expect(at).toBeGreaterThan(0);
    const listed = lines.slice(at + 1).filter((l) => /^ {24,}\d+m\d\ds {2}\S/.test(l)).map((l) => l.trim().split('  ')[0]);
    // Three rounds with a failed reading, as the audit has them up to the rollback: each listed with its time.
    const decision = result.rollouts.find((p) => p.flag === 'new-checkout')!.decisions.find((d) => d.action === 'rollback')!;
    const rounds = [...new Set(result.audit.filter((a) => a.flag === 'new-checkout' && a.event === 'gate' && a.gate?.verdict === 'fail' && a.timeSeconds <= decision.timeSeconds).map((a) => a.timeSeconds))];
    expect(rounds).toHaveLength(3);
    expect([...new Set(listed)]).toEqual(['1m00s', '2m00s', '3m00s']);
  });
});

describe('plurals in messages', () => {
  it('one seed is "1 seed", not "1 seeds"', async () => {
    const { quantileInterval } = await import('../src/sweep/aggregate.js');
    expect(quantileInterval([5], 0.5)?.note).toBe('missing: 1 seed gives none (a lower bound needs at least 6 seeds, an upper one at least 6)');
  });

  it('a sweep of one seed says it has no interval, never -inf..inf', async () => {
    const { execFileSync } = await import('node:child_process');
    const root = new URL('..', import.meta.url).pathname;
    const out = execFileSync(process.execPath, [`${root}bin/rehearse.js`, 'sweep', 'scenarios/gate-tuning.yaml', '--seeds', '1', '--workers', '2'], { cwd: root, encoding: 'utf8' });
    expect(out).not.toMatch(/inf\b/);
    expect(out).toMatch(/^warning: the objective's 95% interval is missing: 1 seed gives none \(a lower bound needs at least 2 seeds, an upper one at least 72\)$/m);
    expect(out).toMatch(/^warning: 1 seed gives no interval for the objective, so "[^"]+" \(\d+\) cannot be told from "[^"]+" \(\d+\); add seeds$/m);
  }, 120_000);
});

describe('a gate reading in one set of words', () => {
  it('a reading just over its limit never reads as the limit: three significant digits in the gate\'s unit', async () => {
    const { gateFigure, readingWords } = await import('../src/units/format.js');
    expect(gateFigure('req_failed', 'rate', 0.0201)).toBe('2.01%');
    expect(gateFigure('req_failed', 'rate', 0.008)).toBe('0.8%');
    expect(gateFigure('req_duration', 'p(99)', 261.37)).toBe('261ms');
    expect(gateFigure('req_duration', 'p(99)', 1234)).toBe('1.23s');
    expect(gateFigure('req_rate', 'count', 12.345)).toBe('12.3');
    expect(readingWords({ detail: 'rate = 2.01% over 80 requests', threshold: 'rate < 2%' })).toBe('rate = 2.01% over 80 requests (limit rate < 2%)');
    expect(readingWords({ detail: 'Inconclusive: provider datadog is not rehearsed', threshold: 'none' })).toBe('Inconclusive: provider datadog is not rehearsed');
  });

  it('the terminal, the HTML report, the result\'s decision reason and the live page say the same reading', async () => {
    const { loadScenarioFile } = await import('../src/load/scenario.js');
    const { runScenario } = await import('../src/score/result.js');
    const { formatSummary } = await import('../src/report/terminal.js');
    const { runReportHtml } = await import('../src/report/html/run.js');
    const { DrillSession, readDrillScenario } = await import('../src/live/session.js');
    const { planRows } = await import('../src/live/view.js');
    const file = new URL('../scenarios/gate-tuning.yaml', import.meta.url).pathname;
    const loaded = loadScenarioFile(file, 'defective');
    if (!loaded.ok) throw new Error('gate-tuning.yaml does not load');
    const r = runScenario(loaded.scenario);
    const gate = 'req_failed{service:api,flag:on} rate<0.02';
    // The words, in the gate's unit: a percentage to three significant digits, the limit in the same unit.
    const words = `${gate}: ${r.audit.find((a) => a.event === 'gate')!.gate!.detail} (limit rate < 2%)`;
    expect(words).toMatch(/: rate = 2\.\d\d% over [\d,]+ requests \(limit rate < 2%\)$/);
    expect(formatSummary(r)).toContain(words);
    expect(r.rollouts[0].decisions.find((d) => d.action === 'rollback')!.reason).toContain(words);
    const html = runReportHtml(r);
    const escaped = words.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(html).toContain(escaped);
    expect(html).not.toMatch(/rate = 0\.0\d/);
    // The live page's data: the same reading of the same run (a drill of the same scenario, case and seed).
    const s = new DrillSession({ file, caseName: 'defective', hiddenCase: false, seed: r.scenario.seed, gates: 'on' }, readDrillScenario(file, 'defective').scenario);
    s.act({ type: 'start' }, { name: 'fran', role: 'facilitator' }, '2026-01-01T00:00:00Z');
    s.advanceTo(90e6);
    const readings = new Map(s.controller!.audit.filter((a) => a.event === 'gate').map((a) => [`${a.flag}\u0000${a.gate!.gate}`, a]));
    const live = planRows(s, readings)[0].gates[0];
    expect(`${live.source}: ${live.reading}`).toBe(words);
  });
});

describe('a PASS beside a missed defect', () => {
  it('says what PASS rests on and what the missed defect means, in the terminal and on the page, and its advice fails the run', async () => {
    const { loadScenarioFile } = await import('../src/load/scenario.js');
    const { runScenario } = await import('../src/score/result.js');
    const { formatVerdict } = await import('../src/report/terminal.js');
    const { runReportHtml } = await import('../src/report/html/run.js');
    const file = new URL('./fixtures/missed-defect.yaml', import.meta.url).pathname;
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) throw new Error('missed-defect.yaml does not load');
    const r = runScenario(loaded.scenario);
    expect(r.passed).toBe(true);
    expect(r.outcomes.flags['new-engine'].missed_defect).toBe(true);
    const text = formatVerdict(r).join('\n');
    expect(text).toMatch(/^verdict: ✔ PASS \(2 criteria: 2 met\)\n  new-engine: missed: \d+ users hurt, no gate acted \(promoted to 100%\)\n  PASS judges the acceptance criteria alone, and each that applies was met; the ground truth is not part of it:\n    new-engine hurt \d+ users and the gates still promoted it to 100%: a missed defect, the rollout decision was wrong\n/);
    expect(text).toContain("to fail a run like this, add 'missed_defect{flag:new-engine} max<1'");
    expect(runReportHtml(r)).toMatch(/<p class="warning caveat">PASS judges the acceptance criteria alone[^<]*new-engine hurt \d+ users and the gates still promoted it to 100%: a missed defect/);
    // The advice is a criterion that fails this very run.
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const strictFile = `${mkdtempSync(`${tmpdir()}/rehearse-caveat-`)}/strict.yaml`;
    writeFileSync(strictFile, `${readFileSync(file, 'utf8')}  - 'missed_defect{flag:new-engine} max<1'\n`);
    const strict = loadScenarioFile(strictFile);
    if (!strict.ok) throw new Error(JSON.stringify(strict.problems));
    const failed = runScenario(strict.scenario);
    expect(failed.passed).toBe(false);
    expect(formatVerdict(failed).join('\n')).not.toContain('PASS judges');
    rmSync(strictFile.replace(/\/strict\.yaml$/, ''), { recursive: true });
  });

  it('a ci case says the same, from the same words: its lines, the summary table, the Markdown summary; a FAIL does not', async () => {
    const { loadScenarioFile } = await import('../src/load/scenario.js');
    const { runScenario } = await import('../src/score/result.js');
    const { caseFromResult } = await import('../src/score/ci.js');
    const { caseLines } = await import('../src/report/ci-terminal.js');
    const { markdownSummary } = await import('../src/report/markdown.js');
    const { caveatLines, caveatSentence, verdictCaveat } = await import('../src/report/vocabulary.js');
    const file = new URL('./fixtures/missed-defect.yaml', import.meta.url).pathname;
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) throw new Error('missed-defect.yaml does not load');
    const r = runScenario(loaded.scenario);
    const c = caseFromResult(file, r, 1);
    const words = verdictCaveat(r)!;
    expect(caseLines(c).join('\n')).toContain(caveatLines(words).map((x) => `    ${x}`).join('\n'));
    const md = markdownSummary({ schema: 'rehearse/ci@1', version: 'x', passed: true, counts: { cases: 1, passed: 1, failed: 0, invalid: 0, crashed: 0, 'no-criteria': 0, worse: 0 }, cases: [c], timing: { seconds: 1 } });
    expect(md).toContain(`<br>${caveatSentence(words).replace(/</g, '&lt;')} |`);
    expect(caveatSentence(words)).toMatch(/^PASS judges the acceptance criteria alone, [^]*a missed defect, the rollout decision was wrong; the error budget is exhausted \(\S+ the budget\)\. To fail a run like this, add 'missed_defect\{flag:new-engine\} max<1' or 'error_budget_burned max<1' to acceptance\.$/);
    expect(caseLines({ ...c, status: 'failed' }).join('\n')).not.toContain('PASS judges');
  });
});
