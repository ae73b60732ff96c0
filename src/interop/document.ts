/**
 * Flag system files as documents: read with positions (JSON or YAML), so that every warning and error names
 * the file, the path inside it and, where the file has one, the line and column.
 */
import { tryReadInput } from '../files/read.js';
import type { Document, LineCounter } from 'yaml';
import { listItems, severalDocuments } from './flag-documents.js';
import { InputError } from '../errors.js';
import { find, formatPath, locate, type PathSegment } from '../scenario/problems.js';
import { oddTagMessage, oddTags, plainData, yamlErrorMessage } from '../scenario/parse.js';
import { parseAllDocumentsAsGo, parseDocumentAsGo, type ReadAsGo } from '../scenario/go-quoted.js';
import { beyondFloat64 } from './flag-json.js';
import { jsonSyntaxError } from '../files/json.js';
import { mergeKeys, readAsGo, type YamlReader } from './flag-yaml.js';
import { at, formatWarning, isObject, type FlagFile } from './flag-file.js';
import { withArticle } from '../units/article.js';

export { at, formatWarning, isObject, type FlagFile, type FlagWarning } from './flag-file.js';

export const FLAG_SYSTEMS = ['flagd', 'unleash', 'launchdarkly'] as const;
export type FlagSystem = (typeof FLAG_SYSTEMS)[number];

/** Parses flag file text; a syntax error throws an InputError naming file:line:column. */
export function parseFlagText(source: string, file: string): FlagFile {
  // Merge keys (<<: *base) as every flag system's YAML reader takes them (go-yaml v2 and v3, js-yaml); a quoted
  // string continued at or left of its key's column as Go's yaml reads it (go-quoted.ts).
  const options = { uniqueKeys: false, prettyErrors: false, merge: true } as const;
  const one = parseDocumentAsGo(source, options);
  if (one.doc.errors.some((e) => e.code === 'MULTIPLE_DOCS')) {
    const all = parseAllDocumentsAsGo(source, options);
    return { ...severalDocuments(all.docs.map((d) => documentFile(d, source, file, all)).flatMap((d) => listItems(d) ?? [d]), file), text: source };
  }
  const whole = documentFile(one.doc, source, file, one);
  const items = listItems(whole);
  return { ...(items ? severalDocuments(items, file) : whole), text: source };
}

/**
 * One YAML document of a file (or the whole file) as a flag file, checked as a flag system reads it: `read` is what
 * its nodes' offsets index and how they map to the file's own lines, columns and offsets (go-quoted.ts).
 */
function documentFile(doc: Document, source: string, file: string, read: ReadAsGo): FlagFile {
  const lineCounter: LineCounter = read.lines;
  if (doc.errors.length) {
    throw new InputError(doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${yamlErrorMessage(e)}`;
    }));
  }
  // A value the tag makes a Map, a Set, a date or bytes would read as an empty mapping: refused at the tag.
  const tagged = oddTags(doc);
  if (tagged.length) {
    throw new InputError(tagged.map((t) => {
      const pos = lineCounter.linePos(t.offset);
      return `${file}:${pos.line}:${pos.col}: invalid YAML: ${oddTagMessage(t.tag)}`;
    }));
  }
  const plain = plainData(doc);
  if (!plain.ok) {
    const pos = plain.offset === undefined ? undefined : lineCounter.linePos(plain.offset);
    throw new InputError([`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${plain.message}`]);
  }
  const position = (path: readonly PathSegment[]) => {
    const offset = locate(doc, path);
    if (offset === undefined) return null;
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (/\.json$/i.test(file)) strictJson(source, file, plain.value, position, AS_JSON);
  return {
    file,
    value: plain.value,
    position,
    source(path) {
      const node = find(doc, path).node as { range?: [number, number, number] } | undefined;
      return node?.range ? source.slice(read.inFile(node.range[0]), read.inFile(node.range[1])) : null;
    },
    ...(/\.json$/i.test(file) ? {} : {
      readAs(lib: YamlReader) {
        const r = readAsGo(doc, lib);
        const place = (offset: number) => ({ line: lineCounter.linePos(offset).line, column: lineCounter.linePos(offset).col });
        return { value: r.value, scalars: r.scalars.map((x) => ({ ...x, ...place(x.offset), ...(x.merged === undefined ? {} : { mergedAt: place(x.merged) }) })) };
      },
      mergeKeys() {
        return mergeKeys(doc).map((m) => ({ path: m.path, line: lineCounter.linePos(m.offset).line, column: lineCounter.linePos(m.offset).col }));
      },
    }),
  };
}

/** Line and column (1-based) of an offset of the file's own text. */
function sourcePos(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
}

const AS_JSON = 'flagd (Go\'s encoding/json), LaunchDarkly\'s SDKs and Unleash read a .json file as JSON and refuse this';

/**
 * A file its flag system reads as JSON that YAML reads but JSON does not (flag-json.ts), or with a number no float64
 * holds: refused at the place, saying who reads it as JSON (`reader`).
 */
function strictJson(text: string, file: string, value: unknown, position: FlagFile['position'], reader: string): void {
  let valid = true;
  try {
    JSON.parse(text);
  } catch {
    valid = false;
  }
  if (!valid) {
    const found = jsonSyntaxError(text) ?? { offset: 0, message: 'not JSON' };
    const p = sourcePos(text, found.offset);
    throw new InputError([`${file}:${p.line}:${p.col}: invalid JSON: ${found.message} (${reader})`]);
  }
  const far = beyondFloat64(value);
  if (far) {
    const p = position(far);
    throw new InputError([`${file}${p ? `:${p.line}:${p.column}` : ''}: ${formatPath(far)}: a number beyond what a float64 holds: Go's encoding/json refuses the file ("cannot unmarshal number into Go value of type float64": flagd, LaunchDarkly's Go SDK) and JavaScript reads it as Infinity`]);
  }
}

/**
 * A flag file its system reads as JSON whatever its name says (`reader`: who, and why): refused where JSON is not, as
 * a .json file is; otherwise the file as JSON reads it, with no YAML reader's own readings (readAs) left to apply.
 */
export function readAsJson(doc: FlagFile, reader: string): FlagFile {
  if (doc.text === undefined || /\.json$/i.test(doc.file)) return doc;
  strictJson(doc.text, doc.file, doc.value, doc.position, reader);
  const { readAs: _readAs, mergeKeys: _mergeKeys, ...json } = doc;
  return json;
}

/** Reads and parses a flag file; a missing or malformed file throws an InputError. */
export function readFlagFile(file: string, shownAs = file): FlagFile {
  // An empty name resolves to the folder it is relative to: say so, not ": cannot read ...: is a directory".
  if (shownAs.trim() === '') throw new InputError([`an empty path names no flag file${shownAs === '' ? '' : ` (${JSON.stringify(shownAs)})`}`]);
  const read = tryReadInput(file, 'flags');
  if (!read.ok) throw new InputError([`${shownAs}: cannot read the flag file: ${read.why}`]);
  return parseFlagText(read.text, shownAs);
}

/** An InputError for a file that is not what its system expects. */
export function invalid(doc: FlagFile, path: readonly PathSegment[], message: string): InputError {
  return new InputError([formatWarning(at(doc, path, message))]);
}

/** Which system wrote a flag document, by its shape. */
export function detectSystem(value: unknown): FlagSystem | null {
  if (!isObject(value)) return null;
  // The OpenFeature Operator's FeatureFlag: flagd flags under spec.flagSpec (flagd/operator.ts).
  if (typeof value.apiVersion === 'string' && value.apiVersion.startsWith('core.openfeature.dev/') && (value.kind === 'FeatureFlag' || value.kind === 'FeatureFlagConfiguration')) return 'flagd';
  // The Unleash client specification's files: {name, state, tests}.
  if (isObject(value.state) && ('tests' in value || 'variantTests' in value)) return detectSystem(value.state) === 'unleash' ? 'unleash' : null;
  if (Array.isArray(value.features) || Array.isArray(value.events) || Array.isArray(value.featureStrategies)) return 'unleash';
  const items = (m: unknown): unknown[] => (isObject(m) ? Object.values(m) : Array.isArray(m) ? m : []);
  if (items(value.flags).some((f) => isObject(f) && ('defaultVariant' in f || 'state' in f))) return 'flagd';
  const ldFlags = (m: unknown) => items(m).some((f) => isObject(f) && ('variations' in f || 'fallthrough' in f));
  const ldSegments = (m: unknown) => items(m).some((s) => isObject(s) && ['included', 'excluded', 'includedContexts', 'rules', 'unbounded'].some((k) => k in s));
  if (isObject(value.flagValues) || ldFlags(value.flags) || ldSegments(value.segments)) return 'launchdarkly';
  if (isObject(value.data) && (ldFlags(value.data.flags) || ldSegments(value.data.segments))) return 'launchdarkly';
  if ('variations' in value && ('fallthrough' in value || 'on' in value)) return 'launchdarkly';
  return null;
}

/**
 * An OpenFeature CLI flag manifest (open-feature/cli schema/v0/flag-manifest.json, what `openfeature generate`
 * makes typed accessors from): flags with a flagType and a defaultValue, and no variants or state.
 */
export function isFlagManifest(value: unknown): boolean {
  if (!isObject(value) || !isObject(value.flags)) return false;
  if (typeof value.$schema === 'string' && /flag[-_]manifest/.test(value.$schema)) return true;
  const flags = Object.values(value.flags);
  return flags.length > 0 && flags.every((f) => isObject(f) && ('flagType' in f || 'defaultValue' in f) && !('variants' in f) && !('state' in f));
}

export const FLAG_MANIFEST_HINT = ' (an OpenFeature CLI flag manifest: it declares the flags code is generated for, each with its type and the value the code passes as its default, not how a flag system serves them: give the file of the flag system that serves them; a defaultValue is what `default:` on the scenario\'s flag entry says)';

/** What a file no flag system wrote is, where it is a resource that names flag files: " (...)", or "". */
export function notFlagsHint(value: unknown): string {
  if (isFlagManifest(value)) return FLAG_MANIFEST_HINT;
  if (isObject(value) && typeof value.apiVersion === 'string' && value.apiVersion.startsWith('core.openfeature.dev/') && typeof value.kind === 'string') {
    return ` (${withArticle(value.kind)} of the OpenFeature Operator${value.kind === 'FeatureFlagSource' ? ', which names the sources flagd syncs from: give the files of the FeatureFlags it names, in its order' : ': it holds no flags'})`;
  }
  // A ConfigMap reaches flagd as the files it is mounted as (flagd syncs from files, URLs and FeatureFlags, not ConfigMaps).
  if (isObject(value) && value.apiVersion === 'v1' && value.kind === 'ConfigMap') {
    const keys = isObject(value.data) ? Object.entries(value.data).filter(([, t]) => typeof t === 'string' && /"flags"\s*:|^flags:/m.test(t)).map(([k]) => k) : [];
    const named = keys.map((k) => `data.${/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)}`).join(', ');
    return ` (a Kubernetes ConfigMap: a flag system reads it as the files it is mounted as${keys.length ? `; ${named} ${keys.length > 1 ? 'hold flag configurations' : 'holds a flag configuration'} as text: give that text as a file of its own` : ''})`;
  }
  return '';
}
