/**
 * Values written into imported resources: a sweep's `tune.vary` path that goes inside a Rollout, an
 * AnalysisTemplate, a Canary or a MetricTemplate becomes a patch (resource, path, value), applied to the
 * resource's YAML document with the yaml Document API, so that comments and layout outside the changed value
 * stay as written (for `sweep --write-back`). Pure: texts in, texts out.
 */
import { isScalar, isSeq, stringify, type Document, type Scalar } from 'yaml';
import { parseAllDocumentsAsGo } from '../scenario/go-quoted.js';
import { namedBy, namespacedName } from './kube/pick.js';
import type { SourceFile } from './kube/resources.js';
import { quoted } from '../units/escape.js';

export interface ResourcePatch {
  /** `rollout` (argo) or `canary` (flagger), or `templates.N`: the N-th template document across the template files. */
  readonly resource: string;
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

/** A vary path into an imported resource, split: rollout.<flag>.<argo|flagger>.<resource>.<path>. */
export const RESOURCE_PATH = /^rollout\.([^.]+)\.(argo|flagger)\.(rollout|canary|templates\.\d+)\.(.+)$/;

/** `a.b[0].c` as `a.b.0.c`. */
export function dotted(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1');
}

export function splitPath(path: string): (string | number)[] {
  return path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

/**
 * Applies patches to the files of one imported plan: `main` is the Rollout or Canary file, `templates` the
 * template files in order; `name` the Rollout or Canary the plan names where the file holds several (argo.name,
 * flagger.name: NAME or NAMESPACE/NAME, as kube/pick.ts matches them), else the first. Returns the files with their new text (unchanged files keep their text) and
 * problems for patches that point nowhere.
 */
export function applyPatches(main: SourceFile, templates: readonly SourceFile[], patches: readonly ResourcePatch[], name?: string): { files: SourceFile[]; problems: string[] } {
  // Read as the import read them (a quoted string continued at or left of its key's column as Go reads it); the edits
  // are made in the file's own text.
  const parsed = [main, ...templates].map((f) => ({ f, ...parseAllDocumentsAsGo(f.text, { uniqueKeys: false }), edits: [] as { from: number; to: number; text: string }[] }));
  const problems: string[] = [];
  const key = name === undefined ? null : namespacedName(name);
  for (const p of patches) {
    let target: { file: (typeof parsed)[number]; doc: Document; at: (string | number)[] } | null = null;
    if (p.resource === 'rollout' || p.resource === 'canary') {
      const file = parsed[0];
      const found = resourcesOf(file.docs).find((d) => ['Rollout', 'Canary'].includes(String(d.doc.getIn([...d.at, 'kind']))) && (name === undefined || (key !== null && namedBy(key, d.doc.getIn([...d.at, 'metadata', 'name']), d.doc.getIn([...d.at, 'metadata', 'namespace'])))));
      if (found) target = { file, ...found };
    } else {
      const n = Number(p.resource.split('.')[1]);
      let k = 0;
      for (const file of parsed.slice(1)) {
        for (const d of resourcesOf(file.docs)) {
          if (k++ === n) target = { file, ...d };
        }
      }
    }
    if (!target) {
      problems.push(`${p.resource}: no such resource${name !== undefined && (p.resource === 'rollout' || p.resource === 'canary') ? ` (no ${p.resource === 'rollout' ? 'Rollout' : 'Canary'} named ${quoted(name)} in ${main.file})` : ''}`);
      continue;
    }
    const node = target.doc.getIn([...target.at, ...p.path], true);
    if (!isScalar(node) || !node.range) {
      problems.push(`${p.resource}.${p.path.join('.')}: ${node === undefined ? 'not' : 'not a single value'} in ${target.file.f.file}`);
      continue;
    }
    // Only the value's own characters change: comments, layout and the rest of the file stay as written.
    target.file.edits.push({ from: target.file.inFile(node.range[0]), to: target.file.inFile(node.range[1]), text: scalarText(p.value, node.type) });
  }
  const files = parsed.map(({ f, edits }) => {
    let text = f.text;
    for (const e of [...edits].sort((a, b) => b.from - a.from)) text = text.slice(0, e.from) + e.text + text.slice(e.to);
    return edits.length ? { file: f.file, text } : f;
  });
  return { files, problems };
}

/**
 * The resources of a file's documents, in order: each document, or each item of a List (as `kubectl get -o yaml`
 * writes it, and as kube/resources.ts reads its items), with the path to it inside its document.
 */
function resourcesOf(docs: readonly Document[]): { doc: Document; at: (string | number)[] }[] {
  return docs.flatMap((doc) => {
    if (doc.contents === null) return [];
    const items = doc.get('items', true);
    if (String(doc.get('kind')).endsWith('List') && isSeq(items)) return items.items.map((_, j) => ({ doc, at: ['items', j] }));
    return [{ doc, at: [] }];
  });
}

/** A value as YAML flow text, quoted as the original was where it can be. */
function scalarText(value: unknown, type: Scalar['type']): string {
  if (typeof value === 'string') {
    if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
    if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  }
  return stringify(value, { lineWidth: 0 }).trimEnd();
}
