/**
 * A document with no kind that is plainly a file of another format (a rehearse scenario, a flagd file, a Prometheus
 * rule file, traces...): the adapters say what it is and what reads it, where "kind: missing" left the reader to
 * guess that the wrong file was given.
 */
import { isScenario, notAScenario } from '../file-kinds.js';

/** What an adapter reads, as its messages name it. */
const NOUNS: Readonly<Record<string, { noun: string; get: string }>> = {
  'argoproj.io': { noun: 'an Argo Rollout', get: 'kubectl get rollouts.argoproj.io NAME -o yaml, with its AnalysisTemplates' },
  'flagger.app': { noun: 'a Flagger Canary', get: 'kubectl get canaries.flagger.app NAME -o yaml, with its MetricTemplates' },
};

/** Why a document without a kind is another format than the adapter's, or null when it is none rehearse knows. */
export function otherFormat(value: unknown, group: string, file: string): string | null {
  const { noun, get } = NOUNS[group] ?? { noun: `a resource of ${group}`, get: 'kubectl get KIND NAME -o yaml' };
  const instead = `give the resource's YAML (${get})`;
  if (isScenario(value)) return `this is a rehearse scenario, not ${noun}: run it with rehearse run ${file} (rehearse validate ${file} checks it); a scenario runs a Rollout or a Canary through its rollout[].argo or rollout[].flagger entry; to import, ${instead}`;
  const what = notAScenario(value);
  return what === null || what.startsWith('a Kubernetes resource') ? null : `this is ${what.replace(/, not a scenario$/, '')}, not ${noun}: ${instead}`;
}
