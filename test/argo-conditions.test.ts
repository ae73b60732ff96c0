/**
 * The condition language against Argo Rollouts' own test vectors (test/fixtures/vendor/argo/evaluate-vectors.json,
 * transcribed from argoproj/argo-rollouts utils/evaluate/evaluate_test.go and
 * metricproviders/prometheus/prometheus_test.go): EvaluateResult's phase for success and failure conditions,
 * EvalCondition's value or error, and the helpers of its environment (asInt, asFloat, isInf, default, isNil).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConditionError, ConditionSyntaxError, evalCondition, measurementPhase, parseCondition, type CondValue } from '../src/lang/condition.js';

const vectors = JSON.parse(readFileSync('test/fixtures/vendor/argo/evaluate-vectors.json', 'utf8'));

/** The JSON encoding of the vectors: {"nan":true} is NaN, {"inf":1} is +Inf. */
function decode(v: unknown): CondValue {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (o.nan === true) return NaN;
    if (typeof o.inf === 'number') return o.inf * Infinity;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  if (Array.isArray(v)) return v.map(decode);
  return v as CondValue;
}

/** EvaluateResult as Argo runs it: a condition that does not compile is an Error measurement too. */
function evaluateResult(result: CondValue, success: string, failure: string) {
  const compiled = [];
  for (const [which, text] of [['successCondition', success], ['failureCondition', failure]]) {
    try {
      compiled.push(text ? parseCondition(text) : null);
    } catch (e) {
      if (e instanceof ConditionSyntaxError) return { phase: 'Error', error: `could not evaluate ${which} "${text}": ${e.reason}` };
      throw e;
    }
  }
  return measurementPhase(result, compiled[0], compiled[1]);
}

/** EvalCondition: the value, or an error (syntax or evaluation). */
function evalText(text: string, result: CondValue): { value: boolean } | { error: string } {
  try {
    return { value: evalCondition(parseCondition(text), result) };
  } catch (e) {
    if (e instanceof ConditionSyntaxError || e instanceof ConditionError) return { error: e.message };
    throw e;
  }
}

describe('conditions as Argo Rollouts evaluates them (its own test vectors)', () => {
  it.each(vectors.evaluateResult.map((v: Record<string, unknown>) => [v.test, v]) as [string, any][])('%s', (_, v) => {
    const r = evaluateResult(decode(v.result), v.successCondition, v.failureCondition);
    expect(r.phase).toBe(v.phase);
    for (const part of (v.errorContains ?? []) as string[]) {
      // Argo's messages name the condition and say when the result is nil or empty.
      expect(r.error).toContain(part);
    }
  });

  it.each(vectors.evalCondition.map((v: Record<string, unknown>) => [v.test, v]) as [string, any][])('%s', (_, v) => {
    const r = evalText(v.condition, decode(v.result));
    if ('value' in v) expect(r).toEqual({ value: v.value });
    else {
      expect(r).toHaveProperty('error');
      if (typeof v.error === 'string') expect((r as { error: string }).error).toContain(v.error);
      if (v.errorRegexp) expect((r as { error: string }).error).toMatch(new RegExp(v.errorRegexp));
    }
  });

  const helperCondition: Record<string, (c: Record<string, unknown>) => [string, CondValue]> = {
    asInt: (c) => ['asInt(result) == asInt(result)', decode(c.in)],
    asFloat: (c) => ['asFloat(result) == asFloat(result)', decode(c.in)],
    isInf: (c) => [`isInf(result) == ${c.out}`, decode(c.in)],
  };
  it.each(vectors.helpers.flatMap((h: Record<string, unknown>) => (h.cases as Record<string, unknown>[]).map((c, i) => [`${h.test} [${i}]`, h.fn, c])) as [string, string, any][])('%s', (_, fn, c) => {
    if (fn === 'asInt' || fn === 'asFloat' || fn === 'isInf') {
      const [text, result] = helperCondition[fn](c);
      const r = evalText(text, result);
      if (c.panics) expect(r).toHaveProperty('error');
      else expect(r).toEqual({ value: true });
      if (fn !== 'isInf' && !c.panics) expect(evalText(`${fn}(result) == ${c.out}`, result)).toEqual({ value: true });
    } else if (String(fn).startsWith('default')) {
      // default(x, d) returns d when the whole result is nil, else the result (x is not looked at).
      expect(evalText(`default(nil, ${c.d}) == ${c.out}`, decode(c.result))).toEqual({ value: true });
    } else if (String(fn).startsWith('isNil(')) {
      expect(evalText(`isNil(result) == ${c.out}`, decode(c.result))).toEqual({ value: true });
    } else {
      // isNilOrEmpty decides the message "metric result is nil or empty" (an empty list or nil).
      const r = evaluateResult(decode(c.in), 'result[0] == 1', '');
      if (c.out) expect(r.error ?? '').toContain('metric result is nil or empty');
      else expect(r.error ?? '').not.toContain('metric result is nil or empty');
    }
  });

  it('reads what the other providers return: members, indexes, strings, filter, map, count', () => {
    const web = { major: '1', minor: '2', checks: [{ ok: true, ms: 120 }, { ok: false, ms: 900 }], 'average.duration': 0.4 };
    const cases: [string, boolean | 'error'][] = [
      ['result.major == "1" && asInt(result.minor) >= 2', true],
      ['result["average.duration"] < 0.5', true],
      ['len(filter(result.checks, .ok)) == 1', true],
      ['all(map(result.checks, #.ms), # < 1000)', true],
      ['count(result.checks, !#.ok) == 1', true],
      ['any(result.checks, .ms > 500) and none(result.checks, .ms > 5000)', true],
      ['result.missing == nil', true],
      ['result?.missing?.deeper == nil', true],
      ['result.missing.deeper == nil', 'error'],
      ['"eu" in ["us", "eu"] && "ajor" not in result', true],
      ['result.major startsWith "1" ? true : false', true],
    ];
    for (const [text, want] of cases) {
      const r = evalText(text, web as unknown as CondValue);
      if (want === 'error') expect(r, text).toHaveProperty('error');
      else expect(r, text).toEqual({ value: want });
    }
  });

  it('binds unary operators as expr-lang does: !a == b is (!a) == b', () => {
    expect(evalText('!true == false', null)).toEqual({ value: true });
    expect(evalText('not false and true', null)).toEqual({ value: true });
    expect(evalText('-2 ** 2 == -4', null)).toEqual({ value: true });
    expect(evalText('2 ** 3 ** 2 == 512', null)).toEqual({ value: true });
  });
});
