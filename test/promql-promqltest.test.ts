/**
 * Prometheus 2.42's own PromQL evaluation tests (promql/testdata/*.test at tag v2.42.0, copied in
 * test/fixtures/vendor/promqltest/ with their source in its README), every eval run through rehearse's parser and
 * evaluator as promql/test.go runs it (test/promqltest.ts). Each either agrees with Prometheus' expected samples
 * (same label sets, values within test.go's relative 1e-6, the order of eval_ordered, the error of eval_fail) or is
 * refused as unsupported when it parses: a subquery, an @, atan2 or a function rehearse does not
 * evaluate. None may be answered otherwise.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputSeries } from './promtool.js';
import { readTestFile, runCase, seriesValues, type EvalCase } from './promqltest.js';

const DIR = 'test/fixtures/vendor/promqltest';
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.test')).sort();

/** Per file: evals that agree, and evals refused as unsupported. */
const EXPECTED: Record<string, { agrees: number; refused: number }> = {
  'aggregators.test': { agrees: 83, refused: 0 },
  'at_modifier.test': { agrees: 0, refused: 33 },
  'collision.test': { agrees: 2, refused: 0 },
  'functions.test': { agrees: 173, refused: 34 },
  'histograms.test': { agrees: 38, refused: 0 },
  'literals.test': { agrees: 20, refused: 0 },
  'operators.test': { agrees: 90, refused: 4 },
  'selectors.test': { agrees: 31, refused: 0 },
  'staleness.test': { agrees: 14, refused: 0 },
  'subquery.test': { agrees: 2, refused: 23 },
  'trig_functions.test': { agrees: 0, refused: 19 },
};

const cases = new Map(FILES.map((f) => [f, readTestFile(f, readFileSync(join(DIR, f), 'utf8'))]));

describe('Prometheus 2.42 promql/testdata through rehearse\'s evaluator', () => {
  it('reads every eval command of every file', () => {
    expect(FILES).toEqual(Object.keys(EXPECTED));
    for (const f of FILES) {
      const evals = readFileSync(join(DIR, f), 'utf8').split('\n').filter((l) => /^\s*eval/.test(l)).length;
      expect([f, cases.get(f)!.length]).toEqual([f, evals]);
    }
  });

  it.each(FILES)('%s: no eval answered otherwise than Prometheus', (f) => {
    const differ = cases.get(f)!.map((c) => ({ c, o: runCase(c) })).filter(({ o }) => o.kind === 'differs')
      .map(({ c, o }) => `${c.file}:${c.line} ${c.query}: ${o.kind === 'differs' ? o.detail : ''}`);
    expect(differ).toEqual([]);
  });

  it.each(FILES)('%s: what rehearse evaluates and what it refuses, and why', (f) => {
    let agrees = 0, refused = 0;
    for (const c of cases.get(f)!) {
      const o = runCase(c);
      if (o.kind === 'agrees') agrees++;
      if (o.kind === 'refused') {
        refused++;
        for (const r of o.reason.split('; ')) expect(r).toMatch(/^unsupported (subquery|@ modifier|function "\w+"|operator "atan2")$/);
      }
    }
    expect({ agrees, refused }).toEqual(EXPECTED[f]);
  });

  it('counts them as docs/interop.md says', () => {
    const all = FILES.flatMap((f) => cases.get(f)!.map((c) => runCase(c)));
    const count = (k: string) => all.filter((o) => o.kind === k).length;
    const doc = readFileSync('docs/interop.md', 'utf8').replace(/\s+/g, ' ');
    expect(doc).toContain(`(promql/testdata, ${all.length} evals) through rehearse's evaluator: ${count('agrees')} give the samples Prometheus expects and ${count('refused')} are refused as unsupported`);
  });
});

describe('the adapter', () => {
  it('expands series values as generated_parser.y does', () => {
    expect(seriesValues('0+10x3 _ stale _x2 NaN -Inf 1-0.5x2 7x1')).toEqual([0, 10, 20, 30, null, 'stale', null, null, NaN, -Infinity, 1, 0.5, 0, 7, 7]);
  });

  it('tells a wrong value, a missing or extra sample, a wrong order and a missing error apart from agreement', () => {
    const series = new InputSeries();
    series.add({ __name__: 'm', a: '1' }, [1, 2], 60_000);
    series.add({ __name__: 'm', a: '2' }, [5, 6], 60_000);
    const base: EvalCase = { file: 't', line: 1, query: 'm', atMs: 60_000, fail: false, ordered: false, scalar: null, series, samples: [] };
    const s1 = { labels: { __name__: 'm', a: '1' }, value: 2 }, s2 = { labels: { __name__: 'm', a: '2' }, value: 6 };
    expect(runCase({ ...base, samples: [s2, s1] }).kind).toBe('agrees');
    expect(runCase({ ...base, samples: [s1, { ...s2, value: 6.0001 }] }).kind).toBe('differs');
    expect(runCase({ ...base, samples: [s1, { ...s2, value: 6 * (1 + 1e-7) }] }).kind).toBe('agrees');
    expect(runCase({ ...base, samples: [s1] }).kind).toBe('differs');
    expect(runCase({ ...base, samples: [s1, s2, { labels: { a: '3' }, value: 1 }] }).kind).toBe('differs');
    expect(runCase({ ...base, query: 'sort_desc(m)', ordered: true, samples: [s1, s2] }).kind).toBe('differs');
    expect(runCase({ ...base, fail: true }).kind).toBe('differs');
    expect(runCase({ ...base, query: 'm + on() m', fail: true }).kind).toBe('agrees');
    expect(runCase({ ...base, query: 'm[5m:1m]', fail: true }).kind).toBe('refused');
    expect(runCase({ ...base, query: 'scalar(m)', samples: null, scalar: NaN }).kind).toBe('agrees');
  });
});

describe('what the files do not hold (engine.go aggregation and functions.go of 2.42; promtool test rules 2.42 agrees)', () => {
  const series = new InputSeries();
  series.add({ __name__: 'x', a: '1' }, [Infinity], 60_000);
  series.add({ __name__: 'y', a: '1' }, [NaN], 60_000);
  series.add({ __name__: 'z', a: '1' }, [Infinity], 60_000);
  series.add({ __name__: 'z', a: '2' }, [1], 60_000);
  series.add({ __name__: 'one' }, [1], 60_000);
  series.add({ __name__: 'm1' }, [-1], 60_000);
  const at0 = (query: string, samples: EvalCase['samples']): EvalCase => ({ file: '', line: 0, query, atMs: 0, fail: false, ordered: false, scalar: null, series, samples });
  it.each([
    // stdvar starts from the first sample with a variance of 0; stdvar_over_time from zero (Inf - Inf is NaN).
    at0('stdvar(x)', [{ labels: {}, value: 0 }]),
    at0('stddev(y)', [{ labels: {}, value: 0 }]),
    at0('stdvar_over_time(x[5m])', [{ labels: { a: '1' }, value: NaN }]),
    at0('avg(z)', [{ labels: {}, value: Infinity }]),
    at0('avg_over_time(z[5m])', [{ labels: { a: '1' }, value: Infinity }, { labels: { a: '2' }, value: 1 }]),
    // ^ is Go's math.Pow (math/pow.go): Pow(1, y) = 1 for any y, Pow(-1, ±Inf) = 1.
    at0('one ^ NaN', [{ labels: {}, value: 1 }]),
    at0('one ^ -Inf', [{ labels: {}, value: 1 }]),
    at0('m1 ^ Inf', [{ labels: {}, value: 1 }]),
    { ...at0('1 ^ NaN + (-1) ^ Inf', null), scalar: 2 },
    at0('m1 ^ 0.5', [{ labels: {}, value: NaN }]),
    // engine.go aggregation: "Scalar value NaN overflows int64", also over an empty vector.
    { ...at0('topk(scalar(z), m1)', null), fail: true },
    { ...at0('bottomk(1e19, nothing)', null), fail: true },
    at0('topk(-1e18, m1)', []),
  ])('$query', (c) => {
    expect(runCase(c)).toEqual({ kind: 'agrees' });
  });
});
