/**
 * A query's twin on flag-off traffic (like with like): the same expression with every selector of the plan's flag-on
 * traffic turned to flag-off traffic, evaluated as a monitoring stack would evaluate that query. A series says which
 * side of the flag served it by the flag's own label (`flag_<key>`: on or off, under the name the mapping gives it)
 * and, where the flag splits a service between canary and stable pods, by the labels that name those pods.
 *
 * A selector reads flag-on traffic when a matcher on one of these labels takes the flag-on value and refuses the
 * flag-off one (`flag_new_checkout="on"`, `!="off"`, or `=~"on"`); its twin selects the flag-off value with an
 * equality matcher in its place. A query judged alone on flag-on traffic has every selector so (a series a recording
 * rule writes counts as its rule's query does); one that also reads flag-off traffic compares the two sides itself;
 * any other reads both sides alike in some selector, and cannot be judged against flag-off traffic.
 */
import { matches, type Expr, type Matcher, type VectorSelector } from '../lang/promql.js';
import { selectors } from '../metrics/families.js';
import { flagLabel, mapLabels, podsOf, type MetricsMapping } from '../metrics/mapping.js';
import type { Rule, RuleGroup } from '../scenario/rules.js';
import { quoted } from '../units/escape.js';

/** A label whose value tells the flag's sides apart: the value on flag-on traffic and on flag-off traffic. */
export interface FlagSide {
  readonly name: string;
  readonly on: string;
  readonly off: string;
}

/** The labels that tell the sides of `flag` apart in series named by `mapping`. */
export function flagSides(mapping: MetricsMapping, flag: string): FlagSide[] {
  const sides: FlagSide[] = [];
  const label = flagLabel(flag);
  const to = mapping.labels[label];
  const names = to === null ? [] : to === undefined ? [label] : typeof to === 'string' ? [to] : to;
  for (const name of names) sides.push({ name, on: 'on', off: 'off' });
  // Canary pods serve the flag's calls, stable pods the others: the labels that differ between the two.
  for (const split of mapping.splits.filter((s) => s.flag === flag)) {
    const side = (on: boolean) => {
      const pods = podsOf(mapping, split.service, () => on);
      return mapLabels(mapping, pods.native, pods.names);
    };
    const [canary, stable] = [side(true), side(false)];
    // A label on one side only (ingress-nginx names the canary upstream in `canary` on the canary's requests alone):
    // the other side's series have none, which a matcher reads as the empty value (`canary=""` selects them).
    for (const name of new Set([...Object.keys(canary), ...Object.keys(stable)])) {
      const [on, off] = [canary[name] ?? '', stable[name] ?? ''];
      if (on !== off && !sides.some((s) => s.name === name && s.on === on)) sides.push({ name, on, off });
    }
  }
  return sides;
}

/** The side of the flag a selector reads: on, off, or both alike. */
type Reads = 'on' | 'off' | 'both';

function selectorReads(v: VectorSelector, sides: readonly FlagSide[]): Reads {
  let reads: Reads = 'both';
  for (const m of v.matchers) {
    for (const s of sides.filter((x) => x.name === m.name)) {
      const [on, off] = [matches(m, s.on), matches(m, s.off)];
      if (on && !off) reads = reads === 'off' ? 'off' : 'on';
      else if (off && !on) reads = 'off';
    }
  }
  return reads;
}

/** A selector's twin: each matcher that took the flag-on side takes the flag-off side, by equality. */
function flipSelector(v: VectorSelector, sides: readonly FlagSide[]): VectorSelector {
  const matchers = v.matchers.map((m): Matcher => {
    const s = sides.find((x) => x.name === m.name && matches(m, x.on) && !matches(m, x.off));
    return s ? { name: m.name, op: '=', value: s.off, re: null } : m;
  });
  return { ...v, matchers };
}

/** The expression with every selector of flag-on traffic turned to flag-off traffic. */
export function flipExpr(e: Expr, sides: readonly FlagSide[]): Expr {
  switch (e.kind) {
    case 'vector': return flipSelector(e, sides);
    case 'matrix': return { ...e, vector: flipSelector(e.vector, sides) };
    case 'call': return { ...e, args: e.args.map((a) => flipExpr(a, sides)) };
    case 'aggregate': return { ...e, param: e.param ? flipExpr(e.param, sides) : null, expr: flipExpr(e.expr, sides) };
    case 'binary': return { ...e, lhs: flipExpr(e.lhs, sides), rhs: flipExpr(e.rhs, sides) };
    case 'negate': return { ...e, expr: flipExpr(e.expr, sides) };
    default: return e;
  }
}

/** What can be said of a query against flag-off traffic. */
export type FlagOffJudging =
  /** Every selector reads flag-on traffic: its twin reads flag-off traffic. */
  | { readonly kind: 'twin' }
  /** Some selector reads flag-off traffic: the query compares the sides itself. */
  | { readonly kind: 'compares' }
  /** Why it cannot be judged against flag-off traffic. */
  | { readonly kind: 'blind'; readonly why: string };

const shownSelector = (v: VectorSelector) => `${v.name ?? ''}{${v.matchers.filter((m) => m.name !== '__name__').map((m) => `${m.name}${m.op}${quoted(m.value)}`).join(',')}}`;

/**
 * How a query (or the rule that writes a series) reads the flag's sides. `rules`: the scenario's rules, so that a
 * series a recording rule writes reads as that rule's query does.
 */
export function judging(e: Expr, sides: readonly FlagSide[], rules: readonly RuleGroup[] = [], seen: ReadonlySet<string> = new Set()): FlagOffJudging {
  if (sides.length === 0) return { kind: 'blind', why: 'the series carry no label of the flag (the mapping drops it)' };
  const all = selectors(e);
  if (all.length === 0) return { kind: 'blind', why: 'the query reads no series' };
  let compares = false;
  for (const v of all) {
    const reads = selectorReads(v, sides);
    if (reads === 'off') compares = true;
    if (reads !== 'both') continue;
    // A series a recording rule writes: as its rule (every rule that writes it) reads the sides.
    const recorded = v.name === null || seen.has(v.name) ? [] : rules.flatMap((g) => g.rules).filter((r) => r.kind === 'record' && r.name === v.name);
    const inner = recorded.map((r) => judging(r.expr, sides, rules, new Set([...seen, v.name!])));
    if (inner.length > 0 && inner.every((j) => j.kind === 'twin')) continue;
    if (inner.some((j) => j.kind === 'compares')) {
      compares = true;
      continue;
    }
    const why = `${shownSelector(v)} reads flag-on and flag-off traffic alike (no matcher ${sides.map((s) => `${s.name}=${quoted(s.on)}`).join(' or ')})`;
    return { kind: 'blind', why };
  }
  return compares ? { kind: 'compares' } : { kind: 'twin' };
}

/** The scenario's rules with every selector of flag-on traffic turned to flag-off traffic: the twin's rules. */
export function flipRules(groups: readonly RuleGroup[], sides: readonly FlagSide[]): RuleGroup[] {
  return groups.map((g) => ({ ...g, rules: g.rules.map((r): Rule => ({ ...r, expr: flipExpr(r.expr, sides) })) }));
}
