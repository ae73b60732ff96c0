/**
 * Go templates in alerting rules' annotations. prometheus/prometheus model/rulefmt/rulefmt.go
 * (testTemplateParsing) parses every label and annotation of an alerting rule with text/template and the
 * functions of template/template.go, after the declarations of $labels, $externalLabels, $externalURL and
 * $value; a template that does not parse fails `promtool check rules` and Prometheus loads none of the file.
 * rehearse scans annotations for what that parser refuses and warns at the annotation (templated label values
 * are refused already). Each vector is checked against promtool 2.42 when it is installed.
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
];

const ruleFile = (summary: string) => `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: ${JSON.stringify(summary)}\n`;

const root = new URL('..', import.meta.url).pathname;

describe('annotation templates, as Prometheus parses them', () => {
  it.each(VECTORS)('%j', (text, refused) => {
    const problem = templateProblem(text);
    if (refused === null) expect(problem).toBeNull();
    else expect(problem?.reason).toContain(refused.replace(' in operand', ' in action'));
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

  it('warns at the annotation, with the place in the template; the rule is still read', () => {
    const parts = readRuleFile(ruleFile('{{ $labels.instance }} down for {{ humanizeDuration $value '), 'r.yml');
    expect(parts.warnings).toEqual([
      'r.yml:7:20: groups[0].rules[0].annotations.summary: a template Prometheus does not parse (promtool check rules refuses the file): unclosed action at column 33 of "{{ $labels.instance }} down for {{ humanizeDuration $value "',
    ]);
    expect(parts.groups[0].rules[0].name).toBe('A');
    expect(readRuleFile(ruleFile('{{ $labels.instance }} down for {{ humanizeDuration $value }}'), 'r.yml').warnings).toEqual([]);
    // A template over several lines gives the line inside it.
    expect(readRuleFile(ruleFile('first\nsecond {{ $nope }}'), 'r.yml').warnings[0]).toMatch(/: undefined variable "\$nope" at line 2, column 11 of "first\\nsecond \{\{ \$nope \}\}"$/);
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
      // A real process with a time limit: a scan that does not end fails here instead of freezing the worker.
      const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'validate', join(dir, 's.yaml')], { encoding: 'utf8', timeout: 15_000 });
      expect(r.error, 'timed out').toBeUndefined();
      const warnings = r.stderr.split('\n').filter((l) => l.includes('annotations.'));
      expect(warnings.map((w) => /annotations\.(a\d): .*?: (.*?) at column (\d+) of "[^"]{200}"\.\.\. \((\d+) characters\)$/.exec(w)?.slice(1))).toEqual([
        ['a2', 'undefined variable "$w"', String(21 * n + 17), String(templates[2].length)],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('the annotations of the vendors\' rule files give no warning', () => {
    for (const f of ['kube-prometheus/kubePrometheus-prometheusRule.yaml', 'sloth/_gen/getting-started.yml', 'sloth/_gen/k8s-getting-started.yml']) {
      const file = join(root, 'test/fixtures/vendor', f);
      expect(readRuleFile(readFileSync(file, 'utf8'), f).warnings.filter((w) => w.includes('annotations'))).toEqual([]);
    }
  });
});
