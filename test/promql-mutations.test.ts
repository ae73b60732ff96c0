/**
 * Mutated queries, parsed by rehearse and by `promtool check rules` (Prometheus 2.42): the queries of Prometheus' own
 * parser tests (promql/parser/parse_test.go, as test/promql-parse-errors.test.ts lists them) and test files (2.42's
 * promql/testdata and 3's promql/promqltest/testdata, test/fixtures/vendor), each with a character dropped, doubled or
 * one of PromQL's own put in, at places a seeded generator picks. rehearse never refuses a query 2.42 parses, and what
 * it takes that 2.42 refuses is Prometheus 3's (or 2.54's) syntax, warned where a query is imported
 * (newerSyntaxWarnings), or a function or modifier of Prometheus 3 named as not evaluated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromQL, PromQLError } from '../src/lang/promql.js';
import { newerSyntaxWarnings } from '../src/lang/promql-versions.js';
import { prometheusAvailable } from './prometheus.js';
import { promtoolParses } from './promtool.js';
import { readTestFile, readTestFileV3 } from './promqltest.js';

function baseQueries(): string[] {
  const out = new Set<string>();
  for (const m of readFileSync('test/promql-parse-errors.test.ts', 'utf8').matchAll(/^ {2}\[\d+, ("(?:[^"\\]|\\.)*"),/gm)) out.add(JSON.parse(m[1]) as string);
  for (const [dir, read] of [['test/fixtures/vendor/promqltest', (f: string, t: string) => readTestFile(f, t)], ['test/fixtures/vendor/promqltest-3', (f: string, t: string) => readTestFileV3(f, t).cases]] as const) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.test') && n !== 'fill-modifier.test')) for (const c of read(f, readFileSync(join(dir, f), 'utf8'))) out.add(c.query);
  }
  return [...out];
}

const INSERTED = [')', '(', ']', '[', '}', '{', ',', ' ', '5m', '1', '.', '_', '"', '@', ':', '-', 'offset ', 'by ', '#', '=~', '!'];

/** Six mutations of each query, from a linear congruential generator with a fixed seed. */
function mutated(queries: readonly string[]): string[] {
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const out = new Set(queries);
  for (const q of queries) {
    for (let k = 0; k < 6; k++) {
      const i = next(q.length + 1);
      const kind = next(3);
      const m = kind === 0 ? q.slice(0, i) + q.slice(i + 1) : kind === 1 ? q.slice(0, i) + (q[i] ?? '') + q.slice(i) : q.slice(0, i) + INSERTED[next(INSERTED.length)] + q.slice(i);
      if (!m.includes('\n') && m.trim() !== '') out.add(m);
    }
  }
  return [...out];
}

/** null: rehearse reads the query (perhaps without evaluating it); else the first reason it refuses it as invalid. */
function rehearseRefuses(q: string): { readonly invalid: string | null; readonly unsupported: string[] } {
  try {
    parsePromQL(q);
    return { invalid: null, unsupported: [] };
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    const invalid = e.problems.find((p) => p.invalid);
    return { invalid: invalid ? invalid.reason : null, unsupported: e.problems.map((p) => p.reason) };
  }
}

describe.skipIf(!prometheusAvailable())('mutated queries, rehearse against promtool check rules (Prometheus 2.42)', () => {
  const queries = mutated(baseQueries());
  const promtool = promtoolParses(queries);

  it('are many, of every source', () => {
    expect(queries.length).toBeGreaterThan(4000);
  });

  it('refuses none that Prometheus 2.42 parses', () => {
    const refused = queries.filter((q, i) => promtool[i] === null && rehearseRefuses(q).invalid !== null);
    expect(refused.map((q) => `${q}: ${rehearseRefuses(q).invalid}`)).toEqual([]);
  });

  it('takes what 2.42 refuses only as Prometheus 3 (or 2.54) syntax, warned, or Prometheus 3\'s functions and modifiers, named', () => {
    const taken = queries.filter((q, i) => promtool[i] !== null && rehearseRefuses(q).invalid === null);
    const unexplained = taken.filter((q) => newerSyntaxWarnings(q).length === 0 && !rehearseRefuses(q).unsupported.some((r) => r.includes("Prometheus 3's")));
    expect(unexplained).toEqual([]);
    expect(taken.length).toBeGreaterThan(0);
  });
});
