/**
 * Every command a person types at a drill gets a clear answer: gameday --speed takes decimals only, as
 * `gameday ctl URL speed` does (--speed 0x10 ran at 16x and " 5" at 5x); --reason given to an action that records
 * none is refused rather than dropped unsaid (`ctl URL note hi --reason x`, `ctl URL pause --reason x` of the
 * clock); `end` with words says where a reason goes; a plan of one stage is "1 stage"; the countdown once every
 * plan is done stands still while the clock is paused, and status says so (it said "ends in 58 s" for minutes).
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ctlMain, stateLines, type StateAnswer } from '../src/cli/gameday-ctl.js';
import { speedOption } from '../src/cli/options.js';

// A port nobody serves: an answer naming the argument shows that nothing was sent.
const URL = 'http://127.0.0.1:9/?token=abc';

async function ctl(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['ctl', URL, ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gameday --speed', () => {
  it.each(['0x10', ' 5', '5 ', '0b1', '1_000', '', 'Infinity', '-1', '0', '100001'])('refuses %j', (v) => {
    expect(() => speedOption(v)).toThrow(InvalidArgumentError);
    expect(() => speedOption(v)).toThrow('a speed factor from 0.1 to 100000, in decimals (e.g. 60 or 0.5)');
  });
  it.each([['60', 60], ['0.5', 0.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['100000', 100000], ['0.1', 0.1]])('takes %j', (v, n) => {
    expect(speedOption(v)).toBe(n);
  });
});

describe('gameday ctl --reason', () => {
  it.each([
    [['note', 'paged', '--reason', 'x'], 'error: --reason goes with a plan action (promote, pause FLAG, resume FLAG, rollback, approve) or end, not note: a note is its text'],
    [['pause', '--reason', 'coffee'], 'error: --reason goes with a plan action (promote, pause FLAG, resume FLAG, rollback, approve) or end, not pause of the clock (a note says why: gameday ctl URL note TEXT)'],
    [['fault', 'bank-slow', '--reason', 'x'], 'error: --reason goes with a plan action (promote, pause FLAG, resume FLAG, rollback, approve) or end, not fault'],
    [['speed', '600', '--reason', 'x'], 'error: --reason goes with a plan action (promote, pause FLAG, resume FLAG, rollback, approve) or end, not speed'],
    [['start', '--reason', 'x'], 'error: --reason goes with a plan action (promote, pause FLAG, resume FLAG, rollback, approve) or end, not start'],
    [['end', 'rehearsal', 'over'], 'error: end takes no arguments, not "rehearsal over" (give a reason with --reason TEXT)'],
    [['bogus', '--reason', 'x'], 'error: unknown action "bogus": status [--since CURSOR] [--watch SECONDS], start, pause [FLAG], resume [FLAG], speed N, promote FLAG, rollback FLAG, approve FLAG, fault NAME, adhoc-fault YAML, remove-fault NAME, note TEXT, keep-going, end'],
  ])('%j', async (args, message) => {
    const r = await ctl(...args);
    expect(r.err).toBe(message);
    expect(r.code).toBe(2);
  });

  it.each([[['pause', 'new-checkout', '--reason', 'p99 up']], [['end', '--reason', 'over']], [['rollback', 'new-checkout', '--reason', 'x']]])('sends %j', async (args) => {
    // Sent: the unreachable address answers, not a refusal of the arguments.
    expect((await ctl(...args)).err).toMatch(/cannot reach the drill/);
  });
});

describe('gameday ctl status', () => {
  it('a plan of one stage not started yet reads "1 stage"', () => {
    const answer: StateAnswer = {
      you: { name: 'fran', role: 'facilitator' }, next: 'x',
      state: { reset: false, meta: { name: 'shop', nowSeconds: 0, horizonSeconds: 7200, speed: 60, status: 'lobby' }, actions: [], audit: [], plans: [
        { flag: 'payments-v2-api', phase: 'waiting', stage: -1, stages: 1, percent: 0, version: 0 },
        { flag: 'new-checkout', phase: 'waiting', stage: -1, stages: 4, percent: 0, version: 0 },
      ] },
    };
    const lines = stateLines(answer, new globalThis.URL(URL));
    expect(lines).toContain('  payments-v2-api: waiting, not started (1 stage), 0% of users targeted, config v0');
    expect(lines).toContain('  new-checkout: waiting, not started (4 stages), 0% of users targeted, config v0');
  });

  it('the countdown with the clock paused waits for the clock', () => {
    const answer = (status: string): StateAnswer => ({
      you: { name: 'fran', role: 'facilitator' }, next: 'x',
      state: { reset: false, meta: { name: 'shop', nowSeconds: 1540, horizonSeconds: 7200, speed: 200, status, countdown: { remainingSeconds: 57.4, running: true } }, actions: [], audit: [], plans: [] },
    });
    expect(stateLines(answer('paused'), new globalThis.URL(URL))).toContain('  every plan is done: the drill ends 58 s after the clock runs again, unless the facilitator keeps it going (gameday ctl URL keep-going)');
    expect(stateLines(answer('running'), new globalThis.URL(URL))).toContain('  every plan is done: the drill ends in 58 s unless the facilitator keeps it going (gameday ctl URL keep-going)');
  });
});
