/**
 * A name or a value from a file that holds a line break (inside, at its start or its end; \r\n; U+2028), as YAML's
 * quoted and block scalars and JSON's "\n" write one, named in an error or a warning of the built command: the
 * message shows it written \n and stays one line. Raw, "unknown service "a\nb"" was two lines, the second starting
 * with the value's tail, and a break at an end left a line that was empty or a lone quote: a reader could not tell
 * what the file holds. Each input kind rehearse reads is fed the value where a message names it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caretDisplay, messageOneLine } from '../src/units/escape.js';
import { batchOfBuiltCli, spawnBuiltCli, type Answer } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-line-breaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The value's parts: a head and a tail no message holds by itself. */
const HEAD = 'hd7';
const TAIL = 'tl7';
/** Each way a value holds a break, and how a message may show it (quoted() writes \r\n as \r\n, oneLine() as \n). */
const FORMS: [string, string, string[]][] = [
  ['inside', `${HEAD}\n${TAIL}`, [`${HEAD}\\n${TAIL}`]],
  ['at the start', `\n${TAIL}`, [`\\n${TAIL}`]],
  ['at the end', `${HEAD}\n`, [`${HEAD}\\n`]],
  ['\\r\\n inside', `${HEAD}\r\n${TAIL}`, [`${HEAD}\\r\\n${TAIL}`, `${HEAD}\\n${TAIL}`]],
  ['U+2028 inside', `${HEAD}\u2028${TAIL}`, [`${HEAD}\\u2028${TAIL}`]],
];

const J = JSON.stringify;
const read = (file: string) => readFileSync(join(root, file), 'utf8');
/** A scenario of one service a with one endpoint home, and `extra` after it. */
const scenario = (extra: string, traffic = '{ rate: 1/s }') =>
  `name: x\nduration: 1m\ntraffic: ${traffic}\njourneys: { j: { steps: [a.home] } }\nservices: { a: { endpoints: { home: {} } } }\n${extra}`;
const withGate = (gate: string, extra = '') =>
  scenario(`flags:\n  f: { kind: release, evaluated-by: [a] }\nrollout:\n  - flag: f\n    stages: [{ to: 100% }]\n    gates: [${gate}]\n${extra}`);
const jaegerSpan = (extra: Record<string, unknown> = {}) => ({ traceID: '1', spanID: '1', operationName: 'get', startTime: 1_000_000, duration: 1000, processID: 'p1', tags: [], ...extra });
const jaeger = (span: Record<string, unknown>, top: Record<string, unknown> = {}, serviceName = 'api') => J({ data: [{ traceID: '1', spans: [span], processes: { p1: { serviceName } } }], ...top });
const cohort = (edit: (c: any) => void) => {
  const users = {
    key: ['u-1', 'u-2'], country: ['DE', 'MX'], plan: ['free', 'pro'], platform: ['ios', 'android'], appVersion: ['5.12.1', '5.10.0'],
    accountAgeDays: [971, 1417], employee: [false, true], betaTester: [false, true], segment: ['general', 'internal'], activity: [1, 0.9],
  };
  const c = { schema: 'rehearse/cohort@1', name: 'c', seed: 1, size: 2, segments: { general: 0.9, internal: 0.1 }, users };
  edit(c);
  return J(c);
};

/**
 * An input kind: its files (name to text, given the value), and the command's arguments. `trims`: the reader takes
 * the value without the spaces at its ends, line breaks among them (a gate's tag value, as k6 reads it: grafana/k6
 * metrics/metric.go AddSubmetric, strings.TrimSpace), so that a break at an end leaves the message naming the rest.
 * `stdout`: the command answers on stdout (an evaluation), read there. `unquoted`: why no message puts the value in
 * quotes of its own (so that a quote or a backslash in it has nothing to be told apart from).
 */
interface Kind { files: (v: string) => Record<string, string>; argv: string[]; trims?: boolean; stdout?: boolean; unquoted?: string }
const KINDS: Record<string, Kind> = {
  'scenario: a service evaluated-by names': {
    files: (v) => ({ 's.yaml': scenario(`flags:\n  f: { kind: release, evaluated-by: [${J(v)}] }\n`) }),
    argv: ['validate', 's.yaml'],
  },
  'scenario: an endpoint when-on names': {
    files: (v) => ({ 's.yaml': scenario(`flags:\n  f: { kind: release, evaluated-by: [a], when-on: { ${J(`a.${v}`)}: { errors: +1% } } }\n`) }),
    argv: ['validate', 's.yaml'],
  },
  'scenario: a flag a case names': {
    files: (v) => ({ 's.yaml': scenario(`flags:\n  f: { kind: release, evaluated-by: [a] }\ncases:\n  c: { flags: { ${J(v)}: { when-on: { a.home: { errors: +1% } } } } }\n`) }),
    argv: ['validate', 's.yaml'],
  },
  'scenario: a metrics key': {
    files: (v) => ({ 's.yaml': scenario(`metrics:\n  ${J(v)}: 1\n`) }),
    argv: ['validate', 's.yaml'],
  },
  'gate (k6 threshold): a service tag': {
    files: (v) => ({ 's.yaml': withGate(J(`req_failed{service:${v}} rate<0.1`)) }),
    argv: ['validate', 's.yaml'],
    trims: true,
  },
  'gate (k6 threshold): a journey tag': {
    files: (v) => ({ 's.yaml': withGate(J(`req_failed{journey:${v}} rate<0.1`)) }),
    argv: ['validate', 's.yaml'],
    trims: true,
  },
  'tune: a case a constraint names': {
    files: (v) => ({ 's.yaml': withGate("'req_failed rate<0.1'", `cases: { c: {} }\ntune:\n  seeds: 2\n  vary: { rollout.f.failure-limit: [0, 1] }\n  subject-to: [${J(`detected{case:${v}} rate>0.5`)}]\n  minimize: 'blast_radius_users p(95)'\n`) }),
    argv: ['sweep', 's.yaml'],
    trims: true,
  },
  'gate: an alert of a Prometheus rule file': {
    files: (v) => ({ 'r.yaml': 'groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: up == 0\n', 's.yaml': withGate(`{ alert: ${J(v)} }`, 'metrics: { rules: [r.yaml] }\n') }),
    argv: ['validate', 's.yaml'],
  },
  'Prometheus rule file: an expression': {
    files: (v) => ({ 'r.yaml': `groups:\n  - name: g\n    rules:\n      - record: x:y\n        expr: ${J(`sum(${v}`)}\n`, 's.yaml': scenario('metrics: { rules: [r.yaml] }\n') }),
    argv: ['validate', 's.yaml'],
  },
  'cohort file: a segment': {
    files: (v) => ({ 'c.json': cohort((c) => (c.users.segment[0] = v)), 's.yaml': scenario('', '{ rate: 1/s, cohort: c.json }') }),
    argv: ['validate', 's.yaml'],
  },
  'flagd: a defaultVariant': {
    files: (v) => ({ 'f.flagd.json': J({ flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: v } } }) }),
    argv: ['flags', 'eval', 'f.flagd.json', '--flag', 'f', '--context', '{}'],
  },
  'flagd: the variant an evaluation serves': {
    files: (v) => ({ 'f.flagd.json': J({ flags: { f: { state: 'ENABLED', variants: { [v]: 'x', off: 'y' }, defaultVariant: v } } }) }),
    argv: ['flags', 'eval', 'f.flagd.json', '--flag', 'f', '--context', '{}'],
    stdout: true,
  },
  'flagd: a flag key and a $ref': {
    files: (v) => ({ 'f.flagd.json': J({ flags: { [v]: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on', targeting: { if: [{ $ref: v }, 'on', 'off'] } } } }) }),
    argv: ['import', 'flags', 'flagd', 'f.flagd.json'],
  },
  'flagd: the flags a scenario looks for': {
    files: (v) => ({
      'f.flagd.json': J({ flags: { [v]: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } } }),
      's.yaml': scenario('flags:\n  from: { flagd: f.flagd.json }\n  g: { kind: release, evaluated-by: [a] }\n'),
    }),
    argv: ['validate', 's.yaml'],
    unquoted: 'the flags the file holds are listed bare, (flags: a, b)',
  },
  'Unleash: a strategy name': {
    files: (v) => {
      const u = JSON.parse(read('flags/demo.unleash.json'));
      u.featureStrategies[0].name = v;
      return { 'u.json': J(u) };
    },
    argv: ['import', 'flags', 'unleash', 'u.json'],
  },
  'LaunchDarkly: a clause operator and a prerequisite': {
    files: (v) => {
      const l = JSON.parse(read('flags/demo.launchdarkly.json'));
      l.flags['payments-router'].rules[0].clauses[0].op = v;
      l.flags['payments-router'].prerequisites = [{ key: v, variation: 0 }];
      return { 'l.json': J(l) };
    },
    argv: ['import', 'flags', 'launchdarkly', 'l.json'],
  },
  'Argo Rollouts: an AnalysisTemplate name': {
    files: (v) => ({ 'r.yaml': read('examples/argo/rollout.yaml').replace(/templateName: [\w-]+/, `templateName: ${J(v)}`), 't.yaml': read('examples/argo/analysis-templates.yaml') }),
    argv: ['import', 'argo', 'r.yaml', 't.yaml'],
  },
  'Argo Rollouts: a successCondition': {
    files: (v) => ({ 't.yaml': read('examples/argo/analysis-templates.yaml').replace('successCondition: result[0] >= 0.95', `successCondition: ${J(`result[0] >= 0.95 && "${v}" +`)}`) }),
    argv: ['import', 'argo', join(root, 'examples/argo/rollout.yaml'), 't.yaml'],
    unquoted: 'the value is a string literal of the expression, shown in its caret display as the file gives it',
  },
  'Flagger: a Canary\'s metric name': {
    files: (v) => ({ 'c.yaml': read('examples/flagger/canary.yaml').replace(/name: request-success-rate/, `name: ${J(v)}`) }),
    argv: ['import', 'flagger', 'c.yaml', join(root, 'examples/flagger/metric-templates.yaml')],
  },
  'traces: a Jaeger span\'s key': {
    files: (v) => ({ 't.json': jaeger(jaegerSpan({ [v]: 1 })) }),
    argv: ['calibrate', 't.json', '-q'],
  },
  'traces: a key of the document': {
    files: (v) => ({ 't.json': jaeger(jaegerSpan(), { [v]: 1 }) }),
    argv: ['calibrate', 't.json', '-q'],
  },
};

/** A case's folder in `dir`, with `files` written there. */
function folder(files: Record<string, string>): string {
  const cwd = mkdtempSync(join(dir, 'case-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  return cwd;
}

/** Every kind with every form, in the order of the tests. */
const CASES = Object.entries(KINDS).flatMap(([kind, k]) => FORMS.map(([form, value]) => ({ kind, form, value, ...k })));
/**
 * The built command's answers to every case, in one child process (test/built-cli-batch.mjs), made once when a
 * test first reads them.
 */
let answers: { cwd: string; argv: string[]; answer: Answer }[] | undefined;
function answered() {
  if (!answers) {
    const cases = CASES.map((c) => ({ cwd: folder(c.files(c.value)), argv: c.argv }));
    answers = batchOfBuiltCli(cases).map((answer, i) => ({ ...cases[i], answer }));
  }
  return answers;
}
const answerOf = (kind: string, form: string) => answered()[CASES.findIndex((c) => c.kind === kind && c.form === form)];

describe('a line break in a name or value from a file is shown \\n in the message that names it', () => {
  for (const [kind, { argv, trims, stdout }] of Object.entries(KINDS)) {
    describe(kind, () => {
      it.each(FORMS)('%s', (form, value, escaped) => {
        const shown = trims && value.trim() !== value ? [...escaped, `"${value.trim()}"`] : escaped;
        const { answer } = answerOf(kind, form);
        const { code } = answer;
        const err = stdout ? answer.stdout : answer.stderr;
        expect(code === 0 || code === 2, `${argv.join(' ')}: exit ${code}: ${answer.stderr}`).toBe(true);
        const lines = err.replace(/\n$/, '').split('\n');
        const naming = lines.filter((l) => l.includes(HEAD) || l.includes(TAIL));
        // The value reaches a message (else this case tests nothing), each line naming it shows it escaped,
        // and no line is empty or begins with what follows the break.
        expect(naming.length, err).toBeGreaterThan(0);
        expect(naming.filter((l) => !shown.some((s) => l.includes(s))), err).toEqual([]);
        expect(lines.filter((l) => l.trim() === '' || l.startsWith(TAIL) || l === '"'), err).toEqual([]);
      });
    });
  }

  it('the built command spawned as people run it gives the same bytes and exit code, once for each command and exit code', () => {
    const spawned = new Set<string>();
    for (const { cwd, argv, answer } of answered()) {
      // The command's words, up to its first file.
      const command = argv.slice(0, argv.findIndex((a) => /\.(ya?ml|json)$/.test(a))).join(' ');
      if (spawned.has(`${command} ${answer.code}`)) continue;
      spawned.add(`${command} ${answer.code}`);
      expect(spawnBuiltCli(cwd, argv), `${argv.join(' ')} in ${cwd}`).toEqual(answer);
    }
    // Most readers warn and answer (0); validate, sweep and import argo refuse (2); flags eval does either.
    expect([...spawned].sort()).toEqual(['calibrate 0', 'flags eval 0', 'flags eval 2', 'import argo 2', 'import flagger 0', 'import flags flagd 0',
      'import flags launchdarkly 0', 'import flags unleash 0', 'sweep 2', 'validate 2']);
  });
});

/**
 * A value holding a double quote or a backslash, named in quotes in a message: written escaped, as quoted() writes
 * it ("hd7\"tl7"), never as "hd7"tl7", whose quotes no longer say where the value ends.
 */
const QUOTE_FORMS: [string, string, string][] = [
  ['a double quote inside', `${HEAD}"${TAIL}`, `${HEAD}\\"${TAIL}`],
  ['a backslash inside', `${HEAD}\\${TAIL}`, `${HEAD}\\\\${TAIL}`],
  ['a backslash before a quote', `${HEAD}\\"${TAIL}`, `${HEAD}\\\\\\"${TAIL}`],
];

/** Every kind that quotes its value with every quote form, answered in one child process as the line breaks are. */
const QUOTE_CASES = Object.entries(KINDS).filter(([, k]) => k.unquoted === undefined)
  .flatMap(([kind, k]) => QUOTE_FORMS.map(([form, value]) => ({ kind, form, value, ...k })));
let quoteAnswers: Answer[] | undefined;
function quoteAnswerOf(kind: string, form: string): Answer {
  quoteAnswers ??= batchOfBuiltCli(QUOTE_CASES.map((c) => ({ cwd: folder(c.files(c.value)), argv: c.argv })));
  return quoteAnswers[QUOTE_CASES.findIndex((c) => c.kind === kind && c.form === form)];
}

describe('a double quote or a backslash in a name or value from a file is escaped in the message that quotes it', () => {
  for (const [kind, { argv, stdout }] of Object.entries(KINDS).filter(([, k]) => k.unquoted === undefined)) {
    describe(kind, () => {
      it.each(QUOTE_FORMS)('%s', (form, value, escaped) => {
        const answer = quoteAnswerOf(kind, form);
        const { code } = answer;
        const err = stdout ? answer.stdout : answer.stderr;
        expect(code === 0 || code === 2, `${argv.join(' ')}: exit ${code}: ${answer.stderr}`).toBe(true);
        const lines = err.replace(/\n$/, '').split('\n');
        // The value reaches a message quoted and escaped (else this case tests nothing), and no line closes a quote
        // right after the raw value (a caret display shows the source as given, which is not a quoted value).
        expect(lines.filter((l) => l.includes(escaped)).length, err).toBeGreaterThan(0);
        expect(lines.filter((l) => l.includes(`${value}"`)), err).toEqual([]);
      });
    });
  }
});

describe('a caret display stays two lines under a message of one', () => {
  it.each([
    // the caret stays under the character it points at, past the escapes written before it
    ['a\nb + )', 7, '  a\\nb + )\n  ^'.replace('^', '       ^')],
    ['x\u2028y )', 5, '  x\\u2028y )\n  ^'.replace('^', '         ^')],
    ['plain )', 7, '  plain )\n        ^'],
  ])('%j at column %i', (source, column, display) => {
    expect(caretDisplay(source, column, '  ')).toBe(display);
  });
  it('the breaks before the display are the input\'s, its own two are kept', () => {
    expect(messageOneLine(`unknown service "a\nb" at column 3\n${caretDisplay('{a\nb}', 2, '    ')}`))
      .toBe('unknown service "a\\nb" at column 3\n    {a\\nb}\n     ^');
    expect(messageOneLine('no display: "a\nb"\n')).toBe('no display: "a\\nb"\\n');
  });
});
