/**
 * A rule group's `query_offset` (Prometheus 2.53 and later; prometheus/prometheus at v3.14.0, d15adb9a):
 * rules/recording.go RecordingRule.Eval and rules/alerting.go AlertingRule.Eval query at `ts.Add(-queryOffset)`
 * and stamp their samples (ALERTS, ALERTS_FOR_STATE, the recorded series) with that time, rules/group.go writes
 * staleness markers there too; an alert's ActiveAt, its `for` and its `keep_firing_for` count from `ts`, the
 * evaluation's own time. So an alert over a series fires `query_offset` later than without it.
 */
import { describe, expect, it } from 'vitest';
import { readRuleFile, RULE_FIELDS } from '../src/interop/prometheus/rules.js';
import { RuleEngine } from '../src/promql/rules.js';
import { InputSeries } from './promtool.js';

const MIN = 60_000;
const file = (offset: string) => `groups:
  - name: g
    interval: 1m
${offset ? `    query_offset: ${offset}\n` : ''}    rules:
      - record: job:errors:max
        expr: max(errors)
      - alert: Errors
        expr: job:errors:max > 0
        for: 2m
`;

/** When Errors first fires and where the recorded series steps to 1, over `errors` 0 for 5 minutes, then 1. */
function run(offset: string) {
  const r = readRuleFile(file(offset), 'r.yaml');
  const input = new InputSeries();
  input.add({ __name__: 'errors', job: 'a' }, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], MIN);
  const engine = new RuleEngine(r.groups.map((g) => ({ ...g, file: 'r.yaml', intervalMs: g.intervalMs!, rules: g.rules.map((x) => ({ ...x, expr: x.expr! })) })), input, 0);
  let firedAt: number | null = null;
  for (let t = 0; t <= 15 * MIN && firedAt === null; t += MIN) {
    engine.advance(t);
    if (engine.alerts('Errors', null).some((a) => a.state === 'firing')) firedAt = t / MIN;
  }
  const [recorded] = engine.series('job:errors:max');
  const steps = Array.from({ length: recorded.length }, (_, i) => [recorded.time(i) / MIN, recorded.value(i)]);
  return { warnings: r.warnings, firedAt, firstOne: steps.find(([, v]) => v === 1), times: steps.slice(0, 3).map(([t]) => t) };
}

describe('a rule group\'s query_offset', () => {
  it('is modelled, not warned', () => {
    expect(RULE_FIELDS.group.query_offset.kind).toBe('modelled');
    expect(run('2m').warnings).toEqual([]);
  });

  it('delays what the rules read by the offset: the alert fires 2 minutes later, the recorded samples are stamped 2 minutes back', () => {
    const plain = run('');
    expect(plain.firedAt).toBe(7);
    expect(plain.firstOne).toEqual([5, 1]);
    const offset = run('2m');
    expect(offset.firedAt).toBe(9);
    // Evaluated at 7m, read at 5m: the sample is 5m's, written at 5m.
    expect(offset.firstOne).toEqual([5, 1]);
    // The evaluations at 0m and 1m read before the series begins and record nothing; 2m's is stamped 0m.
    expect(offset.times).toEqual([0, 1, 2]);
    expect(plain.times).toEqual([0, 1, 2]);
  });

  it('is a duration as Prometheus reads one', () => {
    const refused = (v: string) => {
      try {
        readRuleFile(file(v), 'r.yaml');
        return [];
      } catch (e) {
        return (e as { lines: string[] }).lines;
      }
    };
    expect(refused('2m')).toEqual([]);
    expect(refused('-1m')[0]).toMatch(/^r\.yaml:4:19: groups\[0\]\.query_offset: /);
  });
});
