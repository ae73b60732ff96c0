/** `rehearse flags eval` and `rehearse import flags`: flag system files through their own evaluators. */
import { readInput, readLimits } from '../files/read.js';
import { parseJsonDocument } from '../files/json.js';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { REHEARSALS_FOLDER } from './folders.js';
import { stringify } from 'yaml';
import { didYouMean, InputError } from '../errors.js';
import { at, detectSystem, FLAG_SYSTEMS, formatWarning, isObject, notFlagsHint, parseFlagText, readFlagFile, type FlagFile, type FlagSystem } from '../interop/document.js';
import { ADAPTERS, readFlags } from '../interop/flags.js';
import type { Evaluation, ImportOptions } from '../interop/flagset.js';
import { importOptions } from '../load/flag-sources.js';
import { inlineEntry, translateFlags } from '../interop/inline.js';
import { cohortPlace, readCohortFile } from '../cohorts/file.js';
import { RESERVED_NAME } from '../records.js';
import { oneLine, quoted, quotedList } from '../units/escape.js';

export interface EvalOptions {
  system?: FlagSystem;
  flag: string;
  context: string;
  json?: boolean;
  /** The Unleash environment to serve. */
  environment?: string;
  /** The code's default value, as JSON (served on an evaluation error). */
  default?: string;
  /** flagd's fractional bucketing, v2 or v3 (flags.from.fractional of a scenario otherwise; default v2). */
  fractional?: string;
  /** flagd's selector (flags.from.selector of a scenario otherwise). */
  selector?: string;
}

/** A JSON option, nested no deeper than a document read back (a --default 5,000 deep overflowed the stack printing it). */
const json = (text: string, option: string): unknown => parseJsonDocument(text, option, readLimits().depth);

/** Evaluates one flag of a flag file, or of the flag file a scenario takes it from; what the evaluator noted goes to `notes`. */
export function evaluateFlag(target: string, opts: EvalOptions, notes: string[] = []): Evaluation {
  const context = json(opts.context, '--context');
  if (!isObject(context)) throw new InputError(['--context: a JSON object, in the flag system\'s own form']);
  const proto = reservedKeyPath(context);
  if (proto !== null) {
    throw new InputError([`--context: ${proto}: the key ${quoted(RESERVED_NAME)} is refused: the evaluators copy the context into objects of their own, where it would set the prototype, not an attribute`]);
  }
  const codeDefault = opts.default === undefined ? undefined : { value: json(opts.default, '--default') };
  if (opts.fractional !== undefined && opts.fractional !== 'v2' && opts.fractional !== 'v3') throw new InputError([`--fractional: v2 or v3, not ${JSON.stringify(opts.fractional)}`]);
  const { doc, system, options } = flagFileOf(target, opts);
  if (system === 'flagd' && codeDefault === undefined) mixedTypes(ADAPTERS.flagd.toScenarioParts(doc, options).flags.find((f) => f.key === opts.flag));
  const set = ADAPTERS[system].open(doc, options);
  try {
    if (!set.keys.includes(opts.flag)) {
      throw new InputError([`${[doc].flat().map((d) => d.file).join(', ')}: no flag ${quoted(opts.flag)}${didYouMean(opts.flag, set.keys)} (flags: ${quotedList(set.keys)})`]);
    }
    const e = set.evaluate(opts.flag, context, codeDefault);
    // What the evaluator found worth saying of this evaluation (the SDKs of its system reading the context otherwise).
    notes.push(...(set.notes?.() ?? []));
    return e;
  } finally {
    set.close();
  }
}

/**
 * A flagd flag whose variants are of several types answers each typed call (ResolveBoolean, ResolveString,
 * ResolveFloat, ResolveObject) with a variant of that type only, TYPE_MISMATCH and the caller's default otherwise
 * (open-feature/flagd core/pkg/evaluator/json.go resolve): without the code's default, which gives its type, what
 * the code is served is not in the file, and is not guessed.
 */
function mixedTypes(flag: { key: string; valueType: string; doc: FlagFile; path: readonly (string | number)[] } | undefined): void {
  if (flag === undefined || flag.valueType !== 'mixed') return;
  const variants = flag.path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : Array.isArray(v) ? v[k as number] : undefined), flag.doc.value);
  const read = isObject(variants) && isObject(variants.variants) ? Object.entries(variants.variants) : [];
  const type = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'object' : typeof v);
  const types = read.map(([name, v]) => `${name}: ${type(v)}`).join(', ');
  const example = read.find(([, v]) => typeof v === 'boolean') ? ' (e.g. --default false for code that reads it as a boolean, --default \'"off"\' as a string)' : '';
  throw new InputError([formatWarning(at(flag.doc, [...flag.path, 'variants'], `flag ${quoted(flag.key)}: its variants are of several types (${types}): flagd serves each typed call (ResolveBoolean, ResolveString, ResolveFloat, ResolveObject) a variant of its type only, and TYPE_MISMATCH with the caller's default otherwise (core/pkg/evaluator/json.go resolve), so what the code is served depends on the type it reads the flag as, which the file does not say; give --default with the value the code falls back to, of that type${example}`))]);
}

/** Where a JSON value holds the key __proto__ (a path such as a.b[2]), or null; walked without recursion. */
function reservedKeyPath(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${at}[${i}]`]));
    else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        const here = at ? `${at}.${k}` : k;
        if (k === RESERVED_NAME) return here;
        stack.push([(v as Record<string, unknown>)[k], here]);
      }
    }
  }
  return null;
}

function flagFileOf(target: string, opts: EvalOptions): { doc: FlagFile | FlagFile[]; system: FlagSystem; options: ImportOptions } {
  // A flag file, or a scenario that names one: read within the flag file limit.
  const doc = parseFlagText(readInput(target, 'flags'), target);
  const v = doc.value;
  if (isObject(v) && isObject(v.services) && isObject(v.journeys)) {
    // A scenario: the flag file its flags.from names for this flag.
    const from = isObject(v.flags) && isObject(v.flags.from) ? v.flags.from : {};
    const environment = opts.environment ?? (typeof from.environment === 'string' ? from.environment : undefined);
    const systems = FLAG_SYSTEMS.filter((s) => s in from && (!opts.system || s === opts.system));
    for (const s of systems) {
      const files = [from[s]].flat().filter((f): f is string => typeof f === 'string');
      const docs = files.map((f) => readFlagFile(resolve(dirname(target), f), f));
      const given = opts.fractional ?? from.fractional;
      if (given !== undefined && given !== 'v2' && given !== 'v3') throw new InputError([`${target}: flags.from.fractional: v2 or v3, not ${JSON.stringify(given)}`]);
      const selector = opts.selector ?? (typeof from.selector === 'string' ? from.selector : undefined);
      const options = importOptions(s, { environment, fractional: given as ImportOptions['fractional'], selector });
      if (ADAPTERS[s].toScenarioParts(docs, options).flags.some((f) => f.key === opts.flag)) return { doc: docs, system: s, options };
    }
    throw new InputError([`${target}: no flag ${quoted(opts.flag)} in the flag files of flags.from${systems.length ? '' : ' (the scenario names none)'}`]);
  }
  const system = opts.system ?? detectSystem(v);
  if (!system) throw new InputError([`${target}: cannot tell which flag system wrote this file${notFlagsHint(v)}; give --system flagd, unleash or launchdarkly`]);
  return { doc, system, options: importOptions(system, { environment: opts.environment, fractional: opts.fractional as ImportOptions['fractional'], selector: opts.selector }) };
}

export function formatEvaluation(e: Evaluation): string {
  const lines = [
    `${oneLine(e.flag)}: ${e.enabled ? 'enabled' : 'disabled'}${e.variant !== null ? `, variant ${quoted(e.variant)}` : ''}, value ${JSON.stringify(e.value)}`,
    `reason: ${e.reason}`,
  ];
  if (e.bucket !== null) lines.push(`bucket: ${e.bucket}`);
  return lines.join('\n');
}

/** The flags of a file in rehearse's own format where it can say the same (checked on a cohort), as YAML. */
export function importFlagsInline(system: FlagSystem, file: string, cohortFile?: string, environment?: string): { yaml: string; warnings: string[] } {
  const { doc } = readFlags(file, system);
  const parts = ADAPTERS[system].toScenarioParts(doc, { environment });
  let cohort;
  // The cohort file's own warnings (a seed that does not make its users), as a scenario that loads it says them.
  const cohortWarnings: string[] = [];
  if (cohortFile) {
    const read = readCohortFile(cohortFile);
    if (!read.ok) throw new InputError([`${cohortPlace(cohortFile, read)}: ${read.message}`]);
    cohort = read.cohort;
    for (const w of read.warnings) cohortWarnings.push(oneLine(`cohort file ${cohortFile} at ${w.path}: ${w.message}`));
  }
  const t = translateFlags(system, doc, cohort, { environment });
  if (t.flags.length === 0 && t.skipped.length === 0) throw new InputError([`${file}: no flags to import: the ${system} file${environment !== undefined ? ` (environment ${quoted(environment)})` : ''} holds none`, ...parts.warnings.map(formatWarning)]);
  const size = cohort?.size ?? 10_000;
  const header = [
    `# Flags of ${file} (${system}) in rehearse's own format: each serves every one of ${size} users${cohortFile ? ` of ${cohortFile}` : ' (a generated cohort)'} as ${system} does.`,
    '# Fill in evaluated-by and owner; the rollout plans set each flag where the file has it.',
  ];
  for (const s of t.skipped) header.push(`# Left out: ${s.key}: ${s.why} (keep it in its file with flags.from)`);
  const flags: Record<string, unknown> = {};
  const rollout: unknown[] = [];
  for (const f of t.flags) {
    flags[f.key] = { ...inlineEntry(f, ['TODO']), owner: 'TODO' };
    if (f.percent > 0 || f.targeting.some((r) => r.serve === 'on')) rollout.push({ flag: f.key, stages: [{ to: `${f.percent}%` }] });
  }
  const body = t.flags.length ? stringify(rollout.length ? { flags, rollout } : { flags }) : '';
  return { yaml: `${comments(header)}\n${body}`, warnings: [...cohortWarnings, ...parts.warnings.map(formatWarning)] };
}

/** Comment lines each one line: a line break in a flag's key, an attribute or a file name ended the comment. */
const comments = (lines: readonly string[]): string => lines.map((l) => oneLine(l)).join('\n');

/** The scenario entries a flag file's flags need, as YAML, with the file's warnings. */
export function importFlags(system: FlagSystem, file: string, environment?: string, selector?: string): { yaml: string; warnings: string[] } {
  const { doc } = readFlags(file, system);
  const parts = ADAPTERS[system].toScenarioParts(doc, { environment, ...(selector !== undefined ? { selector } : {}) });
  // A file with no flag gave a flags block of its from: alone, a header that read "variants .", and exit 0.
  if (parts.flags.length === 0) throw new InputError([`${file}: no flags to import: the ${system} file${environment !== undefined ? ` (environment ${quoted(environment)})` : ''} holds none`, ...parts.warnings.map(formatWarning)]);
  const entries: Record<string, unknown> = { from: { [system]: file, ...(environment !== undefined ? { environment } : {}), ...(selector !== undefined ? { selector } : {}) } };
  for (const f of parts.flags) {
    entries[f.key] = {
      kind: 'release',
      owner: 'TODO',
      ...(f.description ? { description: f.description } : {}),
      'evaluated-by': ['TODO'],
      ...(f.canFail.length ? { default: 'TODO' } : {}),
    };
  }
  const header = [
    `# Flags of ${file} (${system}), served as ${system} serves them: variants ${parts.flags.map((f) => `${f.key}: ${f.variants.length ? f.variants.join('/') : 'none (on or off)'}`).join('; ')}.`,
    '# Fill in evaluated-by (the services that evaluate each flag) and owner; add when-on, propagation, needs, contract.',
  ];
  // A scenario reads from: relative to its own folder, not to where this ran: a path pasted as printed fails there.
  if (!isAbsolute(file)) header.push(`# from: is read relative to the scenario file that holds it: ${file} is this folder's path; from a scenario in ${REHEARSALS_FOLDER}/ it is ${relative(REHEARSALS_FOLDER, file).split(sep).join('/')}`);
  for (const f of parts.flags) {
    if (f.attributes.length) header.push(`# ${f.key} reads user attributes: ${f.attributes.join(', ')}`);
    if (f.canFail.length) header.push(`# ${f.key} can fail to evaluate (see the warnings): set default to the value the code falls back to`);
  }
  return { yaml: `${comments(header)}\n${stringify({ flags: entries })}`, warnings: parts.warnings.map(formatWarning) };
}
