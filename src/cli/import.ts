/**
 * `rehearse import argo|flagger FILES...`: the native rehearse plan closest to the resources, for people who
 * want to edit it. Argo's per-metric schedules and counters and Flagger's per-check counting have no exact
 * native form: the plan evaluates every gate at one interval and counts failures per stage, which the
 * printed comments say; running the resources themselves (argo: / flagger: entries) keeps their semantics.
 */
import { readInput } from '../files/read.js';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';
import { toScenarioParts as argoParts, type ArgoAnalysis } from '../interop/argo/index.js';
import { toScenarioParts as flaggerParts } from '../interop/flagger/index.js';

function read(files: string[]) {
  return files.map((file) => ({ file, text: readInput(file, 'resource') }));
}

const duration = (us: number) => {
  if (us === 0) return '0s';
  const s = us / 1e6;
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
};

/** A stage that waits for a promotion: who approves, and when, is for the person editing the plan to say. */
const APPROVAL_WANTED = 'who promotes, after how long? (e.g. 30m)';
function approvalWanted(from: string, warnings: string[]): string {
  warnings.push(`${from}: waits for a promotion: the plan's approval says "${APPROVAL_WANTED}" until you give the approver's delay`);
  return APPROVAL_WANTED;
}

export function importCommand(format: string, files: string[], flag: string): { text: string; warnings: string[] } {
  if (format === 'argo') {
    const r = argoParts(read(files));
    if (!r.ok) throw new InputError(r.problems);
    const warnings = [...r.warnings];
    const analyses: ArgoAnalysis[] = [...(r.parts.background ? [r.parts.background.analysis] : []), ...r.parts.stages.flatMap((s) => (s.analysis ? [s.analysis] : []))];
    // A run the controller ends in Error before measuring (analysis/analysis.go reconcileAnalysisRun) aborts the
    // rollout there: a plan whose gates measure would rehearse another release. The warnings say where.
    const invalid = analyses.filter((a) => a.invalid !== null).map((a) => a.invalid!);
    if (invalid.length) throw new InputError([...new Set(invalid.flatMap((why) => warnings.filter((w) => w.includes(why))))]);
    const metrics = analyses.flatMap((a) => a.metrics).filter((m) => m.gate !== null);
    const intervals = metrics.map((m) => m.intervalUs).filter((x) => x > 0);
    // failureLimit -1: failures never fail the metric, consecutiveSuccessLimit decides it (analysis/analysis.go).
    // The plan counts failed readings of all its gates against one failure-limit and has no such rule.
    const limited = metrics.filter((m) => m.failureLimit >= 0);
    const off = r.parts.failureLimitsOff;
    if (off.length && metrics.length && !limited.length) {
      throw new InputError([...off.map((w) => `${w}: -1: failures never fail this metric (its consecutiveSuccessLimit decides it), a rule a plan of rehearse's own has no form for: rehearse the resources themselves (argo: in a scenario)`)]);
    }
    for (const w of off) warnings.push(`${w}: -1: failures never fail this metric (its consecutiveSuccessLimit decides it): the plan has no such rule, and its failure-limit is the other metrics' (${Math.min(...limited.map((m) => m.failureLimit))})`);
    const plan = {
      flag,
      stages: r.parts.stages.map((s) => ({ to: `${s.percent}%`, ...(s.holdUs > 0 ? { hold: duration(s.holdUs) } : {}), ...(s.approval ? { approval: approvalWanted(s.approval, warnings) } : {}) })),
      ...(intervals.length ? { 'evaluate-every': duration(Math.min(...intervals)) } : {}),
      gates: metrics.map((m) => ({
        name: `${m.template}/${m.name}`, promql: m.gate!.query.trim(), result: 'list',
        ...(m.gate!.success ? { success: m.gate!.success.source } : {}), ...(m.gate!.failure ? { failure: m.gate!.failure.source } : {}),
      })),
      'failure-limit': limited.length ? Math.min(...limited.map((m) => m.failureLimit)) : 0,
      'consecutive-error-limit': metrics.length ? Math.min(...metrics.map((m) => m.consecutiveErrorLimit)) : 4,
      inconclusive: 'pause',
      'on-breach': 'rollback',
    };
    const head = `# From the Rollout "${r.parts.rollout}": gates run at every interval of every stage here, where Argo runs each\n# metric on its own schedule (interval, count, initialDelay) and counts per analysis run.\n`;
    return { text: head + stringify({ rollout: [plan] }, { lineWidth: 0 }), warnings };
  }
  if (format === 'flagger') {
    const r = flaggerParts(read(files));
    if (!r.ok) throw new InputError(r.problems);
    const warnings = [...r.warnings];
    const p = r.parts;
    // Blue/green keeps every user on the primary until promotion; A/B exposes the users its match selects.
    const weights = p.strategy === 'blue-green' ? [0] : p.strategy === 'ab-testing' ? [50] : p.weights;
    if (p.strategy === 'ab-testing') warnings.push(`the Canary "${p.canary}": the users its analysis.match selects are written as 50% of users: set the first stage's "to" to the share that matches`);
    const plan = {
      flag,
      stages: [
        ...weights.map((w, i) => {
          const asks = (i === 0 ? p.approvals.rollout : null) ?? (p.iterations === null ? p.approvals.trafficIncrease : null);
          return { to: `${w}%`, hold: duration(p.intervalUs * (p.iterations ?? 1)), ...(asks ? { approval: approvalWanted(asks, warnings) } : {}) };
        }),
        { to: '100%', ...(p.approvals.promotion ? { approval: approvalWanted(p.approvals.promotion, warnings) } : {}) },
      ],
      'evaluate-every': duration(p.intervalUs),
      gates: p.checks.map((c) => ({ name: c.name, promql: c.gate.query.trim(), result: 'first', success: c.gate.success!.source })),
      'failure-limit': p.threshold - 1,
      'on-breach': 'rollback',
    };
    const head = `# From the Canary "${p.canary}" (target ${p.target}, namespace ${p.namespace}): Flagger counts failed checks over\n# the whole analysis and halts the weight while a check fails; this plan counts failures per stage.\n`;
    return { text: head + stringify({ rollout: [plan] }, { lineWidth: 0 }), warnings };
  }
  throw new InputError([`import: unknown format "${format}": argo or flagger`]);
}
