/**
 * Prometheus 3's fill(), fill_left() and fill_right() (prometheus/prometheus promql/parser/generated_parser.y
 * fill_modifiers, promql/engine.go VectorBinop; v3.10.0 and later), held to Prometheus' own test file
 * promql/promqltest/testdata/fill-modifier.test (test/fixtures/vendor/promqltest-3/, commit d15adb9a): every eval
 * agrees, a range eval as the instant evals at each of its steps. The file's times are read 6/5 as long (`load 5m` as
 * `load 6m`, each eval's time and step likewise): where a series skips a step, Prometheus 3 no longer sees the sample
 * a lookback (5m) old, its window being left-open since v3.0.0, where 2.42, which rehearse reads, still does; a
 * sample 6m old neither sees, so each eval asks what the file asks of fill.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDurationMs, parsePromQL, PromQLError } from '../src/lang/promql.js';
import { readTestFile, runCase } from './promqltest.js';

const FILE = 'test/fixtures/vendor/promqltest-3/fill-modifier.test';

/** `eval range from A to B step S QUERY` and its rows, written as one instant eval per step (`_`: no sample there). */
function asInstantEvals(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^eval range from (\S+) to (\S+) step (\S+) (.+)$/.exec(lines[i]);
    if (!m) {
      out.push(lines[i].replace(/^load 5m$/, 'load 6m').replace(/^eval instant at 0m /, 'eval instant at 0s '));
      continue;
    }
    const ms = (d: string) => ((/^\d+$/.test(d) ? Number(d) * 1000 : parseDurationMs(d)!) * 6) / 5;
    const rows: { labels: string; values: string[] }[] = [];
    while (lines[i + 1]?.trim()) {
      const row = /^\s*(\S*\{[^}]*\})\s+(.+)$/.exec(lines[++i])!;
      rows.push({ labels: row[1], values: row[2].trim().split(/\s+/) });
    }
    for (let t = ms(m[1]), k = 0; t <= ms(m[2]); t += ms(m[3]), k++) {
      out.push(`eval instant at ${t / 1000}s ${m[4]}`, ...rows.filter((r) => r.values[k] !== '_').map((r) => `  ${r.labels} ${r.values[k]}`), '');
    }
  }
  return out.join('\n');
}

describe('fill modifiers, held to promql/promqltest/testdata/fill-modifier.test', () => {
  const cases = readTestFile('fill-modifier.test', asInstantEvals(readFileSync(FILE, 'utf8')));

  it('reads the file with its times stretched: every load 5m, every instant eval at 0m', () => {
    const text = readFileSync(FILE, 'utf8');
    expect(text.match(/^load .*$/gm)!.every((l) => l === 'load 5m')).toBe(true);
    expect(text.match(/^eval instant at \S+/gm)!.every((l) => l === 'eval instant at 0m')).toBe(true);
  });

  it('runs every eval of the file (39 instant, 7 range of 3 to 5 steps)', () => {
    expect(cases.length).toBe(39 + 6 * 5 + 3);
  });

  it('agrees with Prometheus on each', () => {
    const differ = cases.map((c) => ({ c, o: runCase(c) })).filter(({ o }) => o.kind !== 'agrees')
      .map(({ c, o }) => `${c.line} ${c.query}: ${o.kind === 'differs' ? o.detail : o.kind === 'refused' ? o.reason : ''}`);
    expect(differ).toEqual([]);
  });

  it('reads the values Prometheus 3 reads: a sign, NaN and the infinities, a duration in seconds', () => {
    const fill = (q: string) => {
      const e = parsePromQL(q);
      return e.kind === 'binary' ? e.matching.fill : undefined;
    };
    expect(fill('a + fill(- 5) b')).toEqual({ lhs: -5, rhs: -5 });
    expect(fill('a + fill_left(5m) b')).toEqual({ lhs: 300, rhs: null });
    expect(fill('a + on(x) group_left fill_right(-Inf) fill_left(0x10) b')).toEqual({ lhs: 16, rhs: -Infinity });
    expect(Number.isNaN(fill('a > bool fill(NaN) b')!.lhs)).toBe(true);
    expect(fill('a + b')).toBeUndefined();
  });

  it('refuses it where Prometheus 3 does (parse.go checkAST), at the binary expression', () => {
    const refusal = (q: string) => {
      try {
        parsePromQL(q);
        return null;
      } catch (e) {
        return (e as PromQLError).problems;
      }
    };
    expect(refusal('x and fill(0) y')).toEqual([{ column: 1, reason: 'filling in missing series not allowed for set operators', invalid: true }]);
    expect(refusal('1 + fill(0) x')).toEqual([{ column: 1, reason: 'filling in missing series only allowed between instant vectors', invalid: true }]);
  });
});
