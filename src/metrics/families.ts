/**
 * Which metric families a query reads, and which of them no one writes: a query over a family the simulation
 * never writes gives no data, which a gate counts as an error and a rollout reads as a reason to roll back.
 * Written families are the simulated ones (named through the mapping) and whatever else the caller adds
 * (series recorded by rules, ALERTS). Checked when a scenario loads, for every kind of gate that reads PromQL.
 */
import { closest } from '../errors.js';
import type { Expr, VectorSelector } from '../lang/promql.js';
import { DURATION_FAMILY, REQUESTS_FAMILY, familyName, type MetricsMapping } from './mapping.js';

/** The series names the simulation writes under a mapping: the request counter and the duration histogram. */
export function writtenFamilies(m: MetricsMapping): string[] {
  const duration = familyName(m, DURATION_FAMILY);
  return [familyName(m, REQUESTS_FAMILY), `${duration}_bucket`, `${duration}_count`, `${duration}_sum`];
}

/** Every vector selector of a query, in the order they are written. */
export function selectors(e: Expr): VectorSelector[] {
  switch (e.kind) {
    case 'vector': return [e];
    case 'matrix': return [e.vector];
    case 'call': return e.args.flatMap(selectors);
    case 'aggregate': return [...(e.param ? selectors(e.param) : []), ...selectors(e.expr)];
    case 'binary': return [...selectors(e.lhs), ...selectors(e.rhs)];
    case 'negate': return selectors(e.expr);
    default: return [];
  }
}

/** A family a query reads that is not written, and the nearest written one. */
export interface UnwrittenFamily {
  /** The metric name, or the pattern of a `__name__=~` matcher that matches no written family. */
  readonly family: string;
  readonly closest: string | null;
}

/**
 * The families a query reads by name (`x` or `{__name__="x"}`), or by a name pattern, that none of `written`
 * is, each with the nearest of `suggested` (default: the written ones). A selector that names no family
 * (`{job="api"}`) reads whatever exists and is not checked.
 */
export function unwrittenFamilies(e: Expr, written: readonly string[], suggested: readonly string[] = written): UnwrittenFamily[] {
  const out = new Map<string, UnwrittenFamily>();
  for (const sel of selectors(e)) {
    for (const m of sel.matchers) {
      if (m.name !== '__name__') continue;
      if (m.op === '=' && !written.includes(m.value)) out.set(m.value, { family: m.value, closest: closest(m.value, suggested) ?? null });
      if (m.op === '=~' && !written.some((w) => m.re!.test(w))) out.set(m.value, { family: m.value, closest: closest(m.value, suggested) ?? null });
    }
  }
  return [...out.values()];
}

/** The names a query reads (equality matchers on __name__): what a rule's output must be evaluated for. */
export function familiesRead(e: Expr, known: readonly string[]): string[] {
  const out = new Set<string>();
  for (const sel of selectors(e)) {
    const named = sel.matchers.filter((m) => m.name === '__name__');
    if (named.length === 0) known.forEach((k) => out.add(k)); // reads any family its other matchers select
    for (const m of named) {
      if (m.op === '=') out.add(m.value);
      else for (const k of known) if ((m.op === '=~' && m.re!.test(k)) || (m.op === '!=' && k !== m.value) || (m.op === '!~' && !m.re!.test(k))) out.add(k);
    }
  }
  return [...out];
}

/** One line per unwritten family, for a problem's message. */
export function unwrittenMessage(u: UnwrittenFamily): string {
  const near = u.closest ? ` (the closest it writes: ${u.closest})` : '';
  return `the query reads ${u.family}, which the simulation never writes${near}; name the simulated series with metrics.names, metrics.preset or a recording rule`;
}
