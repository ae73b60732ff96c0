/**
 * What `gameday ctl status` says of a clock that stands still: the speed set while it stood is the one it runs at
 * next, as the page shows it (`240x asked`); status said only `paused`, and a facilitator who changed the speed
 * during a pause could not read it back from a terminal. `remove-fault` refuses what it cannot send.
 */
import { describe, expect, it } from 'vitest';
import { ctlMain, stateLines, type StateAnswer } from '../src/cli/gameday-ctl.js';

const url = new URL('http://127.0.0.1:1/?token=t');
const answer = (status: string, speed: number): StateAnswer => ({
  you: { name: 'fran', role: 'facilitator' }, next: 'x',
  state: { reset: false, meta: { name: 'checkout', nowSeconds: 88, horizonSeconds: 1200, speed, status }, actions: [], audit: [], plans: [] },
});

describe('gameday ctl status of a clock that stands still', () => {
  it.each([
    ['paused', 240, 'checkout: 1m28s of 20m00s, paused: runs at 240x when resumed (you: fran, facilitator)'],
    ['lobby', 120, 'checkout: 1m28s of 20m00s, in the lobby: runs at 120x once started (you: fran, facilitator)'],
    ['running', 60, 'checkout: 1m28s of 20m00s, running at 60x (you: fran, facilitator)'],
  ])('%s at %dx', (status, speed, line) => {
    expect(stateLines(answer(status, speed), url)[0]).toBe(line);
  });
});

describe('gameday ctl remove-fault', () => {
  // A port nobody serves: an answer naming the argument shows that nothing was sent.
  const ctl = async (...args: string[]) => {
    const err: string[] = [];
    const code = await ctlMain(['ctl', 'http://127.0.0.1:9/?token=abc', ...args], { out: () => {}, err: (s) => err.push(s) });
    return { code, err: err.join('\n') };
  };
  it.each([
    [['remove-fault'], 'error: remove-fault needs the name of a fault injected earlier (a catalogue fault\'s, or `ad-hoc 1`)'],
    [['remove-fault', 'bank-slow', '--reason', 'x'], 'error: --reason goes with a plan action (promote, pause FLAG, resume FLAG, rollback, approve) or end, not remove-fault'],
  ])('%j is refused before anything is sent', async (args, message) => {
    expect(await ctl(...args)).toEqual({ code: 2, err: message });
  });
  it('takes an ad-hoc fault\'s name unquoted (its words together) and sends it', async () => {
    expect((await ctl('remove-fault', 'ad-hoc', '1')).err).toMatch(/^error: cannot reach the drill/);
  });
});
