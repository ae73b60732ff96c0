/**
 * Kubernetes resources as teams keep them: multi-document YAML files where the resources an adapter reads
 * (a Rollout and its AnalysisTemplates, a Canary and its MetricTemplates) sit beside Services, VirtualServices,
 * DestinationRules, Gateways, Ingresses, HTTPRoutes, Deployments and the rest. Those other kinds are context:
 * read, kept for the names they give (the Services a Rollout names), and listed in one note. A kind of the
 * adapter's own API group that it does not know is a problem with a suggestion. Every message names
 * file:line:column and the path inside the resource.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { didYouMean } from '../../errors.js';
import { oneLine } from '../../units/escape.js';
import { oddTagMessage, oddTags, plainData, yamlErrorMessage } from '../../scenario/parse.js';
import { parseAllDocumentsAsGo } from '../../scenario/go-quoted.js';
import { pairOf } from '../../scenario/problems.js';
import { readAsGo, shownValue } from '../flag-yaml.js';
import { helmSyntax } from './helm.js';
import { documentAt, documentNumber, kindAndName, kubectlDocuments, nameOf, partialNameOf } from './stream.js';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

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
}

export interface ReadOptions {
  /** The API group the adapter reads (argoproj.io, flagger.app). */
  readonly group: string;
  /** Kinds of that group the adapter reads. */
  readonly kinds: readonly string[];
  /** Kinds of that group that are only context (the controller's own records, experiments, alert providers). */
  readonly context?: readonly string[];
}

/** `spec.steps[1].pause`: a path inside a resource as written in messages. */
export function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(document)';
}

/** Offset of the node at `path` in a resource (its nearest existing ancestor). */
function offsetOf(r: Resource, path: readonly (string | number)[]): number {
  let node: unknown = r.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
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

/**
 * A Kubernetes resource's plain scalars as kubectl reads them. kubectl (and so the API server, which is sent JSON)
 * reads a resource's YAML with sigs.k8s.io/yaml over go-yaml v2 (goyaml.v2/resolve.go at 742f5e6f: an untagged
 * plain scalar starting with a digit or a sign is strconv.ParseInt(text without "_", base 0), then ParseUint, then a
 * float; `on`, `off`, `yes`, `no`, `y` and `n` are booleans), where rehearse's YAML reader reads YAML 1.2: `setWeight:
 * 024` is 20 to kubectl (an octal) and was 24 here, `1_000` is 1000 and was the text "1_000", `0b101` is 5, a label
 * `on` is true (and the API server refuses it for a string). Each such scalar is warned at its line and column and
 * read as kubectl reads it (flag-yaml.ts readAsGo, as for an OpenFeature Operator FeatureFlag); one that JSON cannot
 * write (`.inf`, `.nan`) is refused, as kubectl fails on it ("json: unsupported value").
 */
const WHO = 'kubectl, which reads a resource\'s YAML as YAML 1.1 (sigs.k8s.io/yaml over go-yaml v2: goyaml.v2/resolve.go)';

/** A document's plain value as kubectl reads it, with a warning for each scalar read otherwise and the first refusal. */
export function kubectlReading(doc: Document, lines: LineCounter, file: string): { value: unknown; warnings: string[]; problem: string | null } {
  const r = readAsGo(doc, 'kubernetes');
  const warnings: string[] = [];
  let problem: string | null = null;
  for (const x of r.scalars) {
    const pos = lines.linePos(x.offset);
    const at = `${file}:${pos.line}:${pos.col}: ${pathText(x.path)}`;
    const what = x.key ? `the key ${x.source}` : x.source;
    if (x.unwritable !== undefined) problem ??= `${at}: ${x.unwritable}: kubectl cannot send the resource`;
    else if (x.merged !== undefined) {
      const m = lines.linePos(x.merged);
      warnings.push(`${at}: the key ${x.source} is set again by the merge key at line ${m.line}, column ${m.col}, and takes the merged value to ${WHO}: go-yaml v2 merges where the \`<<\` stands, where YAML 1.2's merge keeps the key's own; rehearsed as kubectl reads it (write the key after the merge key to be read alike)`);
    } else warnings.push(`${at}: ${what} is ${shownValue(x.go)} to ${WHO}, where YAML 1.2 reads ${shownValue(x.yaml12)}; rehearsed as kubectl reads it (quote it to keep its text)`);
  }
  return { value: r.value, warnings, problem };
}

/**
 * The problems of an import, each followed by kubectl's reading of the scalar it refuses where that differs from
 * YAML 1.2 (kubectlReading's warning at the same place and path): `app: on` refused as "not true" says why.
 */
export function withReadings(problems: readonly string[], warnings: readonly string[]): string[] {
  const readings = warnings.filter((w) => w.includes(` to ${WHO}`));
  return problems.flatMap((p) => {
    const at = /^(.*?:\d+:\d+: \S+: )/.exec(p)?.[1];
    return [p, ...(at === undefined ? [] : readings.filter((w) => w.startsWith(at)))];
  });
}

/** How a file of resources is parsed (with parseAllDocumentsAsGo): a key given twice is kept for the checks to name. */
export const RESOURCE_YAML = { uniqueKeys: false, prettyErrors: false, logLevel: 'error' } as const;

/** A document kubectl does not send: the one it cannot read or write as JSON, and every one after it in its file. */
export interface UnsentDocument {
  /** Why, at file:line:column (of the value it cannot write, or of the document kubectl never reached). */
  readonly unsent: string;
  readonly index: number;
  /** Its kind (null where the document does not parse far enough to tell) and metadata.name ("" where they are not text). */
  readonly kind: string | null;
  readonly name: string;
  /** A document kubectl passes over (one after `...` in the piece it reads), not one it stops at. */
  readonly passed?: true;
}

export type ReadDocument = { doc: Document; index: number; value: unknown; warnings: string[] } | { problem: string } | UnsentDocument;

/** Where kubectl stops reading a file, and why, as the documents after it say. */
interface Stop {
  /** The index of its document as kubectl cuts the file (stream.ts). */
  readonly at: number;
  readonly where: string;
  readonly why: string;
}

/**
 * Each document of a file of resources as Go's yaml (kubectl) reads it (quoted strings continued at or left of their
 * key's column: scenario/go-quoted.ts): its plain value, or the problem that refuses it at its line and column.
 *
 * kubectl stops reading a file at the first document it cannot read (a syntax error), cannot write as JSON (`.nan`,
 * `.inf`, a null key) or cannot cut from the next (a separator followed by more than a comment: stream.ts): its
 * resource builder decodes a file's documents one by one (k8s.io/cli-runtime pkg/resource/visitor.go
 * StreamVisitor.Visit at 69e8693b: a document that does not decode returns "error parsing FILE" and ends the file),
 * where apimachinery's YAMLToJSONDecoder (pkg/util/yaml/decoder.go at eed236ce) converts each with sigs.k8s.io/yaml;
 * `kubectl apply` still applies the documents before it and the other files (ContinueOnError: EagerVisitorList;
 * kubectl pkg/cmd/apply/apply.go at dee3483a Run applies every object read before it returns the error). That
 * document and the ones after it come back unsent, each saying why; a document is numbered as kubectl cuts the file.
 */
export function resourceDocuments(f: SourceFile): { lines: LineCounter; documents: ReadDocument[] } {
  const { docs, lines } = parseAllDocumentsAsGo(f.text, RESOURCE_YAML, 'go');
  const cut = kubectlDocuments(f.text);
  const numberOf = (i: number) => documentNumber(cut, i);
  const place = (offset: number) => {
    const pos = lines.linePos(offset);
    return `${f.file}:${pos.line}:${pos.col}`;
  };
  const named = (kind: string | null, name: string) => (kind ? `${kind}${name ? ` "${name}"` : ''}` : '');
  const after = (i: number) => {
    const n = cut.slice(i + 1).filter((d) => d.content !== null).length;
    return n === 0 ? '' : `; it stops reading ${f.file} there, so the ${n === 1 ? 'document' : `${n} documents`} after it ${n === 1 ? 'is' : 'are'} not applied either`;
  };
  const separator = cut.findIndex((d) => d.badSeparator !== null);
  const documents: ReadDocument[] = [];
  let stop: Stop | null = null;
  let last = -1;
  for (const [index, doc] of docs.entries()) {
    const at = documentAt(cut, startOf(doc));
    if (separator >= 0 && at >= separator) break;
    if (written(doc) && at === last) {
      // Another YAML document in the piece kubectl cut (after `...`): go-yaml v2's Unmarshal parses the first only
      // (go-yaml v2.4.0 yaml.go unmarshal: p.parse() once), so kubectl never reads it, and reads on.
      const partial = partialNameOf(doc);
      const kind = partial.kind ?? (doc.errors.length === 0 ? '' : null);
      const unsent = `${place(startOf(doc))}: ${named(kind, partial.name) || 'a document'} (in document ${numberOf(at)}, after its end marker ...) is not applied: kubectl cuts a file at --- lines only and reads one YAML document of each piece (sigs.k8s.io/yaml over go-yaml v2, whose Unmarshal parses the first), so it never reads this one; write --- before it`;
      documents.push({ unsent, index, kind, name: partial.name, passed: true });
      continue;
    }
    if (written(doc)) last = at;
    const refused = (offset: number | undefined, message: string) => ({ problem: `${offset === undefined ? f.file : place(offset)}: invalid YAML: ${message}` });
    if (doc.errors.length > 0) {
      // kubectl reads no further than a document it cannot read; those before it are applied.
      const problem = refused(doc.errors[0].pos[0], yamlErrorMessage(doc.errors[0])).problem;
      const { kind, name } = partialNameOf(doc);
      const what = named(kind, name);
      const alone = cut.filter((d) => d.content !== null).length <= 1;
      const unsent = alone ? problem : `${problem}: kubectl cannot read the document (${what ? `${what}, ` : ''}document ${numberOf(at)}): not applied ("error parsing ${f.file}")${after(at)}`;
      documents.push({ unsent, index, kind, name });
      stop = { at, where: `document ${numberOf(at)}, which it cannot read`, why: `"error parsing ${f.file}": ${problem}` };
      break;
    }
    // A value the tag makes a Map, a Set, a date or bytes would read as an empty mapping: refused at the tag.
    const tagged = oddTags(doc)[0];
    if (tagged) {
      documents.push(refused(tagged.offset, oddTagMessage(tagged.tag)));
      continue;
    }
    const plain = plainData(doc);
    if (!plain.ok) {
      documents.push(refused(plain.offset, plain.message));
      continue;
    }
    const read = kubectlReading(doc, lines, f.file);
    if (read.problem === null) {
      documents.push({ doc, index, value: read.value, warnings: read.warnings });
      continue;
    }
    const { kind, name } = nameOf(read.value);
    const why = read.problem.replace(/: kubectl cannot send the resource$/, '');
    documents.push({ unsent: `${read.problem} (${named(kind, name) ? `${named(kind, name)}, ` : ''}document ${numberOf(at)}): not applied ("error parsing ${f.file}")${after(at)}`, index, kind, name });
    stop = { at, where: `document ${numberOf(at)}, which it cannot send`, why: `"error parsing ${f.file}": ${why}` };
    break;
  }
  if (stop === null && separator >= 0) {
    const { offset, after: text } = cut[separator].badSeparator!;
    // The reader fails on the line before it returns the document it holds: that document is lost too.
    stop = { at: separator - 1, where: `line ${lines.linePos(offset).line}, a document separator followed by ${JSON.stringify(text)}`, why: `"error parsing ${f.file}: invalid Yaml document separator: ${text}": after --- kubectl reads only blanks or a comment, and loses the document it was reading; write what follows --- on a line of its own` };
  }
  if (stop !== null) {
    for (let i = stop.at + 1; i < cut.length; i++) {
      const content = cut[i].content;
      if (content === null) continue;
      const { kind, name } = kindAndName(f.text, cut[i]);
      const unsent = `${place(content)}: ${named(kind, name) || 'a document'} (document ${numberOf(i)}) is not applied: kubectl stops reading ${f.file} at ${stop.where} (${stop.why})`;
      documents.push({ unsent, index: numberOf(i) - 1, kind, name });
    }
  }
  return { lines, documents };
}

/** Where a document's content begins (its first node), or the document itself. */
/**
 * Whether a document holds anything: `---` then comments only (a licence between two separators) is a document of an
 * empty null the parser places at the end of its `---` line, inside the piece kubectl cut before it.
 */
const written = (doc: Document): boolean => doc.contents !== null && !(isScalar(doc.contents) && doc.contents.range?.[0] === doc.contents.range?.[1]);
const startOf = (doc: Document): number => (written(doc) ? doc.contents?.range?.[0] : undefined) ?? doc.range?.[0] ?? 0;

/** The plain values of a file's documents, as readResources reads them (scripts/crd-fields.mjs reads CRDs so); throws at the first refused. */
export function resourceValues(text: string, file: string): unknown[] {
  return resourceDocuments({ file, text }).documents.map((d) => {
    if ('problem' in d) throw new Error(d.problem);
    if ('unsent' in d) throw new Error(d.unsent);
    return d.value;
  });
}

/** Reads the resources of multi-document YAML files: the adapter's kinds, the context, and problems. */
export function readResources(files: readonly SourceFile[], options: ReadOptions): { resources: Resource[]; context: Resource[]; problems: string[]; warnings: string[] } {
  const resources: Resource[] = [];
  const warnings: string[] = [];
  const context: Resource[] = [];
  const problems: string[] = [];
  const unsent: string[] = [];
  const known = [...options.kinds, ...(options.context ?? [])];
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
        problems.push(`${where(base, [])}: a Kubernetes resource is a mapping with apiVersion, kind and metadata`);
        return;
      }
      const kind = typeof base.value.kind === 'string' ? base.value.kind : '';
      const apiVersion = typeof base.value.apiVersion === 'string' ? base.value.apiVersion : '';
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
      const name = String(get(base.value, 'metadata', 'name') ?? '');
      const r: Resource = { ...base, kind, group, name };
      if (!kind) {
        problems.push(`${where(r, ['kind'])}: kind: missing (expected one of ${options.kinds.join(', ')})`);
        return;
      }
      // A List (what `kubectl get -o yaml` writes) that holds resources of the group: kubectl applies each item, but
      // rehearse reads such resources as documents of their own (each warning and refusal names its place in one).
      const items = Array.isArray(base.value.items) ? (base.value.items as unknown[]) : [];
      const held = items.map((x) => get(x, 'apiVersion')).filter((v) => typeof v === 'string' && v.startsWith(`${options.group}/`));
      if (kind.endsWith('List') && held.length > 0) {
        problems.push(`${where(r, ['items'])}: a ${kind} (as \`kubectl get -o yaml\` writes it) holding ${held.length} ${options.group} resource${held.length > 1 ? 's' : ''}: not read; give each item as a YAML document of its own (after \`---\`)`);
        return;
      }
      if (options.kinds.includes(kind) && (group === options.group || apiVersion === '')) resources.push(r);
      else if ((group === options.group && !known.includes(kind)) || (apiVersion === '' && didYouMean(kind, options.kinds) !== '')) {
        problems.push(`${where(r, ['kind'])}: kind: "${kind}" is not a kind of ${options.group} that rehearse reads (${options.kinds.join(', ')})${didYouMean(kind, known)}`);
      } else context.push(r);
    });
  }
  // With none of the adapter's resources read, what kubectl did not apply is why there is nothing to rehearse: refused.
  if (resources.length === 0) problems.push(...unsent);
  else warnings.push(...unsent.map((u) => `${u}; read without it`));
  return { resources, context, problems, warnings };
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
  return `${where(r, ['apiVersion'])}: apiVersion: no matches for kind "${r.kind}" in version "${apiVersion}": the ${group} CRD serves ${served.map((v) => `${group}/${v}`).join(', ')}`;
}

const CONTEXT_NAMED = 20;

/** The one note that names the context resources, or null when there are none. */
export function contextNote(context: readonly Resource[]): string | null {
  if (context.length === 0) return null;
  const first = context[0];
  // Named up to CONTEXT_NAMED, then counted by kind: 100,000 ConfigMaps made one warning line of 3 MB.
  const list = context.slice(0, CONTEXT_NAMED).map((r) => `${r.kind}${r.name ? ` "${r.name}"` : ''} (${r.file === first.file ? '' : `${r.file}:`}${lineColumn(r, [])})`);
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

/** "expected exactly one KIND, found N", naming each found with its place when there are several. */
export function exactlyOne(files: readonly SourceFile[], kind: string, found: readonly Resource[]): string {
  const which = found.length > 1 ? `: ${found.map((r) => `"${r.name}" (${where(r, ['metadata', 'name'])})`).join(', ')}; give each its own plan` : '';
  return `${files.map((f) => f.file).join(', ')}: expected exactly one ${kind}, found ${found.length}${which}`;
}
