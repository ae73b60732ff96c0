/**
 * The outside resources a scenario's plans name (an Argo Rollout and its AnalysisTemplates, a Flagger Canary
 * and its MetricTemplates), read relative to the scenario, patched with the values a sweep writes into them,
 * and turned into rehearse's own plan parts by their adapters.
 */
import { InputError } from '../errors.js';
import { readInput } from '../files/read.js';
import { resolve } from 'node:path';
import { importArgoPlan } from '../interop/argo/plan.js';
import type { SourceFile } from '../interop/kube/resources.js';
import { importFlaggerPlan } from '../interop/flagger/plan.js';
import { applyPatches } from '../interop/patch.js';
import { DEFAULTS } from '../scenario/defaults.js';
import type { ImportedPlans } from '../scenario/normalize.js';
import { formatPath, type PathSegment, type Problem } from '../scenario/problems.js';
import type { ScenarioInput } from '../scenario/schema.js';
import type { ImportedPlanResult } from '../scenario/types.js';
import { parsePercent } from '../units/parse.js';

/** Each plan with an `argo` or `flagger` resource, by its index: its parts, or the problems that stop it. */
export function readPlanResources(input: ScenarioInput, baseDir: string): ImportedPlans {
  const out = new Map<number, ImportedPlanResult>();
  const texts = new Map<string, string | null>();
  /** Why a file could not be read: "FILE: no such file", "FILE: not a regular file (a FIFO...)". */
  const refused = new Map<string, string>();
  const read = (f: string): string | null => {
    if (!texts.has(f)) {
      try {
        texts.set(f, readInput(resolve(baseDir, f), 'resource', f));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        texts.set(f, null);
        refused.set(f, e.lines[0]);
      }
    }
    return texts.get(f)!;
  };
  (input.rollout ?? []).forEach((r, i) => {
    const ref = r.argo ? { key: 'argo', main: r.argo.rollout, templates: r.argo.templates ?? [], patches: r.argo.patches, name: r.argo.name }
      : r.flagger ? { key: 'flagger', main: r.flagger.canary, templates: r.flagger.templates ?? [], patches: r.flagger.patches, name: r.flagger.name } : null;
    if (!ref) return;
    const path: PathSegment[] = ['rollout', i, ref.key];
    const fail = (messages: readonly string[], warnings: readonly string[] = []): void => {
      out.set(i, { ok: false, problems: messages.map((message): Problem => ({ path, message })), warnings });
    };
    const names = [ref.main, ...ref.templates];
    const missing = names.filter((f) => read(f) === null);
    if (missing.length > 0) return fail(missing.map((f) => `cannot read ${refused.get(f)}`));
    let files: SourceFile[] = names.map((file) => ({ file, text: read(file)! }));
    if (ref.patches?.length) {
      const patched = applyPatches(files[0], files.slice(1), ref.patches, ref.name);
      if (patched.problems.length) {
        out.set(i, { ok: false, problems: patched.problems.map((message) => ({ path: [...path, 'patches'], message })), warnings: [] });
        return;
      }
      files = patched.files;
    }
    let result;
    if (r.argo) {
      const args = Object.fromEntries(Object.entries(r.argo.args ?? {}).map(([k, v]) => [k, String(v)]));
      const name = r.argo.name;
      result = importArgoPlan(files, { args, ...(name === undefined ? {} : { rollout: { name, from: `${formatPath([...path, 'name'])}` } }) });
    } else {
      const exposure = parsePercent(r.flagger?.exposure ?? DEFAULTS.rollout.exposure);
      if (!exposure.ok) {
        out.set(i, { ok: false, problems: [{ path: [...path, 'exposure'], message: exposure.message }], warnings: [] });
        return;
      }
      const from = r.flagger?.exposure === undefined ? null : formatPath([...path, 'exposure']);
      const name = r.flagger?.name;
      result = importFlaggerPlan(files, { percent: exposure.value * 100, from, at: formatPath([...path, 'exposure']) }, { meshProvider: r.flagger?.['mesh-provider'], ...(name === undefined ? {} : { canary: { name, from: formatPath([...path, 'name']) } }) });
    }
    if (!result.ok) return fail(result.problems, result.warnings);
    out.set(i, result);
  });
  return out;
}
