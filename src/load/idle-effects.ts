/**
 * A flag's change that changes nothing (`latency: x1`, `latency: +0ms`, `errors: +0%`, `percent: 0%`, an entry with
 * no latency, errors or calls): a case may write one to cancel what the scenario's own change does there, since a
 * case merges into the scenario key by key and cannot take a key away. Anywhere else it cancels nothing, and it was
 * written by mistake (a multiplier meant as x1.1, a placeholder left in): said, with its place and why.
 *
 * A new error rate (`errors: 0.05%`) sets the rate whatever the flags before it made it (model/flags.ts flagEffects:
 * flags in order, a new rate replacing the rate so far): one equal to the rate the endpoints already fail at changes
 * nothing where no flag before it (nor another change of its own flag there) changes their errors, and is said so.
 */
import type { Locate } from '../scenario/parse.js';
import { formatProblem, type PathSegment } from '../scenario/problems.js';
import type { ScenarioInput } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { patchAt } from '../scenario/validate.js';
import { parseDurationExact, parsePercent } from '../units/parse.js';

type Effect = NonNullable<NonNullable<ScenarioInput['flags']>[string]['when-on']>[string];
const FIELDS = ['latency', 'errors', 'percent'] as const;

/** Why a field's value changes nothing, or null when it changes something (`rate`: the rate a new rate would keep, or null). */
function idle(field: (typeof FIELDS)[number], value: unknown, rate: number | null): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (field === 'errors' && rate !== null && !text.startsWith('+')) {
    const set = parsePercent(text);
    if (set.ok && set.value === rate) return `errors ${text} is the rate the endpoints already fail at, and no flag before it changes their errors`;
  }
  if (field === 'latency' && text.startsWith('x') && Number(text.slice(1)) === 1) return `latency ${text} multiplies the time by 1`;
  if (field === 'latency' && text.startsWith('+')) {
    const added = parseDurationExact(text.slice(1));
    if (added.ok && added.value === 0) return `latency ${text} adds no time`;
  }
  if (field === 'errors' && text.startsWith('+') && Number(text.slice(1, -1)) === 0) return `errors ${text} adds no errors`;
  if (field === 'percent') {
    const share = parsePercent(value);
    if (share.ok && share.value === 0) return `percent ${text} applies the change to no call`;
  }
  return null;
}

/** Every change of every flag of the (merged) scenario: its path and what it says. */
function effectsOf(input: ScenarioInput): [PathSegment[], Effect][] {
  const out: [PathSegment[], Effect][] = [];
  for (const [key, flag] of Object.entries(input.flags ?? {})) {
    if (key === 'from' || !flag || typeof flag !== 'object') continue;
    const f = flag as NonNullable<ScenarioInput['flags']>[string];
    for (const [target, e] of Object.entries(f['when-on'] ?? {})) out.push([['flags', key, 'when-on', target], e]);
    for (const [variant, m] of Object.entries(f.when ?? {})) for (const [target, e] of Object.entries(m)) out.push([['flags', key, 'when', variant, target], e]);
  }
  return out;
}

/**
 * The warnings for the changes that change nothing in the scenario `input` (merged with case `caseName`, when given)
 * of the file `raw`: one the case writes is not warned when it takes the place of one of the scenario's that changes
 * something (it cancels that).
 */
export function idleEffectWarnings(raw: unknown, input: ScenarioInput, caseName: string | undefined, where: Locate, file: string, s: Scenario): string[] {
  const { cases, ...base } = raw as Record<string, unknown>;
  const patch = caseName === undefined || cases === null || typeof cases !== 'object' ? undefined : (cases as Record<string, unknown>)[caseName];
  const warnings: string[] = [];
  const say = (path: PathSegment[], message: string) => warnings.push(formatProblem(file, where(path, { path, message })));
  for (const [at, e] of effectsOf(input)) {
    const target = String(at[at.length - 1]);
    if (e.latency === undefined && e.errors === undefined && e.calls === undefined) {
      say(at, `names no latency, errors or calls: the flag changes nothing at ${target}; leave it out`);
      continue;
    }
    const rate = keptRate(s, at);
    for (const field of FIELDS) {
      const why = idle(field, e[field], rate);
      if (why === null) continue;
      const path = [...at, field];
      const { written, replaced } = patch === undefined ? { written: false, replaced: undefined } : patchAt(base, patch, path);
      if (!written) {
        say(path, `${why}: the flag changes nothing there; leave it out (a case may write it to cancel a change the scenario makes)`);
        continue;
      }
      // The case's value cancels the scenario's, unless that too changes nothing, or there is none.
      if (replaced !== undefined && idle(field, replaced, rate) === null) continue;
      say(path, `${why}, and cancels nothing: ${replaced === undefined ? `the scenario gives ${target} no ${field} change here` : `the scenario's ${field} ${String(replaced)} here changes nothing either`}; leave it out`);
    }
  }
  return warnings;
}

/**
 * The error rate every endpoint a change at `at` (flags.KEY.when-on.TARGET, or .when.VARIANT.TARGET) covers fails at
 * when nothing else changes it there: null where they differ, where one has a failure pattern (`error-every`), or
 * where a flag before this one, or another change of this one, changes the errors of one of them.
 */
function keptRate(s: Scenario, at: readonly PathSegment[]): number | null {
  const key = String(at[1]);
  const variant = at[2] === 'when' ? String(at[3]) : null;
  const target = String(at[at.length - 1]);
  const dot = target.indexOf('.');
  const [service, endpoint] = dot < 0 ? [target, null] : [target.slice(0, dot), target.slice(dot + 1)];
  const flag = s.flags.findIndex((f) => f.key === key);
  const covered = s.services.find((x) => x.name === service)?.endpoints.filter((e) => endpoint === null || e.name === endpoint) ?? [];
  if (flag < 0 || covered.length === 0 || covered.some((e) => e.errorEvery > 0 || e.errorRate !== covered[0].errorRate)) return null;
  const touches = (x: Scenario['flags'][number]['effects'][number]) =>
    x.service === service && (x.errorsSet !== null || x.errorsAdd !== 0) && covered.some((e) => x.endpoint === null || x.endpoint === e.name);
  const self = (x: Scenario['flags'][number]['effects'][number]) => x.endpoint === endpoint && x.variant === variant;
  const changed = s.flags.slice(0, flag + 1).some((f, i) => f.effects.some((x) => touches(x) && (i < flag || !self(x))));
  return changed ? null : covered[0].errorRate;
}
