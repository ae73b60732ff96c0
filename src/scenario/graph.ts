/**
 * Cycles in the graphs a scenario draws (calls between endpoints, prerequisite flags). Input decides how deep
 * these graphs go, so the walk keeps its own stack instead of recursing, and visits each node and edge once.
 */

/** One cycle found: the nodes in order (the first repeated at the end) and the edge that closed it. */
export interface Cycle<E> {
  readonly nodes: readonly string[];
  /** The edges along the cycle, in order; the last one closes it. */
  readonly edges: readonly E[];
}

/**
 * Cycles of a directed graph, one per back edge of a depth-first walk (so every graph with a cycle yields at
 * least one), at most `limit` of them. Linear in nodes and edges.
 */
export function findCycles<E>(
  nodes: Iterable<string>,
  edgesOf: (node: string) => readonly E[],
  target: (edge: E) => string,
  limit = 10,
): Cycle<E>[] {
  const found: Cycle<E>[] = [];
  const state = new Map<string, number>(); // position on the stack while active, -1 once done
  const stack: string[] = [];
  const via: E[] = []; // via[i]: the edge from stack[i - 1] to stack[i]
  const next: number[] = []; // the next edge to follow from stack[i]
  const edges: (readonly E[])[] = [];
  for (const root of nodes) {
    if (state.has(root)) continue;
    state.set(root, 0);
    stack.push(root);
    edges.push(edgesOf(root));
    next.push(0);
    while (stack.length) {
      const top = stack.length - 1;
      const out = edges[top];
      if (next[top] >= out.length) {
        state.set(stack[top], -1);
        stack.pop();
        edges.pop();
        next.pop();
        via.length = stack.length;
        continue;
      }
      const edge = out[next[top]++];
      const to = target(edge);
      const st = state.get(to);
      if (st === undefined) {
        state.set(to, stack.length);
        via[stack.length] = edge;
        stack.push(to);
        edges.push(edgesOf(to));
        next.push(0);
      } else if (st >= 0 && found.length < limit) {
        found.push({ nodes: [...stack.slice(st), to], edges: [...via.slice(st + 1, stack.length), edge] });
      }
    }
  }
  return found;
}

/** A cycle's nodes for a message, shortened in the middle when long. */
export function cycleText(nodes: readonly string[], separator = ' -> '): string {
  if (nodes.length <= 12) return nodes.join(separator);
  return [...nodes.slice(0, 6), `... (${nodes.length - 11} more)`, ...nodes.slice(-5)].join(separator);
}

/**
 * The most edges on any path of an acyclic graph, and one node where such a path starts: a memoised walk with
 * its own stack, linear in nodes and edges. Only for graphs findCycles has found acyclic.
 */
export function longestPath<E>(nodes: Iterable<string>, edgesOf: (node: string) => readonly E[], target: (edge: E) => string): { length: number; from: string | null } {
  const depth = new Map<string, number>();
  let best = { length: 0, from: null as string | null };
  for (const root of nodes) {
    if (depth.has(root)) continue;
    const stack: string[] = [root];
    while (stack.length) {
      const node = stack[stack.length - 1];
      if (depth.has(node)) {
        stack.pop();
        continue;
      }
      let ready = true;
      let d = 0;
      for (const e of edgesOf(node)) {
        const to = target(e);
        const known = depth.get(to);
        if (known === undefined) {
          ready = false;
          stack.push(to);
        } else d = Math.max(d, known + 1);
      }
      if (!ready) continue;
      depth.set(node, d);
      stack.pop();
      if (d > best.length) best = { length: d, from: node };
    }
  }
  return best;
}
