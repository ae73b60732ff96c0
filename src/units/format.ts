/**
 * How every report says a number: durations with units, percentages, plurals, the error budget as a multiple
 * once it is overspent. The terminal, Markdown and HTML writers all take their words
 * from here, so that "1m27s" reads the same everywhere.
 */
/** A number to at most `digits` decimals, no trailing zeros (the game-day page runs a copy: live/page-format.ts). */
export const trim = (x: number, digits: number) => String(+x.toFixed(digits));

/** A duration in seconds, at the precision a person reads it: 250ms, 4.2s, 43.1s, 1m27s, 1h05m, 2d3h. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '-';
  if (seconds === Infinity) return 'never';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0s';
  if (s < 1) return `${sign}${trim(s * 1000, s < 0.01 ? 2 : s < 0.1 ? 1 : 0)}ms`;
  if (s < 60) return `${sign}${trim(s, s < 10 ? 2 : 1)}s`;
  const whole = Math.round(s);
  if (whole < 3600) {
    const m = Math.floor(whole / 60), sec = whole % 60;
    return `${sign}${m}m${sec ? `${String(sec).padStart(2, '0')}s` : ''}`;
  }
  if (whole < 86400) {
    const h = Math.floor(whole / 3600), m = Math.round((whole % 3600) / 60);
    return m === 60 ? `${sign}${h + 1}h` : `${sign}${h}h${m ? `${String(m).padStart(2, '0')}m` : ''}`;
  }
  const d = Math.floor(whole / 86400), h = Math.round((whole % 86400) / 3600);
  return `${sign}${d}d${h ? `${h}h` : ''}`;
}

/** A moment of the simulated clock, to the second: 0m00s, 31m33s, 1h05m00s. */
export function clock(seconds: number): string {
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s` : `${m}m${String(sec).padStart(2, '0')}s`;
}

/** A latency in milliseconds: 2.54ms, 42.0ms, 261ms, 1.25s. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  if (value >= 1000) return `${trim(value / 1000, 2)}s`;
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)}ms`;
}

/** A fraction as a percentage with digits enough to tell small shares apart: 0.04%, 1.5%, 31.5%, 100%. */
export function percent(fraction: number | null | undefined, digits?: number): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '-';
  const p = fraction * 100;
  if (digits !== undefined) return `${p.toFixed(digits)}%`;
  if (p === 0) return '0%';
  const abs = Math.abs(p);
  return `${trim(p, abs < 0.1 ? 3 : abs < 1 ? 2 : abs < 10 ? 1 : abs < 100 ? 1 : 0)}%`;
}

/**
 * The error budget spent, as every report, the game-day page and the debrief say it after "error budget: ": a
 * share while some is left ("31.5% consumed"), and once it is overspent, that it is exhausted and by how many
 * times ("exhausted (130x the budget)"), never a percentage in the thousands that reads like an overflow.
 */
export function budget(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '-';
  if (fraction <= 1) return `${percent(fraction, 1)} consumed`;
  const times = fraction < 10 ? trim(fraction, 2) : fraction < 100 ? trim(fraction, 1) : count(Math.round(fraction));
  return `exhausted (${times}x the budget)`;
}

/** A whole count with thousands separators: 1,079,934. */
export function count(n: number): string {
  // By hand: the first toLocaleString call loads ICU's locale data, tens of milliseconds at start-up.
  if (!Number.isFinite(n)) return String(n);
  const [whole, fraction] = String(Math.abs(n)).split('.');
  return `${n < 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** "1 service", "2 services", "1,024 users"; irregular plurals passed in. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : many}`;
}

/** A number at a sensible precision: 4 significant digits, no trailing zeros. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return count(x);
  return String(+x.toPrecision(digits));
}

const DURATION_METRIC = /^time_to_/;
const BOOLEAN_METRIC = /^(false_rollback|missed_defect|misattribution|detected)\b/;

/** An acceptance criterion's value in its metric's unit: durations, the budget, percent, yes/no, counts. */
export function criterionValue(criterion: string, value: number): string {
  const metric = criterion.trim().match(/^[a-z_]+/)?.[0] ?? '';
  const rate = /\brate\s*[<>=!]/.test(criterion);
  if (DURATION_METRIC.test(metric)) return duration(value);
  if (metric === 'error_budget_burned') return budget(value);
  if (metric === 'final_percent') return `${num(value)}%`;
  if (rate) return percent(value);
  if (BOOLEAN_METRIC.test(metric) && (value === 0 || value === 1)) return value === 1 ? 'yes' : 'no';
  return num(value);
}

/**
 * A threshold gate's figure in its metric's unit, with three significant digits so that a reading just over
 * its limit never reads as the limit: 2.75%, 0.8%, 261ms, 1.25s; other metrics as numbers.
 */
export function gateFigure(metric: string, aggregate: string, x: number): string {
  if (metric === 'req_duration') return x >= 1000 ? `${+(x / 1000).toPrecision(3)}s` : `${+x.toPrecision(3)}ms`;
  if (metric === 'req_failed' && aggregate === 'rate') return `${+(x * 100).toPrecision(3)}%`;
  return num(x, 3);
}

/**
 * One gate reading in words, the same in the terminal, the HTML report, the result's decision reasons and the
 * live page: what it read, on how much, and what it was held against ("rate = 2.75% over 218 requests (limit
 * rate < 2%)"). A reading with no threshold (a provider that is not rehearsed) is its detail alone.
 */
export function readingWords(r: { detail: string; threshold: string }): string {
  return r.threshold === 'none' || r.threshold === '' ? r.detail : `${r.detail} (limit ${r.threshold})`;
}

/**
 * A rollout plan's phase in people's words (the page's plan table, `gameday ctl status`): a plan held for an approval
 * names the stage that waits for it (`awaiting approval of stage 2`), not the phase's own name.
 */
export function planPhase(phase: string, stage: number): string {
  return phase === 'approval' ? `awaiting approval of stage ${stage + 2}` : phase;
}
