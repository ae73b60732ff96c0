/**
 * The debrief of a drill: the drill document (schema "rehearse/drill@1": the record that replays, the team's
 * run result and the automated policy's run of the same scenario and seed over the same simulated time) and
 * its HTML page, in the run report's self-contained style. Pure: takes a finished session, returns data.
 */
import type { GateMode } from '../rollout/controller.js';
import { RolloutController } from '../rollout/controller.js';
import { Simulation } from '../model/simulation.js';
import { buildResult, type RunResult } from '../score/result.js';
import { escape, htmlPage, type Chart } from '../report/html/page.js';
import { clock, duration } from '../units/format.js';
import { VERSION } from '../version.js';
import { describeAction, type RecordedAction } from './actions.js';
import { loadDrillScenario, type DrillSession, type FaultInput } from './session.js';

export interface SideFigures {
  outcome: string;
  final_percent: number;
  blast_radius_users: number;
  blast_radius_requests: number;
  time_to_detect_seconds: number | null;
  time_to_recover_seconds: number | null;
  acted_seconds: number | null;
}

export interface DrillDocument {
  schema: 'rehearse/drill@1';
  version: string;
  scenario: { file: string; name: string; seed: number; case: string | null; hiddenCase: boolean; gates: GateMode };
  ended: { atUs: number; seconds: number; reason: DrillSession['endReason'] };
  adhocFaults: FaultInput[];
  actions: RecordedAction[];
  /** What people could not see during the drill. */
  revealed: { case: string | null; hiddenFaults: { name: string; kind: string; target: string; from_seconds: number | null; to_seconds: number | null; journeys_hurt: number }[] };
  /** Per flag: the team's figures beside the automated policy's, and when people first acted on the flag. */
  comparison: {
    flag: string;
    defective: boolean;
    firstPersonActionSeconds: number | null;
    team: SideFigures;
    policy: SideFigures;
    better: 'team' | 'policy' | 'tie';
  }[];
  errorBudgetBurned: { team: number; policy: number };
  journeysFailed: { team: number; policy: number };
  team: RunResult;
  policy: RunResult;
}

/** The automated policy alone (gates on, no people) on the drill's scenario and seed, to the drill's end. */
export function policyRun(file: string, caseName: string | null, seed: number, endUs: number): RunResult {
  const base = loadDrillScenario(file, caseName, []);
  const scenario = { ...base, durationUs: Math.min(base.durationUs, endUs) };
  const sim = new Simulation(scenario, seed);
  const controller = scenario.rollouts.length > 0 ? new RolloutController(scenario) : null;
  if (controller) sim.attach(controller);
  return buildResult(scenario, seed, sim.run(), controller, null);
}

function side(r: RunResult, flag: string): SideFigures {
  const o = r.outcomes.flags[flag];
  return {
    outcome: o.outcome, final_percent: o.final_percent, blast_radius_users: o.blast_radius_users, blast_radius_requests: o.blast_radius_requests,
    time_to_detect_seconds: o.time_to_detect_seconds, time_to_recover_seconds: o.time_to_recover_seconds, acted_seconds: o.acted_seconds,
  };
}

export function drillDocument(session: DrillSession): DrillDocument {
  const team = session.result();
  const s = session.setup;
  const policy = policyRun(s.file, s.caseName, s.seed, session.endedUs!);
  const comparison = Object.keys(team.outcomes.flags).map((flag) => {
    const t = side(team, flag);
    const p = side(policy, flag);
    const defective = team.outcomes.flags[flag].defective || policy.outcomes.flags[flag].defective;
    const onset = team.outcomes.flags[flag].onset_seconds;
    const first = session.actions.find((a) => a.refused === null && a.action.type === 'plan' && a.action.flag === flag
      && (a.action.op === 'rollback' || a.action.op === 'pause') && (onset === null || a.atUs / 1e6 >= onset));
    // Fewer users hurt wins; on a tie, the rollout that went further (a false rollback costs the release).
    const better = t.blast_radius_users !== p.blast_radius_users
      ? (t.blast_radius_users < p.blast_radius_users ? 'team' : 'policy')
      : t.final_percent !== p.final_percent && !defective ? (t.final_percent > p.final_percent ? 'team' : 'policy') : 'tie';
    return { flag, defective, firstPersonActionSeconds: first ? first.atUs / 1e6 : null, team: t, policy: p, better } as const;
  });
  const hiddenFaults = session.scenario.faults.flatMap((f) => {
    const o = team.outcomes.faults.find((x) => x.name === f.name);
    // Catalogue faults nobody injected are not part of the drill.
    return !f.hidden || (f.start.kind === 'manual' && !o) ? [] : [{
      name: f.name, kind: f.kind, target: `${f.from ? `${f.from} -> ` : ''}${f.to}${f.endpoint ? `.${f.endpoint}` : ''}`,
      from_seconds: o?.from_seconds ?? null, to_seconds: o?.to_seconds ?? null, journeys_hurt: o?.journeys_hurt ?? 0,
    }];
  });
  return {
    schema: 'rehearse/drill@1',
    version: VERSION,
    scenario: { file: s.file, name: session.scenario.name, seed: s.seed, case: s.caseName, hiddenCase: s.hiddenCase, gates: s.gates },
    ended: { atUs: session.endedUs!, seconds: session.endedUs! / 1e6, reason: session.endReason },
    adhocFaults: [...session.adhoc],
    actions: session.actions,
    revealed: { case: s.caseName, hiddenFaults },
    comparison: comparison.map((c) => ({ ...c })),
    errorBudgetBurned: { team: team.outcomes.error_budget_burned, policy: policy.outcomes.error_budget_burned },
    journeysFailed: { team: team.outcomes.journeys_failed, policy: policy.outcomes.journeys_failed },
    team,
    policy,
  };
}

/** A moment of the drill on the simulated clock (7m00s), as every report says it; '-' when there is none. */
const at = (s: number | null) => (s === null ? '-' : clock(s));

export function drillHtml(d: DrillDocument): string {
  const charts: Chart[] = [];
  const windowSeries = (r: RunResult, who: string, pick: (w: number) => Record<string, number>) =>
    r.windows.startSeconds.flatMap((t, w) => Object.entries(pick(w)).map(([series, value]) => ({ t, who, series, value })));
  const exposure = [d.team, d.policy].flatMap((r, i) => windowSeries(r, i === 0 ? 'team' : 'policy', (w) => Object.fromEntries(
    Object.entries(r.windows.flags).map(([flag, x]) => [flag, x.on[w] + x.off[w] > 0 ? x.on[w] / (x.on[w] + x.off[w]) : 0]))));
  const failed = [d.team, d.policy].flatMap((r, i) => windowSeries(r, i === 0 ? 'team' : 'policy', (w) => Object.fromEntries(
    Object.entries(r.windows.journeys).map(([j, x]) => [j, x.requests[w] > 0 ? x.errors[w] / x.requests[w] : 0]))));
  const actionsAt = d.actions.filter((a) => a.refused === null && a.action.type !== 'speed' && a.action.type !== 'clock')
    .map((a) => ({ t: a.atUs / 1e6, what: describeAction(a.action), by: a.by }));
  const line = (title: string, values: unknown[], y: string) => ({
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 200,
      layer: [
        { data: { values }, mark: { type: 'line', interpolate: 'step-after' }, encoding: {
          x: { field: 't', type: 'quantitative', title: 'simulated seconds' }, y: { field: 'value', type: 'quantitative', title: y },
          color: { field: 'series', type: 'nominal', title: null }, strokeDash: { field: 'who', type: 'nominal', title: 'run', scale: { domain: ['team', 'policy'] } },
        } },
        { data: { values: actionsAt }, mark: { type: 'rule', color: '#8b1a1a' }, encoding: { x: { field: 't', type: 'quantitative' }, tooltip: [{ field: 'what' }, { field: 'by' }] } },
      ],
    },
  });
  charts.push(line('Exposure per flag: the team (solid) and the policy alone (dashed); red rules: people\'s actions', exposure, 'share of journeys with the flag on'));
  charts.push(line('Journey error rates: the team and the policy alone', failed, 'error rate'));
  const rows = (cells: unknown[][]) => cells.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  const cmp = d.comparison.map((c) => [
    c.flag, c.defective ? 'yes' : 'no', c.better,
    `${c.team.outcome} at ${c.team.final_percent}%`, `${c.policy.outcome} at ${c.policy.final_percent}%`,
    `${c.team.blast_radius_users} / ${c.policy.blast_radius_users}`,
    `${duration(c.team.time_to_detect_seconds)} / ${duration(c.policy.time_to_detect_seconds)}`,
    `${duration(c.team.time_to_recover_seconds)} / ${duration(c.policy.time_to_recover_seconds)}`,
    at(c.firstPersonActionSeconds),
  ]);
  const teamWon = d.comparison.filter((c) => c.better === 'team').length;
  const policyWon = d.comparison.filter((c) => c.better === 'policy').length;
  const verdict = teamWon > policyWon ? 'The team beat the policy' : policyWon > teamWon ? 'The policy beat the team' : 'The team and the policy tied';
  const body = `
<h1>Game-day debrief: ${escape(d.scenario.name)}</h1>
<p class="meta">seed ${escape(d.scenario.seed)} · case <strong>${escape(d.revealed.case ?? 'base scenario')}</strong>${d.scenario.hiddenCase ? ' (hidden during the drill)' : ''} · gates ${escape(d.scenario.gates)} · ended at ${escape(at(d.ended.seconds))} (${escape(d.ended.reason)}) · rehearse ${escape(d.version)}</p>
<p><span class="verdict${policyWon > teamWon ? ' fail' : ''}">${escape(verdict)}</span></p>
<div class="summary">
<p>Error budget burned: team ${escape((d.errorBudgetBurned.team * 100).toFixed(1))}%, policy alone ${escape((d.errorBudgetBurned.policy * 100).toFixed(1))}%. Failed journeys: team ${escape(d.journeysFailed.team)}, policy alone ${escape(d.journeysFailed.policy)}.</p>
</div>
<h2>Team and policy, side by side</h2>
<table><thead><tr><th>flag</th><th>defective</th><th>better</th><th>team</th><th>policy alone</th><th>users hurt (team / policy)</th><th>time to detect</th><th>time to mitigate</th><th>first person's action</th></tr></thead>
<tbody>${rows(cmp)}</tbody></table>
<chart-0/>
<chart-1/>
<h2>Revealed</h2>
<p>The case: <strong>${escape(d.revealed.case ?? 'base scenario')}</strong>.</p>
${d.revealed.hiddenFaults.length ? `<table><thead><tr><th>hidden fault</th><th>kind</th><th>target</th><th>from</th><th>to</th><th>journeys hurt</th></tr></thead><tbody>${rows(d.revealed.hiddenFaults.map((f) => [f.name, f.kind, f.target, at(f.from_seconds), at(f.to_seconds), f.journeys_hurt]))}</tbody></table>` : '<p>No hidden faults.</p>'}
<h2>People's actions</h2>
<table><thead><tr><th>sim time</th><th>wall time</th><th>who</th><th>what</th><th>result</th><th>config version</th></tr></thead>
<tbody>${rows(d.actions.map((a) => [at(a.atUs / 1e6), a.wallTime, a.by, describeAction(a.action), a.refused ?? 'done', a.configVersion ?? '']))}</tbody></table>
<h2>Audit trail (decisions)</h2>
<div class="audit"><table><thead><tr><th>sim time</th><th>flag</th><th>actor</th><th>action</th><th>stage</th><th>%</th><th>config</th><th>reason</th></tr></thead>
<tbody>${rows(d.team.audit.filter((a) => a.event === 'decision' || a.event === 'wait').map((a) => [at(a.timeSeconds), a.flag, a.by ? `${a.actor} (${a.by})` : a.actor, a.action ?? a.event, a.stage === undefined ? '' : a.stage + 1, a.percent ?? '', `v${a.configVersion}`, a.reason ?? '']))}</tbody></table></div>
`;
  return htmlPage(`Game-day debrief: ${d.scenario.name}`, body, charts);
}
