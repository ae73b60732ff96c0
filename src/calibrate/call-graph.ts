/**
 * The calls between endpoints that calibration infers, as a graph: the synchronous calls that close a cycle (left
 * out: the simulator refuses them), and how deep the calls left nest (a scenario holds them at most
 * LIMITS.callDepth deep). Traces decide how deep these graphs go, so the walks keep their own stacks.
 */
import { findCycles, longestPath } from '../scenario/graph.js';
import type { EndpointStats } from './stats.js';

const key = (e: EndpointStats) => `${e.service}\u0000${e.endpoint}`;

/**
 * Synchronous calls that would close a cycle (recursion seen in traces), as "caller\u0001target" keys: one per back
 * edge of a depth-first walk, in the endpoints' and their calls' order.
 */
export function cyclicCalls(all: readonly EndpointStats[]): Set<string> {
  const byKey = new Map(all.map((e) => [key(e), e]));
  const targetsOf = (k: string): string[] => [...(byKey.get(k)?.items.values() ?? [])].flatMap((it) => (it.kind === 'async' ? [] : it.targets));
  const dropped = new Set<string>();
  const state = new Map<string, number>(); // 1 on the path, 2 done
  for (const e of all) {
    const root = key(e);
    if (state.has(root)) continue;
    state.set(root, 1);
    const stack = [{ k: root, targets: targetsOf(root), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next >= top.targets.length) {
        state.set(top.k, 2);
        stack.pop();
        continue;
      }
      const t = top.targets[top.next++];
      const s = state.get(t);
      if (s === 1) dropped.add(`${top.k}\u0001${t}`);
      else if (s === undefined) {
        state.set(t, 1);
        stack.push({ k: t, targets: targetsOf(t), next: 0 });
      }
    }
  }
  return dropped;
}

/**
 * The longest chain of calls the scenario written will hold (every call, the cyclic ones left out), and the endpoint
 * it starts from, as the scenario's validation measures it; null when cycles remain (asynchronous ones, which the
 * validation judges by their probability instead).
 */
export function deepestCalls(all: readonly EndpointStats[], dropped: ReadonlySet<string>): { length: number; from: EndpointStats | null } | null {
  const byKey = new Map(all.map((e) => [key(e), e]));
  const edgesOf = (k: string): string[] => [...(byKey.get(k)?.items.values() ?? [])]
    .flatMap((it) => (it.kind === 'async' ? it.targets : it.targets.filter((t) => !dropped.has(`${k}\u0001${t}`))));
  const nodes = [...byKey.keys()];
  if (findCycles(nodes, edgesOf, (t) => t, 1).length > 0) return null;
  const longest = longestPath(nodes, edgesOf, (t) => t);
  return { length: longest.length, from: longest.from === null ? null : byKey.get(longest.from) ?? null };
}
