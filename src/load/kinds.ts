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
    return jsonLines(text);
  }
  // A key that is a mapping or list is for the reader to refuse where it stands (parse.ts collectionKeys).
  if (!Array.isArray(docs) || docs.length === 0 || docs.some((d) => d.errors.length || collectionKeys(d).length)) return jsonLines(text);
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


/**
 * JSON lines, one document a line, as an OpenTelemetry Collector's file exporter writes its export requests: no YAML
 * stream, so it is judged line by line, and skipped when every line is the same thing other than a scenario.
 */
function jsonLines(text: string): string | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2 || !lines.every((l) => l.trimStart().startsWith('{'))) return null;
  const reasons = new Set<string>();
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return null;
    }
    const reason = notAScenario(value);
    if (reason === null) return null;
    reasons.add(reason);
  }
  return reasons.size === 1 ? `JSON lines, ${lines.length} documents: ${[...reasons][0]}` : null;
}

export { notAScenario };
