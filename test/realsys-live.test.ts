/**
 * The shop of realsys/ run live, briefly, and predicted from its own traces: 30 s of the base load with every
 * request traced, then 30 s of twice the load measured (`realsys/run.mjs --only base,double --seconds 30 --blocks 1
 * --sample-ratio 1`, about 80 s), calibrated from the base traces (about 1,500) with the workers the shop declares
 * and its wait attribute, and run at both loads with the ranges of 20 resamples (calibrate --predict). A range
 * covers what the traces leave uncertain, not the measurement's own window (30 s means move by 5 to 10% from window
 * to window) nor a machine that slows the shop now and then, so the measured figures are held to the ranges
 * widened by a factor of 1.5 at the mean and 2.5 at the p99. Measured in two runs on this 2-core machine with other work
 * running (load average 2.6): 7 of the 16 figures outside their ranges, by 2 to 14% (the base checkout mean 2 to 3%
 * above, the doubled load's p99s up to 14% above in one run and 7% below in the other). What this catches is a model that no longer describes the shop, such as one
 * that saturates at twice the load it was calibrated at (a placeholder capacity once predicted 33 s where the shop
 * measured 30 ms).
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
import { calibrateFiles, predictAt } from '../src/calibrate/calibrate.js';
import type { Prediction } from '../src/calibrate/check.js';
import { parseWaitAttribute } from '../src/calibrate/pool-waits.js';
import { load } from './roundtrip-helpers.js';
import { declaredCapacity, journeyOf, predictOnWorker, readMeasured, root, services, system } from './realsys-helpers.js';

describe('the live shop, predicted', () => {
  const out = mkdtempSync(join(tmpdir(), 'rehearse-realsys-live-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('calibrated from 30 s of its base traces, predicts the base load and twice the load, as measured', async (ctx) => {
    const run = spawnSync(process.execPath, [join(root, 'realsys', 'run.mjs'), '--only', 'base,double', '--seconds', '30', '--blocks', '1', '--sample-ratio', '1', '--out', out], { encoding: 'utf8', timeout: 540_000 });
    expect(run.status, run.stderr).toBe(0);
    // Every request traced, so the shop's wait attribute can be read as a team would: each request's wait for a
    // worker leaves its endpoint's own time, and only the simulated queue waits (without it, the doubled load's
    // browse mean came out 10.6% high where with it -3.0%, in the run described above).
    const files = services.map((s) => join(out, 'base', `${s}.otlp.json`));
    const cal = calibrateFiles(files, { sampleRate: 1, capacity: declaredCapacity, waitAttribute: parseWaitAttribute('worker_pool.wait_us'), keep: true });
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
    // The two predictions side by side, the doubled load's on a worker thread: this file runs alone, and the machine's
    // other core would wait.
    const double = predictOnWorker({ files, sampleRate: 1, capacity: declaredCapacity, waitAttribute: 'worker_pool.wait_us', ratePerSec: system.conditions.double.rate, resamples: 20 });
    const predicted: Record<string, Prediction> = { base: predictAt(cal, system.conditions.base.rate, 20), double: await double };
    const lines: string[] = [];
    const outside: string[] = [];
    for (const condition of ['base', 'double']) {
      const p = predicted[condition];
      const m = readMeasured(out, condition);
      for (const [j, name] of Object.entries(journeyOf)) {
        const row = p.journeys.find((x) => x.journey === name)!;
        for (const [figure, key, widen] of [['mean', 'meanMs', 1.5], ['p99', 'p99Ms', 2.5]] as const) {
          const measuredMs = m.journeys[j].latencyMs[figure], r = row.ranges!.predicted[key]!;
          const line = `${condition} ${j} ${figure}: measured ${measuredMs} ms, predicted ${row.predicted[key].toFixed(1)} ms (${r.lo.toFixed(1)} to ${r.hi.toFixed(1)})`;
          lines.push(line);
          if (measuredMs < r.lo / widen || measuredMs > r.hi * widen) outside.push(line);
        }
      }
    }
    console.log(`realsys-live: ${lines.join('; ')}`);
    // The bounds: each range widened by 1.5 at the mean, 2.5 at the p99 (above).
    expect(outside, lines.join('\n')).toEqual([]);
  }, 600_000);
});
