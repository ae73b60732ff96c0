/**
 * What a fuzz round of hostile and mutated input found, each finding as a small fixed case (the fuzz mutated Unleash
 * flag files in YAML with js-yaml's readings, Jaeger tags by type, OTLP links and span fields, cohort files, game day
 * journals with their hash chain rewritten, and sweep tune blocks, through the CLI in-process):
 * - cohort files: a segment whose share is 0 ended in faker's "weightedArrayElement expects ..." with a stack trace
 *   (exit 1); a segment named "__proto__" was dropped from the header without a word;
 * - Kubernetes resources and rule files: a raw control character (a NUL, an ESC, DEL, a C1 but NEL) read as a character,
 *   where Go's yaml refuses the whole file;
 * - sweeps: a tune path through "__proto__" set a key on every object of the process (each later scenario read was
 *   "unknown key x" everywhere); a value or a case listed twice, `cases: []`, and a path into `seed` or the tune block
 *   itself ran policies alike, exit 0.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareSweep } from '../src/sweep/sweep.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { cli, refusedLines } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-17-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |RangeError|TypeError|weightedArrayElement/);

describe('cohort files', () => {
  // A cohort file of five users as `rehearse cohorts generate --size 5 --seed 3` writes it, its header then edited.
  const cohort = async (name: string, edit: (d: Record<string, any>) => void): Promise<string> => {
    const made = join(dir, `${name}-made.json`);
    expect((await cli('cohorts', 'generate', '--size', '5', '--seed', '3', '--out', made)).code).toBe(0);
    const d = JSON.parse(readFileSync(made, 'utf8'));
    edit(d);
    return write(`${name}.json`, JSON.stringify(d));
  };
  const scenarioWith = (file: string) => `name: cohort-17
duration: 1m
traffic: { rate: 5/s, cohort: ${file} }
journeys: { j: { steps: [api.x] } }
services: { api: { latency: { dist: constant, value: 5ms }, endpoints: { x: {} } } }
`;

  it('a segment whose share is 0 is said so at its place, not a stack trace from faker (the seed cannot have made the file: generate takes shares above 0)', async () => {
    const file = await cohort('zero-share', (d) => { d.segments = { general: 0, business: 1, beta: 0, internal: 0 }; });
    const scenario = write('zero-share.yaml', scenarioWith(file));
    const r = await cli('run', scenario);
    noStack(r.err);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`warning: ${scenario}:3:31: traffic.cohort: cohort file ${file} at segments.general: a share of 0: "rehearse cohorts generate" takes shares above 0, so no seed made users with these segments; its users are read as the file has them, and the seed is not used`);
  });

  it('a segment named "__proto__" is refused (the schema dropped it from the header in silence)', async () => {
    const file = await cohort('proto-segment', (d) => { d.segments = { general: 0.85, business: 0.08, beta: 0.05, internal: 0.02 }; });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"segments":{', '"segments":{"__proto__":0.5,'));
    const r = parseScenarioText(scenarioWith(file), join(dir, 'proto-segment.yaml'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.message)).toEqual([`cohort file ${file} at segments.__proto__: the segment name "__proto__" is reserved (JavaScript's prototype key): rename the segment`]);
  });
});

describe('sweep tune blocks', () => {
  const scenario = (tune: string) => `name: sweep-17
duration: 2m
traffic: { rate: 10/s }
journeys: { j: { steps: [api.x] } }
services: { api: { latency: { dist: constant, value: 5ms }, endpoints: { x: {} } } }
flags: { f: { evaluated-by: [api], when-on: { api: { errors: +5% } } } }
rollout: [{ flag: f, stages: [{ to: 50%, hold: 30s }, { to: 100% }], gates: ['req_failed{flag:on} rate<0.02'], failure-limit: 1 }]
cases: { healthy: {}, worse: { flags: { f: { when-on: { api: { errors: +20% } } } } } }
tune:
  seeds: 1
${tune}
  minimize: 'blast_radius_users p(95)'
`;

  it('a path through "__proto__" is refused, and leaves no key on every object of the process', () => {
    const file = write('proto.yaml', scenario("  vary: { '__proto__.polluted': [1] }"));
    try {
      expect(refusedLines(() => prepareSweep(file), file)).toEqual([
        `${file}:11:34: tune.vary["__proto__.polluted"][0]: 1 makes the scenario invalid: __proto__.polluted: "__proto__" is no key of a scenario (JavaScript's prototype key)`,
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  it('a value listed twice is refused (the same policy ran twice, its runs counted twice)', () => {
    const file = write('twice.yaml', scenario('  vary: { rollout.f.failure-limit: [1, 2, 1] }'));
    expect(refusedLines(() => prepareSweep(file), file)).toEqual([
      `${file}:11:43: tune.vary["rollout.f.failure-limit"][2]: 1 is listed twice (also at [0]): each value makes a policy; leave one out`,
    ]);
  });

  it('a case listed twice, or no case at all, is refused (cases: [] ran none of the scenario\'s cases, exit 0)', () => {
    const twice = write('cases-twice.yaml', scenario('  cases: [worse, worse]\n  vary: { rollout.f.failure-limit: [1, 2] }'));
    expect(refusedLines(() => prepareSweep(twice), twice)).toEqual([
      `${twice}:11:18: tune.cases[1]: "worse" is listed twice (also at [0]): each case is rehearsed once per policy and seed; leave one out`,
    ]);
    const none = write('cases-none.yaml', scenario('  cases: []\n  vary: { rollout.f.failure-limit: [1, 2] }'));
    expect(refusedLines(() => prepareSweep(none), none)).toEqual([
      `${none}:11:10: tune.cases: no case: the runs rehearse none of the scenario's cases; leave cases out to rehearse all of them`,
    ]);
  });

  it('a path into the seed or the tune block is refused: each run has the sweep\'s seed, and the tune block is taken out (its policies ran alike)', () => {
    const seed = write('seed.yaml', scenario('  vary: { seed: [1, 2] }'));
    expect(refusedLines(() => prepareSweep(seed), seed)).toEqual([
      `${seed}:11:17: tune.vary.seed: each run of a sweep has its seed from the sweep (1 to tune.seeds), whatever the scenario's: its policies would run alike (for more seeds, raise tune.seeds or give --seeds)`,
    ]);
    const tune = write('tune.yaml', scenario('  vary: { tune.seeds: [1, 2] }'));
    expect(refusedLines(() => prepareSweep(tune), tune)).toEqual([
      `${tune}:11:23: tune.vary["tune.seeds"]: the tune block is not part of the runs: its policies would run alike`,
    ]);
  });
});

describe('control characters in files only Go reads', () => {
  // go-yaml readerc.go yaml_parser_update_buffer (v2 and v3, as libyaml's reader.c): "control characters are not
  // allowed" for all but #x9, #xA, #xD, [#x20-#x7E], #x85, [#xA0-#xD7FF], [#xE000-#xFFFD], [#x10000-#x10FFFF].
  const fixture = 'test/fixtures/argo/canary-service/';
  const rollout = readFileSync(`${fixture}rollout.yaml`, 'utf8');
  const template = `${fixture}canary-error-rate.yaml`;

  it.each([['NUL', '\u0000'], ['ESC', '\u001b'], ['DEL', '\u007f'], ['a C1 control', '\u0090'], ['U+FFFE', '\ufffe']])('%s in a plain value is refused at its place, as Go refuses the file (it was read as a character, exit 0)', async (_, c) => {
    const file = write(`ctl-${c.codePointAt(0)}.yaml`, rollout.replace('image: api:v2', `image: api${c}:v2`));
    const r = await cli('import', 'argo', file, template);
    noStack(r.err);
    expect(r.code).toBe(2);
    const code = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    expect(r.err).toBe(`${file}:33:32: invalid YAML: the control character U+${code}: Go's yaml (kubectl, Prometheus, the controllers) refuses the file ("control characters are not allowed", readerc.go yaml_parser_update_buffer), where rehearse's YAML reader took it as a character; write it escaped in a double-quoted string ("\\u${code}"), or remove it`);
  });

  it('a tab, NEL in a quoted string and characters of the planes above are read (Go reads them)', async () => {
    const file = write('ctl-ok.yaml', rollout.replace('image: api:v2', 'image: "api\u0085:v2"') + '# a comment with\ttab and \u{1F680}\n');
    const r = await cli('import', 'argo', file, template);
    expect(r.err).not.toContain('control character');
    expect(r.code).toBe(0);
  });
});
