/**
 * Values of the wrong kind where a file's own text is put in a message or read as a number: a JSON object with a
 * key "toString" or "valueOf" (which JSON.parse makes an own property) made String(v), Number(v) and join throw
 * "Cannot convert object to primitive value", a TypeError with a stack and exit 1. Each case ends in exit 0 or 2
 * with the file named, never a stack.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctlMain } from '../src/cli/gameday-ctl.js';
import { parse } from 'yaml';
import { parseScenarioText } from '../src/load/scenario.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-hostile-values-'));
const poison = { toString: 1, valueOf: 1 };

const write = (name: string, doc: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};
const jaegerTrace = {
  traceID: '1',
  spans: [{ traceID: '1', spanID: '1', operationName: 'get', startTime: 1_000_000, duration: 1000, processID: 'p1', tags: [] }],
  processes: { p1: { serviceName: 'api' } },
};
const otlp = (span: Record<string, unknown>, serviceName: unknown = 'api') => ({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
    scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'get', kind: 2, startTimeUnixNano: '1000000000', endTimeUnixNano: '1001000000', ...span }] }],
  }],
});

describe('calibrate: a trace file\'s values of the wrong kind are named, never a TypeError', () => {
  const cases: [string, unknown, number, RegExp][] = [
    // wrapper-tables.ts API_ERRORS joined the code and message with Array.join
    ['api-v3-error', { error: { grpcCode: poison, message: poison } }, 2, /api-v3-error\.json:1:10: Jaeger API GatewayWrapper\.error: Jaeger's API answered with an error \(\{"toString":1,"valueOf":1\}\)/],
    ['api-errors', { data: [jaegerTrace], errors: [{ code: poison, msg: 'boom', traceID: poison }] }, 0, /api-errors\.json:1:\d+: Jaeger API JaegerResponse\.errors: .*\(\{"toString":1,"valueOf":1\} boom, trace \{"toString":1,"valueOf":1\}\)/],
    // errors that are no list were passed unwarned (nonEmpty is false of a text)
    ['api-errors-text', { data: [jaegerTrace], errors: 'upstream timeout' }, 0, /api-errors-text\.json:1:\d+: Jaeger API JaegerResponse\.errors: Jaeger's API answered with an error \(upstream timeout\)/],
    ['api-errors-none', { data: [jaegerTrace], errors: [] }, 0, /^$/],
    // UiFetchedTrace.state was String(v)
    ['ui-state', { data: jaegerTrace, state: poison }, 0, /ui-state\.json:1:\d+: Jaeger UI UiFetchedTrace\.state: the UI's fetch of the trace was \{"toString":1,"valueOf":1\}, not FETCH_DONE/],
    // a Jaeger log's timestamp was Number(v); then read as the span's start in silence: refused, as Jaeger's reader refuses it
    ['jaeger-log', { data: [{ ...jaegerTrace, spans: [{ ...jaegerTrace.spans[0], logs: [{ timestamp: poison, fields: [] }] }] }] }, 2, /jaeger-log\.json:1:\d+: skipped: a span whose Jaeger Log\.timestamp is an object, not a whole number of 0 or more/],
    // OTLP span flags were Number(v) in the check whether to warn; AnyValue's stringValue and intValue String(v), Number(v)
    // and now refused, as the collector's reader refuses a flags or a dropped count that is no uint32 (ReadUint32)
    ['otlp-flags', otlp({ flags: poison }), 2, /otlp-flags\.json:1:\d+: skipped: a span whose OTLP Span\.flags is an object, not a whole number from 0 to 4294967295/],
    // a Jaeger span's flags that are no number were passed unwarned
    ['jaeger-flags', { data: [{ ...jaegerTrace, spans: [{ ...jaegerTrace.spans[0], flags: poison }] }] }, 0, /jaeger-flags\.json:1:\d+: Jaeger Span\.flags: flags \{"toString":1,"valueOf":1\} not read/],
    ['otlp-dropped', otlp({ droppedAttributesCount: poison }), 2, /otlp-dropped\.json:1:\d+: skipped: a span whose OTLP Span\.droppedAttributesCount is an object, not a whole number from 0 to 4294967295/],
    // then the service named by the object's JSON text, and a status code NaN: refused, as the collector refuses them
    ['otlp-string', otlp({}, poison), 2, /otlp-string\.json:1:\d+: OTLP AnyValue\.stringValue is an object, not text/],
    ['otlp-int', otlp({ attributes: [{ key: 'http.response.status_code', value: { intValue: poison } }] }), 2, /otlp-int\.json:1:\d+: skipped: a span whose OTLP AnyValue\.intValue is an object, not a whole number/],
  ];
  for (const [name, doc, code, message] of cases) {
    it(name, async () => {
      const r = await cli('calibrate', write(`${name}.json`, doc), '-q');
      expect(r.err).not.toMatch(/TypeError|\n\s+at /);
      expect(r.code).toBe(code);
      expect(r.err).toMatch(message);
    });
  }
});

describe('gameday ctl: numbers are written in decimals', () => {
  // Checked before any request, so no drill need be running at the URL.
  const url = 'http://127.0.0.1:9/?token=t0ken';
  async function ctl(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await ctlMain(['ctl', url, ...args], { out: (s) => out.push(s), err: (s) => err.push(s) }, {}, async () => {});
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  // Number() took 0x10 for 16 seconds, 0b1 for 1 and " 1" for 1.
  it.each(['0x10', '0b1', '0o7', ' 1', '1 ', '1e1', '+1', '-1', '0', 'NaN', 'Infinity', '', '3601', '1e9', '0.09'])('status --watch %j is a usage error', async (v) => {
    const r = await ctl('status', `--watch=${v}`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--watch needs seconds between polls, 0.1 to 3600, not "${v}"`);
  });
  it.each(['0x258', '0b11', ' 600', 'Infinity', '1e999'])('speed %j is a usage error', async (v) => {
    const r = await ctl('speed', v);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`speed needs a number (simulated seconds per wall second, e.g. 600), not "${v}"`);
  });
  // util's parseArgs took "--since -1" for an option left without its value and answered in its own words
  // ("Option '--since' argument is ambiguous ... use '--since=-XYZ'") with the whole help after it.
  const since = '--since needs the cursor a status printed (next: --since CURSOR): EPOCH.WINDOWS.AUDIT.ACTIONS, 8 hex digits then three whole numbers, such as 0f3a9c2e.12.4.1';
  it.each([
    [['--since', '-1'], `${since}, not "-1"`],
    [['--since=-1'], `${since}, not "-1"`],
    [['--since', '-0f3a9c2e.1.2.3'], `${since}, not "-0f3a9c2e.1.2.3"`],
    [['--since'], `${since}: none given`],
    [['--since', '--watch', '5'], `${since}: none given`],
    [['--watch', '-1'], '--watch needs seconds between polls, 0.1 to 3600, not "-1"'],
    [['--watch', '--since', '0f3a9c2e.1.2.3'], '--watch needs seconds between polls, 0.1 to 3600: none given'],
  ])('status %j says what a valid value is', async (args, message) => {
    const r = await ctl('status', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: ${message}`);
  });
  it('text after -- is a note\'s, not an option', async () => {
    const r = await ctl('note', '--', '--since', '-1');
    expect(r.err).toMatch(/cannot reach the drill at http:\/\/127\.0\.0\.1:9/);
  });
  it.each(['0.1', '2', '.5', '3600'])('status --watch %s is taken (then the drill is not reached: exit 3 saying so)', async (v) => {
    const r = await ctl('status', '--watch', v);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/cannot reach the drill at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('an empty path is said to be one', () => {
  // '' read as a path is the folder the command runs in: the messages began ": no such file" or ": cannot read the
  // scenario: is a directory", naming nothing.
  const flagd = (from: string) => {
    const file = join(dir, `empty-${from.length}.yaml`);
    writeFileSync(file, `name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\nflags:\n  from: { flagd: '${from}' }\n`);
    return file;
  };
  // Said of the argument, as of an option (--json ""): the command and which of its files.
  const empty = (argument: string, what = 'file') => `${argument}: an empty ${what} name (a variable that is not set?): give one`;
  it.each([
    [['run', ''], empty('run <scenario>')],
    [['validate', ''], empty('validate <files...> (the 1st)')],
    [['gameday', ''], empty('gameday <scenario>')],
    [['gameday', 'resume', ''], empty('gameday resume <journal>')],
    [['calibrate', ''], empty('calibrate <traces...> (the 1st)')],
    [['flags', 'eval', '', '--flag', 'a', '--context', '{}'], empty('flags eval <file>')],
    [['ci', ''], empty('ci [dir]', 'folder')],
  ])('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(message);
  });
  it('flags.from.flagd: \'\' in a scenario', async () => {
    const file = flagd('');
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${file}:7:18: flags.from.flagd: an empty path names no flag file`);
  });
});

describe('calibrate: names with line breaks stay inside the comments that quote them', () => {
  it('a service and an operation named "x\\ninjected: true": the scenario written is valid and has no key "injected"', async () => {
    const named = 'x\ninjected: true';
    const spans = [
      { traceId: '0000000000000001', id: '0000000000000001', name: 'op', timestamp: 1_000_000, duration: 100, kind: 'SERVER', localEndpoint: { serviceName: named } },
      { traceId: '0000000000000002', id: '0000000000000002', name: named, timestamp: 1_001_000, duration: 100, kind: 'SERVER', localEndpoint: { serviceName: 's' } },
    ];
    // It was exit 2, "the calibrated scenario does not validate (a bug in calibrate): calibrated:27:11: invalid YAML".
    const r = await cli('calibrate', write('line-break.json', spans), '-q');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/^\s*injected: true/m);
    expect(r.out).toContain('--capacity x\\ninjected: true=N');
    expect(parseScenarioText(r.out).ok).toBe(true);
  });
});

describe('import flags: names with line breaks stay inside the comments that quote them', () => {
  it.each([[[]], [['--inline']]])('a flag and an attribute named with a line break (%j): the YAML printed has the key flags alone at its top', async (extra) => {
    const on = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };
    const file = write('line-break.flagd.json', { flags: { 'a\ninjected: true': on, b: { ...on, targeting: { if: [{ var: 'x\ninjected3: 1' }, 'on', 'off'] } } } });
    // The header's "variants a\ninjected: true: on/off" and "reads user attributes: x\ninjected3: 1" ended their
    // comments: the first made the YAML invalid, the second a key injected3 beside flags.
    const r = await cli('import', 'flags', 'flagd', file, ...extra);
    expect(r.code).toBe(0);
    expect(Object.keys(parse(r.out))).toEqual(['flags']);
    expect(r.out).toMatch(/^# .*x\\ninjected3: 1/m);
  });
});

describe('import argo: a Rollout named with a line break stays inside the comment that quotes it', () => {
  it('the YAML printed has the key rollout alone at its top', async () => {
    const argo = new URL('./fixtures/argo/', import.meta.url).pathname;
    const text = readFileSync(join(argo, 'rollout-analysis-step.yaml'), 'utf8').replace(/^ {2}name: rollout-analysis-step$/m, '  name: "r\\ninjected: 1"');
    const rollout = join(dir, 'line-break-rollout.yaml');
    writeFileSync(rollout, text);
    // The header's "From the Rollout "r<line break>injected: 1"" ended its comment: the YAML printed was invalid.
    const r = await cli('import', 'argo', rollout, join(argo, 'analysis-templates.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# From the Rollout "r\\ninjected: 1"/);
    expect(Object.keys(parse(r.out))).toEqual(['rollout']);
  });
});

describe('import argo, flagger and flags: a warning that quotes a name written with a line break is one line', () => {
  // The header comments were fixed; the warnings on stderr printed the break raw, so a name could start a line
  // of its own making ("x\nwarning: ..."). Each warning is now one line, the break written \n as quoted() writes it.
  const argo = new URL('../examples/argo/', import.meta.url).pathname;
  const flagger = new URL('../examples/flagger/', import.meta.url).pathname;
  const warningLines = (err: string) => err.split('\n').every((l) => l.startsWith('warning: '));
  it('argo: a Rollout and an unused AnalysisTemplate named with line breaks', async () => {
    const rollout = join(dir, 'lb-argo-rollout.yaml');
    writeFileSync(rollout, readFileSync(join(argo, 'rollout.yaml'), 'utf8').replace(/^ {2}name: guestbook$/m, '  name: "r\\nwarning: injected"'));
    const templates = join(dir, 'lb-argo-templates.yaml');
    writeFileSync(templates, `${readFileSync(join(argo, 'analysis-templates.yaml'), 'utf8')}\n---\napiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: "unused\\r\\nx"\nspec:\n  metrics:\n  - name: m\n    provider:\n      prometheus: { query: up }\n`);
    const r = await cli('import', 'argo', rollout, templates);
    expect(r.code).toBe(0);
    expect(warningLines(r.err)).toBe(true);
    expect(r.err).toContain(`no analysis of the Rollout "r\\nwarning: injected" (${rollout}:6:9) names AnalysisTemplate "unused\\r\\nx"`);
    // The same warnings through a scenario's argo: entry (validate prints them as they come from the adapter).
    const scenario = join(dir, 'lb-argo-scenario.yaml');
    writeFileSync(scenario, readFileSync(join(argo, 'guestbook.yaml'), 'utf8').replace('rollout: rollout.yaml', 'rollout: lb-argo-rollout.yaml\n      service: guestbook').replace('[analysis-templates.yaml]', '[lb-argo-templates.yaml]'));
    const v = await cli('validate', scenario);
    expect(v.code).toBe(0);
    expect(v.err).toContain('names AnalysisTemplate "unused\\r\\nx"');
    expect(v.err.split('\n').every((l) => l.startsWith('warning: '))).toBe(true);
  });
  it('flagger: a webhook named with a line break', async () => {
    const canary = join(dir, 'lb-canary.yaml');
    writeFileSync(canary, readFileSync(join(flagger, 'canary.yaml'), 'utf8').replace('- name: acceptance-test', '- name: "acceptance\\nwarning: injected"'));
    const r = await cli('import', 'flagger', canary, join(flagger, 'metric-templates.yaml'));
    expect(r.code).toBe(0);
    expect(warningLines(r.err)).toBe(true);
    expect(r.err).toContain('webhook "acceptance\\nwarning: injected" of type pre-rollout');
  });
  it('flags: a flag key and an operation named with line breaks', async () => {
    const file = write('lb-warning.flagd.json', { flags: { 'a\nwarning: injected': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { 'op\rx': [1] } } } });
    const r = await cli('import', 'flags', 'flagd', file);
    expect(r.code).toBe(0);
    expect(warningLines(r.err)).toBe(true);
    expect(r.err).toContain('operation "op\\rx" is not one flagd knows: an evaluation of flag "a\\nwarning: injected"');
  });
});

describe('import argo and flagger: an error that quotes a name written with a line break is one line, the caret display kept', () => {
  // Warnings were one line; errors kept every line break, so a kind "x\nerror: ..." printed a line of its own
  // making. Now only the caret display of a condition that does not parse (its source and caret) keeps two lines.
  const argo = new URL('../examples/argo/', import.meta.url).pathname;
  it('argo: a kind written with a line break', async () => {
    const file = join(dir, 'lb-kind-templates.yaml');
    writeFileSync(file, `${readFileSync(join(argo, 'analysis-templates.yaml'), 'utf8')}\n---\napiVersion: argoproj.io/v1alpha1\nkind: "Analysis\\nerror: injected"\nmetadata:\n  name: x\n`);
    const r = await cli('import', 'argo', join(argo, 'rollout.yaml'), file);
    expect(r.code).toBe(2);
    const lines = r.err.split('\n');
    expect(lines.filter((l) => l.includes('injected'))).toEqual([expect.stringMatching(/kind: "Analysis\\nerror: injected" is not a kind of argoproj\.io that rehearse reads/)]);
    expect(r.err).not.toMatch(/^error: injected/m);
  });
  it('argo: a condition that does not parse keeps its source and caret on lines of their own', async () => {
    const file = join(dir, 'lb-caret-templates.yaml');
    writeFileSync(file, readFileSync(join(argo, 'analysis-templates.yaml'), 'utf8').replace('successCondition: result[0] >= 0.95', 'successCondition: result[0] >='));
    const r = await cli('import', 'argo', join(argo, 'rollout.yaml'), file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('spec.metrics[0].successCondition: unexpected end of condition at column 13\n  result[0] >=\n              ^');
  });
});

describe('a mapping of 50,000 keys in another tool\'s file is read in one pass; a key written twice is still refused at its line', () => {
  // The yaml library's uniqueKeys check compares every key with every other: an AnalysisTemplate file with 50,000
  // keys took four minutes to import (a hang), a flag file likewise. Keys are checked in one pass, as scenarios are.
  const many = Array.from({ length: 50_000 }, (_, i) => `k${i}: ${i}`).join('\n');
  it('import argo: within seconds, the unknown keys named fifty at most, then counted', async () => {
    const templates = join(dir, 'many-keys-templates.yaml');
    writeFileSync(templates, `${readFileSync(new URL('../examples/argo/analysis-templates.yaml', import.meta.url), 'utf8')}\n${many}\n`);
    const t0 = Date.now();
    const r = await cli('import', 'argo', new URL('../examples/argo/rollout.yaml', import.meta.url).pathname, templates);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/many-keys-templates\.yaml:\d+:\d+: k0, k1 \(\d+:\d+\), .*k49 \(\d+:\d+\) and 49950 more: not a field of the current CRD/);
  });
  it('import flags: within seconds', async () => {
    const file = join(dir, 'many-keys.flagd.json');
    writeFileSync(file, `{"flags": {}, ${Array.from({ length: 50_000 }, (_, i) => `"k${i}": ${i}`).join(', ')}}`);
    const t0 = Date.now();
    const r = await cli('import', 'flags', 'flagd', file);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // It holds no flag: refused, with what was read of it.
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: no flags to import: the flagd file holds none`);
    expect(r.err).toContain('k49999: "k49999" is not a field of flagd\'s FlagdFile');
  });
  it.each([
    ['argo', 'dup.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: a\n  name: b\nspec: {}\n', /dup\.yaml:5:3: invalid YAML: duplicate key "name"/],
    ['flags', 'dup.flagd.json', '{"flags": {}, "flags": {}}', /dup\.flagd\.json:1:15: invalid JSON: duplicate key "flags"/],
  ])('%s: a key written twice', async (kind, name, text, message) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const r = kind === 'argo' ? await cli('import', 'argo', new URL('../examples/argo/rollout.yaml', import.meta.url).pathname, file) : await cli('import', 'flags', 'flagd', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('a key that is a mapping or a list ({{ x }} unquoted) is refused where it stands, without a process warning', () => {
  // The yaml package's toJS writes such a key as text and calls process.emitWarning ("Keys with collection values
  // will be stringified"): a Node warning on the terminal, and a key no Kubernetes API server or Go yaml accepts.
  const template = 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: x\nspec:\n  template:\n    metadata:\n      annotations:\n        a: {{args.x}}\n';
  it.each([
    ['scenario', 'key.yaml', 'name: x\n{{ args.x }}: 1\n', ['validate'], /key\.yaml:2:1: invalid YAML: a key that is a mapping, where keys are text/],
    ['argo', 'template.yaml', template, ['import', 'argo'], /template\.yaml:9:13: invalid YAML: a key that is a mapping/],
    ['flagd', 'list-key.flagd.yaml', 'flags:\n  ? [a, b]\n  : { state: ENABLED }\n', ['import', 'flags', 'flagd'], /list-key\.flagd\.yaml:2:5: invalid YAML: a key that is a list/],
  ])('%s', async (_kind, name, text, command, message) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const r = await cli(...command, file);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /collection values/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
  it('Argo\'s own examples/traffic-management/rollout-linkerd.yaml, as Go\'s yaml refuses it (gopkg.in/yaml.v3 decode.go: "invalid map key"), so kubectl does', async () => {
    const r = await cli('import', 'argo', new URL('fixtures/vendor/argo/rollout-linkerd.yaml', import.meta.url).pathname);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/rollout-linkerd\.yaml:101:39: invalid YAML: a key that is a mapping, where keys are text/);
  });
});

describe('an Argo condition nested thousands deep is refused at its column, not a stack overflow', () => {
  it('successCondition result[[[...]]]', async () => {
    // condition-parse.ts recursed once per bracket: a RangeError with a stack (exit 1).
    const templates = join(dir, 'deep-condition.yaml');
    writeFileSync(templates, readFileSync(new URL('../examples/argo/analysis-templates.yaml', import.meta.url), 'utf8').replace('result[0] >= 0.95', `result${'['.repeat(5000)}0${']'.repeat(5000)} >= 0.95`));
    const r = await cli('import', 'argo', new URL('../examples/argo/rollout.yaml', import.meta.url).pathname, templates);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/deep-condition\.yaml:\d+:\d+: spec\.metrics\[0\]\.successCondition: nesting too deep \(more than 200 levels\) at column 207\n/);
  });
});

describe('trace and flag files that overflowed a parser or the vendor\'s SDK are named, exit 2 or 0, never a stack', () => {
  it('calibrate: a key with a raw control character is invalid JSON at its place (JSON.parse threw a SyntaxError)', async () => {
    const file = join(dir, 'key-control.json');
    writeFileSync(file, '{\n  "resourceSpans\u001b[2J": []\n}\n');
    const r = await cli('calibrate', file, '-q');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${file}:2:22: invalid JSON: the key "resourceSpans\\x1b[2J" is not a JSON string (Bad control character in string literal)`);
  });
  it('calibrate: span flags nested 5,000 deep are warned as too deep to show (JSON.stringify overflowed)', async () => {
    const file = join(dir, 'deep-flags.json');
    writeFileSync(file, JSON.stringify({ data: [{ ...jaegerTrace, spans: [{ ...jaegerTrace.spans[0], flags: 'DEEP' }] }] }).replace('"DEEP"', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`));
    const r = await cli('calibrate', file, '-q');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/deep-flags\.json:1:\d+: Jaeger Span\.flags: flags \{an object nested too deep to show\} not read/);
  });
  it('flags eval: a LaunchDarkly flag with 200,000 targets, more than the SDK can load, is refused naming the flag', async () => {
    const flag = { key: 'f', on: true, variations: [true, false], fallthrough: { variation: 1 }, offVariation: 1, targets: [{ variation: 0, values: Array.from({ length: 200_000 }, (_, i) => `u${i}`) }] };
    const file = write('many-targets.launchdarkly.json', { flags: { f: flag } });
    const r = await cli('flags', 'eval', file, '--flag', 'f', '--context', '{"kind":"user","key":"u1"}');
    expect(r.err).not.toMatch(/RangeError|\n\s+at /);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/many-targets\.launchdarkly\.json: flags\["f"\]: LaunchDarkly's Node server SDK cannot load it: a list in it is too long for the SDK/);
  });
});

describe('calibrate: a span of 50,000 fields of its own making is read in seconds', () => {
  it('the first 200 fields are placed at their own line and column, the rest where the span begins', async () => {
    // Each field's place was a walk through the file (fields.ts findPath): 50,000 of them took minutes.
    const span = { traceId: '0000000000000001', id: '0000000000000001', name: 'op', timestamp: 1_000_000, duration: 100, kind: 'SERVER', localEndpoint: { serviceName: 's' } };
    const file = join(dir, 'many-fields.json');
    writeFileSync(file, `[\n  {${Array.from({ length: 50_000 }, (_, i) => `"k${i}": ${i}`).join(', ')}, ${JSON.stringify(span).slice(1)}\n]\n`);
    const t0 = Date.now();
    const r = await cli('calibrate', file, '-q');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${file}:2:4: "k0" is not a field of Zipkin's Span: not read`);
    expect(r.err).toContain(`${file}:2:${4 + Array.from({ length: 199 }, (_, i) => `"k${i}": ${i}, `).join('').length}: "k199" is not a field`);
    expect(r.err).toContain(`${file}:2:3: "k49999" is not a field of Zipkin's Span: not read`);
  });
});

describe('a threshold naming "__proto__" or another key every object has is an unknown metric', () => {
  it.each(['__proto__', 'constructor'])('acceptance %s{flag:new-payments} max<1', async (name) => {
    // lang/threshold.ts read metrics[name]: Object.prototype's own, whose tags were a TypeError with a stack.
    const file = join(dir, `proto-metric-${name}.yaml`);
    writeFileSync(file, readFileSync(new URL('../examples/first-scenario.yaml', import.meta.url), 'utf8').replace("'false_rollback{flag:new-payments} max<1'", `'${name}{flag:new-payments} max<1'`));
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`proto-metric-${name}\\.yaml:\\d+:\\d+: acceptance\\[2\\]: unknown metric "${name}"`));
  });
});

describe('calibrate: traces whose every span is skipped say so, file by file', () => {
  it('a Zipkin span with timestamp -1 (none, as Zipkin reads it) and no part with one', async () => {
    // It was exit 2 with "the calibrated scenario does not validate (a bug in calibrate): calibrated:18:13: journeys: ..."
    const file = write('all-skipped.json', [{ traceId: '091f00370361e578', id: '188bb8428fc7e477', kind: 'PRODUCER', name: 'send', timestamp: -1, duration: 9550570, localEndpoint: { serviceName: 's' } }]);
    const r = await cli('calibrate', file, '-q');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`no span to calibrate from:\n${file}:1:2: 1 span skipped: a span without a timestamp, and no part of it (its id, shared flag and service) with one`);
  });
});
