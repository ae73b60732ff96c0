/** `sweep --write-back DIR`: the recommended values written into the team's own Rollout / Canary files. */
import { readInput } from '../files/read.js';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeText } from '../files/write.js';
import { applyPatches, dotted, RESOURCE_PATH, splitPath, type ResourcePatch } from '../interop/patch.js';
import { loadScenarioFile } from '../load/scenario.js';

/** Writes the changed resource files into `dir`; returns the files written. */
export function writeBack(scenarioFile: string, values: Record<string, unknown>, dir: string): string[] {
  const loaded = loadScenarioFile(scenarioFile);
  if (!loaded.ok) return [];
  const base = dirname(scenarioFile);
  const written: string[] = [];
  for (const r of loaded.input.rollout ?? []) {
    const kind = r.argo ? 'argo' : r.flagger ? 'flagger' : null;
    if (!kind) continue;
    const main = r.argo ? r.argo.rollout : r.flagger!.canary;
    const templates = (r.argo ? r.argo.templates : r.flagger!.templates) ?? [];
    const patches: ResourcePatch[] = [];
    for (const [path, value] of Object.entries(values)) {
      const m = RESOURCE_PATH.exec(dotted(path));
      if (m && m[1] === r.flag && m[2] === kind) patches.push({ resource: m[3], path: splitPath(m[4]), value });
    }
    if (patches.length === 0) continue;
    const read = (f: string) => ({ file: f, text: readInput(resolve(base, f), 'resource', f) });
    const before = [main, ...templates].map(read);
    const { files, problems } = applyPatches(before[0], before.slice(1), patches, r.argo ? r.argo.name : r.flagger!.name);
    if (problems.length) throw new InputError(problems.map((p) => `${scenarioFile}: rollout.${r.flag}.${kind}: ${p}`));
    files.forEach((f, i) => {
      if (f.text === before[i].text) return;
      const out = join(dir, basename(f.file));
      writeText(out, f.text);
      written.push(out);
    });
  }
  return written;
}
