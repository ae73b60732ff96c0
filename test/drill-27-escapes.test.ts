/**
 * `gameday ctl status` and the drill's terminal write a name's control characters as every report does
 * (src/units/escape.ts inline(): \x1b, \u202e, \n), not as "?": a team reading a status beside a debrief reads the
 * same name in both, and two names that differ only in a control character stay two names.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctlMain, stateLines, type StateAnswer } from '../src/cli/gameday-ctl.js';
import { actionLine } from '../src/cli/gameday.js';
import { debriefLines } from '../src/live/debrief-words.js';

const answer: StateAnswer = {
  you: { name: 'ada\u2028lovelace', role: 'facilitator' },
  next: '0f3a9c2e.1.0.1',
  state: {
    reset: false,
    meta: { name: 'shop\u202e', nowSeconds: 600, horizonSeconds: 7200, speed: 60, status: 'running' },
    plans: [],
    faults: [{ name: 'bank\u001b[2Jslow', kind: 'latency', target: 'payments', size: '+200 ms on every call', active: true, fromSeconds: 300, untilSeconds: null }],
    actions: [{ simSeconds: 420, by: 'bob\u202eevil', role: 'operator', what: 'note: paged\u0007 on-call', refused: null }],
    audit: [],
  },
};

describe('control characters in names, at the terminal as in the reports', () => {
  it('status lines write them as their escapes', () => {
    expect(stateLines(answer, new URL('http://127.0.0.1:9/?token=abc'))).toEqual([
      'shop\\u202e: 10m00s of 2h00m00s, running at 60x (you: ada\\u2028lovelace, facilitator)',
      '  fault on: bank\\x1b[2Jslow (latency on payments, +200 ms on every call) since 5m00s',
    ]);
  });

  it('the drill\'s terminal writes an action line so too', () => {
    expect(actionLine({ atUs: 85e6, wallTime: '', by: 'op\u001b[31m', role: 'operator', action: { type: 'note', text: 'a\tb' }, refused: null }))
      .toBe('[1m25s] op\\x1b[31m (operator): note: a\\tb');
  });

  it('the debrief at the terminal writes the same name the same way', () => {
    const lines = debriefLines({ verdict: { text: 'v' } as never, comparison: [], budget: { allowed: 1, team: { failed: 0, consumed: 0 }, policy: { failed: 0, consumed: 0 } } });
    expect(lines[0]).toBe('verdict: v');
    expect(debriefLines({ verdict: { text: 'bob\u202eevil' } as never, comparison: [], budget: { allowed: 1, team: { failed: 0, consumed: 0 }, policy: { failed: 0, consumed: 0 } } })[0])
      .toBe('verdict: bob\\u202eevil');
  });

  describe('a status poll over HTTP', () => {
    let server: Server;
    let url = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const a = server.address();
      url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/?token=abc`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('prints people\'s actions with their names escaped', async () => {
      const out: string[] = [];
      const code = await ctlMain(['ctl', url, 'status'], { out: (s) => out.push(s), err: (s) => out.push(s) });
      expect(code).toBe(0);
      expect(out).toContain('  [7m00s] bob\\u202eevil (operator): note: paged\\x07 on-call');
      expect(out.join('\n')).not.toContain('?');
    });
  });
});
