/**
 * A CI run: every scenario of a directory, each case of each, judged by its acceptance criteria. The report
 * is plain data ("rehearse/ci@1"); the JUnit, Markdown and terminal writers take only it, and an earlier
 * report serves as a baseline to flag outcomes that got worse.
 */
import type { FlagOutcome } from './outcomes.js';
import type { RunResult } from './result.js';

export interface CiCase {
  scenario: string;
  file: string;
  case: string | null;
  status: 'passed' | 'failed' | 'invalid' | 'crashed';
  /** Why it failed: the failed criteria, the validation problems, or the crash. */
  messages: string[];
  seconds: number;
  acceptance: RunResult['acceptance'];
  flags: Record<string, Pick<FlagOutcome, 'outcome' | 'final_percent' | 'defective' | 'blast_radius_users' | 'blast_radius_requests' | 'time_to_detect_seconds' | 'false_rollback' | 'missed_defect' | 'misattribution'>>;
  errorBudgetBurned: number | null;
  regressions: string[];
  /** The HTML report of this case, relative to the index, when ci wrote them. */
  page?: string;
}

export interface CiReport {
  schema: 'rehearse/ci@1';
  version: string;
  passed: boolean;
  counts: { cases: number; passed: number; failed: number; invalid: number; crashed: number };
  cases: CiCase[];
  /** Wall-clock figures: not part of the results, never compared. */
  timing: { seconds: number };
}

export function caseFromResult(file: string, r: RunResult, seconds: number): CiCase {
  const failed = r.acceptance.filter((a) => !a.pass);
  return {
    scenario: r.scenario.name,
    file,
    case: r.scenario.case,
    status: r.passed ? 'passed' : 'failed',
    messages: failed.map((a) => `${a.criterion}: ${a.value === null ? (a.note ?? 'no value') : a.value}${a.note && a.value !== null ? ` (${a.note})` : ''}`),
    seconds,
    acceptance: r.acceptance,
    flags: Object.fromEntries(Object.entries(r.outcomes.flags).map(([k, f]) => [k, {
      outcome: f.outcome, final_percent: f.final_percent, defective: f.defective, blast_radius_users: f.blast_radius_users,
      blast_radius_requests: f.blast_radius_requests, time_to_detect_seconds: f.time_to_detect_seconds,
      false_rollback: f.false_rollback, missed_defect: f.missed_defect, misattribution: f.misattribution,
    }])),
    errorBudgetBurned: r.outcomes.error_budget_burned,
    regressions: [],
  };
}

/** Outcomes worse than the baseline's for the same scenario, case and flag. */
export function compareWithBaseline(current: CiCase[], baseline: CiReport): void {
  for (const c of current) {
    const b = baseline.cases.find((x) => x.scenario === c.scenario && x.case === c.case);
    if (!b) continue;
    if (b.status === 'passed' && c.status !== 'passed') c.regressions.push(`was passing, now ${c.status}`);
    for (const [flag, now] of Object.entries(c.flags)) {
      const was = b.flags[flag];
      if (!was) continue;
      const grew = (key: 'blast_radius_users' | 'blast_radius_requests' | 'time_to_detect_seconds', unit: string) => {
        const x = was[key], y = now[key];
        if (x !== null && y !== null && y > x * 1.1 && y - x >= 1) c.regressions.push(`${flag} ${key.replace(/_/g, ' ')}: ${x}${unit} → ${y}${unit}`);
      };
      grew('blast_radius_users', '');
      grew('blast_radius_requests', '');
      grew('time_to_detect_seconds', 's');
      for (const key of ['false_rollback', 'missed_defect', 'misattribution'] as const) {
        if (!was[key] && now[key]) c.regressions.push(`${flag}: ${key.replace(/_/g, ' ')} (not in the baseline)`);
      }
    }
    if (b.errorBudgetBurned !== null && c.errorBudgetBurned !== null && c.errorBudgetBurned > b.errorBudgetBurned * 1.1 + 0.01) {
      c.regressions.push(`error budget burned: ${(b.errorBudgetBurned * 100).toFixed(1)}% → ${(c.errorBudgetBurned * 100).toFixed(1)}%`);
    }
  }
}

export function ciReport(cases: CiCase[], version: string, seconds: number): CiReport {
  const count = (s: CiCase['status']) => cases.filter((c) => c.status === s).length;
  return {
    schema: 'rehearse/ci@1',
    version,
    passed: cases.every((c) => c.status === 'passed'),
    counts: { cases: cases.length, passed: count('passed'), failed: count('failed'), invalid: count('invalid'), crashed: count('crashed') },
    cases,
    timing: { seconds },
  };
}

export const caseName = (c: Pick<CiCase, 'scenario' | 'case'>) => (c.case ? `${c.scenario} [${c.case}]` : c.scenario);
