/**
 * Prometheus rule groups evaluated over series, as Prometheus 2.42 evaluates them (rules/manager.go Group.Eval,
 * rules/recording.go, rules/alerting.go) and as `promtool test rules` schedules them: each group at every
 * multiple of its interval from the start of the series, groups in order at a shared time, rules in order
 * within a group, so a rule reads what an earlier rule wrote at the same time.
 *
 * - A recording rule writes its result under its name with its labels; two results with one label set are an
 *   error. A series it stops giving gets a staleness marker (instant queries no longer see it).
 * - An alerting rule's results are its active alerts: a new one is pending from that evaluation (ActiveAt) and
 *   fires at the first evaluation at least `for` later; one whose result is gone is resolved (a firing alert
 *   with keep_firing_for keeps firing that long). ALERTS{alertstate} and ALERTS_FOR_STATE are written.
 * - A rule whose query fails changes nothing (its previous series age out); `limit` bounds its results.
 *
 * Evaluation is lazy: advance(t) catches up on every evaluation due at or before t.
 */
import type { Labels, PrometheusVersion, SampleSeries, SeriesSource } from '../metrics/series.js';
import type { Rule, RuleGroup } from '../scenario/rules.js';
import { evaluate } from './eval.js';
import { EvalError, signature, type Sample } from './values.js';

/** A series written by rules: appended at evaluation times, with staleness markers. */
class Written implements SampleSeries {
  readonly times: number[] = [];
  readonly values: number[] = [];
  private readonly marks: boolean[] = [];
  constructor(readonly labels: Labels) {}
  get length() {
    return this.times.length;
  }
  time(i: number) {
    return this.times[i];
  }
  value(i: number) {
    return this.values[i];
  }
  stale(i: number) {
    return this.marks[i];
  }
  append(t: number, v: number, stale = false) {
    this.times.push(t);
    this.values.push(v);
    this.marks.push(stale);
  }
}

export type AlertPhase = 'pending' | 'firing' | 'inactive';

export interface Alert {
  readonly labels: Labels;
  state: AlertPhase;
  readonly activeAtMs: number;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  keepFiringSinceMs: number | null;
  value: number;
}

/** A rule's state between evaluations. */
interface RuleState {
  readonly rule: Rule;
  readonly group: RuleGroup;
  /** Label keys of the series written at the previous evaluation (for staleness markers). */
  written: Map<string, Labels>;
  /** Active alerts by label key (alerting rules). */
  readonly active: Map<string, Alert>;
  lastError: string | null;
  lastEvalMs: number | null;
}

/** Alerts resolved longer ago than this are forgotten (rules/alerting.go resolvedRetention). */
const RESOLVED_RETENTION_MS = 15 * 60_000;

const keyOf = (l: Labels) => signature(l, null, []);

function withLabels(base: Labels, set: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(set)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}

export class RuleEngine implements SeriesSource {
  private readonly states: RuleState[][];
  /** Next evaluation of each group (index k: at start + k x interval). */
  private readonly next: number[];
  private readonly byName = new Map<string, Written[]>();
  private readonly byKey = new Map<string, Written>();

  /** `startMs`: the wall time of the first evaluation of every group (the start of the series); `prometheus`: the
   * Prometheus whose engine evaluates the rules' queries (eval.ts). */
  constructor(readonly groups: readonly RuleGroup[], private readonly base: SeriesSource, readonly startMs: number, readonly prometheus: PrometheusVersion = 2) {
    this.states = groups.map((group) => group.rules.map((rule) => ({ rule, group, written: new Map(), active: new Map(), lastError: null, lastEvalMs: null })));
    this.next = groups.map(() => 0);
  }

  series(name?: string): readonly SampleSeries[] {
    const base = this.base.series(name);
    const own = name === undefined ? [...this.byName.values()].flat() : this.byName.get(name) ?? [];
    return own.length === 0 ? base : [...base, ...own];
  }

  /** Evaluates every group evaluation due at or before `timeMs`, in time order (groups in order at a tie). */
  advance(timeMs: number): void {
    for (;;) {
      let g = -1;
      let at = Infinity;
      this.groups.forEach((group, i) => {
        const t = this.startMs + this.next[i] * group.intervalMs;
        if (t < at) {
          at = t;
          g = i;
        }
      });
      if (g < 0 || at > timeMs) return;
      for (const st of this.states[g]) this.evalRule(st, at);
      this.next[g]++;
    }
  }

  /** Active alerts (pending or firing) of the alerting rules with this name (of this file), with these labels. */
  alerts(name: string, file: string | null, labels: Readonly<Record<string, string>> = {}): Alert[] {
    return this.rulesNamed(name, file).flatMap((st) => [...st.active.values()].filter((a) => a.state !== 'inactive' && Object.entries(labels).every(([k, v]) => a.labels[k] === v)));
  }

  /** The last evaluation errors of the rules with this name (of this file). */
  errors(name: string, file: string | null): string[] {
    return this.rulesNamed(name, file).flatMap((st) => (st.lastError === null ? [] : [`${st.rule.where}: ${st.lastError}`]));
  }

  /** Errors at the last evaluation of any rule. */
  allErrors(): string[] {
    return this.states.flat().flatMap((st) => (st.lastError === null ? [] : [`${st.rule.where}: ${st.lastError}`]));
  }

  /** Whether any rule of the groups is an alert with this name (in this file). */
  hasAlert(name: string, file: string | null): boolean {
    return this.rulesNamed(name, file).length > 0;
  }

  private rulesNamed(name: string, file: string | null): RuleState[] {
    return this.states.flat().filter((st) => st.rule.kind === 'alert' && st.rule.name === name && (file === null || st.group.file === file));
  }

  /** rules/recording.go and alerting.go (v3.14.0): the query, the samples and the staleness markers at `ts` less
   * the group's query_offset; an alert's active time, `for` and `keep_firing_for` at `ts` itself. */
  private evalRule(st: RuleState, ts: number): void {
    const { rule } = st;
    st.lastEvalMs = ts;
    const at = ts - (st.group.queryOffsetMs ?? 0);
    let vector: readonly Sample[];
    try {
      const r = evaluate(rule.expr, this, at, this.prometheus);
      vector = r.type === 'scalar' ? [{ labels: {}, value: r.value }] : r.samples;
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      st.lastError = e.message;
      return;
    }
    const out = rule.kind === 'record' ? this.recordingOutput(st, vector) : this.alertingOutput(st, vector, ts);
    if (typeof out === 'string') {
      st.lastError = out;
      return;
    }
    st.lastError = null;
    const written = new Map<string, Labels>();
    for (const s of out) {
      const key = keyOf(s.labels);
      this.seriesFor(key, s.labels).append(at, s.value);
      written.set(key, s.labels);
    }
    for (const [key, labels] of st.written) if (!written.has(key)) this.seriesFor(key, labels).append(at, NaN, true);
    st.written = written;
  }

  /** rules/recording.go RecordingRule.Eval: the name and labels set, then checked. */
  private recordingOutput(st: RuleState, vector: readonly Sample[]): Sample[] | string {
    const out = vector.map((s) => ({ labels: withLabels({ ...s.labels, __name__: st.rule.name }, st.rule.labels), value: s.value }));
    if (new Set(out.map((s) => keyOf(s.labels))).size < out.length) return 'vector contains metrics with the same labelset after applying rule labels';
    if (st.group.limit > 0 && out.length > st.group.limit) return `exceeded limit of ${st.group.limit} with ${out.length} series`;
    return out;
  }

  /** rules/alerting.go AlertingRule.Eval: the alert state machine, and its ALERTS and ALERTS_FOR_STATE samples. */
  private alertingOutput(st: RuleState, vector: readonly Sample[], ts: number): Sample[] | string {
    const { rule } = st;
    const current = new Map<string, Alert>();
    for (const s of vector) {
      const { __name__: _, ...rest } = s.labels;
      const labels = { ...withLabels(rest, rule.labels), alertname: rule.name };
      const key = keyOf(labels);
      if (current.has(key)) return 'vector contains metrics with the same labelset after applying alert labels';
      current.set(key, { labels, state: 'pending', activeAtMs: ts, firedAtMs: null, resolvedAtMs: null, keepFiringSinceMs: null, value: s.value });
    }
    for (const [key, a] of current) {
      const known = st.active.get(key);
      if (known && known.state !== 'inactive') known.value = a.value;
      else st.active.set(key, a);
    }
    const out: Sample[] = [];
    let activePending = 0;
    for (const [key, a] of st.active) {
      if (!current.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && rule.keepFiringForMs > 0) {
          a.keepFiringSinceMs ??= ts;
          keepFiring = ts - a.keepFiringSinceMs < rule.keepFiringForMs;
        }
        if (a.state === 'pending' || (a.resolvedAtMs !== null && ts - a.resolvedAtMs > RESOLVED_RETENTION_MS)) st.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAtMs = ts;
        }
        if (!keepFiring) continue;
      } else a.keepFiringSinceMs = null;
      activePending++;
      if (a.state === 'pending' && ts - a.activeAtMs >= rule.forMs) {
        a.state = 'firing';
        a.firedAtMs = ts;
      }
      out.push({ labels: { ...a.labels, __name__: 'ALERTS', alertstate: a.state }, value: 1 });
      out.push({ labels: { ...a.labels, __name__: 'ALERTS_FOR_STATE' }, value: Math.floor(a.activeAtMs / 1000) });
    }
    if (st.group.limit > 0 && activePending > st.group.limit) {
      st.active.clear();
      return `exceeded limit of ${st.group.limit} with ${activePending} alerts`;
    }
    return out;
  }

  private seriesFor(key: string, labels: Labels): Written {
    let s = this.byKey.get(key);
    if (!s) {
      s = new Written(labels);
      this.byKey.set(key, s);
      const name = labels.__name__;
      const list = this.byName.get(name) ?? [];
      list.push(s);
      this.byName.set(name, list);
    }
    return s;
  }
}
