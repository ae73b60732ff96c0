/** The three flag systems behind one door: detect a file's system, import its flags, open its evaluator. */
import { detectSystem, notFlagsHint, readFlagFile, type FlagFile, type FlagSystem } from './document.js';
import type { Adapter } from './flagset.js';
import * as flagd from './flagd/index.js';
import * as unleash from './unleash/index.js';
import * as launchdarkly from './launchdarkly/index.js';
import { InputError } from '../errors.js';

export const ADAPTERS: Record<FlagSystem, Adapter> = { flagd, unleash, launchdarkly };

/** Reads a flag file and settles its system (given, or detected from its shape). */
export function readFlags(file: string, system?: FlagSystem, shownAs = file): { doc: FlagFile; system: FlagSystem } {
  const doc = readFlagFile(file, shownAs);
  const found = system ?? detectSystem(doc.value);
  if (!found) throw new InputError([`${shownAs}: cannot tell which flag system wrote this file${notFlagsHint(doc.value)}; give --system flagd, unleash or launchdarkly`]);
  return { doc, system: found };
}
