/**
 * A flag file as the adapters read it (its value, and where a path lies in it) and a warning located in one: the
 * types and helpers every reader of flag files shares, apart from the parsing (document.ts) so that the readers
 * of several documents and of Go's YAML (flag-documents.ts, flag-yaml.ts) can use them without a cycle.
 */
import { oneLine } from '../units/escape.js';
import { formatPath, type PathSegment, type Problem } from '../scenario/problems.js';

/** The Go programs that read YAML flag files (flag-yaml.ts). */
export type GoYaml = 'flagd' | 'kubernetes' | 'launchdarkly-go';

/** The programs that read YAML flag files: the Go ones, and js-yaml 4, Unleash's (flag-js-yaml.ts). */
export type YamlReader = GoYaml | 'js-yaml';

/**
 * A plain scalar the program reads otherwise than YAML 1.2, or cannot write as JSON; or a key written before a merge
 * key whose merged mapping sets it again (`merged`: go-yaml v2 merges where the `<<` stands, the others keep the key).
 */
export interface GoScalar {
  readonly offset: number;
  readonly path: (string | number)[];
  readonly source: string;
  readonly key: boolean;
  readonly yaml12: unknown;
  /** What the Go program reads, where it reads it. */
  readonly go?: unknown;
  readonly unwritable?: string;
  /** js-yaml read a date, written as its JSON text. */
  readonly date?: boolean;
  /** The merge key's offset, where a merged mapping sets this key again. */
  readonly merged?: number;
}

/** A parsed flag file: its plain value and a way to find where a path lies in it. */
export interface FlagFile {
  readonly file: string;
  readonly value: unknown;
  /** Where `value` lies in the file, when it is part of it (a FeatureFlag's spec.flagSpec): paths are shown from the top. */
  readonly within?: readonly PathSegment[];
  /** The whole file's text, as read (parseFlagText). */
  readonly text?: string;
  /** Line and column (1-based) of the node at `path`, or of its nearest ancestor. */
  position(path: readonly PathSegment[]): { line: number; column: number } | null;
  /** The text the file writes the node at `path` with, or null where the path stops short. */
  source?(path: readonly PathSegment[]): string | null;
  /** The flag sources a file of several YAML documents holds, in the order flagd reads them (flag-documents.ts). */
  readonly documents?: readonly FlagFile[];
  /** What reading the file's documents found worth saying (resources that hold no flags, sources not read). */
  readonly notes?: readonly FlagWarning[];
  /** A YAML file as a Go program reads it (flag-yaml.ts): its value then, and each plain scalar read otherwise, with its line and column. */
  readAs?(lib: YamlReader): { value: unknown; scalars: (GoScalar & { line: number; column: number; mergedAt?: { line: number; column: number } })[] };
  /** Where the file writes merge keys (`<<`), with the path of the mapping each is in. */
  mergeKeys?(): { path: (string | number)[]; line: number; column: number }[];
}

/** A warning about a flag file: something it uses that rehearse does not model, and what happens instead. */
export interface FlagWarning extends Problem {
  readonly file: string;
}

/** One line: a flag key or an attribute written with a line break is quoted with it written \n. */
export function formatWarning(w: FlagWarning): string {
  const where = w.line ? `${w.file}:${w.line}:${w.column ?? 1}` : w.file;
  return oneLine(`${where}: ${formatPath(w.path)}: ${w.message}`);
}

/** A warning or error located in a flag file. */
export function at(doc: FlagFile, path: readonly PathSegment[], message: string): FlagWarning {
  const pos = doc.position(path);
  const shown = doc.within ? [...doc.within, ...path] : path;
  return pos ? { file: doc.file, path: shown, message, line: pos.line, column: pos.column } : { file: doc.file, path: shown, message };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

