/**
 * What a YAML or JSON file that is not a scenario is, so that `rehearse ci` can skip it and say why: a GitHub
 * workflow or Action, a JSON Schema, a flag system's file, a Kubernetes resource (an Argo Rollout, a Flagger
 * Canary...), a Prometheus rule file, traces, a rehearse document, a package manifest. Only a positive match
 * skips a file: anything else is read as a scenario, and fails as one when it is not.
 * What each is: src/interop/file-kinds.ts.
 */
import { notAScenario } from '../interop/file-kinds.js';
import { collectionKeys } from '../scenario/parse.js';
import { parseAllDocumentsAsGo } from '../scenario/go-quoted.js';

/** Why the text of a YAML or JSON file is not a scenario, or null when it may be one (or does not parse). */
export function notAScenarioText(text: string): string | null {
  let docs;
  try {
    docs = parseAllDocumentsAsGo(text, { uniqueKeys: false }).docs;
  } catch {
    return null;
  }
  // A key that is a mapping or list is for the reader to refuse where it stands (parse.ts collectionKeys).
  if (!Array.isArray(docs) || docs.length === 0 || docs.some((d) => d.errors.length || collectionKeys(d).length)) return null;
  const values = docs.map((d) => {
    try {
      return d.toJS({ maxAliasCount: 100 }) as unknown;
    } catch {
      return undefined;
    }
  });
  // Several documents: Kubernetes manifests, most often; skipped only when every one is something else.
  const reasons = values.map(notAScenario);
  if (reasons.some((r) => r === null)) return null;
  return values.length === 1 ? reasons[0] : `${values.length} documents: ${[...new Set(reasons)].join('; ')}`;
}

export { notAScenario };
