/**
 * A Rollout's canary steps as stages, as the controller walks them (rollout/canary.go completedCurrentCanaryStep
 * in argoproj/argo-rollouts): setWeight sets the canary's share (out of trafficRouting.maxTrafficWeight, 100 by
 * default) and begins a stage; `pause: {duration}` holds it (a bare number is seconds); `pause: {}` ends only
 * when someone promotes the rollout (rollout/pause.go CompletedCanaryPauseStep: no timeout), so the next stage
 * waits for an approval; an analysis step runs after the stage's hold and the rollout goes on only once its run
 * is Successful. Steps that rehearse does not simulate (experiment, plugin, setCanaryScale, setHeaderRoute,
 * setMirrorRoute) complete at once, as the walk of the fields warns; a header route that takes every request
 * (header-routes.ts) holds the stages it spans at 100%. After the last step the rollout is fully promoted: a final
 * stage at 100%.
 */
import { parseGoDuration } from '../../units/go-duration.js';
import type { AnalysisSpec } from '../../scenario/types.js';
import { get, pathText, where, type Path, type Resource } from '../kube/resources.js';

export interface ArgoStage {
  readonly percent: number;
  readonly holdUs: number;
  /** Where the resource asks for a promotion before this stage (a `pause: {}` step, spec.paused), or null. */
  readonly approval: string | null;
  /** An analysis step run after the hold; the stage ends when it succeeds. */
  readonly analysis: AnalysisSpec | null;
  /** Indices of the Argo steps this stage stands for. */
  readonly steps: readonly number[];
}

/** Where a step falls in the stages: the stage, and the time into its hold when the step is reached. */
export interface StepPlace {
  readonly stage: number;
  readonly afterUs: number;
}

export const STEP_KINDS = ['setWeight', 'pause', 'analysis', 'experiment', 'plugin', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute'] as const;
const EXCLUSIVE_STEP_KINDS = ['setWeight', 'pause', 'experiment', 'analysis'] as const;

interface StepsContext {
  readonly rollout: Resource;
  readonly maxWeight: number;
  /** Per step: whether a header route then sends every request to the canary (header-routes.ts): 100% while it holds. */
  readonly everyRequest?: readonly boolean[];
  problem(path: Path, message: string): void;
  analysis(ref: unknown, path: Path, name: string): AnalysisSpec | null;
}

/** The longest pause Argo holds: DurationSeconds is an int32 of seconds (about 68 years). */
const MAX_PAUSE_SECONDS = 2 ** 31 - 1;

/**
 * Seconds (a number or digits) or a Go duration, as types.go RolloutPause.DurationSeconds reads a pause (an int32:
 * digits by strconv.ParseInt(s, 10, 32), else time.ParseDuration in whole seconds); null if invalid, or longer
 * than an int32 of seconds holds (Argo reads no such pause: the API server refuses the number, ParseInt the digits,
 * and a longer Go duration converts to no defined int32).
 */
function pauseSeconds(v: unknown): number | null {
  const within = (x: number) => (x <= MAX_PAUSE_SECONDS ? x : null);
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? within(v) : null;
  if (typeof v !== 'string') return null;
  if (/^\d+$/.test(v)) return within(Number(v));
  // int32(d.Seconds()) of Go's time.ParseDuration; a negative pause is refused, as before.
  const d = parseGoDuration(v);
  return d.ok && d.value >= 0n ? within(Math.trunc(Number(d.value) / 1e9)) : null;
}

export function readSteps(ctx: StepsContext, steps: readonly unknown[], stepsPath: Path): { stages: ArgoStage[]; places: StepPlace[] } {
  const ro = ctx.rollout;
  const stages: { percent: number; holdUs: number; approval: string | null; analysis: AnalysisSpec | null; steps: number[]; closed: boolean }[] = [];
  let weight = 0;
  // spec.paused: the rollout waits for a resume before its first step, as at a `pause: {}`.
  let pendingApproval: string | null = get(ro.value, 'spec', 'paused') === true ? `${where(ro, ['spec', 'paused'])}: spec.paused` : null;
  let everyRequest = false;
  const current = () => {
    const last = stages[stages.length - 1];
    if (last && !last.closed) return last;
    const s = { percent: everyRequest ? 100 : weight, holdUs: 0, approval: pendingApproval, analysis: null, steps: [] as number[], closed: false };
    pendingApproval = null;
    stages.push(s);
    return s;
  };
  const close = () => {
    const last = stages[stages.length - 1];
    if (last) last.closed = true;
  };
  const places: StepPlace[] = [];
  steps.forEach((step, i) => {
    const sp: Path = [...stepsPath, i];
    // A header route that takes every request begins or ends here: a new stage from this step.
    if ((ctx.everyRequest?.[i] ?? false) !== everyRequest) {
      close();
      everyRequest = !everyRequest;
    }
    const keys = step !== null && typeof step === 'object' && !Array.isArray(step) ? Object.keys(step) : [];
    const kinds = keys.filter((k) => (STEP_KINDS as readonly string[]).includes(k));
    // Argo refuses a step with two of setWeight, pause, experiment and analysis (validation.go
    // hasMultipleStepsType); setCanaryScale, setHeaderRoute, setMirrorRoute and plugin go beside any of them.
    const exclusive = kinds.filter((k) => (EXCLUSIVE_STEP_KINDS as readonly string[]).includes(k));
    if (exclusive.length > 1) ctx.problem(sp, `a step does one of setWeight, pause, experiment and analysis (${exclusive.join(' and ')} here): Argo refuses the Rollout`);
    const kind = exclusive[0] ?? kinds[0];
    if (kind === 'setWeight') {
      // An int32 in the CRD: text, true or 20.5 is no weight the API server takes.
      const raw = get(step, 'setWeight');
      const w = typeof raw === 'number' && Number.isInteger(raw) ? raw : NaN;
      if (!(w >= 0 && w <= ctx.maxWeight)) ctx.problem([...sp, 'setWeight'], `a weight is a whole number from 0 to ${ctx.maxWeight}${ctx.maxWeight !== 100 ? ' (trafficRouting.maxTrafficWeight)' : ''}`);
      close();
      weight = (w / ctx.maxWeight) * 100;
      places[i] = { stage: stages.length, afterUs: 0 };
      current().steps.push(i);
    } else if (kind === 'pause' && get(step, 'pause', 'duration') === undefined) {
      // Reached at the end of the stage before it; the next stage waits for a promotion. A wait at a share no
      // stage holds yet gets a stage of its own: after another pause: {} with nothing between (each waits for a
      // promotion of its own, rollout/pause.go), or where a header route began or ended since (header-routes.ts).
      const before = stages[stages.length - 1];
      const share = everyRequest ? 100 : weight;
      if (pendingApproval !== null || (before ? before.closed && before.percent !== share : share !== 0)) current();
      const last = stages[stages.length - 1];
      places[i] = last ? { stage: stages.length - 1, afterUs: last.holdUs } : { stage: 0, afterUs: 0 };
      close();
      pendingApproval = `${where(ro, [...sp, 'pause'])}: ${pathText([...sp, 'pause'])}`;
    } else if (kind === 'pause') {
      const d = get(step, 'pause', 'duration');
      const seconds = pauseSeconds(d);
      if (seconds === null) ctx.problem([...sp, 'pause', 'duration'], `${JSON.stringify(d)} is not a duration Argo reads: a number of seconds, or a Go duration ("30s", "5m"), up to ${MAX_PAUSE_SECONDS} s (an int32 of seconds)`);
      let s = current();
      if (s.analysis) {
        s.closed = true;
        s = current();
      }
      places[i] = { stage: stages.length - 1, afterUs: s.holdUs };
      s.holdUs += (seconds ?? 0) * 1e6;
      s.steps.push(i);
    } else if (kind === 'analysis') {
      let s = current();
      if (s.analysis) {
        s.closed = true;
        s = current();
      }
      places[i] = { stage: stages.length - 1, afterUs: s.holdUs };
      const name = get(step, 'analysis', 'name');
      s.analysis = ctx.analysis(get(step, 'analysis'), [...sp, 'analysis'], `step ${i + 1} analysis${name ? ` ${String(name)}` : ''}`);
      s.steps.push(i);
    } else {
      // Not simulated (the walk of the fields warns): the step completes at once.
      const s = stages[stages.length - 1];
      places[i] = s && !s.closed ? { stage: stages.length - 1, afterUs: s.holdUs } : { stage: stages.length, afterUs: 0 };
    }
  });
  // The rollout ends fully promoted.
  if (stages.length === 0 || stages[stages.length - 1].percent !== 100 || pendingApproval !== null) {
    close();
    weight = 100;
    current();
  }
  return { stages: stages.map(({ closed: _, ...s }) => s), places };
}
