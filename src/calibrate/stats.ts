/** What the analysis of traces gathers: per endpoint, per call edge, and the calls of one invocation. */
import type { Span } from '../observe/span.js';

/** A pattern searched for in a span name: the whole match at 0, the first group at 1 (undefined when unmatched). */
export interface SpanPattern {
  exec(text: string): readonly (string | undefined)[] | null;
}

export interface CalibrateOptions {
  /** How operations become endpoints: by span name, by `http.route` (falling back to the name), or by a regex. */
  groupBy: 'name' | 'http.route' | RegExp | SpanPattern;
  /** Share of traces the files hold (1 = every trace): scales the arrival rate. */
  sampleRate: number;
}

export interface ItemStats {
  kind: 'seq' | 'par' | 'async';
  targets: string[];
  present: number;
  positionSum: number;
  /** Per target, how many calls each time the item was present. */
  counts: Map<string, Map<number, number>>;
  maxOverlap: number;
}

export interface EndpointStats {
  service: string;
  endpoint: string;
  invocations: number;
  ok: number;
  errors: number;
  ownErrors: number;
  /** Successful spans with a failed span of the service's own inside them (a local span, not a call's). */
  innerErrors: number;
  own: number[];
  ownSeen: number;
  items: Map<string, ItemStats>;
}

export interface EdgeStats {
  calls: number;
  attempts: number;
  maxRetries: number;
  gapSum: number;
  gapCount: number;
  timeouts: number[];
  /**
   * Network time of the attempts that reached a server span: the client span's duration less the server span's
   * (both ways, proxies and anything before the server's span starts; free of the clocks' offset and rounding
   * of start times), signed (a server that records its end late makes its span outlast its client's). Kept in
   * a reservoir, with when each attempt left its caller (`networkAt`); the count is of every attempt.
   */
  network: number[];
  networkAt: number[];
  networkSeen: number;
}

export interface Call {
  target: string;
  start: number;
  end: number;
  client: Span | null;
  entry: Span | null;
  async: boolean;
  ok: boolean;
  resend: number;
  errorType: string;
}

export interface Logical {
  target: string;
  async: boolean;
  start: number;
  end: number;
  attempts: Call[];
}
