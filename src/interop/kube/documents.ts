/**
 * The documents of a file of Kubernetes resources, each read as kubectl reads it: cut as apimachinery's YAMLReader
 * cuts the file (stream.ts), or decoded as its JSON stream (json-stream.ts), then converted as sigs.k8s.io/yaml does.
 */
import { isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { oddTagMessage, oddTags, plainData, tooDeepAt, yamlErrorMessage } from '../../scenario/parse.js';
import { parseAllDocumentsAsGo } from '../../scenario/go-quoted.js';
import { readAsGo, shownValue } from '../flag-yaml.js';
import { jsonStream } from './json-stream.js';
import { documentAt, documentNumber, kindAndName, kubectlCut, nameOf, partialNameOf } from './stream.js';
import { quoted } from '../../units/escape.js';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

/** `spec.steps[1].pause`: a path inside a resource as written in messages. */
export function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(document)';
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

/**
 * How a file of resources is parsed (with parseAllDocumentsAsGo): a key given twice is kept for the checks to name.
 * A JSON value of a stream is parsed so too: encoding/json reads `"<<"` as a key like any other.
 */
export const RESOURCE_YAML = { uniqueKeys: false, prettyErrors: false, logLevel: 'error' } as const;
/**
 * A YAML document of resources: go-yaml v2 (sigs.k8s.io/yaml's, so kubectl's) merges a plain `<<` key (decode.go
 * isMerge: a scalar "<<" that is implicit, that is plain and untagged, or tagged !!merge), and so does the yaml
 * package's merge option (merge.js isMergeKey: a plain scalar); a quoted "<<" is a key to both.
 */
const RESOURCE_YAML_DOCUMENTS = { ...RESOURCE_YAML, merge: true } as const;

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
  const stream = jsonStream(f.text);
  if (stream === null) return yamlDocuments(f, f.text, 0);
  const { values, yamlFrom, error } = stream;
  // What kubectl reads as YAML after the JSON values, in the file's lines and columns (what it never reads blanked).
  const rest = yamlFrom === null ? null : yamlDocuments(f, f.text.slice(0, yamlFrom).replace(/[^\n]/g, ' ') + f.text.slice(yamlFrom), values.length);
  const lines = rest?.lines ?? new LineCounter();
  if (rest === null) {
    lines.addNewLine(0);
    for (let i = f.text.indexOf('\n'); i >= 0; i = f.text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  }
  const place = (offset: number) => `${f.file}:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
  const documents = values.map(([start, end], index) => jsonDocument(f, start, end, index, lines, place));
  if (error !== null) {
    const problem = `${place(error.offset)}: invalid JSON: ${error.message}: kubectl reads ${f.file} as a stream of JSON values (its first character is {), and stops here, after ${values.length} of them ("error parsing ${f.file}: ${error.message}"); what follows is not applied`;
    documents.push({ unsent: problem, index: values.length, kind: null, name: '' });
  } else if (yamlFrom !== null && yamlFrom > 0 && f.text[yamlFrom - 1] !== '\n' && rest!.documents.length > 0 && !/^[ \t]*[{[]/.test(f.text.slice(yamlFrom))) {
    // kubectl reads on as YAML from the middle of a line, as if it began there: its indentation is not the file's.
    // A flow collection there ({...} that is no JSON: unquoted keys, a trailing comma) reads the same at any column,
    // as a top-level flow collection's lines may be indented at will: read, as kubectl reads and applies it.
    return { lines, documents: [...documents, { problem: `${place(yamlFrom)}: YAML after the JSON value on its line: kubectl reads what follows the value (a stream of JSON values, then YAML when one does not decode) as a YAML document beginning here, at column 1; write it on a line of its own` }] };
  }
  return { lines, documents: [...documents, ...(rest?.documents ?? [])] };
}

/** One JSON value of the stream, read as a document on one line (JSON is YAML; its blanks, line breaks among them, are outside its strings, and a key may end on a later line, where a YAML key may not). */
function jsonDocument(f: SourceFile, start: number, end: number, index: number, lines: LineCounter, place: (offset: number) => string): ReadDocument {
  const doc = parseDocument(f.text.slice(start, end).replace(/[\r\n\t]/g, ' '), RESOURCE_YAML);
  visit(doc, (_, node) => {
    if (isNode(node) && node.range) node.range = [node.range[0] + start, node.range[1] + start, node.range[2] + start];
  });
  if (doc.range) doc.range = [doc.range[0] + start, doc.range[1] + start, doc.range[2] + start];
  for (const e of doc.errors) e.pos = [e.pos[0] + start, e.pos[1] + start];
  if (doc.errors.length > 0) return { problem: `${place(doc.errors[0].pos[0])}: a JSON value kubectl reads that rehearse cannot read: ${yamlErrorMessage(doc.errors[0])}` };
  const read = kubectlReading(doc, lines, f.file);
  return read.problem === null ? { doc, index, value: read.value, warnings: read.warnings } : { problem: read.problem };
}

/** The documents of a file (or of what follows its JSON values: `first` of them) as kubectl cuts and reads YAML. */
function yamlDocuments(f: SourceFile, fileText: string, first: number): { lines: LineCounter; documents: ReadDocument[] } {
  const { documents: cut, text } = kubectlCut(fileText);
  const { docs, lines } = parseAllDocumentsAsGo(text, RESOURCE_YAML_DOCUMENTS, 'go');
  const numberOf = (i: number) => documentNumber(cut, i) + first;
  const place = (offset: number) => {
    const pos = lines.linePos(offset);
    return `${f.file}:${pos.line}:${pos.col}`;
  };
  const named = (kind: string | null, name: string) => (kind ? `${kind}${name ? ` ${quoted(name)}` : ''}` : '');
  const after = (i: number) => {
    const n = cut.slice(i + 1).filter((d) => d.content !== null).length;
    return n === 0 ? '' : `; it stops reading ${f.file} there, so the ${n === 1 ? 'document' : `${n} documents`} after it ${n === 1 ? 'is' : 'are'} not applied either`;
  };
  const separator = cut.findIndex((d) => d.badSeparator !== null);
  const documents: ReadDocument[] = [];
  let stop: Stop | null = null;
  let last = -1;
  for (const [i, doc] of docs.entries()) {
    const index = i + first;
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
    const deep = doc.errors.length > 0 ? tooDeepAt(doc, doc.errors[0]) : undefined;
    if (deep !== undefined) {
      // Deeper than rehearse reads (kubectl reads deeper): refused, as plainData() below
      // refuses a document the library did read, whatever depth the library's own stack gave up at.
      documents.push(refused(deep, yamlErrorMessage(doc.errors[0])));
      continue;
    }
    if (doc.errors.length > 0) {
      // kubectl reads no further than a document it cannot read; those before it are applied.
      const problem = refused(doc.errors[0].pos[0], yamlErrorMessage(doc.errors[0])).problem;
      const { kind, name } = partialNameOf(doc);
      const what = named(kind, name);
      const alone = first === 0 && cut.filter((d) => d.content !== null).length <= 1;
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
      const { kind, name } = kindAndName(text, cut[i]);
      const unsent = `${place(content)}: ${named(kind, name) || 'a document'} (document ${numberOf(i)}) is not applied: kubectl stops reading ${f.file} at ${stop.where} (${stop.why})`;
      documents.push({ unsent, index: numberOf(i) - 1, kind, name });
    }
  }
  return { lines, documents };
}

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
