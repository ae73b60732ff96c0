/**
 * The series of Prometheus 2.42's own PromQL test files (test/fixtures/vendor/promqltest) in a real Prometheus
 * (Debian's 2.42), and every query of those files that rehearse evaluates asked of both, at the time the file
 * gives and at other times around it (where the files hold no expected values): same label sets, values within
 * test.go's relative 1e-6, the same errors. Each state of the files (what is loaded before an eval) is moved
 * 1e5 s after the one before, so one storage holds them all apart. Series with staleness markers are left out
 * (OpenMetrics cannot write one).
 *
 * As promql/test.go (2.42) runs each eval again, Prometheus is also asked, at the file's time t: the query as a
 * range query from t - 1m to t + 1m every minute, each step held to rehearse's instant answer at that step (test.go
 * checks the middle one); and the query with `@ t` on every selector (atModifierTestCases) at test.go's other
 * times, as an instant query and as a range query around each, every answer held to rehearse's at t. rehearse
 * evaluates neither an `@` nor a range query: these hold its instant answer to what Prometheus answers in those
 * modes. A range query fails whole where one step fails, so it agrees where rehearse fails at some step.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePromQL, PromQLError } from '../src/lang/promql.js';
import type { Labels, SampleSeries, SeriesSource } from '../src/metrics/series.js';
import { evaluate, EvalError } from '../src/promql/eval.js';
import { PrometheusServer, prometheusAvailable, type PromResult } from './prometheus.js';
import { almostEqual, atModifierTestCases, readTestFile, type EvalCase } from './promqltest.js';

const available = prometheusAvailable();
if (!available && process.env.CI === 'true') throw new Error('prometheus and promtool are required under CI (apt-get install prometheus; .ci/run does it)');

const DIR = 'test/fixtures/vendor/promqltest';
/** States 1e5 s apart: the files' series end by 30,000 s, and no query reaches back or ahead 70,000 s. */
const SHIFT_MS = 1e8;
/** After the file's own time: the same, a scrape later, between samples, a minute before, past the lookback. */
const OFFSETS_MS = [0, 15_000, 90_000, -60_000, 420_000];

const cases: EvalCase[] = readdirSync(DIR).filter((f) => f.endsWith('.test')).sort()
  .flatMap((f) => readTestFile(f, readFileSync(join(DIR, f), 'utf8')))
  .filter((c) => {
    try {
      parsePromQL(c.query);
      return true;
    } catch (e) {
      if (e instanceof PromQLError) return false;
      throw e;
    }
  });
const states = [...new Set(cases.map((c) => c.series))];

/** A state's series without staleness markers, moved in time. */
class Moved implements SeriesSource {
  constructor(private readonly src: SeriesSource, private readonly byMs: number) {}
  series(name?: string): readonly SampleSeries[] {
    return this.src.series(name).filter((s) => !Array.from({ length: s.length }, (_, i) => s.stale?.(i)).some(Boolean))
      .map((s) => ({ labels: s.labels, length: s.length, time: (i) => s.time(i) + this.byMs, value: (i) => s.value(i) }));
  }
}
const moved = states.map((s, k) => new Moved(s, k * SHIFT_MS));

const num = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
const parse = (v: string) => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function openMetrics(): string {
  const families = new Map<string, string[]>();
  for (const src of moved) {
    for (const s of src.series()) {
      const { __name__: name, ...rest } = s.labels;
      const labels = Object.entries(rest).map(([k, v]) => `${k}="${escape(v)}"`).join(',');
      const lines = families.get(name) ?? [];
      for (let i = 0; i < s.length; i++) lines.push(`${name}${labels ? `{${labels}}` : ''} ${num(s.value(i))} ${s.time(i) / 1000}`);
      families.set(name, lines);
    }
  }
  return `${[...families.values()].flat().join('\n')}\n# EOF\n`;
}

type Answer = { readonly error: true } | { readonly scalar: number } | { readonly samples: readonly [string, number][] };
const key = (l: Labels) => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

function rehearse(c: EvalCase, src: SeriesSource, t: number): Answer {
  try {
    const r = evaluate(c.query, src, t);
    return r.type === 'scalar' ? { scalar: r.value } : { samples: r.samples.map((s) => [key(s.labels), s.value]) };
  } catch (e) {
    if (e instanceof EvalError) return { error: true };
    throw e;
  }
}

function prometheus(r: PromResult): Answer {
  if (r.status !== 'success') return { error: true };
  if (r.data!.resultType === 'scalar') return { scalar: parse((r.data!.result as [number, string])[1]) };
  return { samples: (r.data!.result as { metric: Labels; value: [number, string] }[]).map((s) => [key(s.metric), parse(s.value[1])]) };
}

/** A range query's answer at each of `steps`: the points at that step, a scalar's one series as the scalar. */
function prometheusSteps(r: PromResult, steps: readonly number[], scalar: boolean): Answer[] {
  if (r.status !== 'success') return steps.map(() => ({ error: true }));
  const series = r.data!.result as { metric: Labels; values: [number, string][] }[];
  return steps.map((t) => {
    const at = series.flatMap((s) => s.values.filter(([ts]) => Math.round(ts * 1000) === t).map(([, v]) => [key(s.metric), parse(v)] as [string, number]));
    return scalar && at.length === 1 && at[0][0] === '[]' ? { scalar: at[0][1] } : { samples: at };
  });
}

const shown = (a: Answer) => JSON.stringify(a, (_, v: unknown) => (typeof v === 'number' ? num(v) : v));

function same(a: Answer, b: Answer): boolean {
  if ('error' in a || 'error' in b) return 'error' in a && 'error' in b;
  if ('scalar' in a || 'scalar' in b) return 'scalar' in a && 'scalar' in b && almostEqual(a.scalar, b.scalar);
  const want = new Map(b.samples);
  return a.samples.length === b.samples.length && a.samples.every(([k, v]) => want.has(k) && almostEqual(v, want.get(k)!));
}

describe.skipIf(!available)('the queries of promql/testdata, rehearse against Prometheus 2.42, at other times too', () => {
  let server: PrometheusServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rehearse-promqltest-'));
    writeFileSync(join(dir, 'series.om'), openMetrics());
    server = await PrometheusServer.start([join(dir, 'series.om')]);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every query as Prometheus does', async () => {
    type Ask = { readonly c: EvalCase; readonly src: SeriesSource; readonly t: number; readonly run: () => Promise<string[]> };
    const at = (c: EvalCase, t: number) => `${c.file}:${c.line} ${c.query} at ${(t % SHIFT_MS) / 1000}s`;
    const asks: Ask[] = [];
    let ranges = 0;
    for (const c of cases) {
      const k = states.indexOf(c.series);
      const src = moved[k];
      const ts = c.atMs + k * SHIFT_MS;
      for (const o of OFFSETS_MS.filter((o) => c.atMs + o >= 0)) {
        const t = ts + o;
        asks.push({ c, src, t, run: async () => {
          const theirs = prometheus(await server.query(c.query, t));
          const mine = rehearse(c, src, t);
          return same(mine, theirs) ? [] : [`${at(c, t)}: ${shown(mine)} vs ${shown(theirs)}`];
        } });
      }
      // Range mode around the file's time: each step against rehearse's instant answer at that step.
      const steps = [ts - 60_000, ts, ts + 60_000];
      ranges++;
      asks.push({ c, src, t: ts, run: async () => {
        const mine = steps.map((t) => rehearse(c, src, t));
        const theirs = prometheusSteps(await server.queryRange(c.query, steps[0], steps[2], 60_000), steps, mine.some((m) => 'scalar' in m));
        if (theirs.every((a) => 'error' in a)) return mine.some((m) => 'error' in m) ? [] : [`${at(c, ts)} range mode: fails in Prometheus only`];
        return steps.flatMap((t, i) => (same(mine[i], theirs[i]) ? [] : [`${at(c, t)} range mode: ${shown(mine[i])} vs ${shown(theirs[i])}`]));
      } });
      // The @ re-runs: every answer is rehearse's at the file's time.
      const pinned = atModifierTestCases(c.query, ts);
      for (const et of pinned?.timesMs ?? []) {
        const around = [et - 60_000, et, et + 60_000];
        ranges++;
        asks.push({ c, src, t: et, run: async () => {
          const mine = rehearse(c, src, ts);
          const instant = prometheus(await server.query(pinned!.query, et));
          const range = prometheusSteps(await server.queryRange(pinned!.query, around[0], around[2], 60_000), around, 'scalar' in mine);
          const differ = [instant, ...range].filter((theirs) => !same(mine, theirs));
          return differ.length ? [`${at(c, ts)} as ${pinned!.query} at ${et / 1000}s: ${shown(mine)} vs ${differ.map(shown).join(', ')}`] : [];
        } });
      }
    }
    const differ: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < asks.length) differ.push(...(await asks[next++].run()));
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(differ).toEqual([]);
    expect(asks.length).toBeGreaterThan(2000);
    expect(ranges).toBeGreaterThan(1000);
  }, 120_000);
});
