/** What PromQL evaluation works with: samples, series of points, the values an expression gives, errors. */
import type { Labels } from '../metrics/series.js';

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export type QueryResult = { readonly type: 'scalar'; readonly value: number } | { readonly type: 'vector'; readonly samples: readonly Sample[] };

/** A query that parsed but failed to evaluate (Prometheus would answer with an error too). */
export class EvalError extends Error {
  override name = 'EvalError';
}

export const LOOKBACK_MS = 5 * 60_000;

/** A series' points in a range: times in ms and values. */
export interface Points {
  labels: Labels;
  t: number[];
  v: number[];
}

/** What an expression evaluates to. */
export type Value = { type: 'scalar'; value: number } | { type: 'vector'; samples: Sample[] } | { type: 'matrix'; series: Points[] } | { type: 'string'; value: string };

export function dropName(l: Labels): Labels {
  if (!('__name__' in l)) return l;
  const { __name__: _, ...rest } = l;
  return rest;
}

export function signature(l: Labels, on: boolean | null, names: readonly string[]): string {
  const keys = Object.keys(l).filter((k) => (on === null ? true : on ? names.includes(k) : k !== '__name__' && !names.includes(k))).sort();
  return JSON.stringify(keys.map((k) => [k, l[k]]));
}
