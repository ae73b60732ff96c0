/**
 * A plan's imported resource joined to the scenario: its stages with the scenario's approver (a stage that waits
 * for a promotion, with no approver named, stops the plan there, and says so), and the split of the service that
 * runs the workload into canary and stable pods, for the series. The service is the one the scenario names, else
 * the one named like the workload; none is an error where the resource names canary and stable Services.
 */
import { didYouMean } from '../errors.js';
import type { TrafficSplit } from '../metrics/mapping.js';
import type { Helpers } from './helpers.js';
import { formatPath, type PathSegment } from './problems.js';
import type { DistributionInput } from './schema.js';
import type { Flag, ImportedPlan, Stage } from './types.js';
import { quoted } from '../units/escape.js';

export interface ImportedEntry {
  readonly approval?: DistributionInput;
  readonly service?: string;
}

export function joinImported(h: Helpers, plan: ImportedPlan, entry: ImportedEntry, flag: Omit<Flag, 'journeysInAnyCase'> | undefined, path: PathSegment[], warnings: string[]): { stages: Stage[]; split: TrafficSplit | null } {
  const approval = entry.approval === undefined ? null : h.dist(entry.approval, [...path, 'approval']);
  const stages = plan.stages.map((s, j): Stage => {
    if (s.approval === null) return { percent: s.percent, audience: null, holdUs: s.holdUs, approval: null };
    if (approval === null) {
      warnings.push(`${s.approval}: waits for a promotion, and the scenario names no approver (${formatPath([...path, 'approval'])}): the plan stops before stage ${j + 1} (${s.percent}%), paused`);
      return { percent: s.percent, audience: null, holdUs: s.holdUs, approval: { kind: 'unattended', from: s.approval } };
    }
    return { percent: s.percent, audience: null, holdUs: s.holdUs, approval };
  });

  const pods = plan.pods;
  if (!pods || !flag) return { stages, split: null };
  const names = h.services.map((s) => s.name);
  let service: string | null = null;
  if (entry.service !== undefined) {
    if (names.includes(entry.service)) service = entry.service;
    else h.problems.push({ path: [...path, 'service'], message: `unknown service ${quoted(entry.service)}${didYouMean(entry.service, names)}` });
  } else {
    service = pods.workloads.find((w) => names.includes(w)) ?? null;
  }
  const named = pods.canary.service !== null || pods.stable.service !== null;
  if (service === null) {
    if (entry.service === undefined) {
      const message = `no service of the scenario is named ${pods.workloads.map((w) => `${quoted(w)}`).join(' or ')}${didYouMean(pods.workloads[0], names)}: name the one that runs it in ${formatPath([...path, 'service'])}`;
      if (named) h.problems.push({ path: [...path, 'service'], message: `${message}, so that queries on its canary and stable Services see their pods' calls` });
      else warnings.push(`${formatPath(path)}: ${message}; until then the series do not tell its canary pods from the stable ones`);
    }
    return { stages, split: null };
  }
  return {
    stages,
    split: {
      flag: flag.key, service, app: pods.app, ingress: pods.ingress, route: pods.route, port: pods.port,
      canary: { workload: pods.canary.workload, service: pods.canary.service ?? service, hash: pods.canary.hash },
      stable: { workload: pods.stable.workload, service: pods.stable.service ?? service, hash: pods.stable.hash },
    },
  };
}
