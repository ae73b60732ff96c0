/**
 * Prometheus rule files as teams keep them: plain rule groups (`groups:`, what `promtool check rules` reads,
 * what Sloth and Pyrra write to files), PrometheusRule resources (`spec.groups`, what the Prometheus Operator
 * reads and Sloth and Pyrra generate for Kubernetes), several YAML documents per file. Every field has a
 * disposition (RULE_FIELDS): modelled, warned with its file:line:column and path, or refused as Prometheus
 * refuses it. Queries are parsed here; a query rehearse cannot evaluate is kept with its refusal, for the load
 * layer to report (an error when a gate needs the rule, a warning when none does).
 */
import type { Document } from 'yaml';
import { InputError } from '../../errors.js';
import { describeProblems, failsEveryEvaluationWarning, parsePromQL, PromQLError, resultType, type Expr } from '../../lang/promql.js';
import { LABEL_NAME, METRIC_NAME } from '../../metrics/mapping.js';
import { formatPath, locate, type PathSegment } from '../../scenario/problems.js';
import { oddTagMessage, oddTags, plainData, yamlErrorMessage } from '../../scenario/parse.js';
import { parseAllDocumentsAsGo } from '../../scenario/go-quoted.js';
import { templateProblem } from './templates.js';
import { newerSyntaxWarnings } from '../../lang/promql-versions.js';
import { aliasWarning, applied, duplicates, limitsAsRead, modelDuration, notText, resourceTypeProblems, textAsWritten } from './rule-yaml.js';
import { kubectlReading } from '../kube/resources.js';
import { fieldText, serverFields, SERVER_FIELDS_WHY } from '../kube/server-fields.js';
import { withArticle } from '../../units/article.js';
import { quoted } from '../../units/escape.js';
import { otherThanRules } from '../file-kinds.js';
import { prunedGroups } from './resource-fields.js';

export type Disposition = { readonly kind: 'modelled' | 'warned' | 'refused' | 'informational'; readonly why: string };

/**
 * What becomes of each field of a rule group and of a rule (Prometheus' rulefmt.RuleGroup and RuleNode, the
 * Prometheus Operator's RuleGroup and Rule, and the fields other rulers add).
 */
export const RULE_FIELDS: { readonly group: Readonly<Record<string, Disposition>>; readonly rule: Readonly<Record<string, Disposition>> } = {
  group: {
    name: { kind: 'modelled', why: 'names the group in messages' },
    interval: { kind: 'modelled', why: 'time between evaluations of the group' },
    rules: { kind: 'modelled', why: 'evaluated in order at each evaluation' },
    limit: { kind: 'modelled', why: 'a rule giving more series (alerts) than the limit fails its evaluation, as in Prometheus' },
    labels: { kind: 'modelled', why: 'added to every rule of the group (Prometheus 3), under the rule\'s own labels' },
    query_offset: { kind: 'modelled', why: 'each rule reads the series that long before the evaluation, and writes its samples at that time (Prometheus 2.53 and later)' },
    partial_response_strategy: { kind: 'warned', why: 'a Thanos ruler setting with no effect on a single Prometheus' },
    source_tenants: { kind: 'warned', why: 'a Cortex/Mimir ruler setting: one simulated tenant' },
    evaluation_delay: { kind: 'warned', why: 'a Cortex/Mimir ruler setting: not modelled' },
    align_evaluation_time_on_interval: { kind: 'warned', why: 'a Cortex/Mimir ruler setting: evaluations are aligned to the run\'s start' },
  },
  rule: {
    record: { kind: 'modelled', why: 'the series the rule writes' },
    alert: { kind: 'modelled', why: 'the alert\'s name' },
    expr: { kind: 'modelled', why: 'evaluated over the simulated series' },
    for: { kind: 'modelled', why: 'pending before firing' },
    keep_firing_for: { kind: 'modelled', why: 'firing after the condition clears' },
    labels: { kind: 'modelled', why: 'added to the rule\'s series or alerts' },
    annotations: { kind: 'informational', why: 'notification text: no effect on when an alert fires (a template with a Go syntax error is refused, one naming a function or variable Prometheus 2.42 lacks is warned)' },
  },
};

export interface ParsedRule {
  readonly kind: 'record' | 'alert';
  readonly name: string;
  readonly query: string;
  /** The parsed query, or null when it is refused (see error). */
  readonly expr: Expr | null;
  readonly error: string | null;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** file:line:column: path */
  readonly where: string;
}

export interface ParsedGroup {
  readonly name: string;
  readonly intervalMs: number | null;
  readonly queryOffsetMs: number;
  readonly limit: number;
  readonly rules: readonly ParsedRule[];
  readonly where: string;
}

export interface RuleFileParts {
  readonly groups: readonly ParsedGroup[];
  /** What the file holds that is not rehearsed, as file:line:column: path: message lines. */
  readonly warnings: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads a rule file's text; what Prometheus would refuse throws an InputError naming file:line:column and path. */
export function readRuleFile(text: string, file: string): RuleFileParts {
  // Merge keys (`<<: *rule`) are resolved, as gopkg.in/yaml.v3 (which rulefmt decodes with) resolves them, and a
  // quoted string continued at or left of its key's column is read as it reads it.
  const { docs: all, lines: lineCounter } = parseAllDocumentsAsGo(text, { uniqueKeys: false, merge: true, prettyErrors: false }, 'go');
  const { docs, unsent } = applied(all, text, file);
  const syntax = docs.flatMap((d) => d.errors);
  if (syntax.length) {
    throw new InputError(syntax.map((e) => {
      const p = lineCounter.linePos(e.pos[0]);
      return `${file}:${p.line}:${p.col}: invalid YAML: ${yamlErrorMessage(e)}`;
    }));
  }
  // A value the tag makes a Map, a Set, a date or bytes would read as an empty mapping: refused at the tag.
  const tagged = docs.flatMap((d) => oddTags(d));
  if (tagged.length) {
    throw new InputError(tagged.map((t) => {
      const p = lineCounter.linePos(t.offset);
      return `${file}:${p.line}:${p.col}: invalid YAML: ${oddTagMessage(t.tag)}`;
    }));
  }
  const groups: ParsedGroup[] = [];
  const warnings: string[] = [...unsent.warnings];
  const errors: string[] = [...unsent.errors];
  const others: string[] = [];
  const duplicated: string[] = [];
  docs.forEach((doc, index) => {
    // The Prometheus Operator writes each PrometheusRule to a rule file of its own (<namespace>-<name>-<uid>.yaml in
    // its rule ConfigMaps), and promtool lints duplicates within a file: each document's rules are compared apart.
    const from = groups.length;
    if (readDocument(doc, index) !== true) duplicated.push(...duplicates(groups.slice(from)));
  });
  /** A PrometheusRule (a document, or an item of a List at `base`): its groups read as the operator writes them out. */
  function readPrometheusRule(r: Record<string, unknown>, base: readonly PathSegment[], where: (path: readonly PathSegment[]) => string): void {
    const at = (path: readonly PathSegment[]) => where([...base, ...path]);
    const server = serverFields(r);
    if (server.length) warnings.push(`${[at([...server[0]]), ...server.slice(1).map(fieldText)].join(', ')}: ${SERVER_FIELDS_WHY}`);
    const spec = r.spec;
    // The API server serves the Prometheus Operator's CRD at monitoring.coreos.com/v1 only, and holds metadata's
    // name and namespace to text: another version, or a name that is a number, was read in silence.
    const metadata = r.metadata;
    // Without apiVersion, kubectl and the API server refuse the resource (kubectl's "apiVersion not set"; k8s.io/
    // apimachinery pkg/runtime/serializer/json/meta.go "Object 'apiVersion' is missing"): it was read as the operator's.
    if (r.apiVersion === undefined || r.apiVersion === null || r.apiVersion === '') {
      errors.push(`${at([])}: apiVersion: missing: the API server needs it to know the resource (kubectl: "apiVersion not set"); a PrometheusRule is monitoring.coreos.com/v1`);
    } else if (r.apiVersion !== 'monitoring.coreos.com/v1') {
      errors.push(`${at(['apiVersion'])}: a PrometheusRule is apiVersion monitoring.coreos.com/v1 (the Prometheus Operator's CRD), not ${JSON.stringify(r.apiVersion)}: the API server has no other`);
    }
    if (metadata !== undefined && metadata !== null && !isObject(metadata)) errors.push(`${at(['metadata'])}: metadata is a mapping (the API server refuses a resource whose metadata is not)`);
    for (const k of ['name', 'namespace']) {
      const v = isObject(metadata) ? metadata[k] : undefined;
      if (v !== undefined && v !== null && typeof v !== 'string') errors.push(`${at(['metadata', k])}: metadata.${k} is text (the API server refuses ${JSON.stringify(v)})`);
    }
    // What the CRD's schema lacks is pruned: warned, and the groups read without it (resource-fields.ts).
    const kept = prunedGroups(r, base, where, warnings);
    if (!isObject(spec) || !Array.isArray(kept)) errors.push(`${at(['spec'])}: a PrometheusRule needs spec.groups`);
    else {
      const types = resourceTypeProblems(kept, [...base, 'spec', 'groups'], where);
      warnings.push(...types.warnings);
      if (types.errors.length) errors.push(...types.errors);
      else readGroups(kept, [...base, 'spec', 'groups'], where, groups, warnings, errors);
    }
  }
  function readDocument(doc: Document, index: number): boolean | void {
    // A PrometheusRule reaches Prometheus through the API server, which keeps its values' types and refuses
    // those its CRD does not allow, and the operator, which writes the rules out with aliases resolved.
    const resource = doc.get('kind') === 'PrometheusRule' || /List$/.test(String(doc.get('kind')));
    const aliased = resource ? [] : textAsWritten(doc);
    const limits = resource ? [] : limitsAsRead(doc);
    const plain = plainData(doc);
    if (!plain.ok) {
      const p = plain.offset === undefined ? undefined : lineCounter.linePos(plain.offset);
      throw new InputError([`${file}${p ? `:${p.line}:${p.col}` : ''}: invalid YAML: ${plain.message}`]);
    }
    // A PrometheusRule is read by kubectl (YAML 1.1: kube/resources.ts kubectlReading); a rule file by Prometheus.
    const kubectl = resource ? kubectlReading(doc, lineCounter, file) : null;
    if (kubectl?.problem) throw new InputError([kubectl.problem]);
    if (kubectl) warnings.push(...kubectl.warnings);
    const value = kubectl ? kubectl.value : plain.value;
    const where = (path: readonly PathSegment[]) => {
      const offset = locate(doc, path);
      const shown = path.length ? `: ${formatPath(path)}` : '';
      if (offset === undefined) return `${file}${shown}`;
      const p = lineCounter.linePos(offset);
      return `${file}:${p.line}:${p.col}${shown}`;
    };
    for (const a of aliased) warnings.push(`${where(a.path)}: ${aliasWarning(a)}`);
    for (const l of limits) warnings.push(`${where(l.path)}: ${l.source} is ${l.go} to Prometheus, which reads a rule file with gopkg.in/yaml.v3 (resolve.go: strconv.ParseInt of the text without "_", base 0), where YAML 1.2 reads ${JSON.stringify(l.yaml12)}; rehearsed as Prometheus reads it`);
    // rulefmt.Parse (2.42): an empty document, null or {} decodes to no groups, and the file loads with none.
    if (value === null || value === undefined || (isObject(value) && Object.keys(value).length === 0)) return;
    if (!isObject(value)) {
      errors.push(`${where([])}: not a rule file: expected groups: or a PrometheusRule resource`);
      return;
    }
    const kind = typeof value.kind === 'string' ? value.kind : null;
    if (kind === 'PrometheusRule') {
      readPrometheusRule(value, [], where);
    } else if ('groups' in value && kind === null && index > 0) {
      // rulefmt.Parse decodes the first document only: Prometheus loads none of a later one, nor parses it.
      warnings.push(`${where([])}: not read: Prometheus reads the first YAML document of a rule file only`);
    } else if ('groups' in value && kind === null) {
      // `groups:` with nothing after it is null: no groups, as rulefmt decodes it.
      if (value.groups !== null && !Array.isArray(value.groups)) errors.push(`${where(['groups'])}: groups is a list of rule groups`);
      else readGroups(value.groups ?? [], ['groups'], where, groups, warnings, errors);
      for (const k of Object.keys(value)) if (k !== 'groups') errors.push(`${where([k])}: field ${k} not found in a rule file (Prometheus refuses it)`);
    } else if (kind === 'ServiceLevelObjective' && String(value.apiVersion ?? '').startsWith('pyrra.dev/')) {
      errors.push(`${where([])}: a Pyrra ServiceLevelObjective, not rules: name the rules Pyrra generates from it (pyrra generate, or the PrometheusRule its operator writes)`);
    } else if ('slos' in value || String(value.version ?? '').startsWith('prometheus/')) {
      errors.push(`${where([])}: a Sloth SLO spec, not rules: name the rules Sloth generates from it (sloth generate -i ${file})`);
    } else if (kind === 'PrometheusServiceLevel' && String(value.apiVersion ?? '').startsWith('sloth.slok.dev/')) {
      // Sloth's Kubernetes spec (internal/storage/io/k8s_sloth.go), from which it writes a PrometheusRule.
      errors.push(`${where([])}: a Sloth PrometheusServiceLevel (${String(value.apiVersion)}), not rules: name the PrometheusRule Sloth generates from it (sloth generate -i ${file}, or the one its Kubernetes controller writes)`);
    } else if (kind !== null && String(value.apiVersion ?? '').startsWith('openslo/')) {
      // An OpenSLO document; Sloth generates rules from openslo/v1alpha SLOs (internal/storage/io/openslo.go).
      const sloth = kind === 'SLO' && value.apiVersion === 'openslo/v1alpha' ? `Sloth reads this version: sloth generate -i ${file}` : 'Sloth reads an openslo/v1alpha SLO';
      errors.push(`${where([])}: an OpenSLO ${kind} (${String(value.apiVersion)}), not rules: name the rules generated from it (${sloth})`);
    } else if (kind === null && ('tests' in value || 'rule_files' in value)) {
      const named = Array.isArray(value.rule_files) ? value.rule_files.filter((f): f is string => typeof f === 'string') : [];
      errors.push(`${where([])}: a promtool unit-test file (rule_files, tests), not rules: name the rule files it tests${named.length ? ` (${named.join(', ')}, relative to it)` : ''}`);
    } else if (kind !== null && kind.endsWith('List') && Array.isArray(value.items) && value.items.some((x) => isObject(x) && x.kind === 'PrometheusRule')) {
      // What `kubectl get prometheusrules -o yaml` writes: kubectl applies each item (cli-runtime pkg/resource/visitor.go
      // FlattenListVisitor), and the operator writes each PrometheusRule to a rule file of its own: compared apart.
      value.items.forEach((item, j) => {
        if (!isObject(item) || item.kind !== 'PrometheusRule') return others.push(`${where(['items', j])} (${isObject(item) && typeof item.kind === 'string' ? item.kind : 'no resource'})`);
        const from = groups.length;
        readPrometheusRule(item, ['items', j], where);
        duplicated.push(...duplicates(groups.slice(from)));
      });
      return true;
    } else {
      others.push(kind ?? otherThanRules(value));
    }
  }
  if (errors.length) throw new InputError(errors);
  if (groups.length === 0 && others.length) throw new InputError([`${file}: no rule groups (expected groups: or PrometheusRule resources); it holds ${others.join(', ')}`]);
  if (groups.length === 0) warnings.push(`${file}: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")`);
  if (others.length) warnings.push(`${file}: not rules, not read: ${others.join(', ')}`);
  warnings.push(...duplicated);
  return { groups, warnings };
}

function readGroups(
  list: unknown[], base: PathSegment[], where: (p: readonly PathSegment[]) => string,
  groups: ParsedGroup[], warnings: string[], errors: string[],
): void {
  const names = new Set<string>();
  list.forEach((g, gi) => {
    const gp = [...base, gi];
    if (!isObject(g)) {
      errors.push(`${where(gp)}: a rule group is a mapping with name and rules`);
      return;
    }
    for (const k of Object.keys(g)) {
      const d = Object.hasOwn(RULE_FIELDS.group, k) ? RULE_FIELDS.group[k] : null;
      if (!d) errors.push(`${where([...gp, k])}: field ${k} not found in a rule group (Prometheus refuses it)`);
      else if (d.kind === 'warned') warnings.push(`${where([...gp, k])}: ${d.why}`);
    }
    const name = typeof g.name === 'string' ? g.name : '';
    if (!name) errors.push(`${where(gp)}: Groupname must not be empty`);
    else if (names.has(name)) errors.push(`${where([...gp, 'name'])}: group name ${quoted(name)} is repeated in the same file`);
    names.add(name);
    // An interval of 0 is none of the group's own: the global evaluation interval (rules/manager.go).
    const intervalMs = g.interval === undefined ? null : modelDuration(g.interval, () => where([...gp, 'interval']), errors) || null;
    const queryOffsetMs = g.query_offset === undefined ? 0 : modelDuration(g.query_offset, () => where([...gp, 'query_offset']), errors);
    // An int (rulefmt.RuleGroup.Limit): a negative one, like 0, is no limit (rules/manager.go: limit > 0).
    const limit = g.limit === undefined || g.limit === null ? 0 : typeof g.limit === 'number' && Number.isSafeInteger(g.limit) ? g.limit : NaN;
    if (Number.isNaN(limit)) errors.push(`${where([...gp, 'limit'])}: limit is a whole number (Prometheus refuses ${JSON.stringify(g.limit)})`);
    const groupLabels = labelsOf(g.labels, [...gp, 'labels'], where, errors, warnings);
    // `rules:` left empty (null) or left out is a group of no rules, as rulefmt decodes it.
    if (g.rules !== undefined && g.rules !== null && !Array.isArray(g.rules)) {
      errors.push(`${where([...gp, 'rules'])}: rules is a list`);
      return;
    }
    const rules = (g.rules ?? []).flatMap((r, ri) => {
      const rule = readRule(r, [...gp, 'rules', ri], where, errors, warnings);
      return rule ? [{ ...rule, labels: { ...groupLabels, ...rule.labels } }] : [];
    });
    groups.push({ name, intervalMs, queryOffsetMs, limit, rules, where: where(gp) });
  });
}

function labelsOf(
  v: unknown, path: PathSegment[], where: (p: readonly PathSegment[]) => string, errors: string[], warnings: string[],
): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    errors.push(`${where(path)}: labels is a mapping of names to values`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    // Prometheus 2.42 takes a legacy label name only; Prometheus 3 any UTF-8 text but none (rulefmt.go Validate:
    // nameValidationScheme.IsValidLabelName, UTF-8 by default in its configuration and in promtool check rules).
    if (k === '') errors.push(`${where(path)}: invalid label name "" (no Prometheus takes an empty one)`);
    // rulefmt Validate: a rule's or a group's labels may not set the series' name.
    else if (k === '__name__') errors.push(`${where([...path, k])}: invalid label name: __name__ (a rule's labels cannot rename its series; Prometheus refuses the file)`);
    else if (x !== null && typeof x === 'object') errors.push(`${where([...path, k])}: ${notText(x)}`);
    else if (String(x ?? '').includes('{{')) {
      // Prometheus parses label values as templates too (rulefmt testTemplateParsing): say so where it would refuse the file.
      const syntax = templateProblem(String(x))?.syntax;
      errors.push(`${where([...path, k])}: a templated label value is not supported (rehearse compares alerts by their labels)${syntax ? `; nor does any Prometheus parse this one (Go text/template syntax): ${syntax.reason} at column ${syntax.column}` : ''}`);
    }
    else {
      if (!LABEL_NAME.test(k)) warnings.push(`${where([...path, k])}: invalid label name ${JSON.stringify(k)} to Prometheus 2.42 (its promtool check rules refuses the file); Prometheus 3 takes UTF-8 label names and loads it: the label is kept`);
      out[k] = String(x ?? '');
    }
  }
  return out;
}

function readRule(
  r: unknown, path: PathSegment[], where: (p: readonly PathSegment[]) => string, errors: string[], warnings: string[],
): Omit<ParsedRule, 'labels'> & { labels: Record<string, string> } | null {
  if (!isObject(r)) {
    errors.push(`${where(path)}: a rule is a mapping with record or alert, and expr`);
    return null;
  }
  for (const k of Object.keys(r)) {
    if (!Object.hasOwn(RULE_FIELDS.rule, k)) errors.push(`${where([...path, k])}: field ${k} not found in a rule (Prometheus refuses it)`);
  }
  const record = typeof r.record === 'string' ? r.record : null;
  const alert = typeof r.alert === 'string' ? r.alert : null;
  // rulefmt.RuleNode.Validate's words.
  if ((record === null) === (alert === null)) {
    errors.push(`${where(path)}: ${record === null ? "one of 'record' or 'alert' must be set" : "only one of 'record' and 'alert' must be set"}`);
    return null;
  }
  if (record !== null && !METRIC_NAME.test(record)) recordName(record, where([...path, 'record']), errors, warnings);
  if (record !== null) {
    for (const k of ['for', 'keep_firing_for', 'annotations']) if (k in r) errors.push(`${where([...path, k])}: invalid field '${k}' in recording rule`);
  }
  // A list or a mapping is no expression: rulefmt decodes expr as a yaml.Node, whose Value is empty for them, and
  // promtool check rules (2.42) says so; String() made [x] the query x.
  if (r.expr === undefined || r.expr === null || typeof r.expr === 'object' || String(r.expr).trim() === '') {
    errors.push(`${where(path)}: field 'expr' must be set in rule`);
    return null;
  }
  if (isObject(r.annotations)) {
    if (alert !== null) annotationTemplates(r.annotations, [...path, 'annotations'], where, warnings, errors);
  } else if (r.annotations !== undefined && r.annotations !== null) errors.push(`${where([...path, 'annotations'])}: annotations is a mapping of names to texts`);
  const duration = (key: string): number => (r[key] === undefined ? 0 : modelDuration(r[key], () => where([...path, key]), errors));
  const forMs = duration('for');
  const keepFiringForMs = duration('keep_firing_for');
  const labels = labelsOf(r.labels, [...path, 'labels'], where, errors, warnings);
  const query = String(r.expr);
  let expr: Expr | null = null;
  let error: string | null = null;
  try {
    expr = parsePromQL(query);
    const fails = failsEveryEvaluationWarning(expr, alert !== null ? 'the rule\'s health is err and the alert never fires' : 'the rule\'s health is err and it records nothing');
    for (const w of [...newerSyntaxWarnings(query), fails]) if (w) warnings.push(`${where([...path, 'expr'])}: ${w}`);
    const type = resultType(expr);
    if (type !== 'vector' && type !== 'scalar') {
      error = `a rule's query gives an instant vector or a scalar, not a ${type === 'matrix' ? 'range vector' : type}`;
      expr = null;
    }
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    error = e.message;
    // A query Prometheus cannot parse fails the whole file there (promtool check rules: "could not parse
    // expression"); one rehearse does not evaluate is only this rule's concern.
    const invalid = e.problems.filter((p) => p.invalid);
    if (invalid.length) errors.push(`${where([...path, 'expr'])}: could not parse expression: ${describeProblems(query, invalid)} (Prometheus refuses the file)`);
  }
  return {
    kind: record !== null ? 'record' : 'alert', name: (record ?? alert)!, query, expr, error, forMs, keepFiringForMs, labels,
    where: where(path),
  };
}

/**
 * A recording rule's name that is no Prometheus 2 metric name. Prometheus 3 validates names as UTF-8
 * (prometheus/prometheus v3.9.1 model/rulefmt/rulefmt.go Rule.Validate: nameValidationScheme.IsValidMetricName, and
 * cmd/promtool/main.go CheckRules with model.UTF8Validation; v3.0.0 the same through model.NameValidationScheme), so
 * `http.requests:rate5m` loads there and is warned, as promtool 2.42 refuses it; with braces, 3.2 and later refuse it
 * too. An empty name or one that is not valid UTF-8 no Prometheus takes.
 */
function recordName(record: string, at: string, errors: string[], warnings: string[]): void {
  if (record === '' || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(record)) errors.push(`${at}: invalid recording rule name: ${record}`);
  else if (/[{}]/.test(record)) errors.push(`${at}: braces present in the recording rule name; should it be in expr?: ${record} (Prometheus 3.2 and later refuse it in these words, 2.42 as an invalid recording rule name)`);
  else warnings.push(`${at}: invalid recording rule name: ${record} to Prometheus 2.42 (its promtool check rules refuses the file); Prometheus 3 takes UTF-8 metric names (promtool check rules 3.x validates them as UTF-8) and loads it: the rule is kept, its series read in PromQL as {${JSON.stringify(record)}} (Prometheus 3's syntax) or {__name__=${JSON.stringify(record)}}`);
}

/**
 * Prometheus parses an alerting rule's annotations as Go templates and refuses the file when one does not parse
 * (rulefmt testTemplateParsing); templates.ts parses them as Go does. A syntax error (an undefined variable
 * among them) is refused, as every Prometheus refuses it; a function Prometheus 2.42 lacks, or `{{else with}}`,
 * is warned: a later Prometheus may supply it, and rehearse reads no annotation.
 */
function annotationTemplates(annotations: Record<string, unknown>, path: PathSegment[], where: (p: readonly PathSegment[]) => string, warnings: string[], errors: string[]): void {
  for (const [k, v] of Object.entries(annotations)) {
    if (v !== null && typeof v === 'object') errors.push(`${where([...path, k])}: ${notText(v)}`);
    // Prometheus 2.x takes a label name (model.LabelName IsValid); Prometheus 3 any UTF-8 text but none.
    if (k === '') errors.push(`${where([...path, k])}: invalid annotation name: (empty; Prometheus refuses the file)`);
    else if (!LABEL_NAME.test(k)) warnings.push(`${where([...path, k])}: invalid annotation name: ${k} to Prometheus 2.42 (its promtool check rules refuses the file); Prometheus 3 takes UTF-8 names (rehearse reads no annotation)`);
    if (typeof v !== 'string') continue;
    const p = templateProblem(v);
    if (!p) continue;
    const place = (q: { line: number; column: number }) => (v.includes('\n') ? `line ${q.line}, column ${q.column}` : `column ${q.column}`);
    const shown = v.length > 200 ? `${JSON.stringify(v.slice(0, 200))}... (${v.length} characters)` : JSON.stringify(v);
    if (p.syntax) errors.push(`${where([...path, k])}: a template no Prometheus parses (Go text/template syntax; promtool check rules refuses the file and Prometheus loads none of it): ${p.syntax.reason} at ${place(p.syntax)} of ${shown}`);
    else warnings.push(`${where([...path, k])}: a template Prometheus 2.42 does not parse (its promtool check rules refuses the file): ${p.reason} at ${place(p)} of ${shown}; a Prometheus that defines the name reads it (rehearse reads no annotation)`);
  }
}
