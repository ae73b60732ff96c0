/**
 * Names from a team's files in what rehearse writes for people: a scenario, a journey, a service no call reaches, a
 * case, a PromQL gate and a fault named with line breaks (\n, \r, U+2028), a tab, a pipe, backticks, HTML, an
 * ampersand and a right-to-left override (U+202E). In the terminal (run, ci, sweep, a drill's debrief) each name stays
 * on its line, written as its escapes: the report has as many lines as the same scenario with plain names. In the
 * Markdown summary of ci (a GitHub step summary, read as GFM) each row keeps its five cells and each cell reads back,
 * its escapes undone as CommonMark undoes them, as the name's terminal form: no column, code span, emphasis, link,
 * entity or HTML from a name.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateLines } from '../src/cli/gameday-ctl.js';
import { debriefLines } from '../src/live/debrief-words.js';
import { inline } from '../src/units/escape.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-names-in-reports-'));
// eslint-disable-next-line no-control-regex
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = {
  scenario: 'nm\nforged line|`<b>&amp;\u202ee',
  journey: 'jo\r\nJ|`code`\t<i>\u2028',
  service: 'sv\nS|*em* _x_ [l](http://e)\u202e',
  case: 'ca\nC|`<img src=x onerror=1>`&lt;![i](http://e/p)',
  gate: 'ga\nG|\\|`<g>`',
  fault: 'fa|`<x>`&\u202ey ~~s~~',
};
const PLAIN = { scenario: 'nm', journey: 'jo', service: 'sv', case: 'ca', gate: 'ga', fault: 'fa' };
type Names = typeof PLAIN;

const q = (s: string) => JSON.stringify(s);
const scenarioText = (n: Names, tune = false) => `name: ${q(n.scenario)}
seed: 1
duration: 6m
traffic: { rate: 20/s, cohort: { size: 500 } }
journeys: { ${q(n.journey)}: { steps: [api] } }
services:
  api: { concurrency: 64, latency: 5ms, errors: 1% }
  ${q(n.service)}: { concurrency: 64 }
flags: { f: { kind: release, owner: t, evaluated-by: [api] } }
rollout:
  - flag: f
    stages: [{ to: 20%, hold: 1m }, { to: 100% }]
    gates: ['req_failed{flag:on} rate<0.03', { promql: 'sum(rate(http_requests_total[1m]))', success: 'result >= 0', name: ${q(n.gate)} }]
faults:
  - { kind: latency, target: api, at: 2m, add: 5ms, name: ${q(n.fault)} }
cases:
  ${q(n.case)}: {}
  defective: { flags: { f: { when-on: { api: { errors: +5% } } } } }
${tune ? `tune:\n  seeds: 2\n  vary: { rollout.f.stages.0.hold: [1m, 2m] }\n  minimize: 'blast_radius_users{case:defective} p(95)'\n` : 'acceptance: [\'blast_radius_users max<500\']\n'}`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
/** A report's lines with its timings (1.4s, 526ms) taken out, which differ from run to run. */
const lines = (s: string) => s.replace(/\(\d+(\.\d+)?m?s\)|in \d+(\.\d+)?m?s/g, '(t)').split('\n');

describe('the terminal: a name never starts a line, moves the cursor or reorders the text', () => {
  it('run: as many lines as with plain names, each name escaped on its own line', async () => {
    const hostile = await cli('run', write('run-hostile.yaml', scenarioText(HOSTILE)), '--case', HOSTILE.case);
    const plain = await cli('run', write('run-plain.yaml', scenarioText(PLAIN)), '--case', PLAIN.case);
    expect(hostile.code, hostile.err).toBe(0);
    expect(lines(hostile.out)).toHaveLength(lines(plain.out).length);
    for (const l of lines(hostile.out)) expect(l).not.toMatch(RAW);
    expect(hostile.out).toContain(`rehearse ${plain.out.match(/^rehearse (\S+):/)![1]}: nm\\nforged line|\`<b>&amp;\\u202ee, case ca\\nC|\`<img src=x onerror=1>\`&lt;![i](http://e/p) (seed 1)\n`);
    expect(hostile.out).toMatch(/^sv\\nS\|\*em\* _x_ \[l\]\(http:\/\/e\)\\u202e +0\.0 /m);
    expect(hostile.out).toMatch(/^jo\\r\\nJ\|`code`\\t<i>\\u2028 +20\.\d /m);
    expect(hostile.out).toContain('  fault fa|`<x>`&\\u202ey ~~s~~: 2m00s to 6m00s');
  });

  it('run without a case names the cases on one line', async () => {
    const r = await cli('run', write('run-cases.yaml', scenarioText(HOSTILE)));
    expect(r.out.split('\n')[1]).toBe('no case (the scenario as written); its cases: ca\\nC|`<img src=x onerror=1>`&lt;![i](http://e/p), defective: --case NAME');
  });

  it('ci: its lines per case, its table and its caveats as many as with plain names', async () => {
    const run = async (n: Names, name: string) => {
      const folder = join(dir, name);
      mkdirSync(folder);
      writeFileSync(join(folder, 's.yaml'), scenarioText(n));
      const r = await cli('ci', folder, '--workers', '1');
      expect(r.code, r.err).toBe(0);
      return r.out;
    };
    const hostile = await run(HOSTILE, 'ci-hostile');
    const plain = await run(PLAIN, 'ci-plain');
    expect(lines(hostile)).toHaveLength(lines(plain).length);
    for (const l of lines(hostile)) expect(l).not.toMatch(RAW);
    const name = `${inline(HOSTILE.scenario)} [${inline(HOSTILE.case)}]`;
    expect(hostile).toContain(`✔ PASS         ${name}  (`);
    // In the table, cut to 60 characters as any long name is.
    expect(hostile).toContain(`\n✔ PASS  ${inline(HOSTILE.scenario)} [defective]                         f: caught`);
    expect(hostile).toContain(`\n${name}: ✔ PASS\n`);
  });

  it('sweep: as many lines as with plain names', async () => {
    const hostile = await cli('sweep', write('sweep-hostile.yaml', scenarioText(HOSTILE, true)), '--workers', '1');
    const plain = await cli('sweep', write('sweep-plain.yaml', scenarioText(PLAIN, true)), '--workers', '1');
    expect(hostile.code, hostile.err).toBe(0);
    expect(lines(hostile.out)).toHaveLength(lines(plain.out).length);
    for (const l of lines(hostile.out)) expect(l).not.toMatch(RAW);
    expect(hostile.out).toMatch(/^0\*  f\.stages\.0\.hold=1m  ca\\nC\|`<img src=x onerror=1>`&lt;!\[i\]\(http:\/\/e\/p\) +- /m);
  }, 60_000);

  it('a drill\'s debrief: a fault\'s and a person\'s name on their line', () => {
    const side = { consumed: 0.5, failed: 3 };
    const out = debriefLines({
      verdict: { text: 'the team did better' } as never, comparison: [], budget: { team: side, policy: side, allowed: 6 } as never,
      faults: [{ name: 'fa\nforged line\u202e', removed_by: 'ada\u2028grace\u202e', removed_seconds: 60, team_from_seconds: 30, policy_from_seconds: 30, policy_to_seconds: 90 }] as never,
    });
    expect(out).toHaveLength(3);
    expect(out[2]).toBe('  faults removed: fa\\nforged line\\u202e by ada\\u2028grace\\u202e at 1m00s (on from 0m30s; the policy alone faced it from 0m30s to 1m30s)');
  });

  it('gameday ctl status: the drill, a person and a fault named across lines, each on its line (written as the reports write them)', () => {
    const lines = stateLines({
      you: { name: 'ada\u2028x', role: 'operator' }, next: '',
      state: {
        reset: true, meta: { name: 'dr\nill', nowSeconds: 60, horizonSeconds: 600, speed: 60, status: 'running' }, plans: [], actions: [], audit: [],
        faults: [{ name: 'fa\u202e\nx', kind: 'latency', target: 'pay', size: '+5 ms', active: true, fromSeconds: 30, untilSeconds: null }],
      },
    }, new URL('http://127.0.0.1/?token=t'));
    expect(lines).toEqual(['dr\\nill: 1m00s of 10m00s, running at 60x (you: ada\\u2028x, operator)', '  fault on: fa\\u202e\\nx (latency on pay, +5 ms) since 0m30s']);
  });
});

/** A GFM table row's cells: split at each pipe no backslash escapes (a backslash escapes the character after it). */
function cells(row: string): string[] {
  const out = [''];
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') out[out.length - 1] += row[i] + (row[++i] ?? '');
    else if (row[i] === '|') out.push('');
    else out[out.length - 1] += row[i];
  }
  return out.slice(1, -1).map((c) => c.trim());
}
/**
 * A cell's text as CommonMark reads it when it holds no markup: its backslash escapes of ASCII punctuation and its
 * entities undone. Markup left in it (an unescaped backtick, * or ~, an _ at a word's edge, a "](" of a link, a <)
 * fails.
 */
function text(cell: string): string {
  const bare = cell.replace(/\\[!-/:-@[-`{-~]/g, '');
  expect(bare, cell).not.toMatch(/[`*~<>]|\]\(|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|&(?!(amp|lt|gt);)/u);
  return cell.replace(/\\([!-/:-@[-`{-~])|&(amp|lt|gt);/g, (_, c: string | undefined, e: string | undefined) => c ?? { amp: '&', lt: '<', gt: '>' }[e!]!);
}

describe('the Markdown summary of ci, read as GFM', () => {
  it('each case one row of five cells, the rehearsal cell the name as the terminal writes it', async () => {
    const folder = join(dir, 'md');
    mkdirSync(folder);
    writeFileSync(join(folder, 's.yaml'), scenarioText(HOSTILE));
    // A file that is no scenario, named with a backtick, a line break and HTML: listed as skipped, as code.
    const skipped = 'wf`x``<i>&\nforged.yaml';
    writeFileSync(join(folder, skipped), '$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\n');
    const summary = join(dir, 'summary.md');
    const r = await cli('ci', folder, '--workers', '1', '--summary', summary);
    expect(r.code, r.err).toBe(0);
    const md = readFileSync(summary, 'utf8');
    expect(md).not.toMatch(RAW);
    const rows = md.split('\n').filter((l) => l.startsWith('| ✔'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(cells(row)).toHaveLength(5);
    expect(rows.map((row) => text(cells(row)[1]))).toEqual([
      `${inline(HOSTILE.scenario)} [${inline(HOSTILE.case)}]`, `${inline(HOSTILE.scenario)} [defective]`,
    ]);
    // Words of rehearse's own keep their look: blast_radius_users, not blast\_radius\_users.
    expect(cells(rows[0])[4]).toBe('✔ PASS blast_radius_users max&lt;500: 0');
    // Fenced by three backticks, as it holds two in a row: inside a code span < and & are text.
    const item = md.split('\n').find((l) => l.startsWith('- `'));
    expect(item).toMatch(/^- ```[^`].*wf`x``<i>&\\nforged\.yaml```: /);
  });
});
