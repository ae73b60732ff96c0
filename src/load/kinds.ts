/**
 * What a YAML or JSON file that is not a scenario is, so that `rehearse ci` can skip it and say why: a GitHub
 * workflow or Action, a JSON Schema, a flag system's file, a Kubernetes resource (an Argo Rollout, a Flagger
 * Canary...), a Prometheus rule file, traces, a rehearse document, a package manifest. Only a positive match
 * skips a file: anything else is read as a scenario, and fails as one when it is not.
 */
import { detectSystem, isObject } from '../interop/document.js';
import { collectionKeys } from '../scenario/parse.js';
import { parseAllDocumentsAsGo } from '../scenario/go-quoted.js';
import { withArticle } from '../units/article.js';

/** Scenario keys that no other kind of file has at its top level: a file with one of them is a scenario. */
const SCENARIO_KEYS = ['traffic', 'journeys', 'rollout', 'acceptance', 'cases', 'faults-catalogue'];

const FLAG_SYSTEMS = { flagd: 'flagd', unleash: 'Unleash', launchdarkly: 'LaunchDarkly' } as const;

/** Why a parsed document is not a scenario, or null when it may be one. */
export function notAScenario(value: unknown): string | null {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((s) => isObject(s) && 'traceId' in s)) return 'Zipkin traces (rehearse calibrate reads them)';
    return null;
  }
  if (!isObject(value)) return null;
  if (SCENARIO_KEYS.some((k) => k in value)) return null;
  if (typeof value.schema === 'string' && value.schema.startsWith('rehearse/')) {
    return `a ${value.schema} document that rehearse wrote, not a scenario`;
  }
  if (typeof value.$schema === 'string' && /json-schema\.org/.test(value.$schema)) return 'a JSON Schema';
  if ('jobs' in value && ('on' in value || 'true' in value)) return 'a GitHub Actions workflow';
  if (isObject(value.runs) && typeof value.runs.using === 'string') return 'a GitHub Action (action.yml)';
  if (typeof value.apiVersion === 'string' && typeof value.kind === 'string') return kubernetes(value.kind, value.apiVersion);
  const system = detectSystem(value);
  if (system) return `${withArticle(FLAG_SYSTEMS[system])} flag file (a scenario reads it through flags.from)`;
  if (Array.isArray(value.resourceSpans)) return 'OTLP traces (rehearse calibrate reads them)';
  if (Array.isArray(value.data) && value.data.some((d) => isObject(d) && Array.isArray(d.spans))) return 'Jaeger traces (rehearse calibrate reads them)';
  if (Array.isArray(value.groups) && value.groups.some((g) => isObject(g) && Array.isArray(g.rules))) return 'a Prometheus rule file';
  if (Array.isArray(value.rule_files) && Array.isArray(value.tests)) return 'a promtool test file';
  if (isObject(value.compilerOptions)) return 'a TypeScript configuration';
  if (typeof value.name === 'string' && typeof value.version === 'string' && (isObject(value.dependencies) || isObject(value.devDependencies) || isObject(value.scripts))) {
    return 'an npm package manifest';
  }
  if (isObject(value.services) && Object.values(value.services).some((s) => isObject(s) && ('image' in s || 'build' in s))) return 'a Docker Compose file';
  if (isObject(value.users) && typeof value.size === 'number') return 'a cohort file (a scenario reads it through traffic.cohort)';
  return null;
}

function kubernetes(kind: string, apiVersion: string): string {
  const read: Record<string, string> = {
    Rollout: 'a scenario runs it through rollout[].argo.rollout',
    AnalysisTemplate: 'a scenario reads it through rollout[].argo.templates',
    ClusterAnalysisTemplate: 'a scenario reads it through rollout[].argo.templates',
    Canary: 'a scenario runs it through rollout[].flagger.canary',
    MetricTemplate: 'a scenario reads it through rollout[].flagger.templates',
    FeatureFlag: 'a scenario reads its flagd flags through flags.from.flagd',
  };
  return `a Kubernetes resource (${kind}, ${apiVersion})${read[kind] ? `: ${read[kind]}` : ''}`;
}

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
