/**
 * Kubernetes resources as teams keep them: multi-document YAML files where the resources an adapter reads
 * (a Rollout and its AnalysisTemplates, a Canary and its MetricTemplates) sit beside Services, VirtualServices,
 * DestinationRules, Gateways, Ingresses, HTTPRoutes, Deployments and the rest. Those other kinds are context:
 * read, kept for the names they give (the Services a Rollout names), and listed in one note. A kind of the
 * adapter's own API group that it does not know is a problem with a suggestion. Every message names
 * file:line:column and the path inside the resource.
 */
import { isMap, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { didYouMean } from '../../errors.js';
import { oneLine, quoted } from '../../units/escape.js';
import { pairOf } from '../../scenario/problems.js';
import { resourceDocuments, type SourceFile } from './documents.js';
import { helmSyntax } from './helm.js';
import { otherFormat } from './other-formats.js';

export { kubectlReading, pathText, RESOURCE_YAML, resourceDocuments, resourceValues, withReadings, type ReadDocument, type SourceFile, type UnsentDocument } from './documents.js';

export type Path = (string | number)[];

export interface Resource {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  /** Index of the document in its file. */
  readonly index: number;
  readonly value: Record<string, unknown>;
  readonly kind: string;
  /** The API group of apiVersion ("" for the core group or none given). */
  readonly group: string;
  readonly name: string;
  /** Where the resource sits in its document: absent for a document of its own, ['items', i] for an item of a List. */
  readonly base?: Path;
}

export interface ReadOptions {
  /** The API group the adapter reads (argoproj.io, flagger.app). */
  readonly group: string;
  /** Kinds of that group the adapter reads. */
  readonly kinds: readonly string[];
  /** Kinds of that group that are only context (the controller's own records, experiments, alert providers). */
  readonly context?: readonly string[];
}

/** Offset of the node at `path` in a resource (its nearest existing ancestor). */
function offsetOf(r: Resource, path: readonly (string | number)[]): number {
  let node: unknown = r.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of [...(r.base ?? []), ...path]) {
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
      if (node && (node as Node).range) offset = (node as Node).range![0];
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      offset = (node as Node).range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

/** line:column of the node at `path` (or its nearest existing ancestor). */
export function lineColumn(r: Resource, path: readonly (string | number)[]): string {
  const pos = r.lines.linePos(offsetOf(r, path));
  return `${pos.line}:${pos.col}`;
}

/** file:line:column of the node at `path` in a resource (its nearest existing ancestor). */
export function where(r: Resource, path: readonly (string | number)[]): string {
  return `${r.file}:${lineColumn(r, path)}`;
}

/** The value at `path` inside a parsed resource, or undefined where the path leaves the document. */
export const get = (o: unknown, ...path: (string | number)[]): unknown => {
  let x = o;
  for (const p of path) {
    if (x === null || typeof x !== 'object' || !Object.hasOwn(x, p)) return undefined;
    x = (x as Record<string | number, unknown>)[p];
  }
  return x;
};

/**
 * A field the CRD types as an integer or a number, as the API server takes it: a JSON number (a whole one for an
 * integer), undefined when absent, null for anything else (text, true, a list), which the caller refuses. A whole
 * number is also one a double holds exactly (up to 2^53 - 1): 1e300 is no Go int (its controller cannot decode it),
 * and was read as a threshold of 1e300.
 */
export function crdNumber(v: unknown, whole: boolean): number | undefined | null {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && Number.isFinite(v) && (!whole || Number.isSafeInteger(v)) ? v : null;
}

/** Reads the resources of multi-document YAML files: the adapter's kinds, the context, and problems. */
export function readResources(files: readonly SourceFile[], options: ReadOptions): { resources: Resource[]; context: Resource[]; problems: string[]; warnings: string[] } {
  const resources: Resource[] = [];
  const warnings: string[] = [];
  const context: Resource[] = [];
  const problems: string[] = [];
  const unsent: string[] = [];
  const known = [...options.kinds, ...(options.context ?? [])];
  const classify = (r: Resource, apiVersion: string): void => {
    if (options.kinds.includes(r.kind) && (r.group === options.group || apiVersion === '')) resources.push(r);
    else if ((r.group === options.group && !known.includes(r.kind)) || (apiVersion === '' && didYouMean(r.kind, options.kinds) !== '')) {
      problems.push(`${where(r, ['kind'])}: kind: ${quoted(r.kind)} is not a kind of ${options.group} that rehearse reads (${options.kinds.join(', ')})${didYouMean(r.kind, known)}`);
    } else context.push(r);
  };
  for (const f of files) {
    const chart = helmSyntax(f.text);
    if (chart) {
      problems.push(`${f.file}:${chart.line}:${chart.column}: a Helm chart's template (${chart.text}): its resources are made when the chart is rendered; give the output of \`helm template\` instead`);
      continue;
    }
    const { lines, documents } = resourceDocuments(f);
    documents.forEach((read) => {
      if ('problem' in read) {
        problems.push(read.problem);
        return;
      }
      // A resource of the adapter's kinds that kubectl does not send is none the controller runs: refused, and so is one
      // that does not parse far enough to tell its kind; another (a Service, a Deployment) is context kubectl leaves
      // out, warned.
      if ('unsent' in read) {
        if (read.kind === null || options.kinds.includes(read.kind)) problems.push(read.unsent);
        else unsent.push(read.unsent);
        return;
      }
      const { doc, index } = read;
      const value = read.value;
      warnings.push(...read.warnings);
      if (value === null || value === undefined) return; // an empty document between separators
      const base = { file: f.file, doc, lines, index, value: value as Record<string, unknown>, kind: '', group: '', name: '' };
      if (typeof value !== 'object' || Array.isArray(value)) {
        const other = otherFormat(value, options.group, f.file);
        problems.push(`${where(base, [])}: ${other ?? 'a Kubernetes resource is a mapping with apiVersion, kind and metadata'}`);
        return;
      }
      const { kind, group, apiVersion } = kindOf(base.value);
      // A kind with no apiVersion may be another format's field (a Zipkin span's kind, SERVER).
      const other = base.value.kind === undefined || base.value.apiVersion === undefined ? otherFormat(base.value, options.group, f.file) : null;
      if (other) {
        problems.push(`${where(base, [])}: ${other}`);
        return;
      }
      if (!kind) {
        problems.push(`${where(base, ['kind'])}: kind: missing (expected one of ${options.kinds.join(', ')})`);
        return;
      }
      // A List (what `kubectl get -o yaml` writes) that holds resources of the group: kubectl applies each item
      // (its resource builder flattens a List: cli-runtime pkg/resource/visitor.go FlattenListVisitor), and so each
      // is read here as a resource of its own, every message naming its place inside the List's items.
      const items = Array.isArray(base.value.items) ? (base.value.items as unknown[]) : [];
      const held = items.map((x) => get(x, 'apiVersion')).filter((v) => typeof v === 'string' && v.startsWith(`${options.group}/`));
      if (kind.endsWith('List') && held.length > 0) {
        items.forEach((item, i) => {
          const at = { ...base, base: ['items', i] };
          if (item === null || typeof item !== 'object' || Array.isArray(item)) {
            problems.push(`${where(at, [])}: items[${i}]: a Kubernetes resource is a mapping with apiVersion, kind and metadata`);
            return;
          }
          const value = item as Record<string, unknown>;
          const k = kindOf(value);
          if (!k.kind) problems.push(`${where(at, ['kind'])}: items[${i}].kind: missing (expected one of ${options.kinds.join(', ')})`);
          else classify({ ...at, value, kind: k.kind, group: k.group, name: String(get(value, 'metadata', 'name') ?? '') }, k.apiVersion);
        });
        return;
      }
      classify({ ...base, kind, group, name: String(get(base.value, 'metadata', 'name') ?? '') }, apiVersion);
    });
  }
  // With none of the adapter's resources read, what kubectl did not apply is why there is nothing to rehearse: refused.
  if (resources.length === 0) problems.push(...unsent);
  else warnings.push(...unsent.map((u) => `${u}; read without it`));
  return { resources, context, problems, warnings };
}

/** The kind, API group and apiVersion of a resource's value ("" where they are not text). */
function kindOf(value: Record<string, unknown>): { kind: string; group: string; apiVersion: string } {
  const kind = typeof value.kind === 'string' ? value.kind : '';
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  return { kind, apiVersion, group: apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '' };
}

/**
 * Why the API server refuses a resource of `group` for its apiVersion: none given (kubectl: "apiVersion not set"), or a
 * version the CRD does not serve ("no matches for kind"); null when it serves it, and for a value of another type
 * (refused as such by the walk of the fields).
 */
export function apiVersionProblem(r: Resource, group: string, served: readonly string[]): string | null {
  const apiVersion = r.value.apiVersion;
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') {
    return `${where(r, [])}: apiVersion: missing: the API server needs it to know the resource (kubectl: "apiVersion not set"); ${r.kind} is ${group}/${served[0]}`;
  }
  if (typeof apiVersion !== 'string' || served.some((v) => apiVersion === `${group}/${v}`)) return null;
  return `${where(r, ['apiVersion'])}: apiVersion: no matches for kind ${quoted(r.kind)} in version ${quoted(apiVersion)}: the ${group} CRD serves ${served.map((v) => `${group}/${v}`).join(', ')}`;
}

const CONTEXT_NAMED = 20;

/** The one note that names the context resources, or null when there are none. */
export function contextNote(context: readonly Resource[]): string | null {
  if (context.length === 0) return null;
  const first = context[0];
  // Named up to CONTEXT_NAMED, then counted by kind: 100,000 ConfigMaps made one warning line of 3 MB.
  const list = context.slice(0, CONTEXT_NAMED).map((r) => `${r.kind}${r.name ? ` ${quoted(r.name)}` : ''} (${r.file === first.file ? '' : `${r.file}:`}${lineColumn(r, [])})`);
  const rest = new Map<string, number>();
  for (const r of context.slice(CONTEXT_NAMED)) rest.set(r.kind, (rest.get(r.kind) ?? 0) + 1);
  const more = [...rest].map(([kind, n]) => `${n.toLocaleString('en-US')} more ${kind} resource${n === 1 ? '' : 's'}`).join(', ');
  return `${where(first, [])}: context, not rehearsed (the scenario's services run in their place): ${list.join(', ')}${more ? `, and ${more}` : ''}`;
}

/**
 * Every warning and problem on one line: a name in the files written with a line break (a Rollout, a template, a
 * Service) is quoted with the break written \n, so a line of the terminal is one message. Only the caret display
 * of a condition that does not parse keeps its own two lines, the condition and the caret under the column.
 */
export function oneLineMessages<R extends { warnings: string[]; problems?: string[] }>(r: R): R {
  return { ...r, warnings: r.warnings.map(oneLine), ...(r.problems ? { problems: r.problems.map(oneLineProblem) } : {}) };
}

/** The caret display that ends a problem (lang/condition-parse.ts, lang/expression.ts): "\n<indent><source>\n<indent><spaces>^". */
const CARET = /\n( +)[^\n]*\n\1 *\^$/;

/** A problem on one line, but for the caret display it ends with. */
export function oneLineProblem(problem: string): string {
  const m = CARET.exec(problem);
  return m ? `${oneLine(problem.slice(0, m.index))}${problem.slice(m.index)}` : oneLine(problem);
}

/** "expected exactly one KIND, found N" (several are listed by pick.ts, which names the one to rehearse). */
export function exactlyOne(files: readonly SourceFile[], kind: string, found: readonly Resource[]): string {
  return `${files.map((f) => f.file).join(', ')}: expected exactly one ${kind}, found ${found.length}`;
}
