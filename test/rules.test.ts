/**
 * Prometheus rule files: read as Prometheus reads them (rule groups, PrometheusRule resources, Sloth's and
 * kube-prometheus' files), evaluated as Prometheus 2.42 evaluates them (promtool's own unit-test file and
 * vectors that promtool passes, run through rehearse's rule engine), and resolved against a scenario's gates
 * (alert names, families no one writes).
 */
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { parse } from 'yaml';
import { readRuleFile, RULE_FIELDS } from '../src/interop/prometheus/rules.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { RuleEngine } from '../src/promql/rules.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { PROMTOOL, prometheusAvailable } from './prometheus.js';
import { InputSeries, promtool, runThroughRehearse } from './promtool.js';

const root = new URL('..', import.meta.url).pathname;
const vendor = (p: string) => join(root, 'test/fixtures/vendor', p);
const VECTORS = join(root, 'test/fixtures/promtool-vectors');
const available = prometheusAvailable();
const read = (file: string) => readRuleFile(readFileSync(file, 'utf8'), file);
const refusal = (text: string, file = 'r.yml') => {
  try {
    readRuleFile(text, file);
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  return [];
};

describe('rule engine against promtool test rules', () => {
  // prometheus/prometheus cmd/promtool/testdata/unittest.yml: Prometheus' own unit test of promtool (staleness,
  // lookback, timestamps of recorded series, ALERTS, for:), and vectors of set operators, label functions,
  // absent, clamp, for: 3m and keep_firing_for that promtool passes.
  const files = [vendor('promtool/unittest.yml'), join(VECTORS, 'test.yml')];

  it.skipIf(!available)('promtool passes the test files', () => {
    for (const f of files) expect(promtool(f).output, f).toContain('SUCCESS');
  }, 120_000);

  it('rehearse gives every expected sample and firing alert of the same files', () => {
    for (const f of files) expect(runThroughRehearse(f), f).toEqual([]);
  });

  it('a group limit fails the rule, with promtool\'s message', () => {
    const { groups } = readRuleFile(readFileSync(join(VECTORS, 'limit-rules.yml'), 'utf8'), 'limit-rules.yml');
    const input = new InputSeries();
    input.add({ __name__: 'a', job: 'x' }, [1, 1], 60_000);
    input.add({ __name__: 'a', job: 'y' }, [2, 2], 60_000);
    const engine = new RuleEngine(groups.map((g) => ({ ...g, file: 'limit-rules.yml', intervalMs: 60_000, rules: g.rules.map((r) => ({ ...r, expr: r.expr! })) })), input, 0);
    engine.advance(0);
    expect(engine.allErrors()).toEqual(['limit-rules.yml:5:9: groups[0].rules[0]: exceeded limit of 1 with 2 series']);
    expect(engine.series('per_job:a')).toEqual([]);
    if (available) expect(promtool(join(VECTORS, 'limit-test.yml')).output).toContain('err: exceeded limit of 1 with 2 series');
  });
});

describe('reading rule files', () => {
  it('has a disposition for every field of a rule group and a rule in the PrometheusRule schema', () => {
    // prometheus-operator/prometheus-operator example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml
    const crd = parse(readFileSync(vendor('prometheus-operator/monitoring.coreos.com_prometheusrules.yaml'), 'utf8'));
    const group = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.groups.items;
    const groupFields = Object.keys(group.properties);
    const ruleFields = Object.keys(group.properties.rules.items.properties);
    expect(groupFields.filter((f) => !Object.hasOwn(RULE_FIELDS.group, f))).toEqual([]);
    expect(ruleFields.filter((f) => !Object.hasOwn(RULE_FIELDS.rule, f))).toEqual([]);
    expect(groupFields.length + ruleFields.length).toBe(14);
  });

  it('reads Sloth\'s generated rules as plain groups and as a PrometheusRule', () => {
    for (const f of ['sloth/_gen/getting-started.yml', 'sloth/_gen/k8s-getting-started.yml']) {
      const parts = read(vendor(f));
      expect(parts.groups.map((g) => g.name)).toEqual([
        'sloth-slo-sli-recordings-myservice-requests-availability', 'sloth-slo-meta-recordings-myservice-requests-availability', 'sloth-slo-alerts-myservice-requests-availability',
      ]);
      // `promtool check rules` reports 17 rules; every query is one rehearse evaluates.
      expect(parts.groups.flatMap((g) => g.rules).length).toBe(17);
      expect(parts.groups.flatMap((g) => g.rules).filter((r) => r.error !== null)).toEqual([]);
      expect(parts.warnings).toEqual([]);
    }
  });

  it('reads kube-prometheus\' PrometheusRule: for:, upper-case BY/ON/GROUP_LEFT(), unless on(...), changes()', () => {
    const rules = read(vendor('kube-prometheus/kubePrometheus-prometheusRule.yaml')).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => [r.kind, r.name, r.forMs, r.error])).toEqual([
      ['alert', 'TargetDown', 600_000, null], ['alert', 'Watchdog', 0, null], ['alert', 'InfoInhibitor', 0, null],
      ['alert', 'NodeNetworkInterfaceFlapping', 120_000, null],
      ...['instance:node_cpu:rate:sum', 'instance:node_network_receive_bytes:rate:sum', 'instance:node_network_transmit_bytes:rate:sum',
        'instance:node_cpu:ratio', 'cluster:node_cpu:sum_rate5m', 'cluster:node_cpu:ratio', 'count:up1', 'count:up0'].map((n) => ['record', n, 0, null]),
    ]);
  });

  it('refuses what is not rules, and what Prometheus refuses, with file:line:column and path', () => {
    expect(refusal(readFileSync(vendor('pyrra/apiserver-request-errors.yaml'), 'utf8'), 'slo.yaml')[0])
      .toBe('slo.yaml:1:1: a Pyrra ServiceLevelObjective, not rules: name the rules Pyrra generates from it (pyrra generate, or the PrometheusRule its operator writes)');
    expect(refusal(readFileSync(vendor('sloth/getting-started.yml'), 'utf8'), 'slo.yml')).toEqual([
      'slo.yml:1:1: a Sloth SLO spec, not rules: name the rules Sloth generates from it (sloth generate -i slo.yml)',
    ]);
    expect(refusal('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        severity: page\n')).toEqual([
      'r.yml:6:19: groups[0].rules[0].severity: field severity not found in a rule (Prometheus refuses it)',
    ]);
    expect(refusal('groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n        for: 5m\n      - expr: up\n')).toEqual([
      'r.yml:6:14: groups[0].rules[0].for: invalid field \'for\' in recording rule', 'r.yml:7:9: groups[0].rules[1]: one of \'record\' or \'alert\' must be set',
    ]);
    expect(refusal('groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n')).toEqual(['r.yml:4:11: groups[1].name: group name "g" is repeated in the same file']);
  });

  // model/rulefmt/rulefmt.go Parse (2.42): the first document decoded into RuleGroups with KnownFields, io.EOF
  // ignored: an empty file, null and {} hold no groups, `groups:` and `rules:` left empty are none, and promtool
  // says "SUCCESS: 0 rules found". Files like these are in the wild: 120 of monitoring-mixins/website's
  // assets/*/rules.yaml are {} or null, samber/awesome-prometheus-alerts' dist/rules/zookeeper/
  // cloudflare-kafka-zookeeper-exporter.yml has a group whose rules: is empty.
  const EMPTY: [string, string | null][] = [
    ['', 'r.yml: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")'],
    ['null\n', 'r.yml: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")'],
    ['{}\n', 'r.yml: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")'],
    ['---\n', 'r.yml: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")'],
    ['# only a comment\n', 'r.yml: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")'],
    ['groups:\n', 'r.yml: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")'],
    ['groups: []\n', 'r.yml: no rule groups: Prometheus loads the file with no rules (promtool check rules: "0 rules found")'],
    ['groups:\n  - name: g\n    rules:\n', null],
    ['groups:\n  - name: g\n', null],
  ];
  const REFUSED: [string, string][] = [
    ['kind: Deployment\n', 'r.yml: no rule groups (expected groups: or PrometheusRule resources); it holds Deployment'],
    ['groups: {}\n', 'r.yml:1:9: groups: groups is a list of rule groups'],
    ['groups:\n  - name: g\n    rules: {}\n', 'r.yml:3:12: groups[0].rules: rules is a list'],
    ['groups:\n  - name: g\n    rules:\n  - name: g\n', 'r.yml:4:11: groups[1].name: group name "g" is repeated in the same file'],
    // rulefmt's and model.ParseDuration's words.
    ['groups:\n  - rules: []\n', 'r.yml:2:5: groups[0]: Groupname must not be empty'],
    ['groups:\n  - name: g\n    rules:\n      - record: a\n        alert: A\n        expr: up\n', "r.yml:4:9: groups[0].rules[0]: only one of 'record' and 'alert' must be set"],
    ['groups:\n  - name: g\n    interval: abc\n    rules: []\n', 'r.yml:3:15: groups[0].interval: not a valid duration string: "abc"'],
  ];

  it('loads a file or a group with nothing in it, as Prometheus does, and says so', () => {
    for (const [text, warned] of EMPTY) {
      const parts = readRuleFile(text, 'r.yml');
      expect(parts.warnings, JSON.stringify(text)).toEqual(warned ? [warned] : []);
      expect(parts.groups.flatMap((g) => g.rules), JSON.stringify(text)).toEqual([]);
    }
    expect(readRuleFile('groups:\n  - name: g\n    rules:\n', 'r.yml').groups.map((g) => g.name)).toEqual(['g']);
    for (const [text, said] of REFUSED) expect(refusal(text), JSON.stringify(text)).toEqual([said]);
  });

  // rulefmt.Parse decodes one document: promtool finds 1 rule in this file, and does not parse the second query.
  const TWO_DOCUMENTS = 'groups:\n- name: a\n  rules:\n  - record: r\n    expr: up\n---\ngroups:\n- name: b\n  rules:\n  - record: s\n    expr: up(\n';

  it('reads the first document of a rule file of groups, as Prometheus does, and warns of the others', () => {
    const parts = readRuleFile(TWO_DOCUMENTS, 'r.yml');
    expect(parts.groups.map((g) => g.name)).toEqual(['a']);
    expect(parts.warnings).toEqual(['r.yml:7:1: not read: Prometheus reads the first YAML document of a rule file only']);
  });

  // kube-prometheus' kubernetesControlPlane rules record code_verb:apiserver_request_total:increase1h four times
  // (one query per code class): promtool says "1 duplicate rule(s) found" and exits 0 (a lint, not fatal).
  const DUPLICATES = 'groups:\n- name: a\n  rules:\n  - record: r\n    expr: up\n  - record: r\n    expr: up\n- name: b\n  rules:\n  - record: r\n    expr: up\n  - record: r\n    expr: up\n    labels: { x: y }\n';

  it('warns of rules of one name and labels, as promtool lints them, and loads them', () => {
    const parts = readRuleFile(DUPLICATES, 'r.yml');
    expect(parts.groups.flatMap((g) => g.rules).length).toBe(4);
    expect(parts.warnings).toEqual(['r.yml:6:5: groups[0].rules[1]: duplicate rule: r with the labels of r.yml:4:5: groups[0].rules[0] (promtool check rules lints it: "might cause inconsistency while recording expressions"; Prometheus loads both)']);
  });

  it.skipIf(!available)('promtool check rules loads each of those empty files and refuses the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-rule-empty-'));
    try {
      for (const [text, ok] of [...EMPTY.map(([t]) => [t, true] as const), ...REFUSED.map(([t]) => [t, false] as const)]) {
        const file = join(dir, 'r.yml');
        writeFileSync(file, text);
        const r = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
        expect(r.status === 0, `${JSON.stringify(text)}: ${r.stdout}${r.stderr}`).toBe(ok);
        if (ok) expect(r.stdout).toContain('SUCCESS: 0 rules found');
      }
      writeFileSync(join(dir, 'r.yml'), DUPLICATES);
      const lint = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8' });
      expect([lint.status, `${lint.stdout}${lint.stderr}`]).toEqual([0, expect.stringContaining('1 duplicate rule(s) found')]);
      writeFileSync(join(dir, 'r.yml'), TWO_DOCUMENTS);
      expect(spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8' }).stdout).toContain('SUCCESS: 1 rules found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // prometheus/common model/time.go ParseDuration ("0" without a unit; "duration out of range" past Go's
  // time.Duration) and rulefmt.RuleGroup.Limit (an int: 1e300 does not unmarshal; a negative one is no limit).
  const GROUP_FIELDS: [string, string, RegExp | null][] = [
    ['interval: 99999999999999999999h', 'for: 1m', /^r\.yml:3:15: groups\[0\]\.interval: duration out of range: "99999999999999999999h"/],
    ['interval: 1m', 'for: 300y', /^r\.yml:7:14: groups\[0\]\.rules\[0\]\.for: duration out of range: "300y"/],
    ['interval: 1m', 'keep_firing_for: 293y', /^r\.yml:7:26: groups\[0\]\.rules\[0\]\.keep_firing_for: duration out of range: "293y"/],
    ['limit: 1e300', 'for: 1m', /^r\.yml:3:12: groups\[0\]\.limit: limit is a whole number \(Prometheus refuses 1e\+300\)/],
    ['limit: "5"', 'for: 1m', /^r\.yml:3:12: groups\[0\]\.limit: limit is a whole number \(Prometheus refuses "5"\)/],
    ['limit: -1', 'for: 1m', null],
    ['interval: 0s', 'for: "0"', null],
    ['interval: "0"', 'for: 292y', null],
  ];
  const groupFile = (group: string, rule: string) => `groups:\n  - name: g\n    ${group}\n    rules:\n      - alert: A\n        expr: up == 0\n        ${rule}\n`;

  it('reads durations and limits of groups and rules as Prometheus does: 300y, 1e300 and 20 digits are refused, "0" and a negative limit are not', () => {
    for (const [group, rule, refused] of GROUP_FIELDS) {
      const said = refusal(groupFile(group, rule));
      if (refused) expect(said, `${group} ${rule}`).toEqual([expect.stringMatching(refused)]);
      else expect(said, `${group} ${rule}`).toEqual([]);
    }
    expect(readRuleFile(groupFile('interval: 0s', 'for: 1m'), 'r.yml').groups[0].intervalMs).toBeNull();
  });

  it.skipIf(!available)('promtool check rules agrees on each of those durations and limits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-rule-fields-'));
    try {
      for (const [group, rule, refused] of GROUP_FIELDS) {
        const file = join(dir, 'r.yml');
        writeFileSync(file, groupFile(group, rule));
        const r = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
        expect(r.status === 0, `${group} ${rule}: ${r.stdout}${r.stderr}`).toBe(refused === null);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // prometheus/prometheus cmd/promtool/testdata/bad-rules-syntax.yml: `promtool check rules` answers
  // "7:15: group "bad-syntax", rule 1, "x": could not parse expression" and Prometheus loads none of the file
  // (rules/manager.go LoadGroups -> rulefmt.ParseFile -> parser.ParseExpr). A query Prometheus parses but
  // rehearse does not evaluate stays the rule's concern (a warning, or an error when a gate needs the rule).
  it('a query Prometheus cannot parse refuses the whole file, at promtool\'s line and column', () => {
    const file = vendor('promtool/bad-rules-syntax.yml');
    expect(refusal(readFileSync(file, 'utf8'), 'bad-rules-syntax.yml')).toEqual([
      'bad-rules-syntax.yml:7:15: groups[0].rules[0].expr: could not parse expression: unexpected end of input at column 7 of "test +" (Prometheus refuses the file)',
    ]);
    const text = (expr: string) => `groups:\n  - name: g\n    rules:\n      - record: x\n        expr: '${expr}'\n`;
    // Refused by Prometheus: a type error, a name no function has. Parsed by it: functions rehearse does not
    // evaluate (holt_winters is Prometheus 2's name, which the UI grammar of Prometheus 3 no longer knows).
    expect(refusal(text('rate(up)'))[0]).toMatch(/^r\.yml:5:15: groups\[0\]\.rules\[0\]\.expr: could not parse expression: rate\(\) expects a range vector/);
    expect(refusal(text('foo_bar(up) + 1'))[0]).toMatch(/could not parse expression: unknown function with name "foo_bar" at column 1 of/);
    expect(refusal(text('holt_winters(up[5m], 0.5, 0.5) + predict_linear(up[5m], 60)'))).toEqual([]);
    const checked = (expr: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'rules-'));
      writeFileSync(join(dir, 'r.yml'), text(expr));
      const r = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8' });
      rmSync(dir, { recursive: true, force: true });
      return r.status === 0;
    };
    if (available) {
      expect(spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' }).status).not.toBe(0);
      expect(['rate(up)', 'foo_bar(up) + 1', 'holt_winters(up[5m], 0.5, 0.5) + predict_linear(up[5m], 60)'].map(checked)).toEqual([false, false, true]);
    }
  });

  it('warns of what it does not model; an unsupported query is kept with every refused part', () => {
    const parts = readRuleFile('groups:\n  - name: g\n    partial_response_strategy: warn\n    rules:\n      - alert: A\n        expr: predict_linear(x[1h], 60) < 0 and max_over_time(y[5m:1m]) > 0\n', 'r.yml');
    expect(parts.warnings).toEqual(['r.yml:3:32: groups[0].partial_response_strategy: a Thanos ruler setting with no effect on a single Prometheus']);
    expect(parts.groups[0].rules[0].error).toMatch(/^unsupported subquery at column 50 of /);
  });
});

describe('rule files in a scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sloth = vendor('sloth/_gen/getting-started.yml');
  const base = (metrics: Record<string, unknown>, gate: unknown) => ({
    name: 's', seed: 3, duration: '20m', traffic: { rate: '20/s' },
    journeys: { call: { steps: ['myservice.handle'] } },
    services: { myservice: { errors: '0.05%', endpoints: { handle: {} } } },
    flags: { risky: { 'evaluated-by': ['myservice'], 'when-on': { myservice: { errors: '+30%' } } } },
    rollout: [{ flag: 'risky', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], 'evaluate-every': '1m', gates: [gate] }],
    metrics,
  });
  const named = { names: { http_server_request_duration_seconds: 'http_request_duration_seconds' }, labels: { service_name: 'job', http_response_status_code: 'code' } };
  const load = (doc: object) => parseScenarioText(JSON.stringify(doc), dir);
  const problems = (doc: object) => {
    const l = load(doc);
    return l.ok ? [] : l.problems.map((p) => formatProblem('s.json', p));
  };

  it('an alert name that matches nothing is an error with a suggestion; so is a file that is not in metrics.rules', () => {
    expect(problems(base({ ...named, rules: [sloth] }, { alert: 'MyServiceAvailabiltySLO', from: sloth }))).toEqual([
      `s.json:1:395: rollout[0].gates[0].alert: no alert "MyServiceAvailabiltySLO" in ${sloth}; did you mean "MyServiceAvailabilitySLO"? (alerts: "MyServiceAvailabilitySLO")`,
    ]);
    expect(problems(base({ ...named, rules: [sloth] }, { alert: 'MyServiceAvailabilitySLO', from: 'slo.yml' }))[0]).toMatch(/^s\.json:1:\d+: rollout\[0\]\.gates\[0\]\.from: slo\.yml is not one of metrics\.rules \(rule files: /);
    expect(problems(base(named, { alert: 'MyServiceAvailabilitySLO' }))).toEqual([
      's.json:1:395: rollout[0].gates[0].alert: an alert gate reads the alerts of the rule files in metrics.rules, and the scenario names none',
    ]);
  });

  it('an alert gate over a rule file that is refused adds no second error saying the file holds no such alert', () => {
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, 'groups:\n  - name: g\n    rules:\n      - alert: MyServiceAvailabilitySLO\n        expr: sum(rate(x[5m]) >\n');
    const named1 = problems(base({ ...named, rules: [broken] }, { alert: 'MyServiceAvailabilitySLO', from: broken }));
    expect(named1).toEqual([`s.json:1:${named1[0].split(':')[2]}: metrics.rules[0]: ${broken}:5:15: groups[0].rules[0].expr: could not parse expression: unclosed left parenthesis at column 18 of "sum(rate(x[5m]) >" (Prometheus refuses the file)`]);
    expect(problems(base({ ...named, rules: [broken] }, { alert: 'MyServiceAvailabilitySLO' }))).toHaveLength(1);
    // Another file read: the alert is looked for there, and the file not read is named.
    const both = problems(base({ ...named, rules: [broken, sloth] }, { alert: 'Missing' }));
    expect(both[1]).toBe(`s.json:1:395: rollout[0].gates[0].alert: no alert "Missing" in ${sloth} (alerts: "MyServiceAvailabilitySLO"); ${broken} could not be read (said above)`);
  });

  it('a rule a gate needs that reads a family the simulation never writes is an error naming the closest one', () => {
    const p = problems(base({ rules: [sloth] }, { alert: 'MyServiceAvailabilitySLO' }));
    // The seven SLI recordings the two alerts read (30d and the meta recordings are not needed).
    expect(p).toHaveLength(7);
    expect(p[0]).toBe(`s.json:1:446: metrics.rules[0]: ${sloth}:9:5: groups[0].rules[0]: the query reads http_request_duration_seconds_count, which the simulation never writes (the closest it writes: http_server_request_duration_seconds_count); name the simulated series with metrics.names, metrics.preset or a recording rule`);
  });

  it('a native PromQL gate over a family no one writes is an error; over a recorded series, it reads the rule', () => {
    expect(problems(base({}, { promql: 'sum(rate(http_request_total[5m]))', success: 'result < 1' }))).toEqual([
      's.json:1:396: rollout[0].gates[0].promql: the query reads http_request_total, which the simulation never writes (the closest it writes: http_requests_total); name the simulated series with metrics.names, metrics.preset or a recording rule',
    ]);
    expect(problems(base({}, { promql: 'sum(rate({__name__=~"grpc_.*"}[5m]))', success: 'result < 1' }))[0]).toMatch(/the query reads grpc_\.\*, which the simulation never writes/);
    const l = load(base({ ...named, rules: [sloth] }, { promql: 'slo:sli_error:ratio_rate5m{sloth_window="5m"}', success: 'result < 0.05' }));
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    expect(l.scenario.metrics.rules.flatMap((g) => g.rules.map((r) => r.name))).toEqual(['slo:sli_error:ratio_rate5m']);
    const r = runScenario(l.scenario);
    expect(r.rollouts[0].outcome).toBe('rolled-back');
    expect(r.rollouts[0].decisions.at(-1)!.reason).toMatch(/^slo:sli_error:ratio_rate5m\{sloth_window="5m"\}: Failed: result = 0\.[1-3]\d*/);
  });

  it('kube-prometheus\' Watchdog (vector(1)) fires at the first evaluation; rules over node series are warned, not evaluated', () => {
    const file = vendor('kube-prometheus/kubePrometheus-prometheusRule.yaml');
    const l = load(base({ rules: [file] }, { alert: 'Watchdog' }));
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    // Every rule but Watchdog and InfoInhibitor (which reads ALERTS, written by the alerting rules).
    expect(l.warnings).toHaveLength(10);
    expect(l.warnings[0]).toBe(`${file}:16:7: spec.groups[0].rules[0]: not evaluated (no gate reads it): the query reads up, which the simulation never writes (the closest it writes: http_requests_total); name the simulated series with metrics.names, metrics.preset or a recording rule`);
    const r = runScenario(l.scenario);
    expect(r.rollouts[0].decisions.at(-1)).toMatchObject({ action: 'rollback', timeSeconds: 60 });
  });

  it('honours for: an alert active at 3m with for: 3m first fires at 6m', () => {
    const rules = join(dir, 'errors.yml');
    writeFileSync(rules, [
      'groups:', '  - name: errors', '    rules:',
      '      - record: job:errors:ratio', '        expr: sum by (job) (rate(http_requests_total{code=~"5.."}[1m])) / sum by (job) (rate(http_requests_total[1m]))',
      '      - alert: ErrorBudgetBurn', '        expr: job:errors:ratio > 0.1', '        for: 3m', '',
    ].join('\n'));
    const doc = base({ labels: { service_name: 'job' }, rules: ['errors.yml'] }, { alert: 'ErrorBudgetBurn', from: 'errors.yml' });
    (doc.rollout[0] as Record<string, unknown>).start = '2m30s';
    const l = load(doc);
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    const r = runScenario(l.scenario);
    const last = r.rollouts[0].decisions.at(-1)!;
    const [, fired, pending] = /firing since (\d+)m00s \(pending from (\d+)m00s\): \{job="myservice"\}/.exec(last.reason)!.map(Number);
    expect(fired - pending).toBe(3);
    expect(last).toMatchObject({ action: 'rollback', timeSeconds: fired * 60 });
  });
});

describe('tags in a rule file', () => {
  it('a value under !!timestamp or !!omap is refused at the tag, not read as an empty mapping', () => {
    const text = 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: !!timestamp 2030-01-01\n    labels: !!omap [{ severity: page }]\n';
    let err: unknown;
    try {
      readRuleFile(text, 'rt.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).lines).toEqual([
      'rt.yml:6:22: invalid YAML: the tag !!timestamp is not read here: write plain text, numbers, true or false, lists and mappings',
      'rt.yml:7:20: invalid YAML: the tag !!omap is not read here: write plain text, numbers, true or false, lists and mappings',
    ]);
  });
});
