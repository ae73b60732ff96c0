/**
 * Go templates in alerting rules' annotations. prometheus/prometheus model/rulefmt/rulefmt.go
 * (testTemplateParsing) parses every label and annotation of an alerting rule with text/template and the
 * functions of template/template.go, after the declarations of $labels, $externalLabels, $externalURL and
 * $value; a template that does not parse fails `promtool check rules` and Prometheus loads none of the file.
 * rehearse parses annotations as that parser does (golang/go src/text/template/parse/lex.go and parse.go, Go
 * 1.19.8 as promtool 2.42 is built with) and warns at the annotation with Go's message (templated label values
 * are refused already). Each vector, and a corpus of malformed templates generated from them, is checked
 * against promtool 2.42 when it is installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { templateProblem } from '../src/interop/prometheus/templates.js';
import { PROMTOOL, prometheusAvailable } from './prometheus.js';

/** Annotation text, and what promtool 2.42 says of it: null when it parses, else its message's tail. */
const VECTORS: [string, string | null][] = [
  ['{{ $value ', 'unclosed action'],
  ['{{ .Foo }', 'unexpected "}" in operand'],
  ['{{ "unterminated }}', 'unterminated quoted string'],
  ['{{ `raw }}', 'unterminated raw quoted string'],
  ["{{ 'x }}", 'unterminated character constant'],
  ['{{/* comment }}', 'unclosed comment'],
  ['{{ nosuchfn $value }}', 'function "nosuchfn" not defined'],
  ['{{ $value | humanize | nosuch }}', 'function "nosuch" not defined'],
  ['{{ toDuration $value }}', 'function "toDuration" not defined'],
  ['{{ $nosuchvar }}', 'undefined variable "$nosuchvar"'],
  ['{{ $x }}{{ $x := 1 }}', 'undefined variable "$x"'],
  ['{{ if }}', 'missing value for if'],
  ['{{ end }}', 'unexpected {{end}}'],
  ['{{ else }}', 'unexpected {{else}}'],
  ['{{ if $value }}high', 'unexpected EOF'],
  ['{{ range $labels }}{{ . }}', 'unexpected EOF'],
  ['{{ humanize ($value }}', 'unclosed left paren'],
  ['{{ humanize $value) }}', 'unexpected ")" in command'],
  ['line one\n{{ $value ', 'unclosed action'],
  // text/template/parse parse.go: a control's variables end at its {{end}}; a definition starts with `$` alone;
  // {{break}} and {{continue}} only inside a {{range}}; one {{else}} per control.
  ['{{ with $x := $value }}{{ end }}{{ $x }}', 'undefined variable "$x"'],
  ['{{ range $labels }}{{ $y := 1 }}{{ end }}{{ $y }}', 'undefined variable "$y"'],
  ['{{ define "d" }}{{ $labels }}{{ end }}', 'undefined variable "$labels"'],
  ['{{ break }}', '{{break}} outside {{range}}'],
  ['{{ if $value }}{{ continue }}{{ end }}', '{{continue}} outside {{range}}'],
  ['{{ range $labels }}{{ block "d" . }}{{ break }}{{ end }}{{ end }}', '{{break}} outside {{range}}'],
  ['{{ if $value }}{{ define "d" }}{{ end }}{{ end }}', 'unexpected <define> in command'],
  ['{{ if $value }}a{{ else }}b{{ else }}c{{ end }}', 'expected end; found {{else}}'],
  // golang/go src/text/template/parse/lex.go: what may follow a name, what a number is, `:` only in `:=`, a
  // comment only right after the delimiter; parse.go: what may start a command or follow an operand, one
  // declared variable outside {{range}}, a literal only first in a pipeline, what strconv reads.
  ['{{ range$labels }}{{ end }}', 'bad character U+0024 \'$\''],
  ['{{ $x= 2 }}', 'bad character U+003D \'=\''],
  ['{{ $value{ }}', 'bad character U+007B \'{\''],
  ['{{ $labels.a}x }}', 'bad character U+007D \'}\''],
  ['{{ 1.2.3true }}', 'bad number syntax: ".3t"'],
  ['{{ -. }}', 'illegal number syntax: "-."'],
  ['{{ $v:alue }}', 'undefined variable "$v"'],
  ['{{ printf "%.2f" /*$value }}', 'unexpected "/" in operand'],
  ['{{ /* c */ }}', 'unexpected "/" in command'],
  ['{{= $value }}', 'unexpected "=" in command'],
  ['{{ . | first | value $.| humanize }}', 'unexpected <.> in operand'],
  ['{{ 1 | printf "%d" | 2 }}', 'non executable command in pipeline stage 3'],
  ['{{ humanize () }}', 'missing value for parenthesized pipeline'],
  ['{{ "a".b }}', 'unexpected . after term "\\"a\\""'],
  ["{{ 'ab' }}", "malformed character constant: 'ab'"],
  ['{{ $a, $b := 1 }}', 'too many declarations in command'],
  ['{{ range $i, $e+ := $labels }}{{ end }}', 'range can only initialize variables'],
  ['{{ if $value }}{{ end . }}', 'unexpected <.> in end'],
  ['{{ template x }}', 'unexpected "x" in template clause'],
  ['{{ template "\\x" }}', 'invalid syntax'],
  ['{{ "\\q" }}', 'invalid syntax'],
  ['{{ range $labels }}{{ else if . }}{{ end }}', 'unexpected <if> in input'],
  // Parsed by Prometheus.
  ['{{ $value }}', null],
  ['{{ humanize }}', null],
  ['{{ .Foo }}', null],
  ['{{ $labels.instance }} is {{ humanize $value }}', null],
  ['{{ $labels.x.y }}', null],
  ['{{/* c */}}', null],
  ['{{- /* c */ -}}', null],
  ['{{ template "x" }}', null],
  ['{{ range $i, $e := $labels }}{{ $i }}={{ $e }}{{ end }}', null],
  ['{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', null],
  ['{{ if gt $value 0.5 }}high{{ else if lt $value 0.1 }}low{{ else }}mid{{ end }}', null],
  ['{{ with $labels.job }}{{ . }}{{ end }}', null],
  ['{{ $value | humanizePercentage }} of {{ $externalLabels.cluster }} at {{ $externalURL }}', null],
  ['{{ printf "%.2f" $value }} {{ printf `%s` "}}" }}', null],
  ['{{ reReplaceAll "(.*):.*" "$1" $labels.instance }}', null],
  ['{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}', null],
  ['{{ stripDomain $labels.instance }} {{ toUpper "a" }} {{ title "b" }}', null],
  ['}} is only text, as is a lone {', null],
  ['{{ $value\n}}', null],
  ['{{- $value -}}', null],
  ['{{ $x = 1 }}{{ $x }}', null],
  ['{{ if $value }}{{ $y := 1 }}{{ else }}{{ $y }}{{ end }}', null],
  ['{{ range $labels }}{{ if . }}{{ break }}{{ else }}{{ continue }}{{ end }}{{ end }}', null],
  ['{{ if $value }}a{{ else if $labels }}b{{ else }}c{{ end }}', null],
  ['{{ $labels.a | toUpper | printf "%s" }} {{ 1_000 }} {{ 0x1F }} {{ 1e3 }} {{ \'a\' }} {{ nil }} {{ true }}', null],
  ['{{ index $labels "job" }} {{ len $labels }} {{ (index $labels "a") }} {{ .Foo.Bar }} {{ $.Foo }}', null],
  ['{{ range $i, $e := $labels }}{{ $i }}{{ end }}{{ block "b" . }}{{ . }}{{ end }}', null],
];

/**
 * A corpus of malformed templates: valid ones, each with one or two characters deleted or pieces of template
 * syntax inserted at random places (a fixed seed, so the same corpus every run).
 */
function corpus(size: number, seed: number): string[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T,>(a: readonly T[]) => a[Math.floor(random() * a.length)];
  const valid = VECTORS.filter(([, refused]) => refused === null).map(([text]) => text);
  const pieces = ['{{', '}}', '(', ')', '"', "'", '`', '|', '$', '.', ':=', '=', ',', ' ', 'end', '{{end}}', '{{else}}', '-', '/*', '*/',
    '\\', '$x', 'nil', '1.2.3', '0x', '@', '#', '..', '.a.', '$.', '1e', '+', '1_000', "'ab'", ':', ';', 'else', 'if', '$1', '.1', '-1',
    '()', '!', '{', '}', '\n', '\t', 'true', 'x.y', '9a', 'a-b'];
  const out = new Set<string>();
  while (out.size < size) {
    let t = pick(valid);
    for (let n = 1 + Math.floor(random() * 2); n > 0; n--) {
      const p = Math.floor(random() * (t.length + 1));
      t = random() < 0.3 && t.length ? t.slice(0, p) + t.slice(p + 1) : t.slice(0, p) + pick(pieces) + t.slice(p);
    }
    out.add(t);
  }
  return [...out];
}

const ruleFile = (summary: string) => `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: ${JSON.stringify(summary)}\n`;

const root = new URL('..', import.meta.url).pathname;

/**
 * Refused or warned: a Go text/template syntax error fails every Prometheus (rulefmt testTemplateParsing parses
 * with golang/go src/text/template/parse/parse.go), and so does a variable out of scope; a function template.go
 * does not define, or `{{else with}}` in a {{with}} (golang/go#57646: Go 1.23's parse.go elseControl reads it as
 * `{{else}}{{with ...}}...{{end}}`), fails promtool 2.42 but not a Prometheus that has it. Each row: the template,
 * what rehearse does, promtool 2.42's message on it, and the template with the names supplied (a defined
 * function, the else-with written out; a variable declared where that is the template's own mistake): promtool
 * refuses it with the syntax error, or accepts it (null).
 */
const KINDS: [string, 'refused' | 'warned', string, string, string | null][] = [
  ['{{ $value ', 'refused', 'unclosed action', '{{ $value ', 'unclosed action'],
  ['{{ humanize ($value }}', 'refused', 'unclosed left paren', '{{ humanize ($value }}', 'unclosed left paren'],
  ['{{ 1 | printf "%d" | 2 }}', 'refused', 'non executable command in pipeline stage 3', '{{ 1 | printf "%d" | 2 }}', 'non executable command in pipeline stage 3'],
  ['{{ if $value }}high', 'refused', 'unexpected EOF', '{{ if $value }}high', 'unexpected EOF'],
  ['{{ range $labels }}{{ else with . }}{{ end }}', 'refused', 'unexpected <with> in else', '{{ range $labels }}{{ else with . }}{{ end }}', 'unexpected <with> in else'],
  ['{{ toDuration $value ', 'refused', 'function "toDuration" not defined', '{{ humanizeDuration $value ', 'unclosed action'],
  ['{{ nosuch ( }}', 'refused', 'function "nosuch" not defined', '{{ printf ( }}', 'unclosed left paren'],
  // rulefmt declares only $labels, $externalLabels, $externalURL and $value, in every release: no Prometheus
  // supplies another variable, so one out of scope fails them all, a function 2.42 lacks supplied or not.
  ['{{ $later }} of {{ now | humanizeTimestamp }}', 'refused', 'undefined variable "$later"', '{{ $later }} of {{ printf | humanizeTimestamp }}', 'undefined variable "$later"'],
  ['{{ now | humanizeTimestamp }} for {{ $label.foo }}', 'refused', 'function "now" not defined', '{{ printf | humanizeTimestamp }} for {{ $label.foo }}', 'undefined variable "$label"'],
  ['{{ toDuration $value }}', 'warned', 'function "toDuration" not defined', '{{ humanizeDuration $value }}', null],
  ['{{ $value | humanize | nosuch }}', 'warned', 'function "nosuch" not defined', '{{ $value | humanize | printf }}', null],
  ['{{ with $labels.a }}{{ . }}{{ else with $labels.b }}{{ . }}{{ end }}', 'warned', 'unexpected <with> in else', '{{ with $labels.a }}{{ . }}{{ else }}{{ with $labels.b }}{{ . }}{{ end }}{{ end }}', null],
];

describe('annotation templates: a syntax error refused, a name Prometheus 2.42 lacks warned', () => {
  it.each(KINDS)('%j', (text, kind, first, _, syntax) => {
    const p = templateProblem(text);
    // (Ours names the control an unexpected EOF leaves open.)
    expect(p?.reason).toContain(first);
    if (syntax === null) expect(p?.syntax).toBeNull();
    else expect(p?.syntax?.reason).toContain(syntax);
    expect(p?.syntax ? 'refused' : 'warned').toBe(kind);
    const read = () => readRuleFile(ruleFile(text), 'r.yml');
    if (kind === 'refused') expect(read).toThrow(/annotations\.summary: a template no Prometheus parses .*: /);
    else expect(read().warnings[0]).toContain(`annotations.summary: a template Prometheus 2.42 does not parse (its promtool check rules refuses the file): ${first} at column`);
  });

  it.skipIf(!prometheusAvailable())('promtool check rules: each as written, and with the names supplied', () => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    const check = (text: string) => {
      writeFileSync(join(dir, 'r.yml'), ruleFile(text));
      const r = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8' });
      return r.status === 0 ? null : /template: __alert_A:\d+: (.*)/.exec(`${r.stdout}${r.stderr}`)?.[1].trim() ?? `${r.stdout}${r.stderr}`;
    };
    try {
      expect(KINDS.map(([text, kind, , supplied]) => [text, kind, check(text), supplied, check(supplied)])).toEqual(KINDS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('annotation templates, as Prometheus parses them', () => {
  it.each(VECTORS)('%j', (text, refused) => {
    const problem = templateProblem(text);
    if (refused === null) expect(problem).toBeNull();
    else expect(problem?.reason).toContain(refused);
  });

  it.skipIf(!prometheusAvailable())('promtool check rules refuses exactly the same templates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    try {
      const got = VECTORS.map(([text]) => {
        writeFileSync(join(dir, 'r.yml'), ruleFile(text));
        const r = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8' });
        const m = /annotation "summary": template: __alert_A:\d+: (.*)/.exec(`${r.stdout}${r.stderr}`);
        return [text, r.status === 0 ? null : m ? m[1].trim() : `${r.stdout}${r.stderr}`];
      });
      expect(got).toEqual(VECTORS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!prometheusAvailable())('a generated corpus: warned exactly where promtool check rules refuses, with its message', () => {
    const templates = corpus(600, 42);
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    try {
      writeFileSync(join(dir, 'r.yml'), `groups:\n  - name: g\n    rules:\n${templates.map((t, i) => `      - alert: A${i}\n        expr: up == 0\n        annotations:\n          summary: ${JSON.stringify(t)}\n`).join('')}`);
      const r = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const refused = new Map<number, string>();
      for (const m of `${r.stdout}${r.stderr}`.matchAll(/"A(\d+)": annotation "summary": template: __alert_A\d+:\d+: (.*)/g)) refused.set(Number(m[1]), m[2].trim().replace(/ (in action )?started at __alert_A\d+:\d+$/, ''));
      // (parse.go names the line an action spanning lines started at: " in action started at <name>:<line>".)
      // The corpus is mostly refused, and not only by one rule.
      expect(refused.size).toBeGreaterThan(400);
      const disagree = templates.flatMap((t, i) => {
        const said = templateProblem(t)?.reason.replace(/^\{\{\w+\}\} is never closed by \{\{end\}\} \((unexpected EOF)\)$/, '$1') ?? null;
        return said === (refused.get(i) ?? null) ? [] : [[t, refused.get(i) ?? null, said]];
      });
      expect(disagree).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a syntax error at the annotation, with the place in the template; warns a missing name, and the rule is still read', () => {
    expect(() => readRuleFile(ruleFile('{{ $labels.instance }} down for {{ humanizeDuration $value '), 'r.yml')).toThrow(
      'r.yml:7:20: groups[0].rules[0].annotations.summary: a template no Prometheus parses (Go text/template syntax; promtool check rules refuses the file and Prometheus loads none of it): unclosed action at column 33 of "{{ $labels.instance }} down for {{ humanizeDuration $value "',
    );
    const parts = readRuleFile(ruleFile('{{ $labels.instance }} down for {{ toDuration $value }}'), 'r.yml');
    expect(parts.warnings).toEqual([
      'r.yml:7:20: groups[0].rules[0].annotations.summary: a template Prometheus 2.42 does not parse (its promtool check rules refuses the file): function "toDuration" not defined at column 36 of "{{ $labels.instance }} down for {{ toDuration $value }}"; a Prometheus that defines the name reads it (rehearse reads no annotation)',
    ]);
    expect(parts.groups[0].rules[0].name).toBe('A');
    expect(readRuleFile(ruleFile('{{ $labels.instance }} down for {{ humanizeDuration $value }}'), 'r.yml').warnings).toEqual([]);
    // A templated label value is refused by rehearse; one that no Prometheus parses says so too (promtool 2.42 on it:
    // 'label "team": template: __alert_A:1: unclosed action').
    const labelled = (v: string) => `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels:\n          team: ${JSON.stringify(v)}\n`;
    expect(() => readRuleFile(labelled('{{ $labels.job '), 'r.yml')).toThrow('r.yml:7:17: groups[0].rules[0].labels.team: a templated label value is not supported (rehearse compares alerts by their labels); nor does any Prometheus parse this one (Go text/template syntax): unclosed action at column 1');
    expect(() => readRuleFile(labelled('{{ toUpper $labels.job }}'), 'r.yml')).toThrow(/labels\.team: a templated label value is not supported \(rehearse compares alerts by their labels\)$/);
    // A template over several lines gives the line inside it.
    expect(readRuleFile(ruleFile('first\nsecond {{ nope }}'), 'r.yml').warnings[0]).toMatch(/: function "nope" not defined at line 2, column 11 of "first\\nsecond \{\{ nope \}\}"; a Prometheus/);
    expect(() => readRuleFile(ruleFile('first\nsecond {{ $nope }}'), 'r.yml')).toThrow(/: undefined variable "\$nope" at line 2, column 11 of "first\\nsecond \{\{ \$nope \}\}"$/);
  });

  it('large templates are scanned within a time budget: long declarations, deep nesting, many variables', () => {
    const n = 100_000;
    const names = Array.from({ length: n }, (_, i) => `$v${i}`);
    const templates = [
      `{{ ${Array(n).fill('$a').join(', ')} := 1 }}{{ $a }}`,
      names.map((v) => `{{ ${v} := 1 }}`).join('') + '{{ if 1 }}'.repeat(n) + names.map((v) => `{{ ${v} }}`).join('') + '{{ end }}'.repeat(n),
      `${'{{ with 1 }}'.repeat(n)}{{ $w := 1 }}${'{{ end }}'.repeat(n)}{{ $w }}`,
    ];
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    try {
      writeFileSync(join(dir, 'r.yml'), `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(http_requests_total[5m])) == 0\n        annotations:\n${templates.map((t, i) => `          a${i}: ${JSON.stringify(t)}\n`).join('')}`);
      writeFileSync(join(dir, 's.yaml'), [
        'name: x', 'duration: 10m', 'traffic: { rate: 1/s }', 'journeys: { j: { steps: [a.get] } }', 'services: { a: { endpoints: { get: {} } } }',
        'flags: { f: { kind: release, owner: t, evaluated-by: [a] } }', 'metrics: { rules: [r.yml] }',
        'rollout: [{ flag: f, stages: [{ to: 100% }], gates: [{ alert: A }] }]', '',
      ].join('\n'));
      // A real process with a time limit: a scan that does not end fails here instead of freezing the worker. The
      // limit is a hang's, not a speed's: about 2 s on a quiet machine, it took over 15 s under a loaded one.
      const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'validate', join(dir, 's.yaml')], { encoding: 'utf8', timeout: 90_000 });
      expect(r.error, 'timed out').toBeUndefined();
      const said = (stderr: string) => stderr.split('\n').filter((l) => l.includes('annotations.'))
        .map((w) => /annotations\.(a\d): .*?: (.*?) at column (\d+) of "[^"]{200}"\.\.\. \((\d+) characters\)/.exec(w)?.slice(1));
      // parse.go pipeline: outside {{range}}, one variable is declared at a time: a syntax error, refused.
      expect(r.status).toBe(2);
      // So is the variable declared inside the {{with}}s, out of scope after them (every Prometheus refuses it).
      expect(said(r.stderr)).toEqual([
        ['a0', 'too many declarations in command', '6', String(templates[0].length)],
        ['a2', 'undefined variable "$w"', String(21 * n + 17), String(templates[2].length)],
      ]);
      // Without them, the many variables of a1, each in scope, are read without a word.
      writeFileSync(join(dir, 'r.yml'), readFileSync(join(dir, 'r.yml'), 'utf8').replace(/ {10}a[02]: .*\n/g, ''));
      const rest = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'validate', join(dir, 's.yaml')], { encoding: 'utf8', timeout: 90_000 });
      expect(rest.error, 'timed out').toBeUndefined();
      expect([rest.status, said(rest.stderr)]).toEqual([0, []]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);

  it('the annotations of the vendors\' rule files give no warning', () => {
    for (const f of ['kube-prometheus/kubePrometheus-prometheusRule.yaml', 'sloth/_gen/getting-started.yml', 'sloth/_gen/k8s-getting-started.yml']) {
      const file = join(root, 'test/fixtures/vendor', f);
      expect(readRuleFile(readFileSync(file, 'utf8'), f).warnings.filter((w) => w.includes('annotations'))).toEqual([]);
    }
  });
});
