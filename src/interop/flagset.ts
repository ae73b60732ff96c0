/**
 * What the three flag-system adapters share: the result of one evaluation, a loaded set of flags that the
 * system's own evaluator serves, and the parts a scenario takes from a flag file.
 */
import type { FlagFile, FlagSystem, FlagWarning } from './document.js';

/** One evaluation, as the flag's own system computed it. */
export interface Evaluation {
  readonly flag: string;
  /** Whether the user gets the flag's new code path: Unleash's isEnabled; for flagd and LaunchDarkly a served
   * value of true (boolean flags) or a variant other than the default / off one. */
  readonly enabled: boolean;
  readonly variant: string | null;
  readonly value: unknown;
  /** targeting match, split, default, disabled, prerequisite failed, error: ... */
  readonly reason: string;
  /** The user's bucket where a percentage decided: flagd 0-100 (of the fractional hash), Unleash 1-100
   * (normalized value), LaunchDarkly 0-1 (bucket value); null otherwise. */
  readonly bucket: number | null;
}

/** How a file is imported: the Unleash environment to serve (a file may hold several); the flagd bucketing of
 * `fractional` (v2, what every flagd release runs, by default; v3, the flagd testbed's @fractional-v3). */
export interface ImportOptions {
  readonly environment?: string;
  readonly fractional?: 'v2' | 'v3';
  /** The flagd selector a client reads with (`flagSetId=ID`), as the flagd providers' selector option names it. */
  readonly selector?: string;
}

/** The value the calling code passes as its default (OpenFeature's defaultValue, LaunchDarkly's variation
 * default): what a user gets when the evaluation fails. */
export interface CodeDefault {
  readonly value: unknown;
}

/** A flag as a scenario sees it once imported. */
export interface ImportedFlag {
  readonly key: string;
  readonly description: string;
  /** Variant names the flag can serve. */
  readonly variants: readonly string[];
  /** Prerequisite flags (LaunchDarkly prerequisites, Unleash dependencies). */
  readonly requires: readonly string[];
  /** User attributes the flag's rules read (for the cohort check). */
  readonly attributes: readonly string[];
  /** Each attribute with the first rule that reads it (its path in the file). */
  readonly reads: readonly { readonly attribute: string; readonly path: readonly (string | number)[] }[];
  /** Path of the flag inside its file. */
  readonly path: readonly (string | number)[];
  /** The file that holds the flag. */
  readonly doc: FlagFile;
  /** Where an evaluation of the flag can fail, so that users get the code's default instead (also warnings). */
  readonly canFail: readonly FlagWarning[];
  /** The type of the values the flag serves: boolean, string, number, object, or mixed. */
  readonly valueType: string;
  /** Where the flag's rules read the time of the evaluation, which a scenario cannot follow (also warnings). */
  readonly clock?: readonly FlagWarning[];
}

export interface ScenarioParts {
  readonly system: FlagSystem;
  readonly flags: readonly ImportedFlag[];
  readonly warnings: readonly FlagWarning[];
  /** What the system's evaluator is given (plain data, a form the system itself reads): `serve` takes it. */
  readonly state: unknown;
}

/** Flags served by their system's own evaluator, without a network. */
export interface FlagSet {
  readonly system: FlagSystem;
  readonly keys: readonly string[];
  /** Evaluates a flag for a context given in the system's own form; on an evaluation error the user gets
   * `codeDefault` (none: the code's default path, off), as the system's SDK gives the caller's default. */
  evaluate(key: string, context: Record<string, unknown>, codeDefault?: CodeDefault): Evaluation;
  /** The system's context for a rehearsal user (targeting key and attributes). */
  contextOf(key: string, attributes: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** What the evaluations so far found worth saying (flagd: rules a JavaScript in-process provider reads
   * otherwise for the operands given), each as file:line:column: path: message. */
  notes?(): string[];
  /** Releases what the evaluator holds (no timers or sockets are ever started). */
  close(): void;
}

export interface Adapter {
  /** Imports flag files (several only for LaunchDarkly, whose SDK merges them); a refusal throws InputError. */
  toScenarioParts(docs: FlagFile | readonly FlagFile[], options?: ImportOptions): ScenarioParts;
  /** The system's own evaluator over an imported state. */
  serve(state: unknown): FlagSet;
  /** toScenarioParts, then serve. */
  open(docs: FlagFile | readonly FlagFile[], options?: ImportOptions): FlagSet;
}

/** The type of a list of served values: boolean, string, number, object, or mixed. */
export function valueTypeOf(values: readonly unknown[]): string {
  const types = new Set(values.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'object' : typeof v)));
  return types.size === 1 ? [...types][0] : 'mixed';
}

/** A list of documents from one or several. */
export const docList = (docs: FlagFile | readonly FlagFile[]): readonly FlagFile[] => (Array.isArray(docs) ? docs : [docs as FlagFile]);
