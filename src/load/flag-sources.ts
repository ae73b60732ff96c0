/**
 * A scenario's `flags.from`: each named flag system file read (relative to the scenario file, at every load),
 * its flags imported, its warnings collected. Problems name the scenario path; warnings name the flag file.
 */
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { formatPath, type PathSegment, type Problem } from '../scenario/problems.js';
import type { FlagSource } from '../scenario/types.js';
import { at, formatWarning, FLAG_SYSTEMS, type FlagSystem } from '../interop/document.js';
import { ADAPTERS, readFlags } from '../interop/flags.js';

export interface FlagSources {
  readonly sources: Map<string, FlagSource>;
  readonly warnings: string[];
  readonly problems: Problem[];
}

export function readFlagSources(from: Partial<Record<FlagSystem, string>> | undefined, baseDir: string): FlagSources {
  const sources = new Map<string, FlagSource>();
  const warnings: string[] = [];
  const problems: Problem[] = [];
  for (const system of FLAG_SYSTEMS) {
    const file = from?.[system];
    if (file === undefined) continue;
    const path: PathSegment[] = ['flags', 'from', system];
    try {
      const { doc } = readFlags(resolve(baseDir, file), system, file);
      const parts = ADAPTERS[system].toScenarioParts(doc, file);
      warnings.push(...parts.warnings.map(formatWarning));
      for (const f of parts.flags) {
        const other = sources.get(f.key);
        if (other) {
          problems.push({ path, message: `flag "${f.key}" is defined in both ${other.file} and ${file}` });
          continue;
        }
        sources.set(f.key, {
          system, file, document: doc.value, variants: f.variants, prerequisites: f.requires, attributes: f.attributes,
          reads: f.reads.map((r) => {
            const w = at(doc, r.path, '');
            return { attribute: r.attribute, where: `${w.line ? `${file}:${w.line}:${w.column}` : file}: ${formatPath(r.path)}` };
          }),
        });
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.lines.map((message) => ({ path, message })));
    }
  }
  return { sources, warnings, problems };
}
