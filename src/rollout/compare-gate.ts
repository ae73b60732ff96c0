/**
 * The comparison gate: flag on against flag off, like with like. Requests are grouped by their user's assignment
 * (what the flag system serves the user when the request ends, whichever services it reached) and compared within
 * each journey, so that the two sides hold the same journeys; the journeys' results are combined by a stratified
 * test (van Elteren for latency; for errors, the stratified score test of the ratio of error rates, ratio-score.ts),
 * whose weights follow the journeys' shares of the compared requests. Without a filter it compares the journeys
 * that meet the flag in the scenario or in any of its cases, each with its own calls and evaluators
 * (Flag.journeysInAnyCase): cases that differ in which services evaluate the flag (a defect in one more service) or
 * in the calls an endpoint makes then compare the same journeys, all held equal but what the flag does; with a
 * filter, the requests the filter selects, still within their journeys.
 *
 * Its error, 1 - confidence, holds for a stage, not for one reading: the stage's readings share it by alpha
 * spending (sequential.ts), each held to the bound that keeps the chance of any false failure in the stage
 * within 1 - confidence. A comparison over the stage reads one growing sample (nested looks, O'Brien-Fleming-type
 * spending); one over a moving window reads overlapping samples (separate looks, equal shares).
 */
import type { Gate } from '../scenario/types.js';
import { mixturePercentiles, type CoarseCounts } from '../telemetry/coarse.js';
import type { ProbeSpec } from '../telemetry/probes.js';
import { gateFigure } from '../units/format.js';
import { stratifiedRatioScore } from './ratio-score.js';
import type { BoundGate, GateContext, GateReading, Look } from './reading.js';
import { SpendingBounds, type Bound } from './sequential.js';
import { normalQuantile, vanElteren } from './stats.js';

type CompareGate = Extract<Gate, { kind: 'compare' }>;

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const percent = (t: number) => `${Math.round(t * 100)}%`;
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));

/**
 * Binds a comparison gate. `selected` is what its filter selects (endpoints or journeys, and a segment); a
 * filter that names neither a service nor a journey leaves the journeys that meet the flag.
 */
export function bindCompareGate(gate: CompareGate, ctx: GateContext, selected: Pick<ProbeSpec, 'scope' | 'targets' | 'segment'>): BoundGate {
  const { probes } = ctx;
  const latency = gate.metric === 'req_duration';
  const unfiltered = gate.filter.service === null && gate.filter.journey === null;
  const scope = unfiltered && ctx.journeys
    ? { scope: 'journeys' as const, targets: ctx.model.journeyNames.flatMap((name, j) => (ctx.journeys!.includes(name) ? [j] : [])) }
    : { scope: selected.scope, targets: selected.targets };
  const slots = gate.overUs === 0 ? 0 : Math.ceil(gate.overUs / ctx.intervalUs) + 1;
  const id = probes.add({ ...scope, segment: selected.segment, flag: ctx.flag, flagOn: true, latency, slots, split: true });
  const n = Math.ceil(gate.overUs / ctx.intervalUs);
  const scratch = probes.splitScratch(id);
  const strata = scratch.requests.length / 2;
  const alpha = 1 - gate.confidence;
  const worse = `that flag-on is worse by more than ${(gate.maxIncrease * 100).toFixed(1)}% within journeys`;
  const single: Bound = { bound: normalQuantile(gate.confidence), nominal: alpha, spent: alpha };
  // The stage's bounds, begun afresh with each new sequence of looks (a stage begun or resumed).
  let bounds: SpendingBounds | null = null;
  let sequence = -1;
  /** This reading's bound: the single reading's without a look, else the stage's share for it. */
  const boundAt = (look: Look | undefined, information: number): Bound => {
    if (!look) return single;
    if (look.sequence !== sequence) {
      bounds = new SpendingBounds(alpha, gate.overUs === 0);
      sequence = look.sequence;
    }
    return bounds!.next(information, look.fraction);
  };
  const thresholdOf = (look: Look | undefined, b: Bound) => !look
    ? `p < ${fmt(alpha)} ${worse}`
    : b.bound === Infinity
      ? `no error to spend yet at ${percent(look.fraction)} of the stage (${fmt(alpha)} over the stage) ${worse}`
      : `p < ${fmt(b.nominal)} at ${percent(look.fraction)} of the stage (${fmt(alpha)} over the stage) ${worse}`;
  const verdictOf = (look: Look | undefined, b: Bound, z: number, p: number, figures: string): Pick<GateReading, 'verdict' | 'value' | 'threshold' | 'detail'> => ({
    verdict: z > b.bound ? 'fail' : 'pass',
    value: p,
    threshold: thresholdOf(look, b),
    detail: `${figures}; z = ${fmt(z)}${look ? `, bound ${b.bound === Infinity ? 'none yet' : fmt(b.bound)}` : ''}, p = ${p.toPrecision(3)}`,
  });
  return {
    gate,
    stageProbes: [id],
    ringProbes: gate.overUs === 0 ? [] : [id],
    evaluate(look?: Look) {
      const w = probes.splitWindow(id, n, scratch);
      // Journeys with both sides: the only ones that compare anything.
      const both: number[] = [];
      let on = 0, off = 0;
      for (let j = 0; j < strata; j++) {
        if (w.requests[2 * j] > 0 && w.requests[2 * j + 1] > 0) {
          both.push(j);
          on += w.requests[2 * j];
          off += w.requests[2 * j + 1];
        }
      }
      if (on < gate.minSamples || off < gate.minSamples) {
        return {
          gate: gate.source, verdict: 'inconclusive', value: null, threshold: `p < ${fmt(alpha)}${look ? ' over the stage' : ''} ${worse}`, samples: on + off,
          detail: `${on} flag-on and ${off} flag-off requests in journeys that have both; ${gate.minSamples} of each needed`,
        };
      }
      // Each journey's weight in the figures shown: its share of the compared requests, the same on both sides.
      const weight = (j: number) => (w.requests[2 * j] + w.requests[2 * j + 1]) / (on + off);
      const within = `within ${both.length} journey${both.length === 1 ? '' : 's'}`;
      if (latency) {
        const median = (side: number) => mixturePercentiles(both.map((j) => ({ counts: w.latency![2 * j + side] as CoarseCounts, weight: weight(j) })), [50])[0]! / 1000;
        const mOn = median(0), mOff = median(1);
        const r = vanElteren(both.map((j) => ({ canary: w.latency![2 * j].buckets(), control: w.latency![2 * j + 1].buckets() })), gate.maxIncrease);
        return {
          gate: gate.source, samples: on + off, ...verdictOf(look, boundAt(look, r.information), r.z, r.p, `median ${fmt(mOn)}ms on vs ${fmt(mOff)}ms off ${within}`),
          parts: [{ label: 'flag-on median (ms)', value: round6(mOn), limit: null }, { label: 'flag-off median (ms)', value: round6(mOff), limit: null }],
        };
      }
      const rate = (side: number) => both.reduce((s, j) => s + (weight(j) * w.failed[2 * j + side]) / w.requests[2 * j + side], 0);
      const rOn = rate(0), rOff = rate(1);
      const r = stratifiedRatioScore(both.map((j) => ({ x1: w.failed[2 * j], n1: w.requests[2 * j], x0: w.failed[2 * j + 1], n0: w.requests[2 * j + 1] })), gate.maxIncrease);
      return {
        gate: gate.source, samples: on + off, ...verdictOf(look, boundAt(look, r.information), r.z, r.p, `errors ${gateFigure('req_failed', 'rate', rOn)} on vs ${gateFigure('req_failed', 'rate', rOff)} off ${within}`),
        parts: [{ label: 'flag-on error rate', value: round6(rOn), limit: null }, { label: 'flag-off error rate', value: round6(rOff), limit: null }],
      };
    },
  };
}
