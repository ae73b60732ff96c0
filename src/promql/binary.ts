/** Binary operators of PromQL: arithmetic and comparison between scalars and vectors, with vector matching. */
import type { Labels } from '../metrics/series.js';
import type { BinaryOp, VectorMatching } from '../lang/promql.js';
import { dropName, EvalError, signature, type Sample } from './values.js';

export const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** The value of `l op r`, and whether a comparison holds (always true for arithmetic). */
export function elemOp(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+': return [l + r, true];
    case '-': return [l - r, true];
    case '*': return [l * r, true];
    case '/': return [l / r, true];
    case '%': return [goMod(l, r), true];
    case '^': return [goPow(l, r), true];
    case '==': return [l, l === r];
    case '!=': return [l, l !== r];
    case '>': return [l, l > r];
    case '<': return [l, l < r];
    case '>=': return [l, l >= r];
    case '<=': return [l, l <= r];
    default: throw new EvalError(`set operator ${op} applies to two instant vectors`);
  }
}

/** Go's math.Pow, whose special cases differ from Math.pow in two: Pow(1, y) is 1 for any y (NaN and the
 * infinities too) and Pow(-1, ±Inf) is 1, where Math.pow gives NaN. */
export function goPow(x: number, y: number): number {
  if (x === 1 || (x === -1 && !Number.isFinite(y) && !Number.isNaN(y))) return 1;
  return Math.pow(x, y);
}

/** Go's math.Mod: the sign of the dividend. */
export function goMod(a: number, b: number): number {
  return a % b;
}

export function vectorScalar(op: BinaryOp, samples: Sample[], scalar: number, swap: boolean, bool: boolean): Sample[] {
  const comparison = COMPARISON.has(op);
  const out: Sample[] = [];
  for (const s of samples) {
    let [value, keep] = swap ? elemOp(op, scalar, s.value) : elemOp(op, s.value, scalar);
    if (comparison && swap) value = s.value;
    if (bool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (keep) out.push({ labels: !comparison || bool ? dropName(s.labels) : s.labels, value });
  }
  return out;
}

/**
 * Vector matching of an arithmetic or comparison operator. With Prometheus 3's fill modifiers (m.fill) it follows
 * prometheus/prometheus promql/engine.go VectorBinop (v3.10 and later): a series of the (swapped, for group_right) left
 * side with no match meets fill.rhs under its match labels (labels.MatchLabels: the on() labels, or all but the ignored
 * ones and the name); then each series of the right side that matched nothing, even in a comparison that dropped it,
 * meets fill.lhs. Without them it is 2.42's, where a comparison that drops a pair does not count it as matched.
 */
export function vectorVector(op: BinaryOp, lhsIn: Sample[], rhsIn: Sample[], m: VectorMatching, bool: boolean): Sample[] {
  const sig = (l: Labels) => signature(l, m.on, m.labels);
  const [lhs, rhs] = m.card === 'one-to-many' ? [rhsIn, lhsIn] : [lhsIn, rhsIn];
  const fill = m.fill;
  const right = new Map<string, Sample>();
  for (const s of rhs) {
    const k = sig(s.labels);
    if (right.has(k)) {
      throw new EvalError(`found duplicate series for the match group on the ${m.card === 'one-to-many' ? 'left' : 'right'} hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side`);
    }
    right.set(k, s);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  const apply = (ls: Sample, rs: Sample, k: string) => {
    let [vl, vr] = [ls.value, rs.value];
    if (m.card === 'one-to-many') [vl, vr] = [vr, vl];
    let [value, keep] = elemOp(op, vl, vr);
    if (bool) {
      value = keep ? 1 : 0;
    } else if (!keep && !fill) return;
    let labels = resultLabels(ls.labels, rs.labels, op, m);
    if (bool) labels = dropName(labels);
    if (m.card === 'one-to-one') {
      if (matched.has(k)) throw new EvalError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matched.set(k, null);
    } else {
      const inserted = matched.get(k) ?? new Set<string>();
      const ik = signature(labels, null, []);
      if (inserted.has(ik)) throw new EvalError('multiple matches for labels: grouping labels must ensure unique matches');
      inserted.add(ik);
      matched.set(k, inserted);
    }
    if (keep || bool) out.push({ labels, value });
  };
  const filled = (s: Sample, value: number): Sample => ({ labels: matchLabels(s.labels, m), value });
  for (const ls of lhs) {
    const k = sig(ls.labels);
    const rs = right.get(k) ?? (fill?.rhs != null ? filled(ls, fill.rhs) : undefined);
    if (rs) apply(ls, rs, k);
  }
  if (fill?.lhs != null) {
    for (const rs of rhs) {
      const k = sig(rs.labels);
      if (!matched.has(k)) apply(filled(rs, fill.lhs), rs, k);
    }
  }
  return out;
}

/** labels.MatchLabels: the on() labels of a series, or all but the ignored ones and the metric name. */
function matchLabels(l: Labels, m: VectorMatching): Labels {
  return Object.fromEntries(Object.entries(l).filter(([k]) => (m.on ? m.labels.includes(k) : k !== '__name__' && !m.labels.includes(k))));
}

export function resultLabels(lhs: Labels, rhs: Labels, op: BinaryOp, m: VectorMatching): Labels {
  const out: Record<string, string> = { ...lhs };
  if (!COMPARISON.has(op)) delete out.__name__;
  if (m.card === 'one-to-one') {
    if (m.on) {
      for (const k of Object.keys(out)) if (!m.labels.includes(k)) delete out[k];
    } else for (const k of m.labels) delete out[k];
  }
  for (const k of m.include) {
    const v = rhs[k];
    if (v !== undefined && v !== '') out[k] = v;
    else delete out[k];
  }
  return out;
}

/**
 * The set operators (Prometheus 2.42 VectorAnd, VectorOr, VectorUnless): many-to-many, matched on the
 * signature of on(...) labels, or of all labels but the ignored ones and the metric name; samples are kept
 * as they are, metric name included.
 */
export function vectorSet(op: 'and' | 'or' | 'unless', lhs: Sample[], rhs: Sample[], m: VectorMatching): Sample[] {
  const sig = (l: Labels) => signature(l, m.on, m.labels);
  switch (op) {
    case 'and': {
      if (lhs.length === 0 || rhs.length === 0) return [];
      const right = new Set(rhs.map((s) => sig(s.labels)));
      return lhs.filter((s) => right.has(sig(s.labels)));
    }
    case 'or': {
      if (lhs.length === 0) return [...rhs];
      if (rhs.length === 0) return [...lhs];
      const left = new Set(lhs.map((s) => sig(s.labels)));
      return [...lhs, ...rhs.filter((s) => !left.has(sig(s.labels)))];
    }
    case 'unless': {
      if (lhs.length === 0 || rhs.length === 0) return [...lhs];
      const right = new Set(rhs.map((s) => sig(s.labels)));
      return lhs.filter((s) => !right.has(sig(s.labels)));
    }
  }
}
