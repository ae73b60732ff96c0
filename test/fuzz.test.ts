/**
 * Property-based fuzzing of the scenario reader (fast-check): the bundled scenarios, mutated (keys dropped,
 * renamed and retyped; extreme, negative, NaN and huge numbers; long and unicode strings; deep nesting;
 * anchors and aliases; call cycles; duplicate keys; special files such as a FIFO, /dev/zero or /proc/self/mem where a
 * file is named), must each end in exit 0, 1 or 2, with no stack trace and
 * within a time bound, through `validate` and, for a sample of the valid ones, a short `run`.
 *
 * In `npm test`: FUZZ_RUNS cases (default 1200). A longer run: FUZZ_RUNS=20000 npx vitest run test/fuzz.test.ts
 * (FUZZ_SEED to replay a seed fast-check printed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { estimateRun } from '../src/scenario/budget.js';
import { loadScenarioFile } from '../src/load/scenario.js';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.FUZZ_RUNS ?? 1200);
const SEED = process.env.FUZZ_SEED === undefined ? 20_261_125 : Number(process.env.FUZZ_SEED);
/** Wall time one validate may take: generous (a valid cohort of 200,000 users takes seconds to make, and the machine may be busy), it catches hangs and blow-ups. */
const VALIDATE_MS = 60_000;
const RUN_MS = 60_000;
/** A valid case is also run (a short run on a sample) when its estimated work is this small: every case stays quick. */
const RUN_WORK_SECONDS = 0.5;

// Cases are written beside links to the project's cohorts/ and flags/, so that the paths the bundled scenarios
// give (../cohorts/shoppers.json, ../flags/demo.flagd.json) still resolve.
const base = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-'));
for (const linked of ['cohorts', 'flags']) if (existsSync(join(root, linked))) symlinkSync(join(root, linked), join(base, linked));
const dir = join(base, 'scenarios');
mkdirSync(dir);
const sources = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort()
  .map((f) => ({ name: f, doc: parse(readFileSync(join(root, 'scenarios', f), 'utf8')) as Record<string, unknown> }));

type Json = unknown;
type Path = (string | number)[];

/** Every path to a value inside `doc` (objects and arrays included), breadth first, at most `limit`. */
function paths(doc: Json, limit = 4000): Path[] {
  const out: Path[] = [];
  const queue: [Json, Path][] = [[doc, []]];
  while (queue.length && out.length < limit) {
    const [v, p] = queue.shift()!;
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => queue.push([x, [...p, i]]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) queue.push([x, [...p, k]]);
  }
  return out;
}

function parentOf(doc: Json, path: Path): Record<string | number, Json> | null {
  let v = doc;
  for (const seg of path.slice(0, -1)) {
    if (!v || typeof v !== 'object') return null;
    v = (v as Record<string | number, Json>)[seg];
  }
  return v && typeof v === 'object' ? (v as Record<string | number, Json>) : null;
}

const extremes = fc.constantFrom<Json>(
  0, -1, -0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e-300, 0.1, 31, 32, 1e9, 99999999999999999999,
  '1e7/s', '0/s', '-5/s', '0ms', '1us', '1e400ms', '100000h', '999999999d', 'NaN', 'Infinity', '-0%', '1000%', '0.0000001%',
  '.nan', '.inf', '', ' ', null, true, false, [], {}, 'x'.repeat(10_000), '\u0000\u001b[2J\u202e', '👩‍💻 ñ ü 漢字', '${a}', '__proto__',
);
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  extremes,
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** One mutation of a parsed scenario, chosen by the numbers fast-check draws. */
type Mutation = { kind: 'drop' | 'retype' | 'rename' | 'set' | 'scale' | 'nest' | 'cycle' | 'alias-to' | 'special-file'; at: number; value: Json; name: string; factor: number };

/**
 * Paths that are no regular file, for every key that names a file (a cohort, a flag file, an Argo resource):
 * a FIFO (a read would block forever), endless devices, a file of /proc, a directory.
 */
const fifo = join(base, 'fifo');
execFileSync('mkfifo', [fifo]);
const SPECIAL_FILES = [fifo, '/dev/zero', '/dev/urandom', '/dev/null', '/proc/self/mem', '/proc/self/status', '/tmp', '/dev/stdin'];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'retype', 'rename', 'set', 'set', 'scale', 'scale', 'scale', 'scale', 'nest', 'cycle', 'alias-to', 'special-file'),
  at: fc.nat(),
  factor: fc.constantFrom(0, -1, 0.001, 0.5, 2, 10, 1000, 1e6, 1e12, Number.NaN),
  value: anyValue,
  name: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('<<', 'calls', 'requires', 'when-on', 'async', 'repeat', 'default', 'cases', 'tune'),
    // Names that are members of Object.prototype: ordinary names, or (__proto__) refused by name.
    fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'),
  ),
}) as fc.Arbitrary<Mutation>;

function mutate(doc: Json, m: Mutation): void {
  const all = paths(doc).filter((p) => p.length > 0);
  if (all.length === 0) return;
  const path = all[m.at % all.length];
  const parent = parentOf(doc, path);
  if (!parent) return;
  const key = path[path.length - 1];
  switch (m.kind) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'set':
      parent[key] = m.value;
      break;
    case 'scale': {
      // Same type, extreme size: 300/s becomes 3e8/s, 5m becomes 0m, 2 replicas become -2.
      const v = parent[key];
      const scale = (x: number) => (Number.isNaN(m.factor) ? Number.NaN : Number((x * m.factor).toPrecision(6)));
      if (typeof v === 'number') parent[key] = scale(v);
      else if (typeof v === 'string') parent[key] = v.replace(/\d+(\.\d+)?/, (d) => String(scale(Number(d))));
      break;
    }
    case 'retype': {
      const v = parent[key];
      parent[key] = typeof v === 'string' ? (Number.isNaN(Number(v)) ? [v] : Number(v)) : typeof v === 'number' ? String(v) : Array.isArray(v) ? { ...v } : v && typeof v === 'object' ? Object.values(v) : String(v);
      break;
    }
    case 'rename':
      if (!Array.isArray(parent)) {
        // defineProperty: a plain assignment of "__proto__" would set the prototype instead of a key.
        Object.defineProperty(parent, m.name, { value: parent[key], enumerable: true, writable: true, configurable: true });
        if (m.name !== key) delete parent[key];
      }
      break;
    case 'nest': {
      let deep: Json = m.value;
      for (let i = 0; i < 60 + (m.at % 400); i++) deep = i % 2 ? [deep] : { a: deep };
      parent[key] = deep;
      break;
    }
    case 'cycle': {
      // A call back to the first journey's first step from somewhere: a cycle, sync or async.
      const d = doc as { journeys?: Record<string, { steps?: string[] }>; services?: Record<string, { endpoints?: Record<string, { calls?: Json[] }> }> };
      const entry = Object.values(d.journeys ?? {})[0]?.steps?.[0];
      const svcs = Object.values(d.services ?? {});
      const svc = svcs[m.at % Math.max(1, svcs.length)];
      const ep = svc?.endpoints ? Object.values(svc.endpoints)[0] : undefined;
      if (entry && ep && typeof ep === 'object') ep.calls = [...(Array.isArray(ep.calls) ? ep.calls : []), m.at % 2 ? entry : { to: entry, async: true }];
      break;
    }
    case 'special-file': {
      // One of the keys that name a file, pointed at a special file.
      const d = doc as { traffic?: Record<string, Json>; flags?: Record<string, Json>; rollout?: Json[] };
      const special = SPECIAL_FILES[m.at % SPECIAL_FILES.length];
      const where = Math.floor(m.at / SPECIAL_FILES.length) % 3;
      if (where === 0 && d.traffic && typeof d.traffic === 'object') d.traffic.cohort = special;
      else if (where === 1 && d.flags && typeof d.flags === 'object') d.flags.from = { [['flagd', 'unleash', 'launchdarkly'][m.at % 3]]: special };
      else if (Array.isArray(d.rollout) && d.rollout[0] && typeof d.rollout[0] === 'object') {
        const first = d.rollout[0] as Record<string, Json>;
        for (const k of Object.keys(first)) if (k !== 'flag') delete first[k];
        first.argo = { rollout: special };
      }
      break;
    }
    case 'alias-to':
      // The same object in two places: YAML writes it as an anchor and an alias.
      parent[key] = parentOf(doc, all[(m.at * 7 + 3) % all.length]) ?? m.value;
      break;
  }
}

/**
 * Shapes that look cheap and are not (the work estimate must see them): tiny windows, gate and scrape
 * intervals, ranges far longer than the run, and flags densely linked by requires.
 */
const shape = fc.record({
  kind: fc.constantFrom('none', 'none', 'none', 'window', 'evaluate', 'scrape', 'range', 'dense'),
  tiny: fc.constantFrom('1us', '10us', '1ms', '7ms'),
  at: fc.nat(),
});

function reshape(doc: Json, s: { kind: string; tiny: string; at: number }): void {
  const d = doc as Record<string, any>;
  const plan = Array.isArray(d.rollout) && d.rollout.length ? d.rollout[s.at % d.rollout.length] : null;
  switch (s.kind) {
    case 'window': d.window = s.tiny; break;
    case 'evaluate': if (plan && typeof plan === 'object') plan['evaluate-every'] = s.tiny; break;
    case 'scrape': d.metrics = { ...(typeof d.metrics === 'object' && d.metrics ? d.metrics : {}), 'scrape-interval': s.tiny === '1us' || s.tiny === '10us' ? '1ms' : s.tiny }; break;
    case 'range': if (plan && typeof plan === 'object') plan.gates = [...(Array.isArray(plan.gates) ? plan.gates : []), { promql: `sum(rate(http_requests_total[${1 + (s.at % 1000)}d]))`, success: 'result >= 0' }]; break;
    case 'dense': {
      const flags = d.flags && typeof d.flags === 'object' ? d.flags : null;
      const keys = flags ? Object.keys(flags).filter((k) => k !== 'from' && flags[k] && typeof flags[k] === 'object') : [];
      // Every flag requires every flag before it (in one of two orders): no cycle, many paths.
      keys.forEach((k, i) => { flags[k].requires = s.at % 2 ? keys.slice(0, i) : keys.slice(0, i).reverse(); });
      break;
    }
  }
}

/** Text-level damage YAML objects cannot express: duplicate keys, an alias before its anchor, a bomb, a cut. */
const textDamage = fc.record({
  kind: fc.constantFrom('none', 'none', 'none', 'duplicate', 'alias-first', 'bomb', 'truncate', 'merge', 'tab', 'json'),
  at: fc.nat(),
});

function damage(text: string, d: { kind: string; at: number }): string {
  const lines = text.split('\n');
  const i = d.at % Math.max(1, lines.length);
  switch (d.kind) {
    case 'duplicate': return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n');
    case 'alias-first': return `x-early: *later\n${text}\nx-late: &later 1\n`;
    case 'bomb': {
      let b = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
      for (let k = 1; k < 10; k++) b += `${String.fromCharCode(97 + k)}: &${String.fromCharCode(97 + k)} [${Array(9).fill(`*${String.fromCharCode(96 + k)}`).join(', ')}]\n`;
      return b + text;
    }
    case 'truncate': return text.slice(0, d.at % Math.max(1, text.length));
    case 'merge': return text.replace(/^services:\n {2}(\S+):/m, 'services:\n  $1:\n    <<: { replicas: 2 }\n    x:');
    case 'tab': return text.replace('\n  ', '\n\t');
    case 'json': return JSON.stringify(parse(text) ?? null);
    default: return text;
  }
}

const stackTrace = /\n\s+at .+:\d+:\d+|^\s+at /m;
let counter = 0;

async function cli(argv: string[]): Promise<{ code: number; text: string; ms: number }> {
  const lines: string[] = [];
  const t0 = performance.now();
  // main() rethrows anything that is not bad input: that is a crash, and fails the property.
  const code = await main(argv, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return { code, text: lines.join('\n'), ms: performance.now() - t0 };
}

describe('fuzz: mutated bundled scenarios', () => {
  it(`${RUNS} cases end in exit 0, 1 or 2, without a stack trace, in bounded time`, async () => {
    const found = { valid: 0, invalid: 0, ran: 0 };
    await fc.assert(
      fc.asyncProperty(fc.nat(sources.length - 1), fc.array(mutation, { minLength: 0, maxLength: 3 }), textDamage, fc.nat(9), shape, async (which, mutations, dmg, cohortDraw, form) => {
        const src = sources[which];
        const doc = structuredClone(src.doc);
        // Most cases swap the cohort for a small inline one: reading 20,000 users each time would leave few cases.
        const traffic = doc.traffic as Record<string, unknown> | undefined;
        if (cohortDraw > 0 && traffic && typeof traffic === 'object') traffic.cohort = { size: 300, seed: 1 };
        reshape(doc, form);
        for (const m of mutations) mutate(doc, m);
        let text: string;
        try {
          text = damage(stringify(doc, { aliasDuplicateObjects: true }), dmg);
        } catch {
          return; // not expressible as YAML: nothing to test
        }
        if (RUNS > 5000 && counter % 1000 === 0) process.stderr.write(`fuzz: ${counter} cases, ${found.valid} valid, ${found.ran} run (${new Date().toISOString()})\n`);
        const file = join(dir, `case-${counter++ % 50}.yaml`);
        writeFileSync(file, text);
        const v = await cli(['validate', file]);
        expect([0, 2], v.text).toContain(v.code);
        expect(v.text).not.toMatch(stackTrace);
        expect(v.ms, `validate took ${v.ms} ms`).toBeLessThan(VALIDATE_MS);
        if (v.code !== 0) {
          found.invalid++;
          return;
        }
        found.valid++;
        // A short run on a sample: the first 200 journeys (and their rollout decisions) of every fourth valid case.
        if (found.valid % 4 !== 1) return;
        const short = structuredClone(parse(text.startsWith('{') ? text : readFileSync(file, 'utf8')) as Record<string, unknown>);
        if (short.traffic && typeof short.traffic === 'object') (short.traffic as Record<string, unknown>).requests = 200;
        const shortFile = join(dir, `short-${counter % 50}.yaml`);
        writeFileSync(shortFile, stringify(short, { aliasDuplicateObjects: false }));
        const loaded = loadScenarioFile(shortFile);
        if (!loaded.ok || estimateRun(loaded.scenario).seconds > RUN_WORK_SECONDS) return;
        found.ran++;
        const r = await cli(['run', '-q', shortFile]);
        expect([0, 1, 2], r.text).toContain(r.code);
        expect(r.text).not.toMatch(stackTrace);
        expect(r.ms, `run took ${r.ms} ms`).toBeLessThan(RUN_MS);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`fuzz: ${RUNS} cases (seed ${SEED}): ${found.valid} valid, ${found.invalid} invalid, ${found.ran} run`);
    expect(found.invalid).toBeGreaterThan(0);
    expect(found.valid).toBeGreaterThan(0);
  }, 30 * 60_000);
});
