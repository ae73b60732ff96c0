/**
 * A state export as Unleash's state import took it (Unleash/unleash src/lib/services/state-service.ts import() at
 * ff377cd70461): the steps it ran on the file as written (a version 2 file's `:global:` renamed `default`; below
 * version 4, each toggle's variants copied into its featureEnvironments rows), then `stateSchema.validateAsync`
 * (state-schema.ts, through joi.ts), whose converted value the import reads its toggles, strategies and
 * featureEnvironments from; segments, their links and environments it stored as the file writes them.
 */
import type { PathSegment } from '../../scenario/problems.js';
import { joiValidate, type JoiProblem } from './joi.js';
import { STATE_SCHEMA_JOI } from './state-schema.js';

type Json = Record<string, unknown>;

export interface StateImport {
  /** What validateAsync gave the import (`importData`): converted, defaults set, unknown keys stripped. */
  readonly value: Json;
  /** What Joi refused, each at its place in the file. */
  readonly problems: readonly JoiProblem[];
  /** The same as Joi names them (a toggle's variant copied into featureEnvironments rows at each row). */
  readonly joi: readonly JoiProblem[];
  /** The import read the toggles as a version 1 export's (their own strategies): `!importData.version || importData.version === 1`. */
  readonly legacy: boolean;
  /** Which layout the import gave the file, in words, where its version is none Unleash wrote; else null. */
  readonly unwritten: string | null;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** `dates`: paths of the values js-yaml read as dates (here their JSON text), which Joi's string() refuses. */
export function unleashStateImport(file: Json, dates: readonly PathSegment[][] = []): StateImport {
  const data = JSON.parse(JSON.stringify(file)) as Json;
  // JavaScript's own comparisons, as import() makes them on the file's value: "3" < 4, !0.
  const raw = data.version as number;
  if (raw === 2) {
    const rename = (rows: unknown, key: string) => list(rows).forEach((r) => { if (r[key] === ':global:') r[key] = 'default'; });
    rename(data.environments, 'name');
    rename(data.featureEnvironments, 'environment');
    rename(data.featureStrategies, 'environment');
  }
  // moveVariantsToFeatureEnvironments: a row gets its toggle's variants (found by name, the first of that name).
  const movedFrom = new Map<number, number>();
  if (!raw || raw < 4) {
    const features = Array.isArray(data.features) ? (data.features as unknown[]) : [];
    if (Array.isArray(data.featureEnvironments)) {
      (data.featureEnvironments as unknown[]).forEach((row, i) => {
        if (!isObject(row)) return;
        const j = features.findIndex((f) => isObject(f) && f.name === row.featureName);
        if (j < 0) return;
        row.variants = (features[j] as Json).variants || [];
        movedFrom.set(i, j);
      });
    }
  }
  const found: JoiProblem[] = [];
  const value = (joiValidate(STATE_SCHEMA_JOI, data, [], found, { allowUnknown: false, stripUnknown: false, dates: new Set(dates.map((d) => JSON.stringify(d))) }) ?? {}) as Json;
  // A problem in a copied variant is the toggle's: shown once, where the file writes it.
  const seen = new Set<string>();
  const problems = found.flatMap((p) => {
    const [top, i, field, ...rest] = p.path;
    const from = top === 'featureEnvironments' && field === 'variants' ? movedFrom.get(i as number) : undefined;
    const path: PathSegment[] = from === undefined ? p.path : ['features', from, 'variants', ...rest];
    const message = from === undefined ? p.message : `${p.message}, where the import copied the toggle's variants (state-service.ts moveVariantsToFeatureEnvironments)`;
    const key = JSON.stringify(path);
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ ...p, path, message }];
  });
  const version = value.version;
  const legacy = !version || version === 1;
  const layout = legacy ? 'a version 1 export (each toggle with its own strategies)'
    : !raw || raw < 4 ? 'a version 2 or 3 export (variants on the toggle, copied to every environment)' : 'a version 4 export (variants per environment)';
  const unwritten = [undefined, 1, 2, 3, 4].includes(version as number) && (raw === version || version === undefined) ? null : layout;
  return { value, problems, joi: found, legacy, unwritten };
}

/** Why a Joi problem refuses the file, after Joi's own message. */
export function joiRefusal(p: JoiProblem): string {
  const converts = p.type === 'boolean.base' ? '; Joi converts only the texts "true" and "false", in any case'
    : p.type === 'number.base' ? '; Joi converts only a text that is a decimal number' : '';
  return `${p.message} (Unleash's state import validates the file with Joi, ${p.source}, and refuses it${converts})`;
}
