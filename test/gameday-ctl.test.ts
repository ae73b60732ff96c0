/**
 * `gameday ctl` says what is wrong with its own arguments before it sends anything: the drill's address in
 * these tests is a port nobody serves, so an answer naming the argument shows that no request was made.
 */
import { describe, expect, it } from 'vitest';
import { ctlMain, stateLines, type StateAnswer } from '../src/cli/gameday-ctl.js';

const URL = 'http://127.0.0.1:9/?token=abc';

async function ctl(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['ctl', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gameday ctl refuses arguments it cannot use, naming them', () => {
  it.each([
    [['speed', 'fast'], 'error: speed needs a number (simulated seconds per wall second, e.g. 600), not "fast"'],
    [['speed', '600', '1200'], 'error: speed takes one number, not "600 1200"'],
    [['pause', 'new-checkout', 'p99', 'up'], 'error: pause takes a flag or nothing (the clock), not "new-checkout p99 up" (give a reason with --reason TEXT)'],
    [['promote', 'new-checkout', 'dashboards', 'calm'], 'error: promote takes one flag, not "new-checkout dashboards calm" (give a reason with --reason TEXT)'],
    [['status', 'now'], 'error: status takes no arguments, not "now"'],
    [['end', 'rehearsal', 'over'], 'error: end takes no arguments, not "rehearsal over" (give a reason with --reason TEXT)'],
    [['status', '--watch', 'often'], 'error: --watch needs seconds between polls, 0.1 to 3600, not "often"'],
    [['status', '--since', 'yesterday'], 'error: --since needs the cursor a status printed (next: --since CURSOR): EPOCH.WINDOWS.AUDIT.ACTIONS, 8 hex digits then three whole numbers, such as 0f3a9c2e.12.4.1, not "yesterday"'],
    [['note', 'hello', '--since', '05538c19.19.0.3'], 'error: --since and --watch are for status'],
    [['adhoc-fault', '{kind: latency'], 'error: the fault is not YAML: Flow map must end with a } at line 1, column 15'],
  ])('%j', async (args, message) => {
    const r = await ctl(URL, ...args);
    expect(r.err).toBe(message);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
  });

  it('a note is text: every word is kept', async () => {
    // Sent (and so answered by the unreachable address), not refused for its length.
    const r = await ctl(URL, 'note', 'paged', 'the', 'on-call');
    expect(r.err).toBe('error: cannot reach the drill at http://127.0.0.1:9: connection refused (has it stopped?)');
  });
});

describe('gameday ctl status reads as the page does', () => {
  const answer = (meta: Partial<StateAnswer['state']['meta']>, plans: StateAnswer['state']['plans']): StateAnswer => ({
    you: { name: 'fran', role: 'facilitator' }, next: 'x',
    state: { reset: false, meta: { name: 'shop', nowSeconds: 600, horizonSeconds: 7200, speed: 60, status: 'running', ...meta }, plans, actions: [], audit: [] },
  });
  it('a plan not started yet says so (not "stage 0 of 4"); a countdown cancelled says how the drill ends now; the pace when behind', () => {
    const lines = stateLines(answer({ achievedSpeed: 20.5, behindSeconds: 30, lostSeconds: 90, countdown: { remainingSeconds: 12, running: false } }, [
      { flag: 'new-checkout', phase: 'waiting', stage: -1, stages: 4, percent: 0, version: 0 },
    ]), new globalThis.URL(URL));
    expect(lines).toEqual([
      'shop: 10m00s of 2h00m00s, running at 60x asked, 20.5x achieved, 2m00s simulated behind the wall clock (you: fran, facilitator)',
      '  new-checkout: waiting, not started (4 stages), 0% of users targeted, config v0',
      '  every plan is done; the facilitator keeps the drill going (it ends by hand: gameday ctl URL end)',
    ]);
  });
});
