/** Where editors find the scenario schema, from a scenario file rehearse writes (init, calibrate --out). */
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';

/** The installed package's folder (dist/cli/ is two below it, as src/cli/ is). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The first line of a scenario file that points YAML language servers at the schema. */
export const SCHEMA_LINE = /^# yaml-language-server: \$schema=\S*\n/;

/**
 * Where editors find the scenario schema: the installed package's file, relative to the scenario, when the
 * project resolves the package (it is inside the project, or in a node_modules of a folder above, as in a
 * workspace); otherwise (npx's cache, a global install) the published copy of this version.
 */
export function schemaReference(scenarioDir: string, projectDir: string): string {
  const schema = join(PACKAGE_ROOT, 'schema', 'scenario.schema.json');
  const project = resolve(projectDir);
  const within = (parent: string) => {
    const r = relative(parent, project);
    return r === '' || (!r.startsWith('..') && !r.startsWith(sep));
  };
  const nm = PACKAGE_ROOT.lastIndexOf(`${sep}node_modules${sep}`);
  const inside = relative(project, PACKAGE_ROOT);
  const resolvable = (!inside.startsWith('..') && !inside.startsWith(sep))
    || (nm >= 0 && !PACKAGE_ROOT.includes(`${sep}_npx${sep}`) && within(PACKAGE_ROOT.slice(0, nm) || sep));
  if (resolvable && existsSync(schema)) return relative(resolve(scenarioDir), schema).split(sep).join('/');
  return `https://unpkg.com/rollout-rehearsal@${VERSION}/schema/scenario.schema.json`;
}

/**
 * A scenario's text with its schema line pointing where editors find the schema from the folder it is written
 * to, inside the project of the current folder: a calibrated scenario says ../schema/..., true only in a clone
 * of rehearse, and out of one names a file that does not exist.
 */
export function withSchemaLine(text: string, scenarioDir: string, projectDir = process.cwd()): string {
  return SCHEMA_LINE.test(text) ? text.replace(SCHEMA_LINE, `# yaml-language-server: $schema=${schemaReference(scenarioDir, projectDir)}\n`) : text;
}

/**
 * A scenario's text printed rather than written: where it will be saved is not known, so out of a clone of rehearse
 * (where ../schema/ is right for scenarios/) its schema line names the published copy of this version, true wherever
 * the text lands.
 */
export function withPrintedSchemaLine(text: string, projectDir = process.cwd()): string {
  if (relative(resolve(projectDir), PACKAGE_ROOT) === '') return text;
  return SCHEMA_LINE.test(text) ? text.replace(SCHEMA_LINE, `# yaml-language-server: $schema=https://unpkg.com/rollout-rehearsal@${VERSION}/schema/scenario.schema.json\n`) : text;
}
