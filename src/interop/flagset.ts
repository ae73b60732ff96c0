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
}

export interface ScenarioParts {
  readonly system: FlagSystem;
  readonly flags: readonly ImportedFlag[];
  readonly warnings: readonly FlagWarning[];
}

/** Flags served by their system's own evaluator, without a network. */
export interface FlagSet {
  readonly system: FlagSystem;
  readonly keys: readonly string[];
  /** Evaluates a flag for a context given in the system's own form. */
  evaluate(key: string, context: Record<string, unknown>): Evaluation;
  /** The system's context for a rehearsal user (targeting key and attributes). */
  contextOf(key: string, attributes: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** Releases what the evaluator holds (no timers or sockets are ever started). */
  close(): void;
}

export interface Adapter {
  toScenarioParts(doc: FlagFile, file: string): ScenarioParts;
  open(doc: FlagFile): FlagSet;
}
