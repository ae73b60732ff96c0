/**
 * Dispositions of a resource's fields: for every field of the vendor's schema, whether rehearse models it,
 * warns about it (with file:line:column and the path) or refuses it. A table maps field patterns to
 * dispositions: `[]` stands for the items of a list, `*` for any one key, and a final `**` for everything
 * below. `walkFields` goes through a resource, applies the table and returns the warnings (those of one
 * resource with the same reason merged into one line that names every path) and the problems; a field that no
 * pattern covers is not in the schema, which the API server prunes, and is warned as such (naming the field of the
 * CRD at the same place it is nearest to, as a misspelling: successCondtion, successCondition).
 */
import { constraintMessage, fieldConstraints, fieldTypes, hasType, typeMessage, type FieldType, type FieldTypes } from './crd-types.js';
import { didYouMean } from '../../errors.js';
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
  /**
   * Maps or lists where the CRD declares a scalar, or scalars where it declares a map or a list (also in
   * problems): nothing more can be read from the resource as the team wrote it.
   */
  readonly mistyped: number;
  /** Scalars of another scalar type (text for an integer, true for a string): see withScalarProblems. */
  readonly scalars: readonly ScalarProblem[];
}

export interface ScalarProblem {
  /** The path as messages write it (pathText). */
  readonly path: string;
  readonly line: string;
}

/**
 * The problems of an import with the scalar type problems added, each unless the adapter already refused that
 * field with a message of its own (which says more: "a weight is a whole number from 0 to 100").
 */
export function withScalarProblems(problems: readonly string[], scalars: readonly ScalarProblem[]): string[] {
  return [...problems, ...scalars.filter((s) => !problems.some((p) => p.includes(`: ${s.path}: `))).map((s) => s.line)];
}

const isScalarType = (t: string): boolean => t === 'string' || t === 'integer' || t === 'number' || t === 'boolean' || t === 'int-or-string';

/** A key under an older name (`spec.canaryAnalysis` of Flagger 0.x) as the current CRD names it (`spec.analysis`). */
function aliased(key: string, aliases: Readonly<Record<string, string>>): string {
  for (const [from, to] of Object.entries(aliases)) {
    if (key === from || key.startsWith(`${from}.`) || key.startsWith(`${from}[`)) return to + key.slice(from.length);
  }
  return key;
}

/** A field's key in crd-types.json: `spec.steps[].setWeight`. */
const keyOf = (parent: string, seg: string): string => (seg === '[]' ? `${parent}[]` : parent ? `${parent}.${seg}` : seg);

/**
 * Walks a resource through a table: warnings (merged by reason) and problems, each with its place. A value whose
 * type is not the one its CRD declares (crd-types.ts; `aliases` for fields an older release named otherwise, read
 * as the current one) is a problem, as the API server refuses it.
 */
export function walkFields(r: Resource, table: Table, unknownWhy: string, group: string, aliases: Readonly<Record<string, string>> = {}): FieldReport {
  const byReason = new Map<string, Path[]>();
  const problems: string[] = [];
  // The adapter's group: a resource whose apiVersion is not text has none of its own (it is checked as the kind it says).
  const types: FieldTypes | null = fieldTypes(group, r.kind);
  const constraints = fieldConstraints(group, r.kind);
  let mistyped = 0;
  const scalars: ScalarProblem[] = [];
  // `key` is the field's key in crd-types.json, `parent` its parent's (for a map's values, `parent.*`).
  // `typesOnly`: below a field the table has done with (warned, refused, a whole subtree), whose values the API
  // server still checks against the CRD.
  const visit = (value: unknown, path: Path, segs: string[], key: string, parent: string, typesOnly: boolean): void => {
    let t: FieldType | undefined;
    if (types && segs.length > 0) {
      const [k, p] = [aliased(key, aliases), aliased(parent, aliases)];
      t = Object.hasOwn(types, k) ? types[k] : Object.hasOwn(types, `${p}.*`) ? types[`${p}.*`] : undefined;
      if (t !== undefined && !hasType(value, t)) {
        const line = `${where(r, path)}: ${pathText(path)}: ${typeMessage(r.kind, t, value)}`;
        if (isScalarType(t) && (value === null || typeof value !== 'object')) scalars.push({ path: pathText(path), line });
        else {
          problems.push(line);
          mistyped++;
          return;
        }
      } else if (constraints && Object.hasOwn(constraints, k)) {
        const message = constraintMessage(r.kind, constraints[k], value);
        if (message !== null) scalars.push({ path: pathText(path), line: `${where(r, path)}: ${pathText(path)}: ${message}` });
      }
    }
    if (!typesOnly && segs.length > 0) {
      const found = dispositionOf(table, segs);
      const d: Disposition = found?.disposition ?? { d: 'warned', why: `${unknownWhy}${misspelt(types, segs[segs.length - 1], aliased(parent, aliases))}` };
      if (d.d === 'refused') problems.push(`${where(r, path)}: ${pathText(path)}: ${d.why}`);
      else if (d.d === 'warned' && !d.inline) {
        const list = byReason.get(d.why) ?? [];
        list.push(path);
        byReason.set(d.why, list);
      }
      typesOnly = d.d !== 'modelled' || found!.pattern.endsWith('**');
    } else if (typesOnly && types && t === undefined && segs[segs.length - 1] !== '[]' && closedObject(types, aliased(parent, aliases))) {
      // Below a field the table has done with, a key its CRD's object does not list is pruned all the same: the
      // controller never sees it, and a field it names (a workloadRef's kind) is then missing.
      const list = byReason.get(`${unknownWhy}${misspelt(types, segs[segs.length - 1], aliased(parent, aliases))}`) ?? [];
      list.push(path);
      byReason.set(`${unknownWhy}${misspelt(types, segs[segs.length - 1], aliased(parent, aliases))}`, list);
      return;
    }
    // Below a field the CRD does not list (pruned), or a free-form one, there is nothing more to check.
    if (typesOnly && (t === undefined || t === 'object*' || t === 'any')) return;
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i], [...segs, '[]'], keyOf(key, '[]'), key, typesOnly));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k], [...segs, k], keyOf(key, k), key, typesOnly);
    }
  };
  visit(r.value, [], [], '', '', false);
  const warnings = [...byReason].map(([why, paths]) => {
    // The first NAMED_MOST by place, then a count: a resource of 50,000 unknown keys made a warning of 900 KB.
    const shown = paths.slice(0, NAMED_MOST).map((p, i) => (i === 0 ? pathText(p) : `${pathText(p)} (${lineColumn(r, p)})`));
    const named = `${shown.join(', ')}${paths.length > NAMED_MOST ? ` and ${paths.length - NAMED_MOST} more` : ''}`;
    return `${where(r, paths[0])}: ${named}: ${why}`;
  });
  return { warnings, problems, mistyped, scalars };
}

/** A CRD object whose keys are its listed properties (not a map of any keys, nor free-form). */
function closedObject(types: FieldTypes, key: string): boolean {
  return key !== '' && types[key] === 'object' && !Object.hasOwn(types, `${key}.*`);
}

const children = new WeakMap<FieldTypes, Map<string, string[]>>();

/**
 * "; did you mean "successCondition"?" when a field the CRD does not hold is near one its parent does hold
 * (a field name of a list's items or a map's values is no candidate: `*`), else nothing.
 */
function misspelt(types: FieldTypes | null, name: string, parent: string): string {
  if (!types || name === '[]') return '';
  let byParent = children.get(types);
  if (!byParent) {
    byParent = new Map();
    for (const key of Object.keys(types)) {
      const dot = key.lastIndexOf('.');
      const [p, child] = dot < 0 ? ['', key] : [key.slice(0, dot), key.slice(dot + 1)];
      if (child === '*' || child.includes('[')) continue;
      byParent.set(p, [...(byParent.get(p) ?? []), child]);
    }
    children.set(types, byParent);
  }
  return didYouMean(name, byParent.get(parent) ?? []);
}

/** Fields named in one warning, at most; the rest are counted. */
const NAMED_MOST = 50;

/** Fields every Kubernetes resource has, and what rehearse makes of them. */
export const OBJECT_FIELDS: Table = {
  apiVersion: modelled(),
  kind: modelled(),
  metadata: modelled(),
  'metadata.name': modelled(),
  'metadata.**': warned('object metadata, not rehearsed'),
  'status.**': warned('the status is the controller\'s record of a run: not read'),
};
