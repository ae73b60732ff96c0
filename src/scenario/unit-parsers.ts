/**
 * The unit parsers the normalizer's parts share: durations, percentages and distributions read from their
 * text, each problem recorded with its path and a fallback returned so that normalizing goes on and reports
 * every problem at once.
 */
import type { PathSegment, Problem } from './problems.js';
import type { DistributionInput } from './schema.js';
import type { Dist } from './types.js';
import { parseDuration, parseDurationExact, parsePercent, type Parsed } from '../units/parse.js';

/** z such that P(Z < z) = 0.99 for a standard normal Z. */
const Z99 = 2.3263478740408408;

export function unitParsers(problems: Problem[]) {
  const value = <T>(r: Parsed<T>, path: PathSegment[], fallback: T): T => {
    if (r.ok) return r.value;
    problems.push({ path, message: r.message });
    return fallback;
  };
  const duration = (text: string | undefined, fallback: string, path: PathSegment[]) =>
    value(parseDuration(text ?? fallback), path, 0);
  const percent = (text: string | undefined, fallback: string, path: PathSegment[]) =>
    value(parsePercent(text ?? fallback), path, 0);

  function dist(d: DistributionInput, path: PathSegment[]): Dist {
    const base = shapeOf(d, path);
    if (typeof d === 'string' || d.plus === undefined) return base;
    const plus = value(parseDurationExact(d.plus), [...path, 'plus'], 0);
    return { ...base, plus, mean: base.mean + plus };
  }

  function shapeOf(d: DistributionInput, path: PathSegment[]): Dist {
    const exact = (text: string, p: PathSegment[]) => value(parseDurationExact(text), p, 0);
    const us = (text: string, key: string) => exact(text, [...path, key]);
    if (typeof d === 'string') {
      const v = exact(d, path);
      return { kind: 'constant', a: v, b: 0, samples: [], mean: v };
    }
    switch (d.dist) {
      case 'constant': {
        const v = us(d.value, 'value');
        return { kind: 'constant', a: v, b: 0, samples: [], mean: v };
      }
      case 'uniform': {
        const min = us(d.min, 'min'), max = us(d.max, 'max');
        if (max < min) problems.push({ path: [...path, 'max'], message: `max (${d.max}) is below min (${d.min})` });
        return { kind: 'uniform', a: min, b: max, samples: [], mean: (min + max) / 2 };
      }
      case 'exponential': {
        const mean = us(d.mean, 'mean');
        return { kind: 'exponential', a: mean, b: 0, samples: [], mean };
      }
      case 'normal': {
        const mean = us(d.mean, 'mean'), sd = us(d.sd, 'sd');
        return { kind: 'normal', a: mean, b: sd, samples: [], mean };
      }
      case 'lognormal': {
        const p50 = us(d.p50, 'p50'), p99 = us(d.p99, 'p99');
        if (!(p50 > 0)) problems.push({ path: [...path, 'p50'], message: 'p50 of a lognormal must be greater than zero' });
        if (!(p99 > p50)) problems.push({ path: [...path, 'p99'], message: `p99 (${d.p99}) must be above p50 (${d.p50})` });
        const mu = Math.log(Math.max(p50, 1));
        const sigma = p99 > p50 && p50 > 0 ? (Math.log(p99) - mu) / Z99 : 0;
        return { kind: 'lognormal', a: mu, b: sigma, samples: [], mean: Math.exp(mu + (sigma * sigma) / 2) };
      }
      case 'empirical': {
        const samples = d.samples.map((s, i) => exact(s, [...path, 'samples', i]));
        return { kind: 'empirical', a: 0, b: 0, samples, mean: samples.reduce((x, y) => x + y, 0) / samples.length };
      }
    }
  }

  return { value, duration, percent, dist };
}
