/** Open-loop arrivals follow their shape: counts against the integral of the rate, within Poisson bounds. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const run = (traffic: Record<string, unknown>, duration = '2h') => runScenario(scenario({
  seed: 5, duration, window: '10m', traffic, journeys: { j: { steps: ['s'] } }, services: { s: { concurrency: 1000, latency: '1ms' } },
}));

/** Arrivals in [a, b] seconds are Poisson with mean m: within 5 sigma. */
const near = (count: number, mean: number) => expect(Math.abs(count - mean)).toBeLessThan(5 * Math.sqrt(mean) + 1);

describe('traffic shapes', () => {
  it('constant: 50/s for 2h is 360,000 arrivals', () => {
    near(run({ rate: '50/s' }).simulated.arrived, 360_000);
  });

  it('ramp: from 10/s to 50/s over the first hour, then 50/s: 108,000 + 180,000', () => {
    const r = run({ rate: '50/s', shape: 'ramp', from: '10/s', over: '1h' });
    near(r.simulated.arrived, 30 * 3600 + 50 * 3600);
    // The first 10-minute window averages 10 + 40 * (5/60) = 13.33/s.
    near(r.windows.journeys.j.requests[0], (10 + 40 * (5 / 60)) * 600);
  });

  it('steps: 20/s, then 80/s from 30m, then 5/s from 1h30m', () => {
    const r = run({ rate: '20/s', shape: 'steps', steps: [{ at: '30m', rate: '80/s' }, { at: '1h30m', rate: '5/s' }] });
    const w = r.windows.journeys.j.requests;
    near(w[0] + w[1] + w[2], 20 * 1800);
    near(w[3] + w[4] + w[5] + w[6] + w[7] + w[8], 80 * 3600);
    near(w[9] + w[10] + w[11], 5 * 1800);
  });

  it('diurnal: a cosine between trough and peak; over a whole period the mean is (peak + trough) / 2', () => {
    const r = run({ rate: '40/s', shape: 'diurnal', period: '2h', 'peak-at': '1h', trough: '25%' });
    // Mean rate (40 + 10) / 2 = 25/s over 7,200 s.
    near(r.simulated.arrived, 25 * 7200);
    const w = r.windows.journeys.j.requests;
    // The window around the peak (1h) carries more than the one at the trough (0h).
    expect(w[5] + w[6]).toBeGreaterThan(3 * (w[0] + w[11]));
  });

  it('diurnal: peak-at is a wall-clock time, the simulation starting at start-time', () => {
    const r = runScenario(scenario({
      seed: 5, duration: '6h', window: '1h', 'start-time': '09:00',
      traffic: { rate: '20/s', shape: 'diurnal', 'peak-at': '12:00', trough: '25%' },
      journeys: { j: { steps: ['s'] } }, services: { s: { concurrency: 1000, latency: '1ms' } },
    }));
    // The integral of the rate over each hour from 09:00 (numerically, by the midpoint rule).
    const rate = (hourOfDay: number) => 5 + 15 * (1 + Math.cos((2 * Math.PI * (hourOfDay - 12)) / 24)) / 2;
    const expected = (h: number) => {
      let sum = 0;
      for (let k = 0; k < 3600; k++) sum += rate(9 + h + (k + 0.5) / 3600);
      return sum;
    };
    const w = r.windows.journeys.j.requests;
    for (let h = 0; h < 6; h++) near(w[h], expected(h));
    // The hours either side of noon are the busiest; under the old reading (the peak 12h after the start, at
    // 21:00) 09:00 to 10:00 would have been the busiest.
    expect(Math.min(w[2], w[3])).toBeGreaterThan(Math.max(w[0], w[1], w[4], w[5]));
  });

  it('requests: stops after N journeys and drains', () => {
    const r = runScenario(scenario({
      traffic: { rate: '100/s', requests: 1234 }, journeys: { j: { steps: ['s'] } }, services: { s: { latency: '5ms' } },
    }));
    expect(r.simulated.arrived).toBe(1234);
    expect(r.simulated.requests).toBe(1234);
  });
});
