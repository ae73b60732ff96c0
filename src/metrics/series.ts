/**
 * The simulated telemetry as Prometheus series: each label group of the scrape recorder becomes a duration
 * histogram (_bucket per bound and +Inf, _count, _sum) and a request counter, named and labelled through the
 * mapping, with one sample per scrape from the first scrape that saw the group. Groups that the mapping makes
 * identical (a dropped label) are summed, as a scrape of the merged label set would read.
 */
import type { ScrapeRecorder } from '../telemetry/scrapes.js';
import { DURATION_FAMILY, REQUESTS_FAMILY, familyNames, flagLabel, mapLabels, podsOf, type MetricsMapping } from './mapping.js';

export type Labels = Readonly<Record<string, string>>;

/** A series as PromQL reads it: labels (with __name__) and samples in increasing time (milliseconds). */
export interface SampleSeries {
  readonly labels: Labels;
  readonly length: number;
  time(i: number): number;
  value(i: number): number;
  /** Whether sample i is a staleness marker (a series a rule stopped writing); absent: never. */
  stale?(i: number): boolean;
  /** True for a counter whose values never drop (no resets to look for). */
  readonly monotonic?: boolean;
}

/**
 * The major version of the Prometheus that evaluates queries over the series: 2 (2.42's engine, rehearse's default)
 * or 3 (left-open ranges and lookback, promql/engine.go since v3.0.0).
 */
export type PrometheusVersion = 2 | 3;

/** Where a query finds its series. */
export interface SeriesSource {
  /** Every series, or the ones of one metric name when `name` is given. */
  series(name?: string): readonly SampleSeries[];
}

/** Names the recorder's indices refer to. */
export interface SeriesNames {
  readonly services: readonly string[];
  /** Each endpoint's service index and its own name (the route). */
  readonly endpointService: ArrayLike<number>;
  readonly endpointRoutes: readonly string[];
  readonly journeys: readonly string[];
  readonly segments: readonly string[];
  readonly flags: readonly string[];
}

/** 2026-01-01T00:00:00Z: the default wall time of a run's start (plus its start-time of day). */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 1);

/** One labelled histogram (or counter) of the output: the groups it sums. */
export interface SeriesGroup {
  /** Mapped labels without __name__ and le. */
  readonly labels: Labels;
  readonly parts: readonly number[];
  readonly first: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'histogram' | 'counter';
  readonly groups: readonly SeriesGroup[];
}

/** A view of a recorder as Prometheus families and series; rebuilt lazily when new label groups appear. */
export class ScrapeSeries implements SeriesSource {
  private builtFor = -1;
  private builtScrapes = -1;
  private fams: Family[] = [];
  private all: SampleSeries[] = [];
  private byName = new Map<string, SampleSeries[]>();
  readonly intervalMs: number;
  /** Bucket bounds in the histogram's unit, as written in `le`. */
  readonly bounds: readonly number[];
  private readonly scale: number;

  constructor(
    readonly recorder: ScrapeRecorder,
    readonly names: SeriesNames,
    readonly mapping: MetricsMapping,
    readonly epochMs: number = DEFAULT_EPOCH_MS,
    /** The Prometheus that evaluates the gates' and rules' queries over these series. */
    readonly prometheus: PrometheusVersion = 2,
  ) {
    this.intervalMs = recorder.intervalUs / 1000;
    const ms = mapping.durationUnit === 'ms';
    this.scale = ms ? 1e-3 : 1e-6;
    this.bounds = recorder.bucketsSeconds.map((s) => (ms ? Number((s * 1000).toPrecision(12)) : s));
  }

  /** Wall time (ms since the epoch) of scrape k. */
  scrapeTime(k: number): number {
    return this.epochMs + (k + 1) * this.intervalMs;
  }

  /** The scrapes taken so far. */
  get scrapes(): number {
    return this.recorder.scrapes;
  }

  families(): readonly Family[] {
    this.refresh();
    return this.fams;
  }

  series(name?: string): readonly SampleSeries[] {
    this.refresh();
    if (name === undefined) return this.all;
    return this.byName.get(name) ?? [];
  }

  /** The summed value of a field over a group's parts at scrape k (in the recorder's units). */
  fieldAt(g: SeriesGroup, k: number, field: number): number {
    let v = 0;
    for (const p of g.parts) {
      const x = this.recorder.value(p, k, field);
      if (x === x) v += x;
    }
    return v;
  }

  /** A field's value scaled to the output's units: the sum is in seconds or milliseconds. */
  outputValue(g: SeriesGroup, k: number, field: number): number {
    const v = this.fieldAt(g, k, field);
    return field === this.recorder.stride - 1 ? v * this.scale : v;
  }

  private refresh(): void {
    const rec = this.recorder;
    if (this.builtFor === rec.groups.length && this.builtScrapes === rec.scrapes) return;
    if (this.builtFor !== rec.groups.length) this.build();
    this.builtScrapes = rec.scrapes;
    this.builtFor = rec.groups.length;
  }

  private build(): void {
    const rec = this.recorder;
    const n = this.names;
    const m = this.mapping;
    const histograms = new Map<string, { labels: Labels; parts: number[]; first: number }>();
    const counters = new Map<string, { labels: Labels; parts: number[]; first: number }>();
    const add = (into: typeof histograms, labels: Record<string, string>, g: number, first: number) => {
      const key = labelKey(labels);
      const found = into.get(key);
      if (found) {
        found.parts.push(g);
        found.first = Math.min(found.first, first);
      } else into.set(key, { labels, parts: [g], first });
    };
    rec.groups.forEach((grp, g) => {
      const first = rec.firstScrape(g);
      if (first < 0) return; // not scraped yet
      const service = n.services[n.endpointService[grp.endpoint]];
      // Which pods served the calls: the canary's when the split's flag is on, else the stable ones.
      const pods = podsOf(m, service, (flag) => ((grp.flagsOn >>> n.flags.indexOf(flag)) & 1) === 1);
      const native: Record<string, string> = {
        ...pods.native,
        http_route: n.endpointRoutes[grp.endpoint],
        journey: grp.journey >= 0 ? n.journeys[grp.journey] : '',
        segment: grp.segment >= 0 ? n.segments[grp.segment] : '',
      };
      n.flags.forEach((key, f) => (native[flagLabel(key)] = ((grp.flagsOn >>> f) & 1) === 1 ? 'on' : 'off'));
      const status = String(grp.status);
      add(histograms, mapLabels(m, { ...native, http_response_status_code: status }, pods.names), g, first);
      add(counters, mapLabels(m, { ...native, code: status }, pods.names), g, first);
    });
    const sorted = (x: typeof histograms) => [...x.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    const hist = sorted(histograms), count = sorted(counters);
    this.fams = [
      ...familyNames(m, DURATION_FAMILY).map((name): Family => ({ name, type: 'histogram', groups: hist })),
      ...familyNames(m, REQUESTS_FAMILY).map((name): Family => ({ name, type: 'counter', groups: count })),
    ];
    this.all = [];
    this.byName = new Map();
    const push = (s: SampleSeries) => {
      this.all.push(s);
      const name = s.labels.__name__;
      const list = this.byName.get(name) ?? [];
      list.push(s);
      this.byName.set(name, list);
    };
    const B = this.bounds.length;
    for (const f of this.fams) {
      for (const g of f.groups) {
        if (f.type === 'counter') {
          push(this.view({ __name__: f.name, ...g.labels }, g, B));
          continue;
        }
        for (let b = 0; b <= B; b++) {
          push(this.view({ __name__: `${f.name}_bucket`, ...g.labels, le: b < B ? String(this.bounds[b]) : '+Inf' }, g, b));
        }
        push(this.view({ __name__: `${f.name}_count`, ...g.labels }, g, B));
        push(this.view({ __name__: `${f.name}_sum`, ...g.labels }, g, B + 1));
      }
    }
  }

  private view(labels: Labels, g: SeriesGroup, field: number): SampleSeries {
    const self = this;
    return {
      labels,
      monotonic: true, // cumulative counts and sums: they only grow
      get length() {
        return self.recorder.scrapes - g.first;
      },
      time: (i) => this.scrapeTime(g.first + i),
      value: (i) => this.outputValue(g, g.first + i, field),
    };
  }
}

export function labelKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

export function compareLabels(a: Labels, b: Labels): number {
  const ka = labelKey(a), kb = labelKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Series held in arrays (tests, or series read back). */
export class ArraySeries implements SeriesSource {
  private readonly list: SampleSeries[];
  constructor(data: readonly { labels: Labels; times: readonly number[]; values: readonly number[] }[]) {
    this.list = data.map((d) => ({ labels: d.labels, length: d.times.length, time: (i) => d.times[i], value: (i) => d.values[i] }));
  }

  series(name?: string): readonly SampleSeries[] {
    return name === undefined ? this.list : this.list.filter((s) => s.labels.__name__ === name);
  }
}
