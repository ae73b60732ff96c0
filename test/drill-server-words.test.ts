/**
 * The drill's server answers every request with a status that says what kind of answer it is: a name that can
 * never be a person's (control characters, surrounding spaces) is a bad request, 400, and `gameday invite` exits
 * 2 for it, as for an empty name; it was a conflict (409, exit 1, "refused"), the answer kept for a name already
 * taken. An ad-hoc fault given an `at` is told it starts when it is injected, not that "at" is an unknown key.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctlMain } from '../src/cli/gameday-ctl.js';
import { Drill, type Link } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
let drill: Drill;
let links: Link[];

beforeAll(async () => {
  const read = readDrillScenario(file, 'healthy');
  ({ drill, links } = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, read, null, 1, {
    host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada'], observers: false,
    out: join(mkdtempSync(join(tmpdir(), 'rehearse-words-')), 'drill'), cadenceMs: 100,
  }));
}, 120_000);

afterAll(async () => {
  await drill?.stop();
});

async function invite(name: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['invite', name, '--role', 'scribe'], { out: (s) => out.push(s), err: (s) => err.push(s) }, { REHEARSE_GAMEDAY_URL: links[0].url });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gameday invite', () => {
  it.each([['a\u001b[31mb'], [' cy'], ['cy '], ['x'.repeat(61)]])('refuses %j as a bad request (exit 2)', async (name) => {
    const r = await invite(name);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^400: name: /);
    expect(r.out).toBe('');
  }, 120_000);

  it('an empty name likewise; a name already taken is a conflict (exit 1); a good one gets a link', async () => {
    expect(await invite('')).toMatchObject({ code: 2, err: '400: name: expected text, not an empty text' });
    expect(await invite('ada')).toMatchObject({ code: 1, err: '409: "ada" is already in the drill: each person has one token' });
    const r = await invite('sam o\'neil');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^scribe sam o'neil: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  }, 120_000);
});

describe('gameday ctl adhoc-fault', () => {
  it('an ad-hoc fault with at is told why at does not apply', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await ctlMain(['ctl', links[0].url, 'adhoc-fault', '{kind: latency, target: pay, add: 300ms, at: 5m}'], { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(err.join('\n')).toBe("400: fault.at: an ad-hoc fault starts when it is injected: leave out at (a fault at a set time goes in the scenario's faults)");
    expect(code).toBe(2);
  }, 120_000);
});
