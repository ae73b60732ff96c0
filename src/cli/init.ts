/**
 * `rehearse init [dir]`: a team's first rehearsal. Writes a commented scenario (rehearsals/, the folder
 * `rehearse ci` reads when none is named), a short README of that folder and a nightly workflow (.github/workflows/rehearse.yml) from the templates shipped with the
 * package. Never overwrites a file without --force; refuses a folder that already holds anything but a
 * project's housekeeping (package.json, lock files, node_modules, git files, README, licence).
 */
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { InputError, reason, shownPath } from '../errors.js';
import { readInput } from '../files/read.js';
import { checkWritable, writeText } from '../files/write.js';
import { escapeControls, oneLine, quoted } from '../units/escape.js';
import { VERSION } from '../version.js';
import { REHEARSALS_FOLDER } from './folders.js';
import { PACKAGE_ROOT, schemaReference } from './schema-ref.js';

export { schemaReference };

export interface InitOptions {
  template?: string;
  force?: boolean;
  fromTraces?: string;
  fromArgo?: string;
  /** The Rollout --from-argo imports where its file holds several (as import argo --rollout). */
  rollout?: string;
}

/** Runs another rehearse command (argv without "rehearse") and returns its exit code; null when it does not exist. */
export type RunCommand = (argv: string[], out: (s: string) => void) => Promise<number | null>;

const TEMPLATES = join(PACKAGE_ROOT, 'templates');
/** The folder of rehearsals inside the scaffolded directory: the one `rehearse ci` reads by default. */
const FOLDER = REHEARSALS_FOLDER;

/** What a new or freshly initialised project holds: init adds its files beside these. */
const HOUSEKEEPING = [
  /^\.git$/, /^\.github$/, /^\.gitignore$/, /^\.gitattributes$/, /^\.npmrc$/, /^\.nvmrc$/, /^\.node-version$/, /^\.editorconfig$/,
  /^node_modules$/, /^package\.json$/, /^package-lock\.json$/, /^npm-shrinkwrap\.json$/, /^yarn\.lock$/, /^pnpm-lock\.yaml$/,
  /^README(\.\w+)?$/i, /^LICEN[CS]E(\.\w+)?$/i,
];

export function templateNames(): string[] {
  return readdirSync(TEMPLATES).filter((n) => n !== 'common' && statSync(join(TEMPLATES, n)).isDirectory()).sort();
}

/** The template's files (common ones first, the template's own replacing them), as paths in the scaffold. */
function templateFiles(name: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (base: string, d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(base, p);
      else files.set(relative(base, p).split(sep).join('/').replace(/^github\//, '.github/'), p);
    }
  };
  walk(join(TEMPLATES, 'common'), join(TEMPLATES, 'common'));
  walk(join(TEMPLATES, name), join(TEMPLATES, name));
  return files;
}

function projectHasPackage(dir: string): boolean {
  try {
    const pkg = JSON.parse(readInput(join(dir, 'package.json'), 'package')) as Record<string, Record<string, string> | undefined>;
    return ['dependencies', 'devDependencies', 'optionalDependencies'].some((k) => pkg[k]?.['rollout-rehearsal'] !== undefined);
  } catch {
    return false;
  }
}

function failWrite(path: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system'
    : code === 'ENOTDIR' ? 'a parent is a file, not a folder' : code === 'ENOSPC' ? 'no space left' : reason(err);
  throw new InputError([`${shownPath(path)}: cannot write: ${why}`]);
}

export async function initCommand(dirArg: string | undefined, opts: InitOptions, out: (s: string) => void, runCommand: RunCommand): Promise<number> {
  const dir = dirArg ?? '.';
  const template = opts.template ?? 'release';
  const names = templateNames();
  if (!names.includes(template)) throw new InputError([`--template: unknown template ${quoted(template)} (templates: ${names.join(', ')})`]);
  if (opts.rollout !== undefined && opts.fromArgo === undefined) throw new InputError(['--rollout: it names the Rollout --from-argo imports: give --from-argo too']);
  for (const [flag, file] of [['--from-traces', opts.fromTraces], ['--from-argo', opts.fromArgo]] as const) {
    if (file === undefined) continue;
    // Opened now, not only found: one it cannot read would be told after the scaffold is written.
    try {
      closeSync(openSync(file, constants.O_RDONLY | constants.O_NONBLOCK));
    } catch (err) {
      throw new InputError([`${flag}: ${shownPath(file)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${reason(err)}`}`]);
    }
  }

  // The folder: absent (made), or empty but for housekeeping, unless --force.
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') failWrite(dir, err);
  }
  if (st && !st.isDirectory()) throw new InputError([`${dir}: not a folder`]);
  if (st && !opts.force) {
    const other = readdirSync(dir).filter((n) => !HOUSEKEEPING.some((re) => re.test(n))).sort();
    if (other.length) {
      const shown = other.slice(0, 5).join(', ') + (other.length > 5 ? `, and ${other.length - 5} more` : '');
      throw new InputError([`${dir}: the folder is not empty (${shown}): rehearse init writes into a new or empty project; --force adds the scaffold anyway and overwrites its files`]);
    }
  }

  const files = templateFiles(template);
  const targets = [...files.keys()].map((rel) => join(dir, rel));
  const existing = targets.filter((t) => existsSync(t));
  if (existing.length && !opts.force) throw new InputError(existing.map((t) => `${t}: already exists (rehearse init never overwrites a file without --force)`));
  // Each file is checked writable before any is written: none is left half made.
  for (const t of targets) checkWritable(t);

  // Hand-overs are checked before anything is written.
  if (opts.fromTraces !== undefined && (await runCommand(['calibrate', '--help'], () => {})) === null) {
    throw new InputError([`--from-traces: this version of rollout-rehearsal (${VERSION}) has no "rehearse calibrate" command; nothing was written`]);
  }
  if (opts.fromArgo !== undefined && (await runCommand(['import', '--help'], () => {})) === null) {
    throw new InputError([`--from-argo: this version of rollout-rehearsal (${VERSION}) has no "rehearse import" command; nothing was written`]);
  }

  // The Rollout is imported before anything is written: a file of several Rollouts and no --rollout, or a name it does
  // not hold, leaves no scaffold behind.
  let plan: string[] | null = null;
  if (opts.fromArgo !== undefined) {
    const argv = ['import', 'argo', opts.fromArgo, ...(opts.rollout === undefined ? [] : ['--rollout', opts.rollout])];
    out(`importing the Argo Rollout ${opts.fromArgo}: rehearse ${argv.join(' ')}`);
    const lines: string[] = [];
    const code = await runCommand(argv, (s) => lines.push(s));
    if (code !== 0) {
      for (const l of lines) out(l);
      out(`nothing was written: the Rollout did not import (above; rehearse init --from-argo FILE --rollout NAME names the one to import, as rehearse import argo --rollout does)`);
      return code ?? 2;
    }
    plan = lines;
  }

  const folder = join(dir, FOLDER);
  const dirPrefix = `${relative(dir, folder).split(sep).join('/')}/`;
  const vars: Record<string, string> = { schema: schemaReference(folder, dir), dir: dirPrefix, version: VERSION };
  for (const [rel, source] of files) {
    const target = join(dir, rel);
    const text = readFileSync(source, 'utf8').replace(/\{\{(schema|dir|version)\}\}/g, (_m, k: string) => vars[k]);
    writeText(target, text);
    out(`${existing.includes(target) ? 'replaced' : 'created '} ${target}`);
  }

  if (opts.fromTraces !== undefined) {
    const target = join(folder, 'from-traces.yaml');
    out(`\ncalibrating a scenario from ${opts.fromTraces}: rehearse calibrate ${opts.fromTraces} --out ${target}`);
    const code = await runCommand(['calibrate', opts.fromTraces, '--out', target], out);
    if (code !== 0) {
      // The scaffold is written by now, and init refuses a folder that holds it: say what is there and how to finish.
      out(`\n${target} not written: the traces did not calibrate (above); the scaffold is in place: fix the traces, then run rehearse calibrate ${opts.fromTraces} --out ${target}`);
      return code ?? 2;
    }
  }
  if (plan !== null) {
    const target = join(dir, 'argo-plan.yaml');
    writeText(target, `# The rollout plan of ${escapeControls(oneLine(opts.fromArgo!))}, as rehearse import argo wrote it: put it in the rollout: of a scenario in ${dirPrefix}\n${plan.join('\n')}\n`);
    out(`plan written to ${target}: put it in the rollout: of ${dirPrefix}new-checkout.yaml`);
  }

  if (!projectHasPackage(dir)) out('\nthe workflow runs the project\'s own rehearse: npm install --save-dev rollout-rehearsal');
  // ci with no folder reads rehearsals/, where this wrote.
  const cd = relative(process.cwd(), resolve(dir));
  out(`\nnext: ${cd ? `cd ${cd} && ` : ''}npx rehearse ci   (then make ${join(FOLDER, 'new-checkout.yaml')} look like your services)`);
  return 0;
}
