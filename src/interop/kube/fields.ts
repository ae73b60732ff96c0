/**
 * Dispositions of a resource's fields: for every field of the vendor's schema, whether rehearse models it,
 * warns about it (with file:line:column and the path) or refuses it. A table maps field patterns to
 * dispositions: `[]` stands for the items of a list, `*` for any one key, and a final `**` for everything
 * below. `walkFields` goes through a resource, applies the table and returns the warnings (those of one
 * resource with the same reason merged into one line that names every path) and the problems; a field that no
 * pattern covers is not in the schema, which the API server prunes, and is warned as such.
 */
import { lineColumn, pathText, where, type Path, type Resource } from './resources.js';

export type Disposition =
  | { readonly d: 'modelled'; readonly note?: string }
  /** `inline`: the adapter itself warns, with what it knows of the value (the walk does not). */
  | { readonly d: 'warned'; readonly why: string; readonly inline?: boolean }
  | { readonly d: 'refused'; readonly why: string };

export type Table = Readonly<Record<string, Disposition>>;

export const modelled = (note?: string): Disposition => ({ d: 'modelled', ...(note ? { note } : {}) });
export const warned = (why: string, inline = false): Disposition => ({ d: 'warned', why, ...(inline ? { inline } : {}) });
export const refused = (why: string): Disposition => ({ d: 'refused', why });

interface Compiled {
  readonly segments: readonly string[];
  readonly subtree: boolean;
  readonly literal: number;
  readonly disposition: Disposition;
  readonly pattern: string;
}

/** `spec.steps[].pause` as segments: spec, steps, [], pause. */
export function segmentsOf(path: string): string[] {
  return path.replace(/\[\]/g, '.[]').split('.').filter((s) => s !== '');
}

const compiled = new WeakMap<Table, Compiled[]>();

function compile(table: Table): Compiled[] {
  let c = compiled.get(table);
  if (!c) {
    c = Object.entries(table).map(([pattern, disposition]) => {
      const all = segmentsOf(pattern);
      const subtree = all[all.length - 1] === '**';
      const segments = subtree ? all.slice(0, -1) : all;
      return { segments, subtree, literal: segments.filter((s) => s !== '*').length * 2 + (subtree ? 0 : 1), disposition, pattern };
    });
    compiled.set(table, c);
  }
  return c;
}

/** The disposition of a field (segments with `[]` for list items), by its most specific pattern, or null. */
export function dispositionOf(table: Table, path: string | readonly string[]): { pattern: string; disposition: Disposition } | null {
  const segs = typeof path === 'string' ? segmentsOf(path) : path;
  let best: Compiled | null = null;
  for (const c of compile(table)) {
    if (c.subtree ? segs.length < c.segments.length : segs.length !== c.segments.length) continue;
    if (!c.segments.every((s, i) => (s === '*' ? segs[i] !== '[]' : s === segs[i]))) continue;
    if (!best || c.literal > best.literal || (c.literal === best.literal && c.segments.length > best.segments.length)) best = c;
  }
  return best ? { pattern: best.pattern, disposition: best.disposition } : null;
}

export interface FieldReport {
  readonly warnings: string[];
  readonly problems: string[];
}

/** Walks a resource through a table: warnings (merged by reason) and problems, each with its place. */
export function walkFields(r: Resource, table: Table, unknownWhy: string): FieldReport {
  const byReason = new Map<string, Path[]>();
  const problems: string[] = [];
  const visit = (value: unknown, path: Path, segs: string[]): void => {
    if (segs.length > 0) {
      const found = dispositionOf(table, segs);
      const d: Disposition = found?.disposition ?? { d: 'warned', why: unknownWhy };
      if (d.d === 'refused') {
        problems.push(`${where(r, path)}: ${pathText(path)}: ${d.why}`);
        return;
      }
      if (d.d === 'warned' && !d.inline) {
        const list = byReason.get(d.why) ?? [];
        list.push(path);
        byReason.set(d.why, list);
        return;
      }
      if (d.d === 'warned' || found?.pattern.endsWith('**')) return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i], [...segs, '[]']));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k], [...segs, k]);
    }
  };
  visit(r.value, [], []);
  const warnings = [...byReason].map(([why, paths]) => {
    const named = paths.map((p, i) => (i === 0 ? pathText(p) : `${pathText(p)} (${lineColumn(r, p)})`)).join(', ');
    return `${where(r, paths[0])}: ${named}: ${why}`;
  });
  return { warnings, problems };
}

/** Fields every Kubernetes resource has, and what rehearse makes of them. */
export const OBJECT_FIELDS: Table = {
  apiVersion: modelled(),
  kind: modelled(),
  metadata: modelled(),
  'metadata.name': modelled(),
  'metadata.**': warned('object metadata, not rehearsed'),
  'status.**': warned('the status is the controller\'s record of a run: not read'),
};
