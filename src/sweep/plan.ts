/**
 * A sweep's plan: the policies a tune block spans (a grid, or a seeded random draw from it), each a set of
 * values written into paths of the scenario, and the runs (policy x case x seed) in a fixed order, so that
 * any worker count or shard split reproduces the same runs.
 */
import seedrandom from 'seedrandom';
import { didYouMean } from '../errors.js';
import { parseThreshold } from '../lang/threshold.js';
import type { ScenarioInput } from '../scenario/schema.js';
import { dotted, RESOURCE_PATH, splitPath, type ResourcePatch } from '../interop/patch.js';
import { quoted } from '../units/escape.js';

export type TuneValue = string | number | boolean;

export interface Policy {
  index: number;
  /** Path -> value, in the order of the tune block. */
  values: Record<string, TuneValue>;
  label: string;
}

export interface SweepPlan {
  policies: Policy[];
  cases: (string | null)[];
  seeds: number[];
  runs: number;
}

export interface RunKey {
  run: number;
  policy: number;
  caseIndex: number;
  seed: number;
}

export function planSweep(tune: NonNullable<ScenarioInput['tune']>, cases: readonly string[], seedsOverride?: number): SweepPlan {
  const paths = Object.keys(tune.vary);
  const lists = paths.map((p) => tune.vary[p]);
  const digits = tune.search === 'random' ? drawPolicies(tune.vary, tune.samples ?? 10) : gridPolicies(lists.map((l) => l.length));
  const policies = digits.map((at, index) => {
    const values = at.map((d, i) => lists[i][d]);
    const record = Object.fromEntries(paths.map((p, i) => [p, values[i]]));
    return { index, values: record, label: paths.map((p, i) => `${shortPath(p)}=${values[i]}`).join(', ') };
  });
  const chosen = tune.cases ?? (cases.length ? [...cases] : []);
  const n = seedsOverride ?? tune.seeds;
  return {
    policies,
    cases: chosen.length ? chosen : [null],
    seeds: Array.from({ length: n }, (_, s) => s + 1),
    runs: policies.length * Math.max(1, chosen.length) * n,
  };
}

/** Every policy of the grid, as the index of each path's value, the last path varying fastest. */
function gridPolicies(sizes: readonly number[]): number[][] {
  let combos: number[][] = [[]];
  for (const size of sizes) combos = combos.flatMap((c) => Array.from({ length: size }, (_, v) => [...c, v]));
  return combos;
}

/**
 * Grids up to this many policies are drawn as rehearse always drew them: a key for each policy in grid order, the
 * policies with the smallest keys first. Beyond it, each policy is drawn alone, without the grid. Before the grids
 * were drawn alone, the whole grid was spelled out in memory: 1e7 policies took 3.8 GB, so no larger grid ran in
 * Node's default heap, and every grid that ran keeps its policies and their order.
 */
export const KEYED_GRID = 2 ** 24;

/**
 * A seeded draw without replacement from the grid, as the index of each path's value: the same tune block gives
 * the same policies in the same order. Memory and time grow with the samples drawn, not with the grid, except for
 * the keyed draw of a grid up to KEYED_GRID (one key a policy, only the samples' kept).
 */
export function drawPolicies(vary: Readonly<Record<string, readonly unknown[]>>, samples: number): number[][] {
  const sizes = Object.values(vary).map((l) => l.length);
  const grid = sizes.reduce((a, b) => a * b, 1);
  const rng = seedrandom.alea(`rehearse:tune:${JSON.stringify(vary)}`);
  const count = Math.min(samples, grid);
  if (grid <= KEYED_GRID) return smallestKeys(rng, grid, count).map((i) => decode(i, sizes));
  // Too large for a key a policy: draw each path's value uniformly (a uniform policy of the grid), and draw again
  // a policy drawn before. A grid this large holds over 160 times the most policies a sweep may run, so a draw is
  // seldom repeated.
  const seen = new Set<string>();
  const out: number[][] = [];
  while (out.length < count) {
    const at = sizes.map((size) => Math.floor(rng.double() * size));
    const key = at.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(at);
  }
  return out;
}

/**
 * The indices (0 to n-1) of the `count` smallest of n keys drawn in order, smallest first, ties to the smaller
 * index: what sorting every key (a stable sort) and keeping the first `count` gives, in O(count) memory.
 */
function smallestKeys(rng: () => number, n: number, count: number): number[] {
  // A max-heap of the kept (key, index): its root is the first to leave when a smaller key comes.
  const keys = new Float64Array(count);
  const idx = new Float64Array(count);
  let size = 0;
  const above = (a: number, b: number) => keys[a] > keys[b] || (keys[a] === keys[b] && idx[a] > idx[b]);
  const swap = (a: number, b: number) => {
    const k = keys[a]; keys[a] = keys[b]; keys[b] = k;
    const i = idx[a]; idx[a] = idx[b]; idx[b] = i;
  };
  const down = (from: number) => {
    for (let at = from; ;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let top = at;
      if (l < size && above(l, top)) top = l;
      if (r < size && above(r, top)) top = r;
      if (top === at) return;
      swap(at, top);
      at = top;
    }
  };
  for (let i = 0; i < n; i++) {
    const key = rng();
    if (size < count) {
      keys[size] = key;
      idx[size] = i;
      for (let at = size++; at > 0 && above(at, (at - 1) >> 1); at = (at - 1) >> 1) swap(at, (at - 1) >> 1);
    } else if (count > 0 && key < keys[0]) {
      // A later index never wins a tie: the earlier one sorted first.
      keys[0] = key;
      idx[0] = i;
      down(0);
    }
  }
  const order = Array.from({ length: size }, (_, j) => j).sort((a, b) => keys[a] - keys[b] || idx[a] - idx[b]);
  return order.map((j) => idx[j]);
}

/** A policy's index in the grid as the index of each path's value (mixed radix, the last path the lowest digit). */
function decode(index: number, sizes: readonly number[]): number[] {
  const at = new Array<number>(sizes.length);
  for (let i = sizes.length - 1; i >= 0; i--) {
    at[i] = index % sizes[i];
    index = Math.floor(index / sizes[i]);
  }
  return at;
}

function shortPath(p: string): string {
  return p.replace(/^rollout\./, '').replace(/\.gates\./, '.gate');
}

export function runKey(plan: SweepPlan, run: number): RunKey {
  const S = plan.seeds.length;
  const C = plan.cases.length;
  const seedIndex = run % S;
  const caseIndex = Math.floor(run / S) % C;
  const policy = Math.floor(run / (S * C));
  return { run, policy, caseIndex, seed: plan.seeds[seedIndex] };
}

/** A copy of the scenario with the policy's values written into their paths. */
export function applyPolicy(raw: Record<string, unknown>, values: Record<string, TuneValue>): Record<string, unknown> {
  const copy = structuredClone(raw);
  for (const [written, value] of Object.entries(values)) {
    const path = dotted(written);
    // Inside an imported resource: a patch that the loader applies to the resource's document.
    const inside = RESOURCE_PATH.exec(path);
    if (inside) {
      const [, flag, kind, resource, rest] = inside;
      const [[plans, i]] = childrenOf(copy.rollout, flag, written) as [Record<string, unknown>[], number][];
      const entry = plans[i][kind] as { patches?: ResourcePatch[] } | undefined;
      if (!entry) throw new Error(`${written}: the plan of ${quoted(flag)} has no ${kind} entry`);
      entry.patches = [...(entry.patches ?? []), { resource, path: splitPath(rest), value }];
      continue;
    }
    setPath(copy, path.split('.'), value, written);
  }
  delete copy.tune;
  return copy;
}

/**
 * Where a vary path writes in the scenario, each place as its keys (list items by index, a plan by its index, an
 * imported resource's patch under its plan): `stages.0.hold` and `stages.00.hold`, or `stages.*.hold` and
 * `stages.1`, write the same place, and a run took the later path's value while its label named both.
 */
export function placesOf(raw: Record<string, unknown>, written: string): string[][] {
  const path = dotted(written);
  const inside = RESOURCE_PATH.exec(path);
  if (inside) {
    const [, flag, kind, resource, rest] = inside;
    const [[, i]] = childrenOf(raw.rollout, flag, written);
    return [['rollout', String(i), kind, `resource ${resource}`, ...splitPath(rest).map(String)]];
  }
  const out: string[][] = [];
  const walk = (node: unknown, keys: string[], at: string[]) => {
    if (keys.length === 0) return void out.push(at);
    for (const [container, k] of childrenOf(node, keys[0], written)) walk((container as Record<string, unknown>)[k], keys.slice(1), [...at, String(k)]);
  };
  walk(raw, path.split('.'), []);
  return out;
}

function setPath(node: unknown, keys: string[], value: TuneValue, full: string): void {
  const [key, ...rest] = keys;
  const children = childrenOf(node, key, full);
  for (const [container, k] of children) {
    if (rest.length === 0) {
      const current = (container as Record<string, unknown>)[k];
      (container as Record<string, unknown>)[k] = replaceValue(current, value);
    } else {
      setPath((container as Record<string, unknown>)[k], rest, value, full);
    }
  }
}

/** The (container, key) pairs a path segment selects: a key, an index, `*`, or a rollout plan by its flag. */
function childrenOf(node: unknown, key: string, full: string): [unknown, string | number][] {
  if (Array.isArray(node)) {
    if (key === '*') return node.map((_, i) => [node, i]);
    if (/^\d+$/.test(key)) {
      if (Number(key) >= node.length) throw new Error(`${full}: there is no item ${key} (${node.length ? `the list's items are 0 to ${node.length - 1}` : 'the list is empty'})`);
      return [[node, Number(key)]];
    }
    const i = node.findIndex((x) => x && typeof x === 'object' && (x as { flag?: string }).flag === key);
    if (i < 0) {
      const flags = node.flatMap((x) => (x && typeof x === 'object' && typeof (x as { flag?: unknown }).flag === 'string' ? [(x as { flag: string }).flag] : []));
      throw new Error(`${full}: no item with flag ${quoted(key)}${didYouMean(key, flags)}${flags.length ? ` (plans: ${flags.join(', ')})` : ''}`);
    }
    return [[node, i]];
  }
  if (node && typeof node === 'object') {
    if (key === '*') return Object.keys(node).map((k) => [node, k]);
    // "__proto__" (or "constructor") names what every object inherits: written through, it set a key on every object
    // of the process, and each later scenario read had it ("unknown key").
    if (key in node && !Object.hasOwn(node, key)) throw new Error(`${full}: ${quoted(key)} is no key of a scenario (JavaScript's ${key === '__proto__' ? 'prototype key' : 'inherited name'})`);
    return [[node, key]];
  }
  throw new Error(`${full}: ${quoted(key)} is not inside a mapping or a list`);
}

/**
 * A gate written `metric{tags} rate<0.01` takes a new tail, `rate<0.005`, keeping its metric and tags; anything
 * else is replaced whole.
 */
function replaceValue(current: unknown, value: TuneValue): unknown {
  if (typeof current === 'string' && typeof value === 'string' && /^(avg|min|max|med|count|rate|p\()/.test(value.trim())) {
    try {
      const t = parseThreshold(current);
      const head = current.slice(0, t.columns.aggregate - 1).trimEnd();
      return `${head} ${value.trim()}`;
    } catch {
      return value;
    }
  }
  return value;
}
