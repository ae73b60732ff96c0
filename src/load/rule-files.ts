/**
 * A scenario's `metrics.rules`: Prometheus rule files read relative to the scenario, through the rule file
 * reader of interop/prometheus, and resolved against what reads them. Alert gates name an alert the files
 * hold (else an error with a suggestion); the rules evaluated are those gates need, directly or through the
 * series they record (Sloth's alerts read its SLI recordings). A query that reads a family the simulation
 * never writes is an error when a gate depends on it, and a warning in a rule no gate needs.
 */
import { resolve } from 'node:path';
import { didYouMean, InputError } from '../errors.js';
import { tryReadInput } from '../files/read.js';
import { readRuleFile, type ParsedGroup, type ParsedRule } from '../interop/prometheus/rules.js';
import type { Expr } from '../lang/promql.js';
import { familiesRead, unwrittenFamilies, unwrittenMessage, writtenFamilies } from '../metrics/families.js';
import type { PathSegment, Problem } from '../scenario/problems.js';
import type { AlertGate, Gate, Rule, RuleGroup, Scenario } from '../scenario/types.js';
import { quoted, quotedList } from '../units/escape.js';

const ALERT_FAMILIES = ['ALERTS', 'ALERTS_FOR_STATE'];

export interface ResolvedRules {
  /** The scenario with its rule groups and its alert gates' files filled in. */
  readonly scenario: Scenario;
  readonly problems: Problem[];
  readonly warnings: string[];
}

interface Entry { readonly rule: ParsedRule; readonly group: ParsedGroup; readonly file: string; readonly fileIndex: number }

export function resolveRules(s: Scenario, baseDir: string): ResolvedRules {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const files = s.metrics.ruleFiles;
  const parsed: { file: string; groups: readonly ParsedGroup[] }[] = [];
  // Files refused or unreadable (their problems said): an alert gate naming one adds no second error.
  const unread = new Set<string>();
  files.forEach((file, i) => {
    const path: PathSegment[] = ['metrics', 'rules', i];
    // Through the input reader: a FIFO would block forever, /dev/zero never ends.
    const read = tryReadInput(resolve(baseDir, file), 'rules');
    if (!read.ok) {
      problems.push({ path, message: `cannot read the rule file ${file}: ${read.why}` });
      unread.add(file);
      return;
    }
    const text = read.text;
    try {
      const parts = readRuleFile(text, file);
      warnings.push(...parts.warnings);
      parsed.push({ file, groups: parts.groups });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.lines.map((message) => ({ path, message })));
      unread.add(file);
    }
  });
  const entries: Entry[] = parsed.flatMap((p) => p.groups.flatMap((group) => group.rules.map((rule) => ({ rule, group, file: p.file, fileIndex: files.indexOf(p.file) }))));
  const recorded = [...new Set(entries.filter((e) => e.rule.kind === 'record').map((e) => e.rule.name))];
  const simulated = writtenFamilies(s.metrics.mapping);
  const written = [...simulated, ...recorded, ...(entries.some((e) => e.rule.kind === 'alert') ? ALERT_FAMILIES : [])];
  const unwritten = (e: Expr) => unwrittenFamilies(e, written, simulated);

  // What gates read: alerts by name, and the recorded series of PromQL gates.
  const needed = new Set<Entry>();
  const readers = (families: readonly string[]) => entries.filter((e) => (e.rule.kind === 'record' && families.includes(e.rule.name)) || (e.rule.kind === 'alert' && families.some((f) => ALERT_FAMILIES.includes(f))));
  const rollouts = s.rollouts.map((plan, i) => ({
    ...plan,
    gates: plan.gates.map((g, j): Gate => {
      const path: PathSegment[] = ['rollout', i, 'gates', j];
      if (g.kind === 'promql') {
        for (const u of unwritten(g.expr)) problems.push({ path: [...path, 'promql'], message: unwrittenMessage(u) });
        readers(familiesRead(g.expr, written)).forEach((e) => needed.add(e));
        return g;
      }
      if (g.kind !== 'alert') return g;
      const resolved = resolveAlert(g, files, entries, path, problems, unread);
      entries.filter((e) => e.rule.kind === 'alert' && e.rule.name === g.alert && e.file === resolved.file).forEach((e) => needed.add(e));
      return resolved;
    }),
  }));

  // The rules those depend on, through the series they record (and ALERTS).
  const queue = [...needed];
  while (queue.length) {
    const e = queue.pop()!;
    if (e.rule.expr === null) continue;
    for (const dep of readers(familiesRead(e.rule.expr, written))) {
      if (!needed.has(dep)) {
        needed.add(dep);
        queue.push(dep);
      }
    }
  }
  for (const e of entries) {
    const why = e.rule.error ?? unwritten(e.rule.expr!).map(unwrittenMessage).join('; ');
    if (!why) continue;
    if (needed.has(e)) problems.push({ path: ['metrics', 'rules', e.fileIndex], message: `${e.rule.where}: ${why}` });
    else warnings.push(`${e.rule.where}: not evaluated (no gate reads it): ${why}`);
  }
  const intervalMs = s.metrics.evaluationIntervalUs / 1000;
  const rules: RuleGroup[] = parsed.flatMap((p) => p.groups.map((group) => ({
    name: group.name, file: p.file, intervalMs: group.intervalMs ?? intervalMs, queryOffsetMs: group.queryOffsetMs, limit: group.limit,
    rules: group.rules.filter((rule) => [...needed].some((e) => e.rule === rule)).map((r): Rule => ({
      kind: r.kind, name: r.name, query: r.query, expr: r.expr as Expr, forMs: r.forMs, keepFiringForMs: r.keepFiringForMs, labels: r.labels, where: r.where,
    })),
  }))).filter((g) => g.rules.length > 0);
  return { scenario: { ...s, rollouts, metrics: { ...s.metrics, rules } }, problems, warnings };
}

/** The file of an alert gate: the one it names (one of metrics.rules), or the only one with the alert. */
function resolveAlert(g: AlertGate, files: readonly string[], entries: readonly Entry[], path: PathSegment[], problems: Problem[], unread: ReadonlySet<string>): AlertGate {
  if (files.length === 0) {
    problems.push({ path: [...path, 'alert'], message: `an alert gate reads the alerts of the rule files in metrics.rules, and the scenario names none` });
    return g;
  }
  if (g.file !== null && !files.includes(g.file)) {
    problems.push({ path: [...path, 'from'], message: `${g.file} is not one of metrics.rules${didYouMean(g.file, files)} (rule files: ${files.join(', ')})` });
    return g;
  }
  const alerts = entries.filter((e) => e.rule.kind === 'alert' && (g.file === null || e.file === g.file));
  const holding = [...new Set(alerts.filter((e) => e.rule.name === g.alert).map((e) => e.file))];
  if (holding.length === 0) {
    if (g.file !== null ? unread.has(g.file) : files.every((f) => unread.has(f))) return g;
    const names = [...new Set(alerts.map((e) => e.rule.name))];
    const read = files.filter((f) => !unread.has(f));
    const list = names.length ? ` (alerts: ${quotedList(names.slice(0, 12))}${names.length > 12 ? ', ...' : ''})` : ' (it holds no alerting rule)';
    const notRead = g.file === null && unread.size ? `; ${[...unread].join(', ')} could not be read (said above)` : '';
    problems.push({ path: [...path, 'alert'], message: `no alert ${quoted(g.alert)} in ${g.file ?? read.join(', ')}${didYouMean(g.alert, names)}${list}${notRead}` });
    return g;
  }
  if (holding.length > 1) {
    problems.push({ path: [...path, 'alert'], message: `alert ${quoted(g.alert)} is in ${holding.join(' and ')}: say which with from:` });
    return g;
  }
  return { ...g, file: holding[0] };
}
