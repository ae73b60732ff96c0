/**
 * Open-loop arrivals: a Poisson process whose rate follows the traffic shape. Arrivals never wait on
 * responses. Shapes other than constant are drawn by thinning (Lewis and Shedler): candidates at the peak
 * rate, each kept with probability rate(t) / peak.
 */
import type { RandomStreams } from '../engine/rng.js';
import type { Traffic } from '../scenario/types.js';
import { roundUs } from './dist.js';

export class ArrivalProcess {
  private clock = 0;
  private count = 0;
  private readonly peakPerUs: number;
  private readonly requests: number;
  private readonly constant: boolean;

  constructor(
    private readonly traffic: Traffic,
    private readonly horizonUs: number,
    private readonly rng: RandomStreams,
    private readonly stream: number,
  ) {
    this.peakPerUs = peakRate(traffic) / 1e6;
    this.requests = traffic.requests;
    this.constant = traffic.shape.kind === 'constant';
  }

  /** Arrival rate at time t, per second. */
  rateAt(tUs: number): number {
    const t = this.traffic;
    const sh = t.shape;
    switch (sh.kind) {
      case 'constant':
        return t.perSec;
      case 'diurnal': {
        const trough = t.perSec * sh.trough;
        return trough + ((t.perSec - trough) * (1 + Math.cos((2 * Math.PI * (tUs - sh.peakAtUs)) / sh.periodUs))) / 2;
      }
      case 'ramp':
        return tUs >= sh.overUs ? t.perSec : sh.fromPerSec + ((t.perSec - sh.fromPerSec) * tUs) / sh.overUs;
      case 'steps': {
        let rate = sh.steps[0].perSec;
        for (const s of sh.steps) if (s.atUs <= tUs) rate = s.perSec;
        return rate;
      }
    }
  }

  /** Time of the next arrival in integer microseconds, or -1 when arrivals are over. */
  next(): number {
    if (this.count >= this.requests || this.peakPerUs <= 0) return -1;
    const constant = this.constant;
    for (;;) {
      // rng.next() as step(): a draw returned from a call that is not inlined is boxed (rng.ts).
      this.rng.step(this.stream);
      this.clock += -Math.log(1 - this.rng.out[0] / 4294967296) / this.peakPerUs;
      if (this.clock > this.horizonUs) return -1;
      if (constant || this.rng.next(this.stream) * this.peakPerUs * 1e6 < this.rateAt(this.clock)) break;
    }
    this.count++;
    return roundUs(this.clock);
  }
}

function peakRate(t: Traffic): number {
  const sh = t.shape;
  if (sh.kind === 'ramp') return Math.max(t.perSec, sh.fromPerSec);
  if (sh.kind === 'steps') return Math.max(...sh.steps.map((s) => s.perSec));
  return t.perSec;
}
