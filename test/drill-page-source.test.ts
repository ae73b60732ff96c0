/**
 * The formatters a page runs are written out as source (live/page-format.ts, report/html/clock-axis.ts), not
 * taken from the functions' toString(): in the command's bundle that text was minified and called `trim` by a
 * name the page did not have, and it differed from the text of dist/ (the debrief's worker), so one drill gave
 * two debrief pages. Here each written-out formatter gives what units/format.ts gives, on values across its
 * branches, and carries no name from outside itself.
 */
import { describe, expect, it } from 'vitest';
import { CLOCK_SOURCE, CLOCK_TICKS_SOURCE, CLOCK_JS } from '../src/report/html/clock-axis.js';
import { FORMAT_JS } from '../src/live/page-format.js';
import { clock, ms, percent, planPhase, trim } from '../src/units/format.js';

/** The page's formatters, evaluated alone (nothing else in scope but the language's globals). */
const page = new Function(`${FORMAT_JS}; return { clock: clock, trim: trim, ms: fmtMs, percent: percent, planPhase: planPhase };`)() as {
  clock: typeof clock; trim: typeof trim; ms: typeof ms; percent: typeof percent; planPhase: typeof planPhase;
};

const seconds = [0, 0.4, 0.5, 1, 59.4, 59.5, 60, 599, 3599.4, 3599.6, 3600, 3661, 7325.5, 86399, 90061, 360000];
const latencies = [null, undefined, Number.NaN, 0, 0.004, 2.54, 9.999, 10, 42.04, 99.96, 100, 261.4, 999.4, 999.6, 1000, 1254, 65432.1];
const fractions = [null, undefined, Number.NaN, 0, 0.000004, 0.00049, 0.0009, 0.0052, 0.0099, 0.0123, 0.09999, 0.315, 0.9996, 1, 1.3, -0.002];

describe('the page runs the formatters of the reports', () => {
  it('clock reads every moment as units/format.ts does', () => {
    for (const s of seconds) expect(page.clock(s), String(s)).toBe(clock(s));
  });
  it('ms, percent and trim give the reports\' words', () => {
    for (const v of latencies) expect(page.ms(v), String(v)).toBe(ms(v));
    for (const f of fractions) expect(page.percent(f), String(f)).toBe(percent(f));
    for (const f of fractions.filter((x): x is number => typeof x === 'number')) for (const d of [0, 1, 2]) expect(page.percent(f, d)).toBe(percent(f, d));
    for (const x of [0, 1.005, 35.7166, 14.735, 0.52001]) for (const d of [0, 1, 2, 3]) expect(page.trim(x, d)).toBe(trim(x, d));
  });
  it('a plan held for an approval names the stage that waits for it, on the page as at the terminal', () => {
    // It read `approval (awaiting approval)` on the page and `approval` at the terminal, naming no stage.
    expect(planPhase('approval', 0)).toBe('awaiting approval of stage 2');
    expect(planPhase('approval', -1)).toBe('awaiting approval of stage 1');
    for (const [phase, stage] of [['approval', 0], ['approval', 2], ['holding', 1], ['paused', 0], ['waiting', -1]] as const) {
      expect(page.planPhase(phase, stage)).toBe(planPhase(phase, stage));
    }
  });
  it('the chart clock and its ticks stand alone', () => {
    const c = new Function(`return ${CLOCK_SOURCE};`)() as typeof clock;
    for (const s of seconds) expect(c(s)).toBe(clock(s));
    const ticks = new Function(`return ${CLOCK_TICKS_SOURCE};`)() as (d: number[]) => number[];
    expect(ticks([0, 600])).toEqual([0, 120, 240, 360, 480, 600]);
    expect(ticks([30, 7200])).toEqual([900, 1800, 2700, 3600, 4500, 5400, 6300, 7200]);
    expect(ticks([5, 5])).toEqual([5]);
    // Registered with a vega that is only a recorder: both names, and the page's bytes do not depend on the build.
    const names: string[] = [];
    new Function('vega', CLOCK_JS)({ expressionFunction: (name: string) => names.push(name) });
    expect(names).toEqual(['clock', 'clockTicks']);
    expect(CLOCK_JS).not.toMatch(/\$\w|=>/);
  });
});

describe("the dashboard's script", () => {
  it('declares each function once: a second declaration of a name in its scope replaces the first for every caller', async () => {
    // A chart helper named trim once replaced the formatters' trim(x, digits): the health grid read "errors false%".
    const { DASHBOARD_JS } = await import('../src/live/page-script.js');
    const names = [...DASHBOARD_JS.matchAll(/^ {2}function ([A-Za-z_$][\w$]*)\s*\(/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(20);
    expect(names).toContain('trim');
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
