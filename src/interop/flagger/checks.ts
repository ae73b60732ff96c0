/**
 * A Canary's metrics as checks, as scheduler_metrics.go runs them (fluxcd/flagger): a metric named
 * request-success-rate or request-duration is the builtin query of the observer, an inline `query` runs as it is,
 * and a templateRef renders its MetricTemplate's query with the model (name, namespace, target, service,
 * ingress, route, interval: the metric's, 1m by default, and templateVariables). The value is the last sample of
 * the answer; none, or NaN, fails the check. With thresholdRange the check fails below min or above max; without
 * one (the v1alpha3 form) `threshold` is a minimum for request-success-rate and a maximum otherwise. A duration
 * is compared in whole milliseconds, as Flagger converts it (`time.Duration(int64(value)) * time.Millisecond`;
 * the http observer's value is in seconds and multiplied by 1000 first).
 */
import { parseCondition } from '../../lang/condition.js';
import { parsePromQL, PromQLError } from '../../lang/promql.js';
import { failsEveryEvaluationWarning, readsAheadWarning } from '../../lang/promql-tree.js';
import { newerSyntaxWarnings } from '../../lang/promql-versions.js';
import type { PlanCheck } from '../../scenario/types.js';
import { crdNumber, get, where as placeOf, type Path, type Resource } from '../kube/resources.js';
import { durationScale, encodesModel, QUERIES, type Observer } from './observers.js';
import { renderQuery, RenderError, trimQuery, type QueryModel } from './render.js';
import { withArticle } from '../../units/article.js';
import { quoted, quotedList } from '../../units/escape.js';

const NO_FILTER = { service: null, endpoint: null, journey: null, flagOn: null, segment: null, failed: null };
const BUILTIN = ['request-success-rate', 'request-duration'] as const;

export interface ChecksContext {
  readonly canary: Resource;
  readonly analysis: unknown;
  readonly analysisPath: Path;
  readonly templates: readonly Resource[];
  readonly model: Omit<QueryModel, 'interval' | 'variables'>;
  readonly observer: Observer;
  problem(r: Resource, path: Path, message: string): void;
  warn(r: Resource, path: Path, message: string): void;
}

/** A number as a condition literal. */
const lit = (x: number) => (Number.isFinite(x) ? String(x) : 'nil');

export function readChecks(ctx: ChecksContext): { checks: PlanCheck[]; builtinUsed: boolean } {
  const cn = ctx.canary;
  const checks: PlanCheck[] = [];
  let builtinUsed = false;
  const unplaced = new Set<Resource>();
  const metrics = get(ctx.analysis, 'metrics');
  (Array.isArray(metrics) ? metrics : []).forEach((m, i) => {
    const mp: Path = [...ctx.analysisPath, 'metrics', i];
    const name = String(get(m, 'name') ?? '');
    const interval = String(get(m, 'interval') ?? '1m'); // GetMetricInterval
    const vars = get(m, 'templateVariables');
    const model: QueryModel = {
      ...ctx.model, interval,
      variables: Object.fromEntries(Object.entries(vars && typeof vars === 'object' ? vars : {}).map(([k, v]) => [k, String(v)])),
    };
    // Numbers in the CRD (float64): text or true is refused, as the API server refuses it.
    const numberAt = (...path: string[]): number | undefined => {
      const n = crdNumber(get(m, ...path), false);
      if (n === null) ctx.problem(cn, [...mp, ...path], `${path.join('.')} is a number`);
      return n ?? undefined;
    };
    const min = numberAt('thresholdRange', 'min');
    const max = numberAt('thresholdRange', 'max');
    const ranged = get(m, 'thresholdRange') !== undefined;
    const threshold = numberAt('threshold') ?? 0;
    // `written` is where the query's text is: the Canary's metric, or the MetricTemplate's spec.query.
    const add = (query: string, where: Path, kind: 'success-rate' | 'duration' | 'custom', source: string, written: [Resource, Path] = [cn, where]) => {
      let expr;
      try {
        expr = parsePromQL(query);
      } catch (e) {
        if (!(e instanceof PromQLError)) throw e;
        // Where its text is written: a MetricTemplate's query is refused at its spec.query, rendered for this metric.
        if (written[0] === cn) ctx.problem(cn, where, e.message);
        else ctx.problem(written[0], written[1], `as the Canary's metric ${quoted(name)} (${placeOf(cn, mp)}) renders it: ${e.message}`);
        return;
      }
      const ahead = readsAheadWarning(expr, 'the check runs at', 'every check finds no data, which Flagger fails ("no values found")');
      // A MetricTemplate's query is said at its spec.query, with the Canary's metric that renders it.
      const rendered = written[0] === cn ? '' : `as the Canary's metric ${quoted(name)} (${placeOf(cn, mp)}) renders it: `;
      if (ahead) ctx.warn(written[0], written[1], `${rendered}${ahead}`);
      const fails = failsEveryEvaluationWarning(expr, 'every check fails, as Flagger fails a query the provider answers with an error');
      for (const w of [...newerSyntaxWarnings(query, 'refuses the query, and every check fails'), fails]) if (w) ctx.warn(written[0], written[1], `${rendered}${w}`);
      // The value as Flagger compares it, and the bounds.
      const scale = durationScale(ctx.observer);
      const value = kind === 'duration' ? (scale === 1 ? 'asInt(result)' : `asInt(result * ${scale})`) : 'result';
      const bound = (x: unknown) => (kind === 'duration' ? Math.trunc(Number(x)) : Number(x));
      const conditions = ranged
        ? [min !== undefined ? `${value} >= ${lit(bound(min))}` : '', max !== undefined ? `${value} <= ${lit(bound(max))}` : '']
        : [kind === 'success-rate' ? `${value} >= ${lit(threshold)}` : `${value} <= ${lit(bound(threshold))}`];
      const text = conditions.filter(Boolean).join(' && ') || 'true';
      checks.push({
        name,
        min: ranged ? (min === undefined ? null : Number(min)) : kind === 'success-rate' ? threshold : null,
        max: ranged ? (max === undefined ? null : Number(max)) : kind === 'success-rate' ? null : threshold,
        gate: { kind: 'promql', source, query, expr, success: parseCondition(text), failure: null, result: 'first', filter: NO_FILTER, origin: `canary ${ctx.model.target}: ${name}` },
      });
    };
    let used = false;
    if ((BUILTIN as readonly string[]).includes(name)) {
      // runBuiltinMetricChecks, with the observer's own template and model.
      used = true;
      builtinUsed = true;
      const encoded = encodesModel(ctx.observer) ? encode(model) : model;
      add(trimQuery(renderQuery(QUERIES[ctx.observer][name as (typeof BUILTIN)[number]], encoded)), mp, name === 'request-duration' ? 'duration' : 'success-rate', `${ctx.observer}/${name}`);
    }
    const inline = get(m, 'query');
    if (typeof inline === 'string' && inline !== '') {
      used = true;
      add(trimQuery(inline), [...mp, 'query'], 'custom', name);
    }
    const ref = get(m, 'templateRef');
    if (ref !== undefined) {
      used = true;
      const tname = String(get(ref, 'name') ?? '');
      // scheduler_metrics.go: templateRef.namespace, when set (not ""), else the Canary's namespace.
      const rawNs = get(ref, 'namespace');
      const tns = rawNs === undefined || rawNs === null || rawNs === '' ? ctx.model.namespace : String(rawNs);
      const tpl = ctx.templates.find((t) => t.name === tname && String(get(t.value, 'metadata', 'namespace') ?? tns) === tns);
      // A MetricTemplate without a namespace goes where kubectl applies it (its context's namespace, or -n):
      // rehearse takes it to be where the templateRef looks, and says so.
      if (tpl && get(tpl.value, 'metadata', 'namespace') === undefined && !unplaced.has(tpl)) {
        unplaced.add(tpl);
        ctx.warn(tpl, ['metadata'], `metadata.namespace: none: the API server puts it in the namespace it is applied to (kubectl's context, or -n); rehearse takes it to be in ${quoted(tns)}, where the templateRef of ${quoted(name)} (${placeOf(cn, [...mp, 'templateRef'])}) looks`);
      }
      if (!tpl) {
        const known = ctx.templates.map((t) => `${t.name}.${String(get(t.value, 'metadata', 'namespace') ?? '')}`);
        ctx.problem(cn, [...mp, 'templateRef', 'name'], `no MetricTemplate ${quoted(tname)} in namespace ${quoted(tns)} in the files given${known.length ? ` (found ${quotedList(known)})` : ''}`);
        return;
      }
      const type = String(get(tpl.value, 'spec', 'provider', 'type') ?? 'prometheus');
      if (type !== 'prometheus') {
        ctx.warn(tpl, ['spec', 'provider', 'type'], `${withArticle(type)} provider is not simulated: the check ${quoted(name)} (${placeOf(cn, mp)}) is not measured (it passes)`);
        return;
      }
      try {
        add(trimQuery(renderQuery(String(get(tpl.value, 'spec', 'query') ?? ''), model)), [...mp, 'templateRef'], 'custom', name, [tpl, ['spec', 'query']]);
      } catch (e) {
        if (!(e instanceof RenderError)) throw e;
        ctx.problem(tpl, ['spec', 'query'], `as the Canary's metric ${quoted(name)} (${placeOf(cn, mp)}) renders it: ${e.message}`);
      }
    }
    if (!used) ctx.warn(cn, mp, `${quoted(name)} is neither a builtin metric nor has a query or templateRef: Flagger runs no check for it`);
  });
  return { checks, builtinUsed };
}

/** skipper.go encodeModelForSkipper: non-word characters as underscores, for Skipper's route names. */
function encode(m: QueryModel): QueryModel {
  const w = (s: string) => s.replace(/\W/g, '_');
  return { ...m, name: w(m.name), namespace: w(m.namespace), target: w(m.target), service: w(m.service), ingress: w(m.ingress) };
}
