/**
 * Prometheus 3's left-open lookback and ranges, asked for by a scenario's metrics.prometheus-version: 3. Since v3.0.0
 * (prometheus/prometheus commit debbdb86, "make matrix selection and lookback left-open and right-closed";
 * promql/engine.go vectorSelectorSingle `t <= refTime-lookbackDelta`, matrixIterSlice `t > mint`) a sample exactly
 * at t - 5m or at t - range is out; Prometheus 2.42, which rehearse models by default, keeps it. Held to Prometheus 3's
 * own test files (test/fixtures/vendor/promqltest-3, promql/promqltest/testdata at d15adb9a): each eval rehearse reads
 * (test/promqltest.ts readTestFileV3) agrees under version 3 but for the changes of Prometheus 3 listed below, which
 * rehearse does not model; and those that test the boundary disagree under version 2, as 2.42's files did.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';
import { evaluate } from '../src/promql/eval.js';
import { InputSeries } from './promtool.js';
import { readTestFileV3, runCase } from './promqltest.js';

const DIR = 'test/fixtures/vendor/promqltest-3';

/** Per file: evals read (agree under 3, refused as unsupported, differ), those left out, and how many agree under 3 only. */
const EXPECTED: Record<string, { agrees: number; refused: number; differs: number; skipped: number; only3: number }> = {
  'staleness.test': { agrees: 17, refused: 0, differs: 0, skipped: 0, only3: 6 },
  'duration_expression.test': { agrees: 25, refused: 5, differs: 0, skipped: 29, only3: 13 },
  'functions.test': { agrees: 99, refused: 39, differs: 2, skipped: 291, only3: 20 },
};

/** What Prometheus 3 changed besides the bounds, which rehearse does not model (each line: the file's line). */
const NOT_MODELLED = [
  // functions.go avg_over_time (v3): a mean kept as it goes, with Kahan summation, so that huge values do not overflow.
  'functions.test:1087 avg_over_time(metric[2m])',
  'functions.test:1149 avg_over_time(metric11[1m])',
];

describe('Prometheus 3\'s test files, under prometheus-version 3 and 2', () => {
  it.each(Object.keys(EXPECTED))('%s', (f) => {
    const { cases, skipped } = readTestFileV3(f, readFileSync(join(DIR, f), 'utf8'));
    const v3 = cases.map((c) => ({ c, o: runCase(c, 3) }));
    const count = (k: string) => v3.filter(({ o }) => o.kind === k).length;
    const only3 = v3.filter(({ c, o }) => o.kind === 'agrees' && runCase(c, 2).kind === 'differs').length;
    expect({ agrees: count('agrees'), refused: count('refused'), differs: count('differs'), skipped: skipped.length, only3 }).toEqual(EXPECTED[f]);
    expect(v3.filter(({ o }) => o.kind === 'differs').map(({ c }) => `${c.file}:${c.line} ${c.query}`)).toEqual(NOT_MODELLED.filter((n) => n.startsWith(f)));
  });

  it('reads staleness.test\'s boundary as Prometheus 3 does: nothing at 330s of a sample at 30s, [10s] at 20s empty', () => {
    const { cases } = readTestFileV3('staleness.test', readFileSync(join(DIR, 'staleness.test'), 'utf8'));
    const at = (line: number) => cases.find((c) => c.line === line)!;
    expect([at(20).query, at(20).atMs, at(20).samples]).toEqual(['metric', 330_000, []]);
    expect(runCase(at(20), 3)).toEqual({ kind: 'agrees' });
    expect(runCase(at(20), 2)).toEqual({ kind: 'differs', detail: 'unexpected [["__name__","metric"]] 2' });
  });
});

describe('the bounds, each version', () => {
  const series = new InputSeries();
  series.add({ __name__: 'x' }, [1, 2, 3, 4, 5, 6], 60_000);
  const at = (q: string, v: 2 | 3, t = 300_000) => evaluate(q, series, t, v);

  it('leaves out a sample exactly at t - 5m under 3 only (vectorSelectorSingle)', () => {
    // The last sample is at 300s: 600s is exactly 5m after it.
    expect(at('x', 2, 600_000)).toEqual({ type: 'vector', samples: [{ labels: { __name__: 'x' }, value: 6 }] });
    expect(at('x', 3, 600_000)).toEqual({ type: 'vector', samples: [] });
    expect(at('x', 3, 599_999)).toEqual({ type: 'vector', samples: [{ labels: { __name__: 'x' }, value: 6 }] });
    expect(at('x', 2, 600_001)).toEqual({ type: 'vector', samples: [] });
  });

  it('leaves out a sample exactly at t - range under 3 only (matrixIterSlice), and so reads a rate over fewer samples', () => {
    expect(at('count_over_time(x[1m])', 2)).toEqual({ type: 'vector', samples: [{ labels: {}, value: 2 }] });
    expect(at('count_over_time(x[1m])', 3)).toEqual({ type: 'vector', samples: [{ labels: {}, value: 1 }] });
    expect(at('count_over_time(x[1m] offset 1m)', 3)).toEqual({ type: 'vector', samples: [{ labels: {}, value: 1 }] });
    expect(at('rate(x[1m])', 2)).toEqual({ type: 'vector', samples: [{ labels: {}, value: 1 / 60 }] });
    expect(at('rate(x[1m])', 3)).toEqual({ type: 'vector', samples: [] });
  });
});

describe('rate and increase, extrapolated as Prometheus 2.51 and 3 do (functions.go extrapolatedRate, commit 7f912db1)', () => {
  // functions.test (d15adb9a) line 198, series start="3m": 180, 420, 660 every 4m, read at 10m over [20m]. The first
  // sample is 10m after the range's start, past 1.1 sample intervals: 2.51 and 3 cut that to 2m, which the zero point
  // (3m back) does not shorten: 0.6/s; 2.42 took the zero point first (3m, under the threshold) and kept it: 0.65/s.
  const series = new InputSeries();
  series.add({ __name__: 'c' }, [180, 420, 660], 240_000);
  const rate = (v: 2 | 3) => {
    const r = evaluate('rate(c[20m])', series, 600_000, v);
    return r.type === 'vector' ? r.samples.map((x) => x.value) : [];
  };

  it('cuts the start to half a sample interval before the counter\'s zero point limits it', () => {
    expect(rate(3)).toEqual([(480 * (720 / 480)) / 1200]);
    expect(rate(2)).toEqual([480 * (780 / 480 / 1200)]);
    expect(rate(3)[0]).toBeCloseTo(0.6, 12);
    expect(rate(2)[0]).toBeCloseTo(0.65, 12);
  });
});

describe('metrics.prometheus-version', () => {
  const FIXTURE = 'test/fixtures/prometheus-version/scrape-count.yaml';
  const version = (c?: string) => {
    const l = loadScenarioFile(FIXTURE, c);
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    return l.scenario.metrics.prometheus;
  };

  it('names the Prometheus that evaluates the queries: 2 unless said, 3 in the case that says so', () => {
    expect(version()).toBe(2);
    expect(version('prometheus-3')).toBe(3);
  });

  it('is 2 or 3, else an error at its place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-prometheus-version-'));
    try {
      const file = join(dir, 's.yaml');
      writeFileSync(file, readFileSync(FIXTURE, 'utf8').replace('prometheus-version: 2\n', 'prometheus-version: 2.42\n'));
      const l = loadScenarioFile(file);
      expect(l.ok ? [] : l.problems.map((p) => [p.path.join('.'), p.line, p.column, p.message])).toEqual([
        ['metrics.prometheus-version', 35, 23, 'the Prometheus major version is 2 (2.x) or 3 (3.x)'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
