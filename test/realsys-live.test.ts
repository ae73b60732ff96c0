/**
 * The shop of realsys/ run live, briefly, and predicted from its own traces: 30 s of the base load with every
 * request traced, then 30 s of twice the load measured (`npm run realsys` with --blocks 1 --sample-ratio 1, about
 * 80 s), calibrated from the base traces with the workers the shop declares and its wait attribute, and run at
 * both loads. One short window of each is a rougher measure than the committed fixtures, made from five windows
 * of each on a quiet machine (test/realsys.test.ts holds those to 10%): 30 s means move by 5 to 10% from window
 * to window, and at twice the load recommend's two workers are 60% busy, where a few percent more work in the
 * calibration (its share of browse requests, its own time) queues much more. So the bounds here are wide (below),
 * and what they catch is a model that no longer describes a real system at all, such as one that saturates at
 * twice the load it was calibrated at (a placeholder capacity once predicted 33 s where the shop measured 30 ms).
 *
 * The shop measures how late its timers and its load generator ran. On a machine too busy to let it run as itself
 * (at a load average of 8 to 10 the load generator sent requests 41 to 113 ms late at the p99 and the services'
 * timers fired up to 76 ms late, against 3 ms on a quiet machine; the doubled load then measured 167 ms where the
 * quiet machine measured 38 ms), the shop is another system than its traces say, and the predictions are not
 * checked: the test reports why and is marked skipped, after checking what does not depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { parseWaitAttribute } from '../src/calibrate/pool-waits.js';
import { load } from './roundtrip-helpers.js';
import { declaredCapacity, journeyOf, predict, readMeasured, root, services, system } from './realsys-helpers.js';

describe('the live shop, predicted', () => {
  const out = mkdtempSync(join(tmpdir(), 'rehearse-realsys-live-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('calibrated from 30 s of its base traces, predicts the base load and twice the load, as measured', (ctx) => {
    const run = spawnSync(process.execPath, [join(root, 'realsys', 'run.mjs'), '--only', 'base,double', '--seconds', '40', '--out', out], { encoding: 'utf8', timeout: 540_000 });
    expect(run.status, run.stderr).toBe(0);
    // Every request traced, so the shop's wait attribute can be read as a team would: each request's wait for a
    // worker leaves its endpoint's own time, and only the simulated queue waits. Without it, recommend's own time
    // came out 3 ms (5%) above what it is, and at twice the load, where its two workers are 60% busy and hold the
    // frontend's, that bias grew to +19% and +81% at the browse mean in two runs; with it, +7.4% and +3.7%.
    const cal = calibrateFiles(services.map((s) => join(out, 'base', `${s}.otlp.json`)), {
      sampleRate: 1, capacity: declaredCapacity, waitAttribute: parseWaitAttribute('worker_pool.wait_us'),
    });
    // What does not depend on the machine: the traces join into one journey per request type, all five services.
    expect([...cal.analysis.journeys.keys()].sort()).toEqual(['GET /product', 'POST /checkout']);
    expect(load(cal.yaml).services.map((s) => s.name).sort()).toEqual([...services].sort());
    const busy: string[] = [];
    for (const condition of ['base', 'double']) {
      const m = readMeasured(out, condition);
      if (m.client.sendLagMs.p99 > 10) busy.push(`${condition}: requests sent ${m.client.sendLagMs.p99} ms late at the p99`);
      for (const [service, f] of Object.entries(m.services)) {
        if (f.timerOvershootMs.p99 > 10) busy.push(`${condition}: ${service}'s timers ${f.timerOvershootMs.p99} ms late at the p99`);
      }
    }
    if (busy.length > 0) {
      console.warn(`realsys-live: the machine was too busy for the shop to run as itself (${busy.join('; ')}); predictions not checked`);
      ctx.skip();
      return;
    }
    const lines: string[] = [];
    const errors: { figure: string; error: number }[] = [];
    for (const condition of ['base', 'double']) {
      const sim = predict(cal, system.conditions[condition]);
      const m = readMeasured(out, condition);
      for (const [j, name] of Object.entries(journeyOf)) {
        for (const figure of ['mean', 'p99'] as const) {
          const measuredMs = m.journeys[j].latencyMs[figure], predictedMs = sim[name].latencyMs[figure];
          errors.push({ figure, error: predictedMs / measuredMs - 1 });
          lines.push(`${condition} ${j} ${figure}: measured ${measuredMs} ms, predicted ${predictedMs.toFixed(1)} ms (${((predictedMs / measuredMs - 1) * 100).toFixed(1)}%)`);
        }
      }
    }
    const why = lines.join('; ');
    // One 30 s sample of a real system is a loose guide: over four runs with the wait attribute read, the doubled
    // load's browse mean came out +3.7%, +7.4%, +26.9% and +77.9% (in the last the base itself +12%), and the measured
    // checkout p99 at twice the load ranged 54 to 144 ms while the model's ranged 105 to 252 ms. The committed
    // fixtures, five windows of each condition on a quiet machine, hold the predictions to 10%
    // (test/realsys.test.ts); here the bounds catch only a model that has stopped describing the shop: means
    // within a factor of 3, p99s within a factor of 6 (the collapse this guards against was a factor of 1,000).
    for (const e of errors) expect(Math.abs(Math.log(1 + e.error)), why).toBeLessThan(Math.log(e.figure === 'mean' ? 3 : 6));
  }, 600_000);
});
