/**
 * `rehearse import argo|flagger FILES...`: the native rehearse plan closest to the resources, for people who
 * want to edit it. An Argo Rollout's analysis runs keep every metric's schedule and limits (stages' `analysis`,
 * `background-analysis`). Flagger's per-check counting has no exact native form: the plan evaluates every gate
 * at one interval and counts failures per stage, which the printed comment says.
 */
import { readInput } from '../files/read.js';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';
import { toScenarioParts as argoParts, type ArgoAnalysis } from '../interop/argo/index.js';
import { toScenarioParts as flaggerParts } from '../interop/flagger/index.js';
import { oneLine, quoted } from '../units/escape.js';

function read(files: string[]) {
  return files.map((file) => ({ file, text: readInput(file, 'resource') }));
}

const duration = (us: number) => {
  if (us === 0) return '0s';
  if (us % 1000 !== 0) return `${us}us`;
  if (us % 1e6 !== 0) return `${us / 1000}ms`;
  const s = us / 1e6;
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
};

/** A signed offset from the measurement, for a range query. */
const offset = (us: number) => (us < 0 ? `-${duration(-us)}` : duration(us));

/**
 * An analysis run in rehearse's own format (scenario/schema-analysis.ts): every field of each metric as the
 * controller resolved it (args substituted, dryRun rules matched), so that the plan judges as the Rollout does.
 */
function analysisRun(a: ArgoAnalysis) {
  return {
    name: a.name,
    metrics: a.metrics.map((m) => ({
      name: m.template ? `${m.template}/${m.name}` : m.name,
      ...(m.gate
        ? {
          promql: m.gate.query,
          ...(m.gate.range ? { range: { from: offset(m.gate.range.fromUs), to: offset(m.gate.range.toUs), step: duration(m.gate.range.stepUs) } } : {}),
          result: m.gate.result,
          ...(m.gate.success ? { success: m.gate.success.source } : {}), ...(m.gate.failure ? { failure: m.gate.failure.source } : {}),
        }
        : { provider: m.provider }),
      ...(m.intervalUs !== null ? { interval: duration(m.intervalUs) } : {}),
      ...(m.initialDelayUs > 0 ? { 'initial-delay': duration(m.initialDelayUs) } : {}),
      ...(m.count !== null ? { count: m.count } : {}),
      'failure-limit': m.failureLimit,
      'inconclusive-limit': m.inconclusiveLimit,
      'consecutive-error-limit': m.consecutiveErrorLimit,
      'consecutive-success-limit': m.consecutiveSuccessLimit,
      ...(m.dryRun ? { 'dry-run': true } : {}),
    })),
  };
}

/** A stage that waits for a promotion: who approves, and when, is for the person editing the plan to say. */
const APPROVAL_WANTED = 'who promotes, after how long? (e.g. 30m)';
function approvalWanted(from: string, warnings: string[]): string {
  warnings.push(`${from}: waits for a promotion: the plan's approval says ${quoted(APPROVAL_WANTED)} until you give the approver's delay`);
  return APPROVAL_WANTED;
}

/**
 * `service`: the scenario's service that runs the Rollout (as a scenario's argo.service); by default the Rollout's
 * own name, the first the scenario's argo: entry looks for (a workloadRef's name is the other). `rollout`: the
 * Rollout (argo, --rollout) or the Canary (flagger, --canary) to import where the files hold several.
 */
export function importCommand(format: string, files: string[], flag: string, args: Readonly<Record<string, string>> = {}, service?: string, rollout?: string): { text: string; warnings: string[] } {
  // Written into the plan as given: an empty one made a plan whose flag or service names nothing, exit 0.
  if (flag.trim() === '') throw new InputError([`--flag ${JSON.stringify(flag)}: an empty flag key (a variable that is not set?): give the key of the flag the plan rolls out`]);
  if (service !== undefined && service.trim() === '') throw new InputError([`--service ${JSON.stringify(service)}: an empty service name (a variable that is not set?): give the scenario's service that runs the Rollout, or leave --service out for the Rollout's name`]);
  if (format === 'argo') {
    const r = argoParts(read(files), { args, ...(rollout === undefined ? {} : { rollout: { name: rollout, from: '--rollout' } }) });
    if (!r.ok) throw new InputError(r.problems);
    const warnings = [...r.warnings];
    const analyses: ArgoAnalysis[] = [...(r.parts.background ? [r.parts.background.analysis] : []), ...r.parts.stages.flatMap((s) => (s.analysis ? [s.analysis] : []))];
    // A run the controller ends in Error before measuring (analysis/analysis.go reconcileAnalysisRun) aborts the
    // rollout there: a plan whose analyses measure would rehearse another release. The warnings say where.
    const invalid = analyses.filter((a) => a.invalid !== null).map((a) => a.invalid!);
    if (invalid.length) throw new InputError([...new Set(invalid.flatMap((why) => warnings.filter((w) => w.includes(why))))]);
    // analysis/analysis.go garbageCollectMeasurements trims the measurements an AnalysisRun's status lists after
    // they are counted: no verdict reads them, and the plan's audit keeps every one.
    for (const w of r.parts.retentionRules) warnings.push(`${w}: not carried into the plan: it sets how many measurements the AnalysisRun's status keeps, which decides no verdict (the rehearsal's audit keeps them all)`);
    const bg = r.parts.background;
    const { traffic, hashes, workloads } = r.parts;
    const picked = r.parts.rollout;
    // scenario/imported.ts joinImported: the argo: entry takes the service named like the Rollout, else like its
    // workloadRef; the plan names one, so say which, and the other the Rollout gives.
    const runs = service ?? workloads[0];
    const others = workloads.filter((w) => w !== runs);
    if (service === undefined && others.length > 0) warnings.push(`the Rollout ${quoted(picked)}: pods.service is written as ${quoted(runs)}, the Rollout's name; its workloadRef names ${others.map((o) => quoted(o)).join(', ')}: if the scenario's service is named so, write that (or give --service ${others[0]}), as its argo: entry would find it`);
    const plan = {
      flag,
      // rollout/service.go: canaryService selects the canary pods, stableService the stable ones, each ReplicaSet
      // with its pod-template hash (the args of podTemplateHashValue hold the same): the scenario's service that
      // runs the Rollout is --service, else named like the Rollout; the pods' workload is the Rollout's own
      // (rollout/replicaset.go names each ReplicaSet after it, a workloadRef's too).
      // How the controller's router splits each weight (interop/argo/split.ts).
      split: r.parts.splitBy,
      pods: {
        service: runs, workload: picked,
        canary: { ...(traffic.canaryService ? { service: traffic.canaryService } : {}), hash: hashes.canary },
        stable: { ...(traffic.stableService ? { service: traffic.stableService } : {}), hash: hashes.stable },
      },
      stages: r.parts.stages.map((s) => ({
        to: `${s.percent}%`, ...(s.holdUs > 0 ? { hold: duration(s.holdUs) } : {}), ...(s.approval ? { approval: approvalWanted(s.approval, warnings) } : {}),
        ...(s.analysis ? { analysis: analysisRun(s.analysis) } : {}),
      })),
      ...(bg ? { 'background-analysis': { stage: bg.startStage + 1, ...(bg.startAfterUs > 0 ? { after: duration(bg.startAfterUs) } : {}), ...analysisRun(bg.analysis) } } : {}),
    };
    const head = `# From the Rollout "${oneLine(picked)}": its steps as stages, its analysis runs with each metric's schedule and limits;\n# pods.service is the scenario's service that runs it${service === undefined ? ` (here named like the Rollout${others.length ? `; its workloadRef names ${others.map((o) => oneLine(o)).join(', ')}` : ''})` : ''}.\n`;
    return { text: head + stringify({ rollout: [plan] }, { lineWidth: 0 }), warnings: warnings.map(oneLine) };
  }
  if (format === 'flagger') {
    const r = flaggerParts(read(files), rollout === undefined ? {} : { canary: { name: rollout, from: '--canary' } });
    if (!r.ok) throw new InputError(r.problems);
    const warnings = [...r.warnings];
    const p = r.parts;
    // Blue/green keeps every user on the primary until promotion; A/B exposes the users its match selects.
    // A router that reads no match, or writes a match with no condition, sends every request to the canary during
    // an A/B analysis; one that writes none it reads (nginx without a header) sends none (routing.ts matchReach).
    const weights = p.strategy === 'blue-green' ? [0] : p.strategy === 'ab-testing' ? [p.abReaches === 'all' ? 100 : p.abReaches === 'none' ? 0 : 50] : p.weights;
    if (p.strategy === 'ab-testing' && p.abReaches === 'matching') warnings.push(`${p.matchAt ?? `the Canary ${quoted(p.canary)}`}: the users the match selects are written as 50% of users: set the first stage's "to" to the share that matches`);
    const plan = {
      flag,
      split: p.splitBy,
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
    const head = `# From the Canary "${oneLine(p.canary)}" (target ${oneLine(p.target)}, namespace ${oneLine(p.namespace)}): Flagger counts failed checks over\n# the whole analysis and halts the weight while a check fails; this plan counts failures per stage.\n`;
    return { text: head + stringify({ rollout: [plan] }, { lineWidth: 0 }), warnings: warnings.map(oneLine) };
  }
  throw new InputError([`import: unknown format ${quoted(format)}: argo or flagger`]);
}
