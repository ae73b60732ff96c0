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
  let combos: TuneValue[][] = [[]];
  for (const p of paths) combos = combos.flatMap((c) => tune.vary[p].map((v) => [...c, v]));
  if (tune.search === 'random') {
    // A seeded draw without replacement from the grid: the same tune block gives the same policies.
    const rng = seedrandom.alea(`rehearse:tune:${JSON.stringify(tune.vary)}`);
    const pool = combos.map((c) => ({ c, key: rng() }));
    pool.sort((a, b) => a.key - b.key);
    combos = pool.slice(0, Math.min(tune.samples ?? 10, pool.length)).map((x) => x.c);
  }
  const policies = combos.map((values, index) => {
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
      if (!entry) throw new Error(`${written}: the plan of "${flag}" has no ${kind} entry`);
      entry.patches = [...(entry.patches ?? []), { resource, path: splitPath(rest), value }];
      continue;
    }
    setPath(copy, path.split('.'), value, written);
  }
  delete copy.tune;
  return copy;
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
      throw new Error(`${full}: no item with flag "${key}"${didYouMean(key, flags)}${flags.length ? ` (plans: ${flags.join(', ')})` : ''}`);
    }
    return [[node, i]];
  }
  if (node && typeof node === 'object') {
    if (key === '*') return Object.keys(node).map((k) => [node, k]);
    // "__proto__" (or "constructor") names what every object inherits: written through, it set a key on every object
    // of the process, and each later scenario read had it ("unknown key").
    if (key in node && !Object.hasOwn(node, key)) throw new Error(`${full}: "${key}" is no key of a scenario (JavaScript's ${key === '__proto__' ? 'prototype key' : 'inherited name'})`);
    return [[node, key]];
  }
  throw new Error(`${full}: "${key}" is not inside a mapping or a list`);
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
