/**
 * Prometheus rules in rehearse's own terms: groups of recording and alerting rules, read by the load layer
 * from the rule files a scenario names (metrics.rules), each query parsed, and evaluated over the simulated
 * series at its group's interval (src/promql/rules.ts). Plain data: it travels to sweep workers.
 */
import type { Expr } from '../lang/promql.js';

export interface Rule {
  readonly kind: 'record' | 'alert';
  /** The series a recording rule writes, or the alert's name. */
  readonly name: string;
  readonly query: string;
  readonly expr: Expr;
  /** How long an alert stays pending before it fires (`for:`), in milliseconds; 0 for recording rules. */
  readonly forMs: number;
  /** How long a firing alert keeps firing after its query stops giving it (`keep_firing_for:`), in milliseconds. */
  readonly keepFiringForMs: number;
  /** Labels the rule adds (or, with an empty value, removes). */
  readonly labels: Readonly<Record<string, string>>;
  /** Where the rule lies: file:line:column. */
  readonly where: string;
}

export interface RuleGroup {
  readonly name: string;
  /** The rule file, as the scenario names it. */
  readonly file: string;
  /** Time between evaluations (the group's `interval`, else metrics.evaluation-interval), in milliseconds. */
  readonly intervalMs: number;
  /** How long before each evaluation its rules read the series, and write their samples (`query_offset`). */
  readonly queryOffsetMs?: number;
  /** Most series (alerts) a rule may give per evaluation; 0: no limit. */
  readonly limit: number;
  /** The rules that gates read, directly or through the series they record, in the file's order. */
  readonly rules: readonly Rule[];
}
