/**
 * A scenario's `flags.from`: each named flag system file read (relative to the scenario file, at every load;
 * LaunchDarkly's several files merged as its SDK merges them), its flags imported for the Unleash environment
 * named, its warnings collected. Problems name the scenario path; warnings name the flag file.
 */
import { relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { formatPath, type PathSegment, type Problem } from '../scenario/problems.js';
import type { ScenarioInput } from '../scenario/schema.js';
import type { FlagSource } from '../scenario/types.js';
import { at, formatWarning, FLAG_SYSTEMS, readFlagFile } from '../interop/document.js';
import { ADAPTERS } from '../interop/flags.js';
import { quoted } from '../units/escape.js';

export interface FlagSources {
  readonly sources: Map<string, FlagSource>;
  readonly warnings: string[];
  readonly problems: Problem[];
}

type From = NonNullable<ScenarioInput['flags']>['from'];

/** What a system's import takes from flags.from beside its files. */
export function importOptions(system: string, from: { environment?: string; fractional?: 'v2' | 'v3'; selector?: string } | undefined): { environment?: string; fractional?: 'v2' | 'v3'; selector?: string } {
  if (system === 'unleash') return { environment: from?.environment };
  if (system === 'flagd') return { fractional: from?.fractional, ...(from?.selector !== undefined ? { selector: from.selector } : {}) };
  return {};
}

export function readFlagSources(from: From, baseDir: string): FlagSources {
  const sources = new Map<string, FlagSource>();
  const warnings: string[] = [];
  const problems: Problem[] = [];
  if (from?.environment !== undefined && from.unleash === undefined) {
    problems.push({ path: ['flags', 'from', 'environment'], message: 'environment names the environment of an Unleash file: add unleash: FILE, or drop it' });
  }
  if (from?.fractional !== undefined && from.flagd === undefined) {
    problems.push({ path: ['flags', 'from', 'fractional'], message: 'fractional names how flagd files are bucketed: add flagd: FILE, or drop it' });
  }
  if (from?.selector !== undefined && from.flagd === undefined) {
    problems.push({ path: ['flags', 'from', 'selector'], message: 'selector names the flagd flag set to rehearse: add flagd: FILE, or drop it' });
  }
  for (const system of FLAG_SYSTEMS) {
    const given = from?.[system];
    if (given === undefined) continue;
    const files = [given].flat();
    const path: PathSegment[] = ['flags', 'from', system];
    const file = files.join(', ');
    try {
      const docs = files.map((f) => readFlagFile(resolve(baseDir, f), f));
      const parts = ADAPTERS[system].toScenarioParts(docs, importOptions(system, from));
      warnings.push(...parts.warnings.map(formatWarning));
      for (const f of parts.flags) {
        const other = sources.get(f.key);
        if (other) {
          problems.push({ path, message: `flag ${quoted(f.key)} is defined in both ${other.file} and ${file}` });
          continue;
        }
        sources.set(f.key, {
          system, file, document: parts.state, variants: f.variants, prerequisites: f.requires, attributes: f.attributes,
          reads: f.reads.map((r) => {
            const w = at(f.doc, r.path, '');
            return { attribute: r.attribute, where: `${w.line ? `${f.doc.file}:${w.line}:${w.column}` : f.doc.file}: ${formatPath(r.path)}` };
          }),
          canFail: f.canFail.map(formatWarning), valueType: f.valueType, ...(f.clock?.length ? { clock: f.clock.map(formatWarning) } : {}),
        });
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.lines.map((message) => ({ path, message: unread(message, files, baseDir) })));
    }
  }
  return { sources, warnings, problems };
}

/**
 * A file of flags.from that could not be read is named as the scenario writes it, relative to the scenario's folder:
 * where the command runs from elsewhere, the message also says where it looked (the path a person can open).
 */
function unread(message: string, files: readonly string[], baseDir: string): string {
  const f = files.find((x) => message.startsWith(`${x}: cannot read the flag file`));
  if (f === undefined) return message;
  const looked = relative(process.cwd(), resolve(baseDir, f)) || '.';
  return looked === f ? message : `${message} (looked for ${looked}: a path in flags.from is relative to the scenario's folder)`;
}
