/**
 * After a run, what its queues did, from the run's own figures (the `stability` section of the run document and
 * the summary's "what the queues did"): an overloaded M/M/c station's queue grows at the fluid rate λ - cμ, a
 * bounded one fills and rejects that excess, the flash sale's database is long only while the sale lasts, and a
 * cycle that does not converge takes more calls window after window. A run with none of these has no section.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadScenario } from '../src/index.js';
import { runScenario } from '../src/score/result.js';
import { clock } from '../src/units/format.js';
import { mmc, scenario } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;

describe('what the queues did', () => {
  it('an M/M/8 station offered 100/s of 100 ms work (capacity 80/s) for 2 minutes: its queue grows by 20 a second, to about 2,400, then drains', () => {
    const r = runScenario(mmc(100, 10, 8, 12_000));
    const st = r.stability!.services;
    expect(st).toHaveLength(1);
    const s = st[0];
    expect(s).toMatchObject({ service: 'station', offered: 1.25, capacity: 8, queueLimit: null, state: 'growing', rejected: 0 });
    // The longest queue against the fluid limit (λ - cμ) T at the last arrival (12,000 requests at 100/s: 2 minutes);
    // the run goes on until every journey has ended, so the queue drains: at (cμ) 80/s, in about 30 s.
    expect(Math.abs(s.queue.max / (20 * 120) - 1)).toBeLessThan(0.1);
    expect(s.queue).toMatchObject({ start: 0, end: 0 });
    expect(s.longFromSeconds).toBe(0);
    expect(Math.abs(r.simulated.seconds - (120 + s.queue.max / 80))).toBeLessThan(5);
    expect(s.explanation).toBe(`station saturated: offered 1.25x its capacity at the peak rate (at least; worked out before the run); its queue grew from 0 to ${s.queue.max.toLocaleString('en-US')} while requests arrived (to 2m00s), and drained only after they stopped (empty by ${clock(r.simulated.seconds)}); latencies after 0m00s are the queue's, not the service's`);
    expect(r.stability!.cycles).toEqual([]);
    // Window by window (the run document's windows): the queue at each window's end climbs by the fluid 20/s while
    // requests arrive, each window's largest is at least its end, and the largest of all is the run's.
    const w = r.windows.services.station, start = r.windows.startSeconds, span = r.windows.seconds;
    const arriving = start.map((t, i) => i).filter((i) => start[i] + span <= 120);
    for (const i of arriving) expect(Math.abs(w.endQueued[i] / (20 * (start[i] + span)) - 1), `window ${i}`).toBeLessThan(0.15);
    for (let i = 0; i < start.length; i++) expect(w.maxQueued[i]).toBeGreaterThanOrEqual(w.endQueued[i]);
    expect(Math.max(...w.maxQueued)).toBe(s.queue.max);
    expect(w.endQueued.at(-1)).toBe(0);
  });

  it('with a queue of 50 it fills and rejects the excess: 20/s less the 50 it holds', () => {
    const s = mmc(100, 10, 8, 12_000);
    const bounded = { ...s, services: s.services.map((x) => ({ ...x, queue: 50 })) };
    const r = runScenario(bounded);
    const st = r.stability!.services[0];
    expect(st.state).toBe('full');
    expect(st.queueLimit).toBe(50);
    expect(st.queue.max).toBe(50);
    expect(Math.abs(st.rejected / (20 * 120 - 50) - 1)).toBeLessThan(0.1);
    expect(st.rejected).toBe(r.services.station.errorsByCause.rejected);
    expect(st.explanation).toBe(`station saturated: offered 1.25x its capacity at the peak rate (at least; worked out before the run); its queue filled (at most 50 of 50, long from 0m00s to the end of the load) and it rejected ${st.rejected.toLocaleString('en-US')} requests; latencies after 0m00s are the queue's, not the service's`);
  });

  it('a station below its capacity has no section: the document is as it was', () => {
    const r = runScenario(mmc(50, 10, 8, 5_000));
    expect(r.stability).toBeUndefined();
    expect(Object.keys(r).at(-1)).toBe('topology');
  });

  it('the flash sale: stock-db offered 1.03x, long only from 10m to 20m while the sale lasts, the breakers shedding; the same bytes twice', () => {
    const s = loadScenario(`${root}scenarios/flash-sale.yaml`);
    const a = runScenario(s), b = runScenario(s);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.stability).toEqual({
      services: [{
        service: 'stock-db', offered: 1.029, capacity: 12, queueLimit: 200, queue: { start: 0, max: a.services['stock-db'].maxQueued, end: 0 }, rejected: 0,
        longFromSeconds: 600, longUntilSeconds: 1200, state: 'drained',
        explanation: `stock-db: offered 1.03x its capacity at the peak rate (at least; worked out before the run); in the run its queue was long from 10m00s to 20m00s (at most ${a.services['stock-db'].maxQueued} of 200) and empty at the end; circuit breakers opened ${a.breakers.filter((x) => x.to === 'open').length} times meanwhile, shedding load: the overload did not last`,
      }],
      cycles: [],
    });
    // The sale's windows: 10m to 20m, three times the rate.
    const q = a.windows.services['stock-db'].meanQueued;
    const start = a.windows.startSeconds;
    expect(q.filter((_, i) => start[i] < 600 || start[i] >= 1200).every((x) => x < 1)).toBe(true);
    expect(Math.max(...q.filter((_, i) => start[i] >= 600 && start[i] < 1200))).toBeGreaterThan(5);
  });

  it('an asynchronous cycle of 1.2 calls a turn: more calls in the last window than in the first', () => {
    const s = scenario({
      seed: 1, duration: '40s', window: '5s', traffic: { rate: '2/s' }, journeys: { q: { steps: ['a'] } },
      services: {
        a: { concurrency: 1000, latency: '1s', calls: [{ to: 'b', async: true, probability: '60%' }, { to: 'b', async: true, probability: '60%' }] },
        b: { concurrency: 1000, latency: '1s', calls: [{ to: 'a', async: true }] },
      },
    });
    const c = runScenario(s).stability!.cycles;
    expect(c).toHaveLength(1);
    expect(c[0].cycle).toBe('a.default -> b.default -> a.default');
    expect(c[0].callsLastWindow).toBeGreaterThan(3 * c[0].callsFirstWindow);
    expect(c[0].explanation).toBe(`asynchronous cycle a.default -> b.default -> a.default: 1.20 calls each time around; its endpoints took ${c[0].callsFirstWindow.toLocaleString('en-US')} calls in the first window and ${c[0].callsLastWindow.toLocaleString('en-US')} in the last`);
  });

  it('rehearse run ends its summary with it', async () => {
    const out: string[] = [], err: string[] = [];
    const code = await main(['run', `${root}scenarios/flash-sale.yaml`], { out: (x) => out.push(x), err: (x) => err.push(x) });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('\nwhat the queues did:\n  stock-db: offered 1.03x its capacity at the peak rate (at least; worked out before the run); in the run its queue was long from 10m00s to 20m00s');
    expect(err.join('\n')).toContain('services.stock-db: offered 12.3 busy workers at 600/s against a capacity of 12 (utilization 1.03');
  }, 120_000);
  it('a run of more windows than a call takes arguments (a window a second over days) ends with its figures, not a RangeError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'windows-'));
    const file = join(dir, 'long.yaml');
    writeFileSync(file, 'name: long\nduration: 5h\nwindow: 1s\ntraffic: { rate: 0.05/s }\njourneys: { j: { steps: [a.get] } }\nservices: { a: { endpoints: { get: {} } } }\n');
    // 18,000 windows; a smaller stack brings the limit on a call's arguments (about a hundred thousand windows by
    // default: 28 hours at one a second) within reach. Math.max(...queued) over them ended the run in a RangeError.
    const r = spawnSync(process.execPath, ['--stack-size=100', join(root, 'bin/rehearse.js'), 'run', file, '-q', '--json', join(dir, 'long.json')], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
