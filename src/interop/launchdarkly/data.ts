/**
 * LaunchDarkly flag data as its server SDKs read it, from one or several files (launchdarkly/js-core
 * packages/shared/sdk-server/src/data_sources/FileDataSource.ts at 1ff89ecac7da): the file data source format
 * (`flags`, `flagValues`, `segments`; JSON or YAML), the stream `put` payload (`{"path", "data": {"flags",
 * "segments"}}`, createStreamListeners.ts) and the poll response (`{flags, segments}`), or a single flag.
 * Items are stored under their own `key` (FileDataSource.ts `_addItem`), a second item of a key is an error
 * (`found duplicate key`), and big segments are rewritten to what the SDK serves without a big segment store.
 */
import { InputError } from '../../errors.js';
import { own, record } from '../../records.js';
import type { PathSegment } from '../../scenario/problems.js';
import { walkFields, type Findings } from '../disposition.js';
import { at, formatWarning, isObject, type FlagFile } from '../document.js';
import { LAUNCHDARKLY_DISPOSITIONS as TABLE } from './dispositions.js';
import { quoted } from '../../units/escape.js';

type Json = Record<string, unknown>;

export interface Located {
  readonly doc: FlagFile;
  readonly path: PathSegment[];
}

/** What the SDK's store holds, plus where each item came from. */
export interface LdData {
  readonly flags: Record<string, Json>;
  readonly segments: Record<string, Json>;
  readonly flagAt: Map<string, Located>;
  readonly segmentAt: Map<string, Located>;
}

const SHAPES = 'a LaunchDarkly file holds flags, flagValues and segments (the SDK\'s file data source), {"data": {"flags", "segments"}} (a stream put) or one flag';
/** How the SDKs' file data source docs say to get its data (launchdarkly/go-server-sdk ldfiledata, java-server-sdk FileData). */
const LATEST_ALL = 'curl -H "Authorization: SDK_KEY" https://app.launchdarkly.com/sdk/latest-all';
const sdkFlag = (f: unknown): boolean => isObject(f) && Array.isArray(f.variations) && ('on' in f || 'fallthrough' in f);

/** What a file that is none of the shapes is, where it is a shape LaunchDarkly writes elsewhere. */
function otherShape(v: Json): string {
  const rest = (f: unknown) => isObject(f) && isObject(f.environments) && Array.isArray(f.variations);
  if (rest(v) || (Array.isArray(v.items) && v.items.some(rest))) {
    return `: this is LaunchDarkly's REST API flag (api/v2/flags), each environment's configuration under environments, not the data an SDK reads; get that with ${LATEST_ALL}, as the SDKs' file data source docs say`;
  }
  const values = Object.values(v);
  if (values.length > 0 && values.every(sdkFlag)) return ': it is a map of flags by key (what the SDK\'s /sdk/latest-flags answers); the file data source reads them under "flags": write {"flags": {...}}';
  return '';
}

export function readLaunchDarkly(docs: readonly FlagFile[], out: Findings): LdData {
  const data: LdData = { flags: record(), segments: record(), flagAt: new Map(), segmentAt: new Map() };
  const where = (l: Located) => formatWarning(at(l.doc, l.path, '')).replace(/: $/, '');
  const add = (kind: 'flag' | 'segment', mapKey: string | null, item: unknown, doc: FlagFile, path: PathSegment[]) => {
    if (!isObject(item)) return out.refusals.push(at(doc, path, `a ${kind} is an object`));
    if (item.key === undefined) return out.refusals.push(at(doc, path, `a ${kind} needs its key, as text: without one the SDK would store it as "undefined"`));
    if (typeof item.key !== 'string') return out.refusals.push(at(doc, [...path, 'key'], `a ${kind}'s key is text, not ${Array.isArray(item.key) ? 'a list' : item.key === null ? 'null' : typeof item.key === 'object' ? 'a map' : `${typeof item.key} ${String(item.key)}`}`));
    const key = item.key;
    if (mapKey !== null && key !== mapKey) out.warnings.push(at(doc, [...path, 'key'], `stored as ${quoted(key)}, its own key, as the SDK stores it: the name ${quoted(mapKey)} is not a key`));
    if (item.deleted === true) return;
    const store = kind === 'flag' ? data.flags : data.segments;
    const located = kind === 'flag' ? data.flagAt : data.segmentAt;
    const other = located.get(key);
    if (other) return out.refusals.push(at(doc, path, `found duplicate key ${quoted(key)} (also at ${where(other)}): the SDK does not start with these files`));
    if (kind === 'flag' && item.variations !== undefined && !Array.isArray(item.variations)) {
      return out.refusals.push(at(doc, [...path, 'variations'], 'variations is a list of values'));
    }
    store[key] = { ...item };
    located.set(key, { doc, path });
  };
  const items = (kind: 'flag' | 'segment', map: unknown, doc: FlagFile, path: PathSegment[]) => {
    if (map === undefined || map === null) return;
    if (!isObject(map)) return out.refusals.push(at(doc, path, `${String(path[path.length - 1])} is an object of ${kind}s by key`));
    for (const [k, item] of Object.entries(map)) add(kind, k, item, doc, [...path, k]);
  };
  for (const doc of docs) {
    const v = doc.value;
    if (!isObject(v)) {
      out.refusals.push(at(doc, [], `not a LaunchDarkly file: ${SHAPES}`));
      continue;
    }
    if (isObject(v.data)) {
      walkFields(doc, TABLE, 'StreamPut', v, [], out, 'LaunchDarkly');
      items('flag', v.data.flags, doc, ['data', 'flags']);
      items('segment', v.data.segments, doc, ['data', 'segments']);
    } else if ('variations' in v && ('fallthrough' in v || 'on' in v)) {
      walkFields(doc, TABLE, 'Flag', v, [], out, 'LaunchDarkly');
      add('flag', null, v, doc, []);
    } else if ('flags' in v || 'flagValues' in v || 'segments' in v) {
      walkFields(doc, TABLE, 'FileDataSourceFile', v, [], out, 'LaunchDarkly');
      items('flag', v.flags, doc, ['flags']);
      if (v.flagValues !== undefined && !isObject(v.flagValues)) out.refusals.push(at(doc, ['flagValues'], 'flagValues is an object of values by flag key'));
      // FileDataSource.ts makeFlagWithValue: on, one variation, served by the fallthrough; version 1.
      for (const [k, value] of Object.entries(isObject(v.flagValues) ? v.flagValues : {})) {
        add('flag', k, { key: k, on: true, fallthrough: { variation: 0 }, variations: [value], version: 1 }, doc, ['flagValues', k]);
      }
      items('segment', v.segments, doc, ['segments']);
    } else {
      out.refusals.push(at(doc, [], `not a LaunchDarkly file: ${SHAPES}${otherShape(v)}`));
    }
  }
  if (out.refusals.length) throw new InputError(out.refusals.map(formatWarning));
  checkReferences(data, out);
  withoutBigSegmentStore(data);
  return data;
}

/** Each clause of a flag or segment rule, with where it lies. */
function* clauses(data: LdData): Generator<{ c: Json; at: Located }> {
  for (const [key, f] of Object.entries(data.flags)) {
    const l = data.flagAt.get(key)!;
    for (const [i, r] of (Array.isArray(f.rules) ? f.rules : []).entries()) {
      for (const [j, c] of (isObject(r) && Array.isArray(r.clauses) ? r.clauses : []).entries()) {
        if (isObject(c)) yield { c, at: { doc: l.doc, path: [...l.path, 'rules', i, 'clauses', j] } };
      }
    }
  }
  for (const [key, s] of Object.entries(data.segments)) {
    const l = data.segmentAt.get(key)!;
    for (const [i, r] of (Array.isArray(s.rules) ? s.rules : []).entries()) {
      for (const [j, c] of (isObject(r) && Array.isArray(r.clauses) ? r.clauses : []).entries()) {
        if (isObject(c)) yield { c, at: { doc: l.doc, path: [...l.path, 'rules', i, 'clauses', j] } };
      }
    }
  }
}

function checkReferences(data: LdData, out: Findings): void {
  for (const { c, at: l } of clauses(data)) {
    if (c.op !== 'segmentMatch') continue;
    for (const s of Array.isArray(c.values) ? c.values : []) {
      const seg = own(data.segments, String(s));
      if (!seg) out.warnings.push(at(l.doc, [...l.path, 'values'], `segment ${quoted(String(s))} is not in the files; the clause never matches, as the SDK serves it`));
      else if (seg.unbounded === true) {
        const rules = seg.generation ? 'only the segment\'s rules can match' : 'it never matches (no generation)';
        out.warnings.push(at(l.doc, [...l.path, 'values'], `segment ${quoted(String(s))} is a big segment: without a big segment store the SDK answers with big segments status NOT_CONFIGURED, and ${rules}`));
      }
    }
  }
}

/**
 * A big segment with a generation makes the SDK query its big segment store, asynchronously; without a store
 * the answer is "not configured" and the segment's rules decide (its included and excluded lists are ignored;
 * a context without the segment's context kind never matches: js-server-sdk-common Evaluator.ts
 * segmentMatchContext and bigSegmentMatchContext). Rewritten so the SDK answers the same, synchronously: the
 * segment becomes an ordinary one with those rules only, each guarded by the context kind, and each clause
 * that names it names first a big segment without a generation, which sets the status NOT_CONFIGURED exactly
 * when the original would have asked the store.
 */
function withoutBigSegmentStore(data: LdData): void {
  const renamed = new Map<string, string>();
  for (const [key, s] of Object.entries(data.segments)) {
    if (s.unbounded !== true || !s.generation) continue;
    let status = `${key}#big-segments-status`;
    while (own(data.segments, status)) status += '#';
    const kind = typeof s.unboundedContextKind === 'string' ? s.unboundedContextKind : 'user';
    data.segments[status] = { key: status, version: 1, unbounded: true, unboundedContextKind: kind, included: [], excluded: [], rules: [], salt: '' };
    const guard = { contextKind: kind, attribute: 'key', op: 'matches', values: [''], negate: false };
    data.segments[key] = {
      ...s, unbounded: false, included: [], excluded: [], includedContexts: [], excludedContexts: [],
      rules: (Array.isArray(s.rules) ? s.rules : []).map((r) => (isObject(r) ? { ...r, clauses: [guard, ...(Array.isArray(r.clauses) ? r.clauses : [])] } : r)),
    };
    renamed.set(key, status);
  }
  if (renamed.size === 0) return;
  const rewrite = (rules: unknown) => (Array.isArray(rules) ? rules.map((r) => (isObject(r) && Array.isArray(r.clauses) ? {
    ...r,
    clauses: r.clauses.map((c) => (isObject(c) && c.op === 'segmentMatch' && Array.isArray(c.values)
      ? { ...c, values: c.values.flatMap((v) => (renamed.has(String(v)) ? [renamed.get(String(v)), v] : [v])) } : c)),
  } : r)) : rules);
  for (const [key, f] of Object.entries(data.flags)) data.flags[key] = { ...f, rules: rewrite(f.rules) };
  for (const [key, s] of Object.entries(data.segments)) data.segments[key] = { ...s, rules: rewrite(s.rules) };
}
