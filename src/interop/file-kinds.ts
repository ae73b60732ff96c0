/**
 * What a parsed YAML or JSON document is when it is not a scenario (a flag system's file, a Kubernetes resource,
 * a Prometheus rule file, traces, a document rehearse wrote...), and whether it is a scenario: `rehearse ci` skips
 * the one (load/kinds.ts), and the Kubernetes adapters name either where they expected a resource (kube/other-formats.ts).
 */
import { detectSystem, isObject } from './document.js';
import { withArticle } from '../units/article.js';
import { traceLayout } from './traces/layout.js';

/** Scenario keys that no other kind of file has at its top level: a file with one of them is a scenario. */
export const SCENARIO_KEYS = ['traffic', 'journeys', 'rollout', 'acceptance', 'cases', 'faults-catalogue'];

const FLAG_SYSTEMS = { flagd: 'flagd', unleash: 'Unleash', launchdarkly: 'LaunchDarkly' } as const;

/** Why a parsed document is not a scenario, or null when it may be one. */
export function notAScenario(value: unknown): string | null {
  if (Array.isArray(value)) {
    return traces(value);
  }
  if (!isObject(value)) return null;
  // Before the scenario's keys: a run's result (rehearse/run@1) holds journeys too, and no scenario has a schema key.
  if (typeof value.schema === 'string' && value.schema.startsWith('rehearse/')) {
    return `a ${value.schema} document that rehearse wrote`;
  }
  if (SCENARIO_KEYS.some((k) => k in value)) return null;
  if (typeof value.$schema === 'string' && /json-schema\.org/.test(value.$schema)) return 'a JSON Schema';
  if ('jobs' in value && ('on' in value || 'true' in value)) return 'a GitHub Actions workflow';
  if (isObject(value.runs) && typeof value.runs.using === 'string') return 'a GitHub Action (action.yml)';
  if (typeof value.apiVersion === 'string' && typeof value.kind === 'string') return kubernetes(value.kind, value.apiVersion);
  const system = detectSystem(value);
  if (system) return `${withArticle(FLAG_SYSTEMS[system])} flag file (a scenario reads it through flags.from)`;
  const trace = traces(value);
  if (trace) return trace;
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

/** A layout of traces that calibrate reads (traces/layout.ts), said with what reads it. */
function traces(value: unknown): string | null {
  const layout = traceLayout(value);
  if (layout === null) return null;
  return layout.includes('rehearse calibrate') ? layout : `${layout} (rehearse calibrate reads ${/^an? /.test(layout) ? 'it' : 'them'})`;
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

/** A rehearse scenario: a key only scenarios have, or services that are no Docker Compose file's. */
export function isScenario(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (SCENARIO_KEYS.some((k) => k in value)) return true;
  return isObject(value.services) && notAScenario(value) === null && Object.values(value.services).some((s) => isObject(s));
}

/** What a document without kind given as rules is, where that is plain (a rehearse scenario, a flag file, traces...). */
export function otherThanRules(value: Record<string, unknown>): string {
  if (SCENARIO_KEYS.some((k) => k in value)) return 'a rehearse scenario (rehearse run reads it), not rules';
  const what = notAScenario(value);
  return what === null ? 'a document without kind' : what.replace(/, not a scenario$/, '');
}
