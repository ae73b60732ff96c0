/**
 * The differential suite: the simulated series of several runs written as OpenMetrics, loaded into a real
 * Prometheus (Debian's 2.42 here and on CI), and every supported query form evaluated by both at many times.
 * Same label sets, values within 1e-9 relative, same empty results, NaN and errors. count_values writes every
 * digit of a value into a label, so where it counts rates those rates are held to Prometheus' to the last bit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArraySeries, observeSeries, resolveMapping, writeOpenMetrics, type ScrapeSeries, type SeriesSource } from '../src/observe/metrics.js';
import { podTemplateHash, type TrafficSplit } from '../src/metrics/mapping.js';
import { evaluate, EvalError, type QueryResult } from '../src/promql/eval.js';
import { runScenario } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { scenario } from './helpers.js';
import { PrometheusServer, prometheusAvailable, type PromResult } from './prometheus.js';

const available = prometheusAvailable();
if (!available) {
  if (process.env.CI === 'true') throw new Error('prometheus and promtool are required under CI (apt-get install prometheus; .ci/run does it)');
  console.warn('\n*** SKIPPING the PromQL differential suite: /usr/bin/prometheus or /usr/bin/promtool is missing ***\n');
}

/** A service's calls split as Flagger names its workloads: the canary keeps the name, the primary is <name>-primary. */
const flaggerSplit = (flag: string, service: string): TrafficSplit => ({
  flag, service, app: service, ingress: service, route: service, port: '80',
  canary: { workload: service, service: `${service}-canary`, hash: podTemplateHash(service) },
  stable: { workload: `${service}-primary`, service: `${service}-primary`, hash: podTemplateHash(`${service}-primary`) },
});

function shop(seed: number, run: string, extra: Record<string, unknown> = {}): Scenario {
  return scenario({
    seed,
    duration: '20m',
    traffic: { rate: '30/s', cohort: { size: 1000, seed: 1, segments: { beta: '20%', rest: '80%' } } },
    journeys: { buy: { weight: 1, steps: ['api.buy'] }, look: { weight: 3, steps: ['api.look'] } },
    services: {
      api: {
        concurrency: 8,
        latency: { dist: 'lognormal', p50: '8ms', p99: '300ms' },
        errors: '2%',
        endpoints: { buy: { calls: [{ to: 'db.write', timeout: '200ms' }] }, look: {} },
      },
      db: { concurrency: 2, queue: 5, latency: { dist: 'exponential', mean: '30ms' }, endpoints: { write: {} } },
    },
    flags: { 'new-buy': { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+10%' } } } },
    rollout: [{ flag: 'new-buy', stages: [{ to: '20%', hold: '5m' }, { to: '60%' }] }],
    metrics: { constants: { run }, labels: { journey: null, segment: null } },
    ...extra,
  });
}

/** Runs side by side (label run="a", "b", "c"; b starts 3 minutes later and scrapes every 10s; c is named as Istio). */
function runs(): ScrapeSeries[] {
  const a = shop(1, 'a');
  const b = shop(2, 'b', { duration: '15m' });
  const bShifted: Scenario = { ...b, metrics: { ...b.metrics, scrapeIntervalUs: 10e6, epochMs: Date.UTC(2026, 0, 1, 0, 3) } };
  // A third run named as Istio exports it (milliseconds, le bounds like "75"), with Flagger's two workloads.
  const c0 = shop(3, 'c', { duration: '10m' });
  const c: Scenario = { ...c0, metrics: { ...c0.metrics, mapping: { ...resolveMapping({ preset: 'istio', namespace: 'test', constants: { run: 'c' } }), splits: [flaggerSplit('new-buy', 'api')] } } };
  return [a, bShifted, c].map((s) => {
    let series!: ScrapeSeries;
    runScenario(s, { observe: (sim) => (series = observeSeries(sim, s)) });
    return series;
  });
}

/** A counter that resets now and then (and a series that goes up and down), which the simulation never writes. */
function jumpy(): ArraySeries {
  const times = Array.from({ length: 80 }, (_, i) => A + (i + 1) * 15_000);
  const counter = times.map((_, i) => (i % 23) * 7 + (i % 5) + (i % 23 === 11 ? 0.5 : 0));
  const wavy = times.map((_, i) => Math.round(100 * Math.sin(i / 3)) / 10);
  return new ArraySeries([
    { labels: { __name__: 'jumpy', kind: 'counter' }, times, values: counter },
    { labels: { __name__: 'jumpy', kind: 'wave' }, times, values: wavy },
  ]);
}

function jumpyOpenMetrics(s: ArraySeries): string {
  let text = '# TYPE jumpy gauge\n';
  for (const x of s.series()) for (let i = 0; i < x.length; i++) text += `jumpy{kind="${x.labels.kind}"} ${x.value(i)} ${x.time(i) / 1000}\n`;
  return `${text}# EOF\n`;
}

class Union implements SeriesSource {
  constructor(private readonly parts: SeriesSource[]) {}
  series(name?: string) {
    return this.parts.flatMap((p) => [...p.series(name)]);
  }
}

const R = 'http_requests_total';
const H = 'http_server_request_duration_seconds';
const QUERIES = [
  R, `${R}{code="200"}`, `${R}{code!="200"}`, `${R}{code=~"5.."}`, `${R}{code!~"5..",service_name="api"}`,
  `${R}{run="b"} offset 1m`, `${R}{run="a"} offset 7m30s`, `{__name__=~"http_req.*",code="503"}`,
  `rate(${R}[1m])`, `rate(${R}[30s])`, `irate(${R}[1m])`, `increase(${R}[5m])`, `delta(${R}[2m])`, `idelta(${R}[1m])`,
  `rate(${R}[2m] offset 1m)`, `increase(${H}_count[45s])`, `rate(${H}_sum[5m])`,
  `avg_over_time(${R}[2m])`, `sum_over_time(${R}[1m])`, `min_over_time(${R}[3m])`, `max_over_time(${R}[3m])`,
  `count_over_time(${R}[1m])`, `last_over_time(${R}[1m])`, `present_over_time(${R}{code="504"}[2m])`,
  `stddev_over_time(${R}[2m])`, `stdvar_over_time(${R}[2m])`, `quantile_over_time(0.9, ${R}[3m])`,
  `absent_over_time(${R}{code="418"}[1m])`, `absent_over_time(${R}[1m])`,
  `deriv(${R}[3m])`, `deriv(${H}_sum[1m] offset 30s)`, `predict_linear(${R}[5m], 600)`, `predict_linear(${R}{code="200"}[2m], -60)`,
  `sum(rate(${R}{code!~"5.."}[1m])) / sum(rate(${R}[1m]))`,
  `sum by (service_name) (rate(${R}{code=~"5.."}[2m])) / sum by (service_name) (rate(${R}[2m]))`,
  `sum without (code) (rate(${R}[1m]))`, `avg by (run) (rate(${R}[1m]))`, `min(rate(${R}[1m]))`, `max by (code) (${R})`,
  `count by (service_name, run) (${R})`, `group by (flag_new_buy) (${R})`, `stddev(rate(${R}[1m]))`, `stdvar by (run) (${R})`,
  `quantile(0.5, rate(${R}[1m]))`, `quantile by (run) (0.95, ${R})`, `sum(topk(3, ${R}))`, `count(bottomk(2, rate(${R}[1m]) > 0))`,
  `topk(1, sum by (service_name) (${R}))`,
  `histogram_quantile(0.99, sum by (le) (rate(${H}_bucket[1m])))`,
  `histogram_quantile(0.5, sum by (le, service_name) (rate(${H}_bucket[5m])))`,
  `histogram_quantile(0.9, rate(${H}_bucket{service_name="db"}[2m]))`,
  `histogram_quantile(1.5, sum by (le) (${H}_bucket))`, `histogram_quantile(0, sum by (le) (${H}_bucket))`,
  `rate(${H}_sum[1m]) / rate(${H}_count[1m])`,
  `sum(rate(${R}{code="500"}[5m])) by (service_name) / ignoring(code) sum(rate(${R}[5m])) by (service_name)`,
  `rate(${R}{code="500"}[5m]) / ignoring(code) group_left sum without (code) (rate(${R}[5m]))`,
  `sum without (code) (rate(${R}[5m])) / ignoring(code) group_right rate(${R}{code="200"}[5m])`,
  `${R} / on(service_name, http_route, run, flag_new_buy, code) ${H}_count`,
  `sum by (run, service_name) (${R}) * on(run) group_left(flag_new_buy) max by (run, flag_new_buy) (${R}{flag_new_buy="on"})`,
  `${R} > 100`, `${R} > bool 100`, `100 < ${R}`, `100 < bool ${R}`, `${R} == on(service_name, http_route, run, flag_new_buy, code) ${H}_count`,
  `${R} != bool ignoring(code) ${R}`, `rate(${R}[1m]) >= 0.5`, `${R} <= 3`,
  `sum(rate(${R}{code!~"5.."}[1m])) / sum(rate(${R}[1m])) >= bool 0.99`,
  `scalar(sum(${R}))`, `scalar(${R})`, `vector(1)`, `vector(scalar(sum(${R}{run="a"})))`, `absent(${R}{code="418",run="a"})`,
  `absent(${R})`, `absent(nope{a="b",a="c"})`,
  `clamp_min(rate(${R}[1m]), 0.5)`, `clamp_max(${R}, 1000)`, `clamp(${R}, 10, 200)`, `clamp(${R}, 200, 10)`,
  `abs(-${R})`, `ceil(rate(${R}[1m]))`, `floor(rate(${R}[1m]))`, `round(rate(${R}[1m]))`, `round(rate(${R}[1m]), 0.1)`,
  `sqrt(${R})`, `ln(${R})`, `log2(${R})`, `log10(${R})`, `exp(rate(${R}[1m]))`,
  `1 + 2 * 3`, `2 ^ 3 ^ 2`, `-7 % 3`, `1 / 0`, `0 / 0`, `-(1)`, `1 < bool 2`, `0x10 + 1e-3`, `Inf - Inf`, `time()`,
  `-${R}`, `${R} - ${R}`, `${R} * 2 + 1`, `2 * ${R}`, `${R} % 7`, `${R} ^ 0.5`,
  `sum(${R}) - sum(${R} offset 5m)`, `sum(rate(${R}[1m])) * 60`,
  `${R} + ${R}{code="200"}`, `${R}{run="a"} + ignoring(run) ${R}{run="b"}`,
  // Set operators, as alert rules combine conditions (Sloth's multiwindow alerts, kube-prometheus' unless on(...)).
  `${R}{code="200"} and ${R}{flag_new_buy="on"}`, `${R} and on(service_name) ${H}_count{service_name="db"}`,
  `${R} and ignoring(code) ${R}{code="500"}`, `${R} and ${H}_count`, `${R}{run="a"} or ${R}{run="b"}`,
  `rate(${R}[1m]) > 0.5 or rate(${R}[1m]) < 0.1`, `${R} unless ${R}{code=~"5.."}`, `${R} unless on(service_name) ${R}{service_name="db"}`,
  `sum by (service_name) (${R}) or on(service_name) vector(1)`, `absent(${R}{code="418"}) or vector(0)`, `vector(1) and ${R}{code="418"}`,
  `${R}{code="418"} unless ${R}`, `${R} unless ignoring(code, run, flag_new_buy, http_route, service_name) vector(1)`,
  `(label_replace(rate(${R}[1m]), "w", "1m", "", "") > 0.1) and ignoring(w) (label_replace(rate(${R}[5m]), "w", "5m", "", "") > 0.05) or ignoring(w) (label_replace(rate(${R}[2m]), "w", "2m", "", "") > 0.2)`,
  `sum(${R}) BY (service_name) / ON(service_name) GROUP_LEFT() count(${R}) BY (service_name) UNLESS sum(${R}) BY (service_name) < 10`,
  // Label functions, with Go's template expansion ($1x names group "1x") and the duplicates they can make.
  `label_replace(${R}, "svc", "$1-x", "service_name", "(.*)")`, `label_replace(${R}, "svc", "$1x", "service_name", "(.*)")`,
  `label_replace(${R}, "svc", "\${1}x", "service_name", "(.*)")`, `label_replace(${R}, "route", "$2/$1|$3", "http_route", "(b)(u)y|(l)ook")`,
  `label_replace(${R}, "f", "$first", "service_name", "(?P<first>.).*")`, `label_replace(${R}, "code", "", "code", "5..")`,
  `label_replace(${R}, "code", "x", "code", ".*")`, `sum(label_replace(${R}, "code", "x", "code", ".*"))`,
  `label_replace(${R}, "__name__", "renamed", "", "")`, `label_replace(rate(${R}[1m]), "x", "$$1", "code", "(.*)")`,
  `label_replace(${R}, "x", "$01$0", "code", "(.)(.*)")`, `label_replace(${R}, "svc", "x", "service_name", "a")`,
  `label_join(${R}, "id", "/", "service_name", "http_route", "code")`, `label_join(${R}, "code", "", "nope")`, `label_join(${R}, "x", "-")`,
  `label_join(rate(${R}[1m]), "service_name", ",", "code")`,
  // Go's regular expressions (RE2 syntax), which JavaScript's RegExp reads otherwise or refuses.
  `${R}{service_name=~"[[:alpha:]]+"}`, `${R}{service_name=~"(?i)API"}`, `${R}{http_route=~"\\\\Qbuy\\\\E"}`,
  `label_replace(${R}, "s", "$1", "service_name", "([[:lower:]])[[:lower:]]*")`,
  `rate({__name__=~"${H}_(count|sum)"}[1m])`, `{__name__=~"${H}_(count|sum)"} * 1`, `-{__name__=~"${H}_(count|sum)"}`,
  // Counters that reset, and a series that goes up and down.
  `rate(jumpy[1m])`, `rate(jumpy[5m])`, `increase(jumpy[3m])`, `irate(jumpy[1m])`, `idelta(jumpy[2m])`, `delta(jumpy[4m])`,
  `resets(jumpy[10m])`, `changes(jumpy[2m])`, `rate(jumpy[20m] offset 2m)`,
  // Timestamps, sorting, counter changes.
  `timestamp(${R})`, `timestamp(${R} offset 1m)`, `timestamp(sum(${R}))`, `timestamp(vector(1))`, `timestamp(${R}{run="b"})`,
  `sort(rate(${R}[1m]))`, `sort_desc(${R})`, `sort_desc(rate(${R}[1m]) / rate(${H}_count[1m]))`, `sort(-${R})`,
  `changes(${R}[5m])`, `resets(${R}[5m])`, `changes(${H}_bucket{le="+Inf"}[10m])`,
  `sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="test",destination_workload=~"api",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="test",destination_workload=~"api"}[1m])) * 100`,
  `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload=~"api-primary"}[30s])) by (le))`,
  `sum(irate(istio_requests_total{destination_service_name=~"db",response_code!~"5.*"}[5m])) / sum(irate(istio_requests_total{destination_service_name=~"db"}[5m]))`,
  `histogram_quantile(0.5, sum by (le, destination_workload) (increase(istio_request_duration_milliseconds_bucket[2m])))`,
  // count_values (engine.go aggregation at v2.42.0): each value a label's value as strconv.FormatFloat(v, 'f', -1, 64)
  // writes it (fractions, -0, huge and tiny values without an exponent, NaN, +Inf), counted per group; the value
  // label added to `by`, overwriting a label of that name; a parameter that is no label name fails, data or none.
  `count_values("value", ${R})`, `count_values by (run) ("v", rate(${R}[1m]))`, `count_values without (code, http_route) ("code", ${R})`,
  `count_values by (code, run) ("code", ${R})`, `count_values by (le) ("n", ${H}_bucket)`, `count_values("kind", jumpy)`,
  `count_values without (kind) ("v", rate(jumpy[1m]))`, `count_values("v", ${R} / ${R})`, `count_values("v", 1 / (${R} - 1))`,
  `count_values("v", -${R} * 1e-30)`, `count_values("v", ${R} * 1e25)`, `count_values("v", ${R}{code="418"})`,
  `sum(count_values by (service_name) ("v", ${R}))`, `count_values("v", sum by (run) (${R}))`, `count_values without (v) ("v", ${R})`,
  `count_values("a-b", ${R})`, `count_values("1x", nope)`, `count_values("", ${R})`,
];

const A = Date.UTC(2026, 0, 1);
/** Scrape-aligned times (where range boundaries bite), off-grid times, and times after the data ends. */
const TIMES = [
  ...[0, 10, 15, 45, 60, 61, 90, 185, 300, 307.5, 420, 599, 600, 735, 900, 1081, 1200, 1260, 1499, 1500, 1501, 1800].map((s) => A + s * 1000),
];

type Normal = { kind: 'error' } | { kind: 'scalar'; value: number } | { kind: 'vector'; samples: Map<string, number>; order: number[] };

function num(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

function fromProm(r: PromResult): Normal {
  if (r.status !== 'success') return { kind: 'error' };
  if (r.data!.resultType === 'scalar') return { kind: 'scalar', value: num((r.data!.result as [number, string])[1]) };
  const list = r.data!.result as { metric: Record<string, string>; value: [number, string] }[];
  return { kind: 'vector', samples: new Map(list.map((x) => [key(x.metric), num(x.value[1])])), order: list.map((x) => num(x.value[1])) };
}

function key(l: Record<string, string>): string {
  return JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));
}

function fromMine(query: string, src: SeriesSource, t: number): Normal {
  let r: QueryResult;
  try {
    r = evaluate(query, src, t);
  } catch (e) {
    if (e instanceof EvalError) return { kind: 'error' };
    throw e;
  }
  if (r.type === 'scalar') return { kind: 'scalar', value: r.value };
  return { kind: 'vector', samples: new Map(r.samples.map((s) => [key(s.labels as Record<string, string>), s.value])), order: r.samples.map((s) => s.value) };
}

function same(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function differences(mine: Normal, theirs: Normal, query: string): string | null {
  if (mine.kind !== theirs.kind) return `kind ${mine.kind} vs ${theirs.kind}`;
  if (mine.kind === 'error') return null;
  if (mine.kind === 'scalar') return same(mine.value, (theirs as { value: number }).value) ? null : `scalar ${mine.value} vs ${(theirs as { value: number }).value}`;
  const t = (theirs as { samples: Map<string, number> }).samples;
  for (const [k, v] of mine.samples) {
    if (!t.has(k)) return `extra series ${k} = ${v}`;
    if (!same(v, t.get(k)!)) return `${k}: ${v} vs ${t.get(k)}`;
  }
  for (const k of t.keys()) if (!mine.samples.has(k)) return `missing series ${k} = ${t.get(k)}`;
  // sort() and sort_desc() at the top: the values come in the same order.
  const theirOrder = (theirs as { order: number[] }).order;
  if (query.startsWith('sort') && mine.order.some((v, i) => !same(v, theirOrder[i]))) return `order [${mine.order.join(', ')}] vs [${theirOrder.join(', ')}]`;
  return null;
}

describe.skipIf(!available)('PromQL against a real Prometheus', () => {
  let server: PrometheusServer;
  let source: SeriesSource;
  let dir: string;

  beforeAll(async () => {
    const series = runs();
    const resets = jumpy();
    source = new Union([...series, resets]);
    dir = mkdtempSync(join(tmpdir(), 'rehearse-om-'));
    const files = series.map((s, i) => {
      let text = '';
      writeOpenMetrics(s, (c) => (text += c));
      const file = join(dir, `run-${i}.om`);
      writeFileSync(file, text);
      return file;
    });
    writeFileSync(join(dir, 'jumpy.om'), jumpyOpenMetrics(resets));
    server = await PrometheusServer.start([...files, join(dir, 'jumpy.om')]);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`agrees on ${QUERIES.length} queries at ${TIMES.length} times each`, async () => {
    const failures: string[] = [];
    let nonEmpty = 0;
    const withData = new Set<string>();
    const jobs = QUERIES.flatMap((q) => TIMES.map((t) => ({ q, t })));
    for (let i = 0; i < jobs.length; i += 16) {
      const batch = jobs.slice(i, i + 16);
      const answers = await Promise.all(batch.map((j) => server.query(j.q, j.t)));
      batch.forEach((j, k) => {
        const theirs = fromProm(answers[k]);
        const mine = fromMine(j.q, source, j.t);
        if (theirs.kind === 'vector' && theirs.samples.size > 0) {
          nonEmpty++;
          withData.add(j.q);
        }
        const d = differences(mine, theirs, j.q);
        if (d) failures.push(`${j.q} @ +${(j.t - A) / 1000}s: ${d}${theirs.kind === 'error' ? ` (${answers[k].error})` : ''}`);
      });
    }
    expect(failures.slice(0, 30)).toEqual([]);
    // Most evaluations see data: the comparison is not of empty results.
    expect(nonEmpty).toBeGreaterThan(jobs.length / 2);
    expect(QUERIES.filter((q) => q.includes('istio_') && !withData.has(q))).toEqual([]);
    expect(QUERIES.filter((q) => q.startsWith(`count_values("v", ${R}`) && !withData.has(q))).toEqual([`count_values("v", ${R}{code="418"})`]);
    console.info(`PromQL differential: ${QUERIES.length} queries x ${TIMES.length} times = ${jobs.length} evaluations, ${nonEmpty} with a non-empty vector`);
  });

  it('fails a count_values whose parameter is no label name with Prometheus\' own message', async () => {
    // engine.go aggregation: ev.errorf("invalid label name %q", valueLabel), before any sample is read.
    for (const q of [`count_values("a-b", ${R})`, `count_values("1x", nope)`, `count_values("", ${R})`, `count_values("é\\n", ${R})`]) {
      const theirs = await server.query(q, A + 600_000);
      let mine = '';
      try {
        evaluate(q, source, A + 600_000);
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        mine = e.message;
      }
      expect([q, mine]).toEqual([q, theirs.error]);
    }
  });
});
