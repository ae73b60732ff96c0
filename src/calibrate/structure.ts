/** How an endpoint makes its calls, from the calls of each successful invocation. */
import type { EndpointStats, ItemStats, Logical } from './stats.js';

/**
 * The shape of one successful invocation's calls, added to its endpoint's items: sequential runs, parallel
 * groups and asynchronous calls. Intervals closer than `slack` (us) are not taken to overlap.
 */
export function structure(st: EndpointStats, logical: Logical[], slack: number): void {
  type Item = { key: string; kind: ItemStats['kind']; counts: Map<string, number>; overlap: number };
  const items: Item[] = [];
  let i = 0;
  while (i < logical.length) {
    const l = logical[i];
    if (l.async) {
      const prev = items[items.length - 1];
      if (prev && prev.kind === 'async' && prev.counts.has(l.target) && prev.counts.size === 1) prev.counts.set(l.target, prev.counts.get(l.target)! + 1);
      else items.push({ key: `async:${l.target}`, kind: 'async', counts: new Map([[l.target, 1]]), overlap: 1 });
      i++;
      continue;
    }
    // A stage: synchronous calls whose intervals overlap (strictly) with the stage so far.
    const stage = [l];
    let stageEnd = l.end;
    let j = i + 1;
    for (; j < logical.length; j++) {
      const x = logical[j];
      if (x.async) continue;
      if (x.start < stageEnd - slack) {
        stage.push(x);
        stageEnd = Math.max(stageEnd, x.end);
      } else break;
    }
    // Asynchronous calls inside the stage's span keep their place after it.
    const asyncInside = logical.slice(i + 1, j).filter((x) => x.async);
    if (stage.length === 1) {
      const prev = items[items.length - 1];
      if (prev && prev.kind === 'seq' && prev.counts.has(l.target)) prev.counts.set(l.target, prev.counts.get(l.target)! + 1);
      else items.push({ key: `seq:${l.target}`, kind: 'seq', counts: new Map([[l.target, 1]]), overlap: 1 });
    } else {
      const counts = new Map<string, number>();
      for (const x of stage) counts.set(x.target, (counts.get(x.target) ?? 0) + 1);
      const ev: [number, number][] = [];
      for (const x of stage) for (const a of x.attempts) ev.push([a.start, 1], [a.end - slack, -1]);
      ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let cur = 0, max = 0;
      for (const [, d] of ev) max = Math.max(max, (cur += d));
      if (max <= 1) {
        // Touching but never in flight together: sequential after all.
        for (const x of stage) {
          const prev = items[items.length - 1];
          if (prev && prev.kind === 'seq' && prev.counts.has(x.target)) prev.counts.set(x.target, prev.counts.get(x.target)! + 1);
          else items.push({ key: `seq:${x.target}`, kind: 'seq', counts: new Map([[x.target, 1]]), overlap: 1 });
        }
      } else items.push({ key: `par:${[...counts.keys()].sort().join('|')}`, kind: 'par', counts, overlap: max });
    }
    for (const x of asyncInside) items.push({ key: `async:${x.target}`, kind: 'async', counts: new Map([[x.target, 1]]), overlap: 1 });
    i = j;
  }
  const seen = new Map<string, number>();
  items.forEach((it, pos) => {
    const n = seen.get(it.key) ?? 0;
    seen.set(it.key, n + 1);
    const key = `${it.key}#${n}`;
    let s = st.items.get(key);
    if (!s) st.items.set(key, (s = { kind: it.kind, targets: [...it.counts.keys()].sort(), present: 0, positionSum: 0, counts: new Map(), maxOverlap: 0 }));
    s.present++;
    s.positionSum += pos;
    s.maxOverlap = Math.max(s.maxOverlap, it.overlap);
    for (const [t, c] of it.counts) {
      let h = s.counts.get(t);
      if (!h) s.counts.set(t, (h = new Map()));
      h.set(c, (h.get(c) ?? 0) + 1);
    }
  });
}
