/**
 * gameday ctl's hints point where they lead: words after a speed or a fault's name were told "give a reason with
 * --reason TEXT", and --reason given to them is then refused ("--reason goes with a plan action ... or end").
 * The error budget's figures read as the debrief and the terminal's summary write counts (4,744 failed journeys),
 * in `gameday ctl status` and on the page alike: they read 4744 beside the debrief's 4,744.
 */
import { describe, expect, it } from 'vitest';
import { ctlMain, stateLines, type StateAnswer } from '../src/cli/gameday-ctl.js';
import { FORMAT_JS } from '../src/live/page-format.js';
import { count } from '../src/units/format.js';

// A port nobody serves: an answer naming the argument shows that nothing was sent.
const URL = 'http://127.0.0.1:9/?token=abc';

async function ctl(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['ctl', URL, ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('words after an action that takes no reason', () => {
  it.each([
    [['speed', '1', '2'], 'error: speed takes one number, not "1 2"'],
    [['fault', 'pay-down', 'slow-web'], 'error: fault takes the name of one fault, not "pay-down slow-web" (one fault at a time)'],
    [['keep-going', 'x'], 'error: keep-going takes no arguments, not "x"'],
  ])('%j is not pointed at --reason', async (args, message) => {
    expect(await ctl(...args)).toEqual({ code: 2, out: '', err: message });
  });
  it.each([
    [['rollback', 'new-pay', 'too', 'slow'], 'error: rollback takes one flag, not "new-pay too slow" (give a reason with --reason TEXT)'],
    [['pause', 'new-pay', 'p99'], 'error: pause takes a flag or nothing (the clock), not "new-pay p99" (give a reason with --reason TEXT)'],
    [['end', 'now'], 'error: end takes no arguments, not "now" (give a reason with --reason TEXT)'],
  ])('%j is, since it takes one', async (args, message) => {
    expect(await ctl(...args)).toEqual({ code: 2, out: '', err: message });
  });
});

describe('the error budget\'s figures', () => {
  it('gameday ctl status writes counts as the debrief does', () => {
    const answer: StateAnswer = {
      you: { name: 'fran', role: 'facilitator' }, next: 'x',
      state: { reset: false, meta: { name: 'shop', nowSeconds: 5000, horizonSeconds: 7200, speed: 60, status: 'running' }, actions: [], audit: [], plans: [],
        budget: { text: 'exhausted (5.49x the budget)', failed: 4744, allowed: 1864.04, consumed: 5.49 } },
    } as StateAnswer;
    expect(stateLines(answer, new globalThis.URL(URL))).toContain('  error budget: exhausted (5.49x the budget) (4,744 failed journeys of the 1,864 the SLO allows over the whole horizon)');
  });
  it('the page counts as units/format.ts does', () => {
    const page = new Function(`${FORMAT_JS}; return count;`)() as typeof count;
    for (const n of [0, 7, 999, 1000, 4744, 86.4, 1864, 1234567.5, -12345, Number.NaN, Infinity]) expect(page(n), String(n)).toBe(count(n));
  });
});
