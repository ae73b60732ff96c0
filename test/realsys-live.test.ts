/**
 * The shop of realsys/ run live, briefly, and predicted from its own traces: 30 s of the base load with every
 * request traced, then 30 s of twice the load measured (`npm run realsys` with --blocks 1 --sample-ratio 1, about
 * 80 s), calibrated from the base traces with the workers the shop declares and run at twice the load. One short
 * window of each on a machine that may be busy is a rougher measure than the committed fixtures, made on a quiet
 * machine from five windows of each (test/realsys.test.ts holds those to 10%): the means of 30 s windows move by
 * 5 to 10% from window to window, and a busy machine slows the base traces and the measured double unequally
 * (runs here while other work loaded the machine: +20% and +24% at the mean, +12% and +15% at the p99). So the
 * bounds are wide, and what they catch is a model that no longer describes a real system at all, such as one that
 * saturates at twice the load it was calibrated at (a placeholder capacity once predicted 33 s where the shop
 * measured 30 ms).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { declaredCapacity, journeyOf, predict, readMeasured, root, services, system } from './realsys-helpers.js';

describe('the live shop, predicted', () => {
  const out = mkdtempSync(join(tmpdir(), 'rehearse-realsys-live-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('calibrated from 30 s of its base traces, predicts the base load and twice the load, as measured', () => {
    const run = spawnSync(process.execPath, [join(root, 'realsys', 'run.mjs'), '--only', 'base,double', '--seconds', '40', '--out', out], { encoding: 'utf8', timeout: 540_000 });
    expect(run.status, run.stderr).toBe(0);
    const cal = calibrateFiles(services.map((s) => join(out, 'base', `${s}.otlp.json`)), { sampleRate: system.conditions.base.sampleRatio, capacity: declaredCapacity });
    const lines: string[] = [];
    const errors: { condition: string; figure: string; error: number }[] = [];
    for (const condition of ['base', 'double']) {
      const sim = predict(cal, system.conditions[condition]);
      const m = readMeasured(out, condition);
      for (const [j, name] of Object.entries(journeyOf)) {
        for (const figure of ['mean', 'p99'] as const) {
          const measuredMs = m.journeys[j].latencyMs[figure], predictedMs = sim[name].latencyMs[figure];
          errors.push({ condition, figure, error: predictedMs / measuredMs - 1 });
          lines.push(`${condition} ${j} ${figure}: measured ${measuredMs} ms, predicted ${predictedMs.toFixed(1)} ms (${((predictedMs / measuredMs - 1) * 100).toFixed(1)}%)`);
        }
      }
    }
    const why = lines.join('; ');
    for (const e of errors) expect(Math.abs(e.error), why).toBeLessThan(e.figure === 'mean' ? 0.35 : 0.5);
  }, 600_000);
});
