/**
 * Gates: each compiles into the probes it reads (what a monitoring query selects), and evaluates to a verdict
 * with the value it saw. Only observed telemetry is read here, never the simulation's ground truth.
 */
import type { CompiledModel } from '../model/compile.js';
import type { Gate, TagFilter } from '../scenario/types.js';
import { BucketCounts, newHistogram, type Histogram } from '../telemetry/histogram.js';
import type { ProbeSpec, ProbeWindow } from '../telemetry/probes.js';
import { bindCompareGate } from './compare-gate.js';
import { bindPromQLGate } from './promql-gate.js';
import { bindAlertGate } from './alert-gate.js';
import { verdict } from '../lang/threshold.js';
import { gateFigure, plural } from '../units/format.js';
import type { BoundGate, GateContext, GateReading } from './reading.js';

export type { GateContext } from './reading.js';

export type { BoundGate, GateReading };

function targets(model: CompiledModel, f: TagFilter): Pick<ProbeSpec, 'scope' | 'targets'> {
  if (f.service !== null) {
    const ends = model.endpointNames.flatMap((name, e) =>
      model.serviceNames[model.endpointService[e]] === f.service && (f.endpoint === null || name === `${f.service}.${f.endpoint}`) ? [e] : []);
    return { scope: 'endpoints', targets: ends };
  }
  const journeys = model.journeyNames.flatMap((name, j) => (f.journey === null || name === f.journey ? [j] : []));
  return { scope: 'journeys', targets: journeys };
}

let scratch: Histogram | null = null;

function percentileMs(b: BucketCounts, p: number): number {
  scratch ??= newHistogram();
  scratch.reset();
  b.addTo(scratch);
  return scratch.getValueAtPercentile(p) / 1000;
}

function minMs(b: BucketCounts): number {
  let min = Infinity;
  b.forEachAscending((v) => (min = Math.min(min, v)));
  return min / 1000;
}

const span = (us: number) => (us >= 3600e6 ? `${+(us / 3600e6).toFixed(2)}h` : `${+(us / 60e6).toFixed(1)}m`);
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));

export function bindGate(gate: Gate, ctx: GateContext): BoundGate {
  const { probes, model } = ctx;
  const base = (f: TagFilter, over: Partial<ProbeSpec>): ProbeSpec => ({
    ...targets(model, f),
    flag: f.flagOn === null ? -1 : ctx.flag,
    flagOn: f.flagOn ?? true,
    segment: f.segment === null ? -1 : ctx.segmentIndex(f.segment),
    outcome: f.failed === null ? -1 : f.failed ? 1 : 0,
    latency: false,
    slots: 2,
    ...over,
  });

  switch (gate.kind) {
    case 'promql': {
      if (!ctx.series || !ctx.now) throw new Error('a PromQL gate needs the simulated series');
      return bindPromQLGate(gate, ctx.series, ctx.now, ctx.rules, ctx.flagKey === undefined ? null : { flag: ctx.flagKey });
    }
    case 'alert': {
      const rules = ctx.rules;
      if (!ctx.series || !ctx.now || !rules) throw new Error('an alert gate needs the simulated series');
      return bindAlertGate(gate, ctx.series, () => rules()!, ctx.now, ctx.flagKey ?? null);
    }
    case 'threshold': {
      const latency = gate.metric === 'req_duration';
      const id = probes.add(base(gate.filter, { latency, slots: 2 }));
      // Its twin on flag-off traffic, read only when it fails: did flag off fail it too (like with like)?
      const off = gate.filter.flagOn === true ? probes.add(base(gate.filter, { latency, slots: 2, flagOn: false })) : -1;
      const into = latency ? new BucketCounts() : null;
      const isDuration = gate.metric === 'req_duration';
      const agg = gate.aggregate.kind === 'p' ? `p(${gate.aggregate.percentile})` : gate.aggregate.kind;
      const figure = (x: number) => gateFigure(gate.metric, agg, x);
      const limitShown = figure(isDuration ? gate.limit / 1000 : gate.limit);
      return {
        gate, stageProbes: off < 0 ? [id] : [id, off], ringProbes: off < 0 ? [id] : [id, off],
        evaluate() {
          const w = probes.window(id, 1, into);
          const value = thresholdValue(gate, w, ctx.intervalUs);
          const limit = isDuration ? gate.limit / 1000 : gate.limit;
          const v = verdict(value, gate.operator, limit);
          const reading: GateReading = {
            gate: gate.source, verdict: v, value, threshold: `${agg} ${gate.operator} ${limitShown}`,
            samples: w.requests, detail: `${agg} = ${value === null ? 'no data' : figure(value)} over ${plural(w.requests, 'request')}`,
          };
          if (v !== 'fail' || off < 0) return reading;
          const wo = probes.window(off, 1, into);
          const offValue = thresholdValue(gate, wo, ctx.intervalUs);
          return verdict(offValue, gate.operator, limit) === 'fail' ? { ...reading, flagOff: { value: offValue, samples: wo.requests } } : reading;
        },
      };
    }
    case 'burn-rate': {
      const longest = Math.max(...gate.pairs.map((p) => p.longUs));
      const slots = Math.ceil(longest / ctx.intervalUs) + 1;
      const id = probes.add(base(gate.filter, { slots }));
      // Its twin on flag-off traffic (the same pairs over the same windows), read only when it fires (like with like).
      const off = gate.filter.flagOn === true ? probes.add(base(gate.filter, { slots, flagOn: false })) : -1;
      const budget = 1 - gate.slo;
      return {
        gate, stageProbes: [], ringProbes: off < 0 ? [id] : [id, off],
        evaluate() {
          const b = burn(gate.pairs, (n) => probes.window(id, n, null), budget, ctx.intervalUs, true);
          if (b.samples === 0) {
            return { gate: gate.source, verdict: 'inconclusive', value: null, threshold: 'burn rate', samples: b.samples, detail: 'no requests yet' };
          }
          const { worst } = b;
          const reading: GateReading = {
            gate: gate.source, verdict: b.firing ? 'fail' : 'pass', value: worst ? worst.burn : 0, threshold: worst ? `${worst.factor}x in both windows of the pair` : 'burn below limit in some window of each pair',
            samples: b.samples, detail: worst ? worst.pair : 'no complete window yet', parts: b.parts,
          };
          if (!b.firing || off < 0) return reading;
          const o = burn(gate.pairs, (n) => probes.window(off, n, null), budget, ctx.intervalUs, false);
          return o.firing ? { ...reading, flagOff: { value: o.worst ? o.worst.burn : 0, samples: o.samples } } : reading;
        },
      };
    }
    case 'compare':
      return bindCompareGate(gate, ctx, base(gate.filter, {}));
  }
}

function thresholdValue(gate: Extract<Gate, { kind: 'threshold' }>, w: ProbeWindow, intervalUs: number): number | null {
  const agg = gate.aggregate.kind;
  if (gate.metric === 'reqs') return agg === 'count' ? w.requests : w.requests / (intervalUs / 1e6);
  if (gate.metric === 'req_failed') {
    if (agg === 'count') return w.failed;
    return w.requests > 0 ? w.failed / w.requests : null;
  }
  const b = w.latency!;
  if (b.total === 0) return null;
  switch (agg) {
    case 'avg': return b.sum / b.total / 1000;
    case 'min': return minMs(b);
    case 'max': return percentileMs(b, 100);
    case 'med': return percentileMs(b, 50);
    default: return percentileMs(b, gate.aggregate.percentile!);
  }
}

interface Burn {
  firing: boolean;
  samples: number;
  /** The pair nearest its limit: its burn over the limit (the lower of its two windows'), in words, and its limit. */
  worst: { burn: number; pair: string; factor: number } | null;
  parts: NonNullable<GateReading['parts']>;
}

/**
 * A burn-rate gate's pairs over one probe's windows (`window(n)`: its last n intervals): firing when both windows of
 * some pair burn the budget faster than the pair's factor (the SRE workbook's multiwindow alert). `charted`: the
 * figures behind it for the reading's charts.
 */
function burn(pairs: Extract<Gate, { kind: 'burn-rate' }>['pairs'], window: (n: number) => ProbeWindow, budget: number, intervalUs: number, charted: boolean): Burn {
  let worst: Burn['worst'] = null;
  let firing = false;
  let samples = 0;
  const parts: Burn['parts'] = [];
  for (const p of pairs) {
    const s = window(Math.ceil(p.shortUs / intervalUs));
    const l = window(Math.ceil(p.longUs / intervalUs));
    samples = Math.max(samples, l.requests);
    if (l.requests === 0 || s.requests === 0) continue;
    const shortBurn = s.failed / s.requests / budget;
    const longBurn = l.failed / l.requests / budget;
    if (charted) parts.push({ label: `burn over ${span(p.longUs)}`, value: round6(longBurn), limit: p.factor }, { label: `burn over ${span(p.shortUs)}`, value: round6(shortBurn), limit: p.factor });
    const b = Math.min(shortBurn, longBurn);
    if (shortBurn > p.factor && longBurn > p.factor) firing = true;
    // The pair's limit is the reading's threshold, which the terminal shows after it as "(limit ...)".
    const pair = `${fmt(longBurn)}x over ${span(p.longUs)} and ${fmt(shortBurn)}x over ${span(p.shortUs)}`;
    if (!worst || b / p.factor > worst.burn) worst = { burn: b / p.factor, pair, factor: p.factor };
  }
  return { firing, samples, worst, parts };
}
