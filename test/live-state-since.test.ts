/**
 * `GET /api/state?since=CURSOR`: a program that polls a long drill gets the state now and only the rows after
 * its cursor (the `next` of its last answer), not the whole drill again at every poll. The rows it pieces
 * together are exactly the rows of one full answer; a cursor from another run of the server gets everything
 * (marked reset), a malformed one or one ahead of the drill is a bad request (400).
 * Measured on scenarios/checkout.yaml, 20 simulated minutes (its horizon): the bytes of a full answer and of a
 * poll a minute later.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, '..', 'scenarios', 'checkout.yaml');
let drill: Drill | undefined;

afterAll(async () => {
  await drill?.stop();
});

type Rows = Record<'exposure' | 'services' | 'journeys', unknown[]>;
interface Answer { next: string; state: { reset: boolean; rows: Rows; audit: unknown[]; actions: unknown[]; meta: { nowSeconds: number } } }

describe('the state, polled', () => {
  it('answers a poll with what is new since its cursor, and the pieces make the whole', async () => {
    const read = readDrillScenario(file, null);
    const opened = await Drill.open({ file: read.file, caseName: null, hiddenCase: false, seed: 42, gates: 'on' }, read, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: [], observers: false,
      out: join(mkdtempSync(join(tmpdir(), 'rehearse-state-since-')), 'drill'), cadenceMs: 100,
    });
    drill = opened.drill;
    const url = new URL(opened.links[0].url);
    const get = async (query: string) => {
      const r = await fetch(new URL(`api/state${query}`, url), { headers: { Authorization: `Bearer ${url.searchParams.get('token')}` } });
      const text = await r.text();
      return { status: r.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as Answer };
    };
    drill.startNow();
    drill.session.advanceTo(10 * 60e6);
    drill.feed.produce(Date.now());
    const first = await get('');
    expect(first.body.state.reset).toBe(true);
    drill.session.advanceTo(18.5 * 60e6);
    drill.feed.produce(Date.now());
    const full = await get('');
    const poll = await get(`?since=${first.body.next}`);
    // A minute later: one window more, the audit and nothing else again.
    drill.session.advanceTo(19.5 * 60e6);
    drill.feed.produce(Date.now());
    const fullLater = await get('');
    const pollLater = await get(`?since=${full.body.next}`);
    const nothingNew = await get(`?since=${fullLater.body.next}`);
    console.log(`state at 18m30s: ${full.bytes} bytes in full; polled since 10m00s: ${poll.bytes}; at 19m30s in full ${fullLater.bytes}, polled a minute after the last poll ${pollLater.bytes}, nothing new ${nothingNew.bytes}`);

    expect(poll.status).toBe(200);
    expect(poll.body.state.reset).toBe(false);
    // The first answer and the poll piece together what one full answer holds, row for row.
    for (const k of ['exposure', 'services', 'journeys'] as const) {
      expect([...first.body.state.rows[k], ...poll.body.state.rows[k]], k).toEqual(full.body.state.rows[k]);
      expect([...full.body.state.rows[k], ...pollLater.body.state.rows[k]], k).toEqual(fullLater.body.state.rows[k]);
      expect(nothingNew.body.state.rows[k], k).toEqual([]);
    }
    expect([...first.body.state.audit, ...poll.body.state.audit]).toEqual(full.body.state.audit);
    expect([...full.body.state.audit, ...pollLater.body.state.audit]).toEqual(fullLater.body.state.audit);
    expect(full.body.state.rows.journeys.length).toBeGreaterThan(pollLater.body.state.rows.journeys.length);
    expect(pollLater.body.state.rows.journeys.length).toBeGreaterThan(0);
    // The state itself (the clock) is today's, not the cursor's.
    expect(pollLater.body.state.meta.nowSeconds).toBe(fullLater.body.state.meta.nowSeconds);
    expect(pollLater.bytes).toBeLessThan(fullLater.bytes / 4);

    // A cursor of another run of the server: everything, marked reset; a bad or future one: 400.
    const other = await get(`?since=${'0'.repeat(8)}.1.1.0`);
    expect(other.status).toBe(200);
    expect(other.body.state.reset).toBe(true);
    expect(other.body.state.rows.journeys).toEqual(fullLater.body.state.rows.journeys);
    const [epoch] = fullLater.body.next.split('.');
    expect((await get(`?since=${epoch}.99999.0.0`)).status).toBe(400);
    expect((await get('?since=yesterday')).status).toBe(400);
  }, 480_000);
});
