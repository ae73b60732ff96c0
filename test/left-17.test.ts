import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortDocument, generateCohort } from '../src/cohorts/cohort.js';
import { importFlagsInline } from '../src/cli/flags.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { resourceDocuments } from '../src/interop/kube/resources.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { parseDocumentAsGo } from '../src/scenario/go-quoted.js';
import { runReportHtml } from '../src/report/html/run.js';
import { runScenario } from '../src/score/result.js';
import { launchChromium } from './chromium.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';

const dir = mkdtempSync(join(tmpdir(), 'left-17-'));

describe('import flags --inline --cohort', () => {
  it('says the cohort file\'s seed warning as loading a scenario with it does', () => {
    const d = cohortDocument(generateCohort({ name: 'u', size: 50, seed: 3 })) as unknown as { seed: number; users: { key: string[] } };
    d.seed = 4;
    const cohort = join(dir, 'other-seed.json');
    writeFileSync(cohort, JSON.stringify(d));
    const r = importFlagsInline('flagd', 'flags/demo.flagd.json', cohort);
    const key = generateCohort({ name: 'u', size: 1, seed: 4 }).key[0];
    expect(r.warnings).toContain(`cohort file ${cohort} at seed: seed 4 does not make these users: its first user's key is "${key}", users.key[0] is "${d.users.key[0]}" (the file was edited, or not made by "rehearse cohorts generate --seed 4" with these segments); its users are read as the file has them, and the seed is not used`);
    // The file as generated: no such warning.
    const own = join(dir, 'own-seed.json');
    writeFileSync(own, JSON.stringify(cohortDocument(generateCohort({ name: 'u', size: 50, seed: 3 }))));
    expect(importFlagsInline('flagd', 'flags/demo.flagd.json', own).warnings.filter((w) => w.includes('cohort file'))).toEqual([]);
  });
});

describe('Flagger and Argo say the same words of an apiVersion the API server refuses (kube/resources.ts apiVersionProblem)', () => {
  const canary = readFileSync('examples/flagger/canary.yaml', 'utf8');
  const templates = { file: 'metric-templates.yaml', text: readFileSync('examples/flagger/metric-templates.yaml', 'utf8') };
  const problems = (text: string) => {
    const r = flaggerParts([{ file: 'canary.yaml', text }, templates]);
    return r.ok ? [] : r.problems;
  };
  it('refuses a version of flagger.app the CRD does not serve, in the words Argo\'s adapter uses', () => {
    expect(problems(canary.replace('flagger.app/v1beta1', 'flagger.app/v1beta2'))).toEqual([
      'canary.yaml:3:13: apiVersion: no matches for kind "Canary" in version "flagger.app/v1beta2": the flagger.app CRD serves flagger.app/v1beta1',
    ]);
    const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
    const argo = argoParts([{ file: 'r.yaml', text: rollout.replace('argoproj.io/v1alpha1', 'argoproj.io/v1') }]);
    expect(!argo.ok && argo.problems.join('\n')).toMatch(/apiVersion: no matches for kind "Rollout" in version "argoproj.io\/v1": the argoproj.io CRD serves argoproj.io\/v1alpha1/);
  });
  it('says a missing apiVersion as Argo\'s adapter says it', () => {
    expect(problems(canary.replace('apiVersion: flagger.app/v1beta1\n', ''))).toEqual([
      expect.stringMatching(/^canary\.yaml:3:1: apiVersion: missing: the API server needs it to know the resource \(kubectl: "apiVersion not set"\); Canary is flagger\.app\/v1beta1$/),
    ]);
  });
});

describe('the run report\'s service panels in chromium (Debian\'s /usr/bin/chromium, as test/browser.test.ts opens pages)', () => {
  // web has an error-rate gate, a has none: its facet of the panel had no gate limit.
  const doc = {
    name: 'one-limit', seed: 1, duration: '4m',
    traffic: { rate: '20/s', cohort: { size: 500, seed: 1 } },
    journeys: { buy: { steps: ['web.buy'] } },
    services: { web: { latency: '10ms', endpoints: { buy: { calls: ['a.get'] } } }, a: { latency: '20ms', endpoints: { get: {} } } },
    flags: { f: { 'evaluated-by': ['web'], propagation: '0s' } },
    rollout: [{ flag: 'f', stages: [{ to: '50%', hold: '2m' }, { to: '100%' }], gates: ['req_failed{service:web} rate<0.5'] }],
  };
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('log no warning for a service that no gate watches (vega said "Infinite extent for field limit")', async () => {
    const loaded = parseScenarioText(JSON.stringify(doc), tmpdir(), undefined);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const file = join(dir, 'one-limit.html');
    writeFileSync(file, runReportHtml(runScenario(loaded.scenario)));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const said: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') said.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => said.push(String(e)));
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 120_000 });
    expect(await page.evaluate(() => document.body.dataset.renderError)).toBeUndefined();
    expect(said).toEqual([]);
    // web's gate limit is still drawn, once on the error-rate panel; a's panels draw none that shows.
    const limits = await page.evaluate(() => [...document.querySelectorAll('g.mark-rule.role-mark line')]
      .filter((l) => Number(l.getAttribute('opacity') ?? 1) > 0 && l.getAttribute('stroke-width') === '4').length);
    expect(limits).toBe(1);
    await page.close();
  }, 180_000);
});

describe('scripts/crd-fields.mjs reads a CRD as rehearse reads Kubernetes resources (kube/resources.ts resourceValues)', () => {
  it('reads a quoted description continued left of its key as Go\'s yaml does: the schema is the CRD\'s', () => {
    // The yaml package alone stops at the continuation ("Missing closing quote") and reads the rest as keys of spec.
    const crd = readFileSync('test/fixtures/vendor/flagger/crd.yaml', 'utf8').replace(
      '            spec:\n              description: CanarySpec defines the desired state of a Canary.\n',
      '            spec:\n              description: \'CanarySpec defines the desired state\n            of a Canary: its target, service and analysis.\'\n',
    );
    const file = join(dir, 'crd-continued.yaml');
    writeFileSync(file, crd);
    const source = 'fluxcd/flagger@023004dabdcb8b7077e56947321f214d581264cc:artifacts/flagger/crd.yaml';
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/crd-fields.mjs', file, '--schema', '--source', source], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    const stored = JSON.parse(readFileSync('src/interop/kube/crd-schema-flagger.json', 'utf8'));
    expect(JSON.parse(r.stdout).kinds).toEqual(stored.kinds);
  }, 150_000);
});

describe('a key inside { } or [ ] whose ":" is on a later line, in files only Go reads', () => {
  // gopkg.in/yaml.v3 v3.0.1 scannerc.go yaml_simple_key_is_valid (a simple key's ":" on its line, at most 1024
  // characters on) and parserc.go yaml_parser_parse_flow_mapping_key ("did not find expected ',' or '}'"). The
  // answers were taken from yaml.v3 itself on this machine (test/fixtures/yaml-v3/breaks.go); CI, without Go,
  // reads them from flow-keys.json. Before, the yaml package read {"a<break>b": 1} as {"a b": 1}.
  type Answer = { in: string; value?: unknown; error?: string };
  const { cases } = JSON.parse(readFileSync('test/fixtures/yaml-v3/flow-keys.json', 'utf8')) as { cases: Answer[] };
  // A document kubectl cannot read is one it does not send (its message as the refusal's, alone in its file).
  const read = (text: string) => {
    const d = resourceDocuments({ file: 'r.yaml', text }).documents[0];
    return 'unsent' in d ? { problem: d.unsent } : d;
  };

  // A file of JSON is a stream of JSON values to kubectl (apimachinery's YAMLOrJSONDecoder: test/left-22), not YAML.
  const json = (text: string) => {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return null;
    }
  };
  it.each(cases.filter((c) => !c.error?.startsWith('yaml: invalid map key')).map((c) => [JSON.stringify(c.in).slice(0, 60), c] as const))('%s as yaml.v3 reads it', (_, c) => {
    const r = read(c.in);
    if (json(c.in) !== null) expect(r).toMatchObject(json(c.in)!);
    else if (c.error !== undefined) {
      const words = /did not find expected ',' or '[}\]]'/.exec(c.error)![0];
      expect(r).toEqual({ problem: expect.stringContaining(`("${words}")`) });
    } else expect(r).toMatchObject({ value: c.value });
  });

  it('is refused at its ":", where yaml.v3 stops (its line, counted as Go names it, is the one before)', () => {
    expect(read('{"a\nb": 1}')).toEqual({ problem: 'r.yaml:2:3: invalid YAML: a key whose ":" is not on the line it starts on (a key on two lines) inside { }: Go\'s yaml (kubectl, Prometheus) refuses it ("did not find expected \',\' or \'}\'"); write it on one line, or after "? "' });
    expect(read('k: {"a": 1,\n  "b\n  c": 2}')).toEqual({ problem: expect.stringMatching(/^r\.yaml:3:5: /) });
  });

  it('in a rule file and a Rollout too; a scenario (read by the yaml package alone, as rehearse reads it) is not held to it', () => {
    expect(() => readRuleFile('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: { "team\n          x": web }\n', 'r.yaml')).toThrow(/r\.yaml:7:13: .*did not find expected ',' or '}'/);
    const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8').replace(/^metadata:\n/m, 'metadata:\n  labels: {"app\n    x": a}\n');
    const r = argoParts([{ file: 'r.yaml', text: rollout }]);
    expect(!r.ok && r.problems.join('\n')).toMatch(/r\.yaml:\d+:7: invalid YAML: a key whose ":" is not on the line it starts on/);
    expect(parseDocumentAsGo('{"a\nb": 1}').doc.errors).toEqual([]);
  });

  it('matches yaml.v3 live when Go is installed', () => {
    if (!existsSync('/usr/bin/go')) return; // CI: the stored answers above
    const cases = join(dir, 'flow-cases.json');
    writeFileSync(cases, JSON.stringify(JSON.parse(readFileSync('test/fixtures/yaml-v3/flow-keys.json', 'utf8')).cases.map((c: Answer) => c.in)));
    const r = spawnSync('/usr/bin/go', ['run', 'breaks.go', cases], { cwd: 'test/fixtures/yaml-v3', encoding: 'utf8', timeout: 300_000, env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: join(dir, 'gocache') } });
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('test/fixtures/yaml-v3/flow-keys.json', 'utf8')).cases);
  }, 320_000);
});

describe('OTLP JSON keys as the OpenTelemetry Collector reads them (open-telemetry/opentelemetry-collector, commit 934999fb)', () => {
  // pdata/internal/generated_proto_resourcespans.go ResourceSpans.UnmarshalJSON reads "scopeSpans", "scope_spans",
  // "deprecatedScopeSpans", "deprecated_scope_spans" and skips any other key (json/iterator.go HandleUnknownField);
  // pdata/internal/otlp/traces.go MigrateTraces takes deprecatedScopeSpans when there are no scopeSpans. Every field
  // of every message is read by its JSON name or its proto name (generated_proto_span.go: "traceId", "trace_id", ...).
  // instrumentationLibrarySpans was read until v0.57: commit d7b097cf (v0.58.0) removed it from the reader.
  const T = '5b8aa5a2d2c872e8321cf37308d69df2';
  const span = (id: string, name: string) => ({ traceId: T, spanId: id, name, kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000' });
  const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
  const readOtlp = (name: string, doc: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 1));
    const spans: Span[] = [];
    const r = readTraceFile(file, (s) => spans.push(...s));
    return { file, spans, notes: [...r.report.fieldNotes.values()].map((n) => `${n.at}: ${n.message}`) };
  };

  it('does not read instrumentationLibrarySpans: warned at its place with the spans it holds, as the collector drops them', () => {
    const { spans, notes } = readOtlp('old.json', { resourceSpans: [
      { resource: resource('shop'), scopeSpans: [{ spans: [span('1111111111111111', 'a')] }] },
      { resource: resource('db'), instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'lib' }, spans: [span('2222222222222222', 'b'), span('3333333333333333', 'c')] }] },
    ] });
    expect(spans.map((s) => s.name)).toEqual(['a']);
    expect(notes).toContainEqual(expect.stringMatching(/^\d+:\d+: OTLP ResourceSpans\.instrumentationLibrarySpans: not read, nor the 2 spans in it: the OpenTelemetry Collector drops it since v0\.58\.0/));
  });

  it('refuses a file whose spans are all in instrumentationLibrarySpans, saying why', () => {
    const file = join(dir, 'only-old.json');
    const doc = { resourceSpans: [{ resource: resource('db'), instrumentationLibrarySpans: [{ spans: [span('2222222222222222', 'b')] }] }] };
    writeFileSync(file, JSON.stringify(doc, null, 1));
    expect(() => readTraceFile(file, () => {})).toThrow(/instrumentationLibrarySpans: not read, nor the 1 span in it/);
  });

  it('reads deprecatedScopeSpans when an element has no scopeSpans, and not beside them', () => {
    const { spans } = readOtlp('deprecated.json', { resourceSpans: [
      { resource: resource('shop'), deprecatedScopeSpans: [{ spans: [span('1111111111111111', 'a')] }] },
      { resource: resource('db'), scopeSpans: [{ spans: [span('2222222222222222', 'b')] }], deprecatedScopeSpans: [{ spans: [span('3333333333333333', 'c')] }] },
    ] });
    expect(spans.map((s) => [s.name, s.service])).toEqual([['a', 'shop'], ['b', 'db']]);
  });

  it('reads keys by their proto names (snake_case) as by their JSON names, without a word', () => {
    const camel = readOtlp('camel.json', { resourceSpans: [{ resource: resource('shop'), scopeSpans: [{ spans: [{
      ...span('1111111111111111', 'a'), parentSpanId: '2222222222222222', attributes: [{ key: 'http.response.status_code', value: { intValue: '503' } }],
      events: [{ timeUnixNano: '1700000000001000000', name: 'exception' }], status: { code: 2 },
    }] }] }] });
    const snake = readOtlp('snake.json', { resource_spans: [{ resource: { attributes: [{ key: 'service.name', value: { string_value: 'shop' } }] }, scope_spans: [{ spans: [{
      trace_id: T, span_id: '1111111111111111', parent_span_id: '2222222222222222', name: 'a', kind: 2, start_time_unix_nano: '1700000000000000000', end_time_unix_nano: '1700000000005000000',
      attributes: [{ key: 'http.response.status_code', value: { int_value: '503' } }], events: [{ time_unix_nano: '1700000000001000000', name: 'exception' }], status: { code: 2 },
    }] }] }] });
    expect(snake.notes).toEqual([]);
    expect(snake.spans).toEqual(camel.spans);
    expect(snake.spans).toHaveLength(1);
    expect(snake.spans[0]).toMatchObject({ service: 'shop', parentId: '2222222222222222', error: true, attributes: { 'http.response.status_code': 503 } });
  });

  it('warns a warned field by its proto name as written', () => {
    const { notes } = readOtlp('snake-warned.json', { resourceSpans: [{ resource: resource('shop'), scopeSpans: [{ spans: [{ ...span('1111111111111111', 'a'), dropped_attributes_count: 3 }] }] }] });
    expect(notes).toEqual([expect.stringMatching(/^\d+:\d+: OTLP Span\.dropped_attributes_count: dropped 3 attributes/)]);
  });
});
