/**
 * Leftovers of imports, hostile input and the command line, each against the vendor's own source:
 * - open-telemetry/semantic-conventions docs/http/http-spans.md ("Status": "any other code the client failed to
 *   interpret" is an error) and opentelemetry-collector-contrib pkg/translator/jaeger/jaegerproto_to_traces.go
 *   (statusCodeFromHTTP): a Zipkin span's http.status_code outside 100 to 599 fails it, as in OTLP and Jaeger, and is
 *   now said at its tag as there.
 * - otel.status_code as OpenTelemetry writes it (opentelemetry-specification trace/sdk_exporters/zipkin.md and
 *   common/mapping-to-non-otlp.md, "Status": OK or ERROR) and as the collector reads it: its Jaeger translator in any
 *   case (jaegerproto_to_traces.go setInternalSpanStatus, strings.ToUpper), its Zipkin receiver the enum's names too
 *   (pkg/translator/zipkin/zipkinv2/to_translator.go statusCodeValue: STATUS_CODE_OK, STATUS_CODE_ERROR,
 *   STATUS_CODE_UNSET); both read any other value as unset. A value no reader knows was read as unset without a word.
 * - argoproj/argo-rollouts pkg/kubectl-argo-rollouts/cmd/lint/lint_test.go's testdata/valid-ingress-smi-multi.yml (two
 *   Rollouts): `rehearse init --from-argo` takes --rollout as `rehearse import argo` does, and imports before it writes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { readTraceFile } from '../src/interop/traces/read.js';
import { fileWarnings } from '../src/calibrate/read-notes.js';
import { cli } from './helpers.js';
import { jsonText } from '../src/cli/json-out.js';
import { inline as escapedInline } from '../src/units/escape.js';

const tmp = mkdtempSync(join(tmpdir(), 'rehearse-left-24-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** line:column of the first occurrence of `needle` in `text`. */
const place = (text: string, needle: string) => {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
};

describe('Zipkin: the tags that say whether a span failed', () => {
  const span = (id: string, kind: string, tags: Record<string, string>) => ({
    traceId: '0af7651916cd43dd8448eb211c80319c', id, kind, name: 'get /a', timestamp: 1700000000000000, duration: 1000,
    localEndpoint: { serviceName: 'api' }, tags,
  });
  const read = (spans: object[], wrap = false) => {
    const file = join(tmp, `z-${Math.random().toString(36).slice(2)}.json`);
    const text = JSON.stringify(wrap ? [spans] : spans, null, 1);
    writeFileSync(file, text);
    const got: boolean[] = [];
    const r = readTraceFile(file, (t) => got.push(...t.map((s) => s.error)));
    return { file, text, errors: got, warnings: fileWarnings([{ file, report: r.report }]) };
  };
  const http = (code: string, kind: string) => `Zipkin tag http.status_code: ${code} is no HTTP status code (100 to 599; semantic conventions http-spans.md: "any other code the client failed to interpret" is an error): read as a failure of the span, whatever its kind (${kind} here), as the collector's Jaeger translator sets Error for it`;

  it('an http.status_code of -1 fails the span, and is warned at its tag, as in Jaeger and OTLP', () => {
    const r = read([span('b7ad6b7169203331', 'SERVER', { 'http.method': 'GET', 'http.status_code': '-1' })]);
    expect(r.errors).toEqual([true]);
    expect(r.warnings).toEqual([`${r.file}:${place(r.text, '"http.status_code"')}: ${http('-1', 'server')}`]);
  });

  it('0 and 700 alike, counted once a file; in a list of traces at the tag too; a code in range is not warned', () => {
    const r = read([span('b7ad6b7169203331', 'CLIENT', { 'http.status_code': '0' }), span('b7ad6b7169203332', 'SERVER', { 'http.status_code': '700' }), span('b7ad6b7169203333', 'SERVER', { 'http.status_code': '200' })], true);
    expect(r.errors).toEqual([true, true, false]);
    expect(r.warnings).toEqual([`${r.file}:${place(r.text, '"http.status_code"')}: ${http('0', 'client')} (2 times in the file; the first here)`]);
  });

  it('beside an error tag or a status, the code is said not to decide', () => {
    const r = read([span('b7ad6b7169203331', 'SERVER', { 'http.status_code': '-1', 'otel.status_code': 'OK' })]);
    expect(r.errors).toEqual([false]);
    expect(r.warnings).toEqual([expect.stringMatching(/: Zipkin tag http\.status_code: -1 is no HTTP status code .*: the span's own status decides/)]);
  });

  it('an otel.status_code that is no status is read as unset and said at its tag; the collector\'s names are read', () => {
    const r = read([
      span('b7ad6b7169203331', 'SERVER', { 'http.status_code': '503', 'otel.status_code': 'FAILED' }),
      span('b7ad6b7169203332', 'SERVER', { 'otel.status_code': 'STATUS_CODE_ERROR' }),
      span('b7ad6b7169203333', 'CLIENT', { 'http.status_code': '404', 'otel.status_code': 'STATUS_CODE_OK' }),
      span('b7ad6b7169203334', 'SERVER', { 'otel.status_code': 'Error' }),
      span('b7ad6b7169203335', 'CLIENT', { 'http.status_code': '404', 'otel.status_code': 'UNSET' }),
    ]);
    expect(r.errors).toEqual([true, true, false, true, true]);
    expect(r.warnings).toEqual([`${r.file}:${place(r.text, '"otel.status_code"')}: Zipkin tag otel.status_code: FAILED is no span status (OK, ERROR or UNSET, or STATUS_CODE_ before one, in any case): read as unset, as the collector reads a value it does not know: the span fails by its error tag or its status codes`]);
  });

  it('an rpc.grpc.status_code that is no gRPC code (0 to 16, grpc doc/statuscodes.md) is said at its tag: past 16 a client span fails, text is not read', () => {
    const r = read([
      span('b7ad6b7169203331', 'CLIENT', { 'rpc.grpc.status_code': '99' }),
      span('b7ad6b7169203332', 'SERVER', { 'rpc.grpc.status_code': '99' }),
      span('b7ad6b7169203333', 'CLIENT', { 'rpc.grpc.status_code': 'abc' }),
      span('b7ad6b7169203334', 'CLIENT', { 'rpc.grpc.status_code': '14' }),
    ]);
    expect(r.errors).toEqual([true, false, false, true]);
    // rpc.status_code of a gRPC span names the code: a name that is none is read as a code other than OK.
    const named = read([
      span('b7ad6b7169203331', 'CLIENT', { 'rpc.system.name': 'grpc', 'rpc.status_code': 'UNAVALABLE' }),
      span('b7ad6b7169203332', 'SERVER', { 'rpc.system.name': 'grpc', 'rpc.status_code': 'unavailable' }),
    ]);
    expect(named.errors).toEqual([true, true]);
    expect(named.warnings).toEqual([`${named.file}:${place(named.text, '"rpc.status_code"')}: Zipkin tag rpc.status_code: UNAVALABLE is no gRPC status code (0 to 16 or their names, grpc/grpc doc/statuscodes.md): read as a code other than OK: a failure of a client span, not of a server span (grpc.md; client here)`]);
    expect(r.warnings).toEqual([`${r.file}:${place(r.text, '"rpc.grpc.status_code"')}: Zipkin tag rpc.grpc.status_code: 99 is no gRPC status code (0 to 16 or their names, grpc/grpc doc/statuscodes.md): read as a code other than OK: a failure of a client span, not of a server span (grpc.md; client here) (3 times in the file; the first here)`]);
  });

  it('a Jaeger otel.status_code alike, at its value; the enum\'s names are not Jaeger\'s', () => {
    const file = join(tmp, 'jaeger.json');
    const tag = (value: string) => [{ key: 'span.kind', type: 'string', value: 'server' }, { key: 'http.status_code', type: 'int64', value: 503 }, { key: 'otel.status_code', type: 'string', value }];
    const text = JSON.stringify({ data: [{ traceID: '0af7651916cd43dd8448eb211c80319c', processes: { p1: { serviceName: 'api' } }, spans: [
      { traceID: '0af7651916cd43dd8448eb211c80319c', spanID: 'b7ad6b7169203331', operationName: 'GET /a', references: [], startTime: 1700000000000000, duration: 1000, tags: tag('STATUS_CODE_OK'), processID: 'p1' },
      { traceID: '0af7651916cd43dd8448eb211c80319c', spanID: 'b7ad6b7169203332', operationName: 'GET /a', references: [], startTime: 1700000000000000, duration: 1000, tags: tag('ok'), processID: 'p1' },
    ] }] });
    writeFileSync(file, text);
    const got: boolean[] = [];
    const r = readTraceFile(file, (t) => got.push(...t.map((x) => x.error)));
    expect(got).toEqual([true, false]);
    expect(fileWarnings([{ file, report: r.report }])).toEqual([`${file}:1:${text.indexOf('"value":"STATUS_CODE_OK"') + 1}: Jaeger tag otel.status_code: STATUS_CODE_OK is no span status (OK, ERROR or UNSET, in any case): read as unset, as the collector reads a value it does not know: the span fails by its error tag or its status codes`]);
  });
});

describe('rehearse init --from-argo with a file of several Rollouts', () => {
  const multi = 'test/fixtures/vendor/argo/lint-valid-ingress-smi-multi.yml';
  const at = (line: number) => `${multi}:${line}:9`;

  it('without --rollout, lists them, imports none and writes nothing (exit 2)', async () => {
    const dir = join(tmp, 'init-none');
    const r = await cli('init', dir, '--from-argo', multi);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${multi}: 2 Rollouts: "rollout-smi-experiment" (${at(84)}), "rollout-smi-experiment-1" (${at(213)}); a plan rehearses one: name it (rehearse import argo --rollout NAME; in a scenario, argo.name)`);
    expect(r.out.split('\n').at(-1)).toBe('nothing was written: the Rollout did not import (above; rehearse init --from-argo FILE --rollout NAME names the one to import, as rehearse import argo --rollout does)');
    expect(existsSync(dir)).toBe(false);
  });

  it('a name the file does not hold is an error with the closest name, and nothing is written (exit 2)', async () => {
    const dir = join(tmp, 'init-wrong');
    const r = await cli('init', dir, '--from-argo', multi, '--rollout', 'rollout-smi-experimnt');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`--rollout "rollout-smi-experimnt": no Rollout of that name in ${multi}; did you mean "rollout-smi-experiment"? (they hold "rollout-smi-experiment" (${at(84)}), "rollout-smi-experiment-1" (${at(213)}))`);
    expect(existsSync(dir)).toBe(false);
  });

  it('--rollout NAME writes the scaffold and the plan of that Rollout, the one import argo --rollout prints', async () => {
    const dir = join(tmp, 'init-named');
    const r = await cli('init', dir, '--from-argo', multi, '--rollout', 'rollout-smi-experiment-1');
    expect(r.code).toBe(0);
    const plan = readFileSync(join(dir, 'argo-plan.yaml'), 'utf8').split('\n');
    const imported = await cli('import', 'argo', multi, '--rollout', 'rollout-smi-experiment-1');
    expect(plan.slice(1).join('\n')).toBe(`${imported.out}\n`);
    expect(plan[1]).toContain('# From the Rollout "rollout-smi-experiment-1"');
    expect(existsSync(join(dir, 'rehearsals', 'new-checkout.yaml'))).toBe(true);
  });

  it('a file named with a line break is named on one line in the plan\'s first comment, which stays a comment', async () => {
    const file = join(tmp, 'plan\nrollout: x.yaml');
    writeFileSync(file, `${readFileSync('examples/argo/rollout.yaml', 'utf8')}---\n${readFileSync('examples/argo/analysis-templates.yaml', 'utf8')}`);
    const dir = join(tmp, 'init-line-break');
    expect((await cli('init', dir, '--from-argo', file)).code).toBe(0);
    const plan = readFileSync(join(dir, 'argo-plan.yaml'), 'utf8');
    expect(plan.split('\n')[0]).toBe(`# The rollout plan of ${join(tmp, 'plan\\nrollout: x.yaml')}, as rehearse import argo wrote it: put it in the rollout: of a scenario in rehearsals/`);
    expect(Object.keys(parse(plan))).toEqual(['rollout']);
    expect(parse(plan).rollout).toHaveLength(1);
  });

  it('--rollout without --from-argo is refused', async () => {
    const r = await cli('init', join(tmp, 'init-alone'), '--rollout', 'x');
    expect([r.code, r.err]).toEqual([2, '--rollout: it names the Rollout --from-argo imports: give --from-argo too']);
    expect(existsSync(join(tmp, 'init-alone'))).toBe(false);
  });
});

describe('an empty file or folder argument is said of the argument, before anything is read or written', () => {
  it.each([
    [['import', 'flagger', '', 'examples/flagger/metric-templates.yaml'], 'import flagger <files...> (the 1st): an empty file name (a variable that is not set?): give one'],
    [['import', 'argo', 'examples/argo/rollout.yaml', ''], 'import argo <files...> (the 2nd): an empty file name (a variable that is not set?): give one'],
    [['merge', 'scenarios/tiny.yaml', 'a.json', ''], 'merge <files...> (the 2nd): an empty file name (a variable that is not set?): give one'],
    [['report', '', '--html', 'x.html'], 'report <result>: an empty file name (a variable that is not set?): give one'],
  ])('%j', async (argv, message) => {
    expect(await cli(...argv)).toMatchObject({ code: 2, err: message });
  });

  it('init "" scaffolds nothing, where it scaffolded the folder it ran in', async () => {
    const cwd = process.cwd();
    const here = mkdtempSync(join(tmp, 'init-empty-'));
    process.chdir(here);
    try {
      expect(await cli('init', '')).toMatchObject({ code: 2, err: 'init [dir]: an empty folder name (a variable that is not set?): give one' });
      expect(existsSync(join(here, 'rehearsals'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('bidirectional marks in a name are shown escaped, as the overrides are', () => {
  // Unicode UAX #9: U+200F (RLM), U+200E (LRM) and U+061C (ALM) reorder the neutral characters around them, as the
  // overrides (U+202E) reorder all: "Trojan Source" (CVE-2021-42574) lists them with the overrides and isolates.
  it('a message naming a file whose name holds U+200F shows \\u200f, as it shows \\u202e', async () => {
    for (const [c, shown] of [['\u200f', '\\u200f'], ['\u202e', '\\u202e'], ['\u061c', '\\u061c']]) {
      const file = join(tmp, `gpj.${c}exe.yaml`);
      writeFileSync(file, 'name: x\n');
      const r = await cli('validate', file);
      expect(r.code).toBe(2);
      expect(r.err).not.toContain(c);
      expect(r.err).toContain(join(tmp, `gpj.${shown}exe.yaml`));
    }
  });

  it('a --json document writes them as \\u escapes; a drill\'s terminal as the reports do', () => {
    expect(jsonText({ name: 'a\u200fb\u200ec' })).toBe('{\n  "name": "a\\u200fb\\u200ec"\n}');
    expect(escapedInline('ada\u200f\u202e\u001b[2J')).toBe('ada\\u200f\\u202e\\x1b[2J');
  });
});

describe('a file named with a line break is named on one line, by every command as by the importers', () => {
  it('run, calibrate and import argo name "new\\nline" alike', async () => {
    const file = join(tmp, 'new\nline');
    writeFileSync(file, 'x');
    const shown = join(tmp, 'new\\nline');
    expect((await cli('run', file)).err).toBe(`${shown}: a scenario is a mapping with name, traffic, journeys and services`);
    expect((await cli('calibrate', file)).err).toBe(`${shown}:1:1: not JSON: expected an object or an array`);
    expect((await cli('import', 'argo', file)).err).toBe(`${shown}:1:1: a Kubernetes resource is a mapping with apiVersion, kind and metadata`);
  });
});

describe('import argo and flagger: an empty --flag or --service is refused, where it was written into the plan', () => {
  it.each([
    [['import', 'argo', 'examples/argo/rollout.yaml', 'examples/argo/analysis-templates.yaml', '--flag', ''], '--flag "": an empty flag key (a variable that is not set?): give the key of the flag the plan rolls out'],
    [['import', 'flagger', 'examples/flagger/canary.yaml', 'examples/flagger/metric-templates.yaml', '--flag', ' '], '--flag " ": an empty flag key (a variable that is not set?): give the key of the flag the plan rolls out'],
    [['import', 'argo', 'examples/argo/rollout.yaml', 'examples/argo/analysis-templates.yaml', '--service', ''], '--service "": an empty service name (a variable that is not set?): give the scenario\'s service that runs the Rollout, or leave --service out for the Rollout\'s name'],
  ])('%j', async (argv, message) => {
    expect(await cli(...argv)).toMatchObject({ code: 2, out: '', err: message });
  });
});

describe('import flags: a flag file that holds no flag', () => {
  // Each system's own form of a file with no flag: flagd's {"flags": {}} (flagd-schemas json/flags.json), Unleash's
  // client API answer with no features (client-specification 01-simple-examples.json's shape), LaunchDarkly's flag
  // data with none (sdk-test-harness server-side-eval's "flags" and "segments").
  const files = {
    flagd: ['empty.flagd.json', '{"flags": {}}'],
    unleash: ['empty.unleash.json', '{"version": 1, "features": []}'],
    launchdarkly: ['empty.ld.json', '{"flags": {}, "segments": {}}'],
  } as const;

  for (const [system, [name, text]] of Object.entries(files)) {
    it(`${system}: refused naming the file (exit 2), where it printed a flags block of its from: alone, "variants ." and exit 0`, async () => {
      const file = join(tmp, name);
      writeFileSync(file, text);
      const r = await cli('import', 'flags', system, file);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`${file}: no flags to import: the ${system} file holds none`);
      expect(r.out).toBe('');
      const inline = await cli('import', 'flags', system, file, '--inline');
      expect(inline.code).toBe(2);
      expect(inline.err).toBe(`${file}: no flags to import: the ${system} file holds none`);
    });
  }
});
