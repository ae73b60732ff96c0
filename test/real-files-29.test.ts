/**
 * Round 29 of the real-files sweep, flag files and traces: the vendors' newest examples rehearse had no fixture for
 * (the READMEs beside them name the repository, path and commit), run through the built command as people run it:
 * - open-feature/flagd docs/assets/cheat-sheet-flags.json and cheat-sheet-flags-payments.json: the flag files of
 *   flagd's command and query cheat sheet (docs/reference/cheat-sheet.md), which starts flagd with both and shows its
 *   OFREP answers; flags of every variant type, a null and an omitted defaultVariant, nested `if`, `ends_with`, `in`
 *   on a list, and a flagSetId per file that the cheat sheet's selectors name.
 * - jaegertracing/jaeger internal/storage/v2/memory/fixtures/otel_traces_01.json: OTLP JSON that Jaeger's in-memory
 *   store is loaded with in its tests, four failed spans of server, client, producer and consumer kind under parents
 *   not in the file, with links, trace state and scope attributes.
 * - jaegertracing/jaeger cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/snapshots/GetTrace.json: the
 *   api/v3 answer jaeger-query's snapshot test expects, a span without start and end times.
 * And two shapes LaunchDarkly writes that its SDKs do not read, given where LaunchDarkly files are read: a flag of its
 * REST API (api/v2/flags: `environments`, variations as objects), and a map of flags by key, as teams save the SDK's
 * flag data without its `flags` wrapper. Both were refused as "not a LaunchDarkly file" with no word of what they are.
 * Likewise flagd's OFREP bulk answer as the cheat sheet shows it (read as flags in the list form, refused at the first
 * one's missing state), and the answers of Unleash's Frontend API and of its Admin API for one feature; for calibrate,
 * Tempo's search answer (said to be a misspelt "trace") and Jaeger's /api/services answer (two "traces without spans").
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchOfBuiltCli } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const flagd = join(root, 'test/fixtures/vendor/flagd');
const traces = join(root, 'test/fixtures/traces');

describe('flagd\'s cheat sheet flag files (docs/reference/cheat-sheet.md)', () => {
  const evals: [string, string, string, string[]][] = [
    // [file, flag, context, extra options]
    ['cheat-sheet-flags.json', 'simple-boolean', '{}', []],
    ['cheat-sheet-flags.json', 'email-based-feature', '{"email": "user@example.com"}', []],
    ['cheat-sheet-flags.json', 'email-based-feature', '{"email": "user@example.org"}', []],
    ['cheat-sheet-flags.json', 'user-tier-flag', '{"tier": "premium"}', []],
    ['cheat-sheet-flags.json', 'user-tier-flag', '{"tier": "enterprise"}', []],
    ['cheat-sheet-flags.json', 'user-tier-flag', '{"tier": "gold"}', []],
    ['cheat-sheet-flags.json', 'region-config', '{"region": "de"}', []],
    ['cheat-sheet-flags.json', 'code-default-flag', '{}', ['--default', 'false']],
    ['cheat-sheet-flags.json', 'code-default-flag-omitted', '{}', ['--default', 'true']],
    ['cheat-sheet-flags-payments.json', 'payment-provider', '{}', ['--selector', 'flagSetId=payment-flags']],
    ['cheat-sheet-flags-payments.json', 'max-transaction-amount', '{"account-verified": true}', []],
  ];
  const answers = batchOfBuiltCli([
    { cwd: flagd, argv: ['import', 'flags', 'flagd', 'cheat-sheet-flags.json'] },
    { cwd: flagd, argv: ['import', 'flags', 'flagd', 'cheat-sheet-flags-payments.json'] },
    ...evals.map(([file, flag, context, extra]) => ({ cwd: flagd, argv: ['flags', 'eval', file, '--flag', flag, '--context', context, '--json', ...extra] })),
    { cwd: flagd, argv: ['flags', 'eval', 'cheat-sheet-flags-payments.json', '--flag', 'payment-provider', '--context', '{}', '--selector', 'flagSetId=app-flags'] },
    { cwd: flagd, argv: ['flags', 'eval', 'cheat-sheet-flags.json', '--flag', 'simple-bolean', '--context', '{}'] },
  ]);

  it('both files import with no warning: every field modelled, the attributes the targeting reads named', () => {
    const [app, payments] = answers;
    expect([app.code, app.stderr, payments.code, payments.stderr]).toEqual([0, '', 0, '']);
    expect(app.stdout).toContain('variants simple-boolean: on/off; simple-string: greeting/farewell; simple-number: low/medium/high; simple-object: config-a/config-b; code-default-flag: on/off; code-default-flag-omitted: on/off; user-tier-flag: basic/premium/enterprise; email-based-feature: on/off; region-config: us/eu/default.');
    expect(app.stdout.split('\n').filter((l) => l.includes('reads user attributes'))).toEqual([
      '# user-tier-flag reads user attributes: tier', '# email-based-feature reads user attributes: email', '# region-config reads user attributes: region',
    ]);
    expect(payments.stdout).toContain('# max-transaction-amount reads user attributes: account-verified');
  });

  it('serves what flagd answers in the cheat sheet, and the rest as its rules say', () => {
    const got = answers.slice(2, 2 + evals.length).map((a) => {
      expect(a.code, a.stderr).toBe(0);
      const e = JSON.parse(a.stdout);
      return [e.flag, e.variant, e.value, e.reason];
    });
    expect(got).toEqual([
      // The cheat sheet's OFREP answer: {"reason": "STATIC", "variant": "on", "value": true} (rehearse says
      // "default" for flagd's STATIC and DEFAULT alike: the default variant served).
      ['simple-boolean', 'on', true, 'default'],
      // The cheat sheet's answer with {"email": "user@example.com"}: TARGETING_MATCH, "on", true.
      ['email-based-feature', 'on', true, 'targeting match'],
      ['email-based-feature', 'off', false, 'default'],
      ['user-tier-flag', 'premium', 'premium-features', 'targeting match'],
      ['user-tier-flag', 'enterprise', 'enterprise-features', 'targeting match'],
      ['user-tier-flag', 'basic', 'basic-features', 'default'],
      ['region-config', 'eu', { currency: 'EUR', dateFormat: 'DD/MM/YYYY' }, 'targeting match'],
      // No default variant (null, or omitted): the caller's own default, reason DEFAULT, as the flagd testbed's
      // evaluator/gherkin/no-default-variant.feature expects.
      ['code-default-flag', null, false, 'default'],
      ['code-default-flag-omitted', null, true, 'default'],
      ['payment-provider', 'slash', 'slash', 'default'],
      ['max-transaction-amount', 'elevated', 5000, 'targeting match'],
    ]);
  });

  it('a selector naming the other file\'s flag set finds no flag; a misspelt flag is named with a suggestion (exit 2)', () => {
    const [selector, misspelt] = answers.slice(2 + evals.length);
    expect([selector.code, selector.stderr.trim()]).toEqual([2, 'cheat-sheet-flags-payments.json: selector flagSetId=app-flags names no flag set of the files (the flag sets there: flagSetId "payment-flags"): a provider with that selector finds no flag (FLAG_NOT_FOUND)']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('cheat-sheet-flags.json: no flag "simple-bolean"; did you mean "simple-boolean"?');
  });
});

describe('Jaeger\'s own trace fixtures', () => {
  const [memory, snapshot] = batchOfBuiltCli([
    { cwd: traces, argv: ['calibrate', 'jaeger-memory-otel-traces.json'] },
    { cwd: traces, argv: ['calibrate', 'jaeger-apiv3-snapshot-get-trace.json'] },
  ]);

  it('the in-memory store\'s OTLP fixture: read, each field it does not model warned at its place', () => {
    expect(memory.code, memory.stderr).toBe(0);
    expect(memory.stderr.trim().split('\n')).toEqual([
      'warning: orphan spans: 4 span(s) whose parent is not in the files (treated as roots of journeys of their own), in traces 00000000000000010000000000000000, 00000000000000020000000000000000',
      'warning: jaeger-memory-otel-traces.json:29:13: 4 spans with OTLP links, not modelled (Zipkin drops them; Jaeger shows them as FOLLOWS_FROM references, the parent of a span without one)',
      'warning: jaeger-memory-otel-traces.json:34:15: OTLP Span.traceState: the W3C tracestate is not read: a sampling probability it carries (ot=th:...) is not used to weight the span; every span counts once (4 times in the file; the first here)',
    ]);
    // Four journeys, one per root; the client span's failure is its far end's (service-y, named by peer.service).
    expect(memory.stdout.match(/^ {2}test-general-conversion-\d: \{ weight: 1/gm)).toHaveLength(4);
    expect(memory.stdout).toContain('    # seen only as the far end of client spans (not instrumented), named "service-y" by its callers\' peer.service');
    expect(memory.stdout).toMatch(/ {6}test-general-conversion-3:\n {8}# 1 span, 1 failed \(0 in the endpoint itself\)\n/);
  });

  it('the api/v3 snapshot of a span without times: refused at the span, exit 2', () => {
    expect(snapshot.code).toBe(2);
    expect(snapshot.stderr.trim().split('\n')).toEqual([
      'jaeger-apiv3-snapshot-get-trace.json: no usable spans in this otlp file: 1 skipped (1 a span without valid start and end times)',
      'jaeger-apiv3-snapshot-get-trace.json:10:15: skipped: a span without valid start and end times',
    ]);
  });
});

describe('LaunchDarkly shapes the SDK does not read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-real-29-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rest = { key: 'dark-mode', name: 'Dark mode', kind: 'boolean', variations: [{ _id: 'e432f62b', value: true }, { _id: 'a00bf58d', value: false }],
    environments: { production: { on: true, targets: [], rules: [], fallthrough: { variation: 0 }, offVariation: 1 } }, _links: { self: { href: '/api/v2/flags/default/dark-mode' } } };
  const files: [string, unknown][] = [
    ['rest-flag.json', rest], ['rest-list.json', { items: [rest], totalCount: 1 }],
    ['by-key.json', { 'service-1-enabled': { key: 'service-1-enabled', on: false, targets: [], rules: [], fallthrough: { variation: 0 }, offVariation: 0, variations: [true, false] } }],
  ];
  for (const [name, value] of files) writeFileSync(join(dir, name), JSON.stringify(value, null, 2));
  const answers = batchOfBuiltCli(files.map(([name]) => ({ cwd: dir, argv: ['import', 'flags', 'launchdarkly', name] })));
  const refusal = 'not a LaunchDarkly file: a LaunchDarkly file holds flags, flagValues and segments (the SDK\'s file data source), {"data": {"flags", "segments"}} (a stream put) or one flag';

  it('a REST API flag, alone or in a list: refused, naming it and how to get what the SDK reads', () => {
    for (const a of answers.slice(0, 2)) {
      expect(a.code).toBe(2);
      expect(a.stderr).toMatch(/^rest-(flag|list)\.json:1:1: \(top level\): /);
      expect(a.stderr).toContain(`${refusal}: this is LaunchDarkly's REST API flag (api/v2/flags), each environment's configuration under environments, not the data an SDK reads; get that with curl -H "Authorization: SDK_KEY" https://app.launchdarkly.com/sdk/latest-all, as the SDKs' file data source docs say`);
    }
  });

  it('flags by key without their "flags": refused, saying where they go', () => {
    expect(answers[2].code).toBe(2);
    expect(answers[2].stderr.trim()).toBe(`by-key.json:1:1: (top level): ${refusal}: it is a map of flags by key (what the SDK's /sdk/latest-flags answers); the file data source reads them under "flags": write {"flags": {...}}`);
  });
});

describe('answers of the flag systems\' other APIs, given as flag files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-real-29-apis-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // flagd docs/reference/cheat-sheet.md at bbb05d4b, the response to POST /ofrep/v1/evaluate/flags, as written there.
  writeFileSync(join(dir, 'ofrep.json'), `{
  "flags": [
    {"key": "simple-boolean", "reason": "STATIC", "variant": "on", "value": true, "metadata": {}},
    {"key": "simple-string", "reason": "STATIC", "variant": "greeting", "value": "Hello, World!", "metadata": {}},
    {"key": "simple-number", "reason": "STATIC", "variant": "medium", "value": 50, "metadata": {}}
  ]
}
`);
  // Unleash's frontendApiFeatureSchema (src/lib/openapi/spec/frontend-api-feature-schema.ts) and featureSchema with
  // its environments (feature-schema.ts, feature-environment-schema.ts).
  writeFileSync(join(dir, 'frontend.json'), JSON.stringify({ toggles: [{ name: 'f', enabled: true, variant: { name: 'disabled', enabled: false, feature_enabled: true }, impressionData: false }] }));
  writeFileSync(join(dir, 'admin.json'), JSON.stringify({ name: 'f', type: 'release', project: 'default', environments: [{ name: 'production', enabled: true, type: 'production', strategies: [{ name: 'flexibleRollout', constraints: [], parameters: { rollout: '50', stickiness: 'default', groupId: 'f' } }] }], variants: [] }));
  const [ofrep, frontend, admin] = batchOfBuiltCli([
    { cwd: dir, argv: ['import', 'flags', 'flagd', 'ofrep.json'] },
    { cwd: dir, argv: ['import', 'flags', 'unleash', 'frontend.json'] },
    { cwd: dir, argv: ['import', 'flags', 'unleash', 'admin.json'] },
  ]);
  const unleash = 'not an Unleash file: expected a client API response ({"features": [...]}), a state export or a feature export';

  it('each is refused saying what it is and what to give instead (exit 2)', () => {
    expect([ofrep.code, frontend.code, admin.code]).toEqual([2, 2, 2]);
    expect(ofrep.stderr.trim()).toBe('ofrep.json:2:12: flags: this is an OFREP evaluation answer (each flag\'s key, value, variant and reason as flagd served them for one context), not flag definitions: give the file flagd reads (its --uri)');
    expect(frontend.stderr.trim()).toBe(`frontend.json:1:1: (top level): ${unleash}: this is an answer of Unleash's Frontend API (/api/frontend), toggles already evaluated for one context, not their strategies; give the client API's answer (/api/client/features) or an export`);
    expect(admin.stderr.trim()).toBe(`admin.json:1:1: (top level): ${unleash}: this is one feature as Unleash's Admin API answers it (/api/admin/projects/{project}/features/{name}), its strategies per environment; give the client API's answer (/api/client/features, one environment) or a feature export (/api/admin/features-batch/export)`);
  });
});

describe('answers of the tracing backends\' other APIs, given to calibrate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-real-29-traces-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Tempo's SearchResponse (pkg/tempopb: traces of TraceSearchMetadata, metrics) and Jaeger's getServices answer
  // (cmd/query/app/http_handler.go: structuredResponse{Data: services, Total: len(services)}).
  writeFileSync(join(dir, 'tempo-search.json'), JSON.stringify({ traces: [{ traceID: '2f3e0cee77ae5dc9c17ade3689eb2e54', rootServiceName: 'shop-backend', rootTraceName: 'update-billing', startTimeUnixNano: '1684778327699392724', durationMs: 557 }], metrics: { inspectedBytes: '1', completedJobs: 1, totalJobs: 1 } }));
  writeFileSync(join(dir, 'jaeger-services.json'), JSON.stringify({ data: ['frontend', 'driver'], total: 2, limit: 0, offset: 0, errors: null }));
  const [tempo, jaeger] = batchOfBuiltCli([{ cwd: dir, argv: ['calibrate', 'tempo-search.json'] }, { cwd: dir, argv: ['calibrate', 'jaeger-services.json'] }]);

  it('Tempo\'s search answer is named, with where its traces are', () => {
    expect(tempo.code).toBe(2);
    expect(tempo.stderr).toContain('tempo-search.json:1:11: "traces": Tempo\'s search answer (/api/search), trace summaries (traceID, rootServiceName, durationMs) without their spans: not read; fetch each trace by its id (/api/traces/{traceID}; in /api/v2/traces/{traceID} the key is "trace")');
  });

  it('Jaeger\'s list of services is named as names, not traces', () => {
    expect(jaeger.code).toBe(2);
    expect(jaeger.stderr.trim().split('\n')).toEqual([
      'jaeger-services.json: no usable spans in this jaeger file: 2 skipped (2 a name, not a trace (Jaeger\'s /api/services and /api/operations answer names; give /api/traces))',
      'jaeger-services.json:1:10: skipped: a name, not a trace (Jaeger\'s /api/services and /api/operations answer names; give /api/traces)',
    ]);
  });
});
