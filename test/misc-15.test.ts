/**
 * Small faithfulness gaps closed together:
 * - trace files that hold no span are named for what they are and refused as empty, not "no trace format found":
 *   an OTLP export with no spans ({"resourceSpans": []}), Jaeger's search answer when nothing matched
 *   ({"data":[],"total":0,"limit":0,"offset":0,"errors":null}: jaegertracing/jaeger cmd/query/app/http_handler.go
 *   search, uiTraces := make([]*ui.Trace, len(tracesFromStorage)), written as structuredResponse).
 * - a range query of `count_values by (...)` answers at every step as Prometheus 2.42 does (Debian's, started here):
 *   its engine writes the value label into the query's own `by` list when the list has room past its end, so the
 *   list loses its last labels from the second step on (promql/engine.go v2.42.0 aggregation: grouping =
 *   append(grouping, valueLabel); slices.Sort(grouping), with grouping the AST's sortedGrouping := e.Grouping);
 *   rehearse answered every step as an instant query.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { streamJson, type Path } from '../src/interop/traces/json-stream.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import { compareLabels, type ScrapeSeries, type SampleSeries, type SeriesSource } from '../src/metrics/series.js';
import { evaluate, rangeSteps, type QueryResult } from '../src/promql/eval.js';
import { goAppendCapacity } from '../src/promql/grouping-carry.js';
import { parsePromQL } from '../src/lang/promql.js';
import { measure } from '../src/rollout/promql-gate.js';
import type { PromQLGate } from '../src/scenario/types.js';
import { PrometheusServer, prometheusAvailable } from './prometheus.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-misc-15-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const bin = new URL('../bin/rehearse.js', import.meta.url).pathname;
const refusal = (file: string): string[] => {
  try {
    readTraceFile(file, () => {});
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  throw new Error(`${file} was read`);
};

describe('a trace file with no span is named for what it is and refused as empty', () => {
  it('the JSON walk tells of a streamed container even when it is empty (it hands over no value)', () => {
    const file = write('empty-otlp-walk.json', '{"resourceSpans": []}');
    const values: Path[] = [], containers: [Path, boolean, number, number][] = [];
    streamJson(file, [['resourceSpans']], (path) => values.push(path), () => {}, (path, array, line, column) => containers.push([path, array, line, column]));
    expect(values).toEqual([]);
    expect(containers).toEqual([[[], false, 1, 1], [['resourceSpans'], true, 1, 19]]);
  });

  it.each([
    ['an OTLP export', '{"resourceSpans": []}', 'an OTLP export with no spans'],
    ['an OTLP export whose resources hold no span', '{"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": []}]}]}', 'an OTLP export with no spans'],
    ['Jaeger\'s search answer when nothing matched', '{"data":[],"total":0,"limit":0,"offset":0,"errors":null}', 'a Jaeger API answer with no traces'],
    ['Jaeger\'s answer, data alone', '{"data": []}', 'a Jaeger API answer with no traces'],
    ['Jaeger\'s api_v3 gateway', '{"result": {"resourceSpans": []}}', 'a Jaeger api_v3 answer with no spans'],
    ['Tempo\'s /api/traces', '{"batches": []}', 'a Tempo trace answer (/api/traces) with no spans'],
    ['Tempo\'s /api/v2/traces for a trace it has not', '{"trace": {}}', 'a Tempo trace answer (/api/v2/traces) with no spans'],
    ['an Elasticsearch search answer', '{"hits": {"total": {"value": 0}, "hits": []}}', 'an Elasticsearch search answer with no hits'],
    ['a top-level list', '[]', 'an empty list (no span, no trace)'],
  ])('%s', (_, text, what) => {
    const file = write(`empty-${what.replace(/\W+/g, '-')}.json`, text);
    expect(refusal(file)).toEqual([`${file}: ${what}: nothing to read`]);
  });

  it('JSON lines of empty exports say how many documents held nothing', () => {
    const file = write('empty-lines.jsonl', '{"resourceSpans": []}\n{"resourceSpans": []}\n');
    expect(refusal(file)).toEqual([`${file}: 2 documents, not a span in them (an OTLP export with no spans): nothing to read`]);
  });

  it('a key no format has is still "no trace format found"; an export with spans all unusable still says what was skipped', () => {
    expect(refusal(write('other.json', '{"kind": "not traces"}'))[0]).toMatch(/: no trace format found: /);
    expect(refusal(write('empty-object.json', '{}'))[0]).toMatch(/: no trace format found: /);
    const noIds = write('no-ids.json', '{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x"}]}]}]}');
    expect(refusal(noIds)[0]).toMatch(/: no usable spans in this otlp file: 1 skipped/);
  });

  it('calibrate exits 2 with the file and the words, no stack trace', () => {
    for (const [name, text, what] of [['cli-otlp.json', '{"resourceSpans": []}', 'an OTLP export with no spans'], ['cli-jaeger.json', '{"data": []}', 'a Jaeger API answer with no traces']]) {
      const file = write(name, text);
      const r = spawnSync(process.execPath, [bin, 'calibrate', file], { encoding: 'utf8', cwd: dir });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 2, stdout: '', stderr: `${file}: ${what}: nothing to read\n` });
    }
  });
});

const T0 = 1_700_000_000_000;
const STEP = 60_000;
const M: { labels: Record<string, string>; v: number[] }[] = [
  { labels: { a: '1', b: 'x', c: 'p', job: 'api', zz: 'q' }, v: [1, 2, 2, 3, 1, 1] },
  { labels: { a: '1', b: 'y', c: 'p', job: 'api', zz: 'q' }, v: [1, 1, 2, 3, 3, 1] },
  { labels: { a: '2', b: 'x', c: 'r', job: 'web', zz: 'w' }, v: [2, 2, 2, 1, 1, 5] },
  { labels: { a: '2', b: 'y', c: 'r', job: 'web', zz: 'w' }, v: [1, 2, 3, 4, 5, 6] },
];
// Label sets whose order JavaScript's string order and a key of their JSON get wrong: a set that is the start of
// another, a value that is the start of another before a space, and characters past the BMP against U+FF61.
const M2: { labels: Record<string, string>; v: number[] }[] = ([{ k: 'a', l: 'x' }, { k: 'a' }, { k: 'a b' }, { k: '\u{1F600}' }, { k: '\uFF61' }, { k: 'a"' }] as Record<string, string>[]).map((labels, j) => ({ labels, v: M[0].v.map((_, i) => i * 10 + j) }));
const source: SeriesSource = {
  series: (name) => [...(name === undefined || name === 'm' ? M.map((s) => ({ ...s, name: 'm' })) : []), ...(name === undefined || name === 'm2' ? M2.map((s) => ({ ...s, name: 'm2' })) : [])]
    .map((s): SampleSeries => ({ labels: { __name__: s.name, ...s.labels }, length: s.v.length, time: (i) => T0 + i * STEP, value: (i) => s.v[i] })),
};
const STEPS = M[0].v.map((_, i) => T0 + i * STEP);
/** A `by` list of n labels: l0000, l0001, ..., and zz (a label of the series) last. */
const wide = (n: number) => [...Array.from({ length: n - 1 }, (_, i) => `l${String(i).padStart(4, '0')}`), 'zz'].join(', ');
const rows = (r: QueryResult) => (r.type === 'scalar' ? [`${r.value}`] : r.samples.map((s) => `${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`).sort());

describe.skipIf(!prometheusAvailable())('count_values by (...) in a range query, against Prometheus 2.42', () => {
  let server: PrometheusServer;
  beforeAll(async () => {
    const om = (name: string, list: typeof M) => list.flatMap((s) => s.v.map((x, i) => `${name}{${Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/"/g, '\\"')}"`).join(',')}} ${x} ${STEPS[i] / 1000}`));
    const file = write('count-values.om', `# TYPE m gauge\n${om('m', M).join('\n')}\n# TYPE m2 gauge\n${om('m2', M2).join('\n')}\n# EOF\n`);
    server = await PrometheusServer.start([file]);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  /** Prometheus' range query, step by step, as rows. */
  const theirs = async (query: string): Promise<string[][]> => {
    const r = await server.queryRange(query, STEPS[0], STEPS[STEPS.length - 1], STEP);
    expect(r.status, r.error).toBe('success');
    const series = r.data!.result as { metric: Record<string, string>; values: [number, string][] }[];
    return STEPS.map((t) => series.flatMap((s) => s.values.filter(([ts]) => Math.round(ts * 1000) === t).map(([, v]) => `${JSON.stringify(Object.entries(s.metric).sort())} ${v}`)).sort());
  };

  it.each([
    // by lists of 3, 5 and 7 labels have room past their end (capacity 4, 8, 8); of 1, 2 and 4 none.
    ['count_values by (a, b, c) ("aaa", m)', true],
    ['count_values by (a, b, c, job, zz) ("aaa", m)', true],
    ['count_values by (zz, job, c, b, a) ("b", m)', true],
    ['count_values by (a, b, c, job, zz, x1, x2) ("aab", m)', true],
    ['count_values by (c, b, a) ("aaa", count_values by (a, b, c) ("aab", m))', true],
    ['sum by (a) (count_values by (a, b, c) ("aaa", m))', false],
    ['count_values by (a, b, c) ("zzz", m)', false],
    ['count_values by (a, b, c, job) ("aaa", m)', false],
    ['count_values by (zz) ("value", m)', false],
    ['count_values without (job) ("value", m)', false],
    [`count_values by (${wide(256)}) ("a", m)`, false],
    [`count_values by (${wide(257)}) ("a", m)`, true],
    [`count_values by (${wide(848)}) ("a", m)`, false],
    [`count_values by (${wide(849)}) ("a", m)`, true],
  ])('%s', async (query, carried) => {
    const at = rangeSteps(query, source);
    const mine = STEPS.map((t) => rows(at(t)));
    expect(mine).toEqual(await theirs(query));
    // Whether a later step differs from the same query asked alone at that time: the by list carried its change on.
    const alone = STEPS.map((t) => rows(evaluate(query, source, t)));
    expect(mine.some((m, i) => JSON.stringify(m) !== JSON.stringify(alone[i]))).toBe(carried);
    expect(mine[0]).toEqual(alone[0]);
  }, 120_000);

  it.each(['count_values by (a, b, c) ("aaa", m)', 'm2'])('an Argo range query gate reads every sample of %s as Prometheus answers the range, in its order (prometheus.go executeQuery, a Matrix)', async (query) => {
    const gate: PromQLGate = { kind: 'promql', source: query, query, expr: parsePromQL(query), success: null, failure: null, result: 'list', origin: null,
      filter: { service: null, endpoint: null, journey: null, flagOn: null, segment: null, failed: null },
      range: { fromUs: -5 * STEP * 1000, toUs: 0, stepUs: STEP * 1000 } };
    const series = { ...source, epochMs: T0, recorder: { scrapeUntil: () => {} } } as unknown as ScrapeSeries;
    const m = measure(gate, series, 5 * STEP * 1000);
    const r = await server.queryRange(query, STEPS[0], STEPS[5], STEP);
    const matrix = (r.data!.result as { metric: Record<string, string>; values: [number, string][] }[]);
    expect(m.result).toEqual(matrix.flatMap((s) => s.values.map(([, v]) => Number(v))));
    expect(matrix.length).toBeGreaterThan(4);
    if (query === 'm2') {
      // Every value apart, so the order shows; the order of the sets' JSON keys (what it was read in) was another.
      const last = (labels: Record<string, string>) => M2.find((x) => JSON.stringify(x.labels) === JSON.stringify(labels))!.v[5];
      expect(new Set(m.result as number[]).size).toBe(M2.length * STEPS.length);
      expect(matrix.map((s) => last(Object.fromEntries(Object.entries(s.metric).filter(([k]) => k !== '__name__')))))
        .not.toEqual([...M2].sort((x, y) => compareLabels(x.labels, y.labels)).map((x) => x.v[5]));
    }
  }, 120_000);

  it('the capacity Go gives a by list the parser grows (runtime/slice.go growslice, sizeclasses.go)', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 17, 255, 256, 257, 512, 513, 848, 849].map(goAppendCapacity)).toEqual([1, 2, 4, 4, 8, 8, 16, 32, 256, 256, 512, 512, 848, 848, 1280]);
  });
});
