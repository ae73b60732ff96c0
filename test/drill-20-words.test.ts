/**
 * What `gameday ctl status` says of a clock that stands still: the speed set while it stood is the one it runs at
 * next, as the page shows it (`240x asked`); status said only `paused`, and a facilitator who changed the speed
 * during a pause could not read it back from a terminal.
 */
import { describe, expect, it } from 'vitest';
import { stateLines, type StateAnswer } from '../src/cli/gameday-ctl.js';

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
