/**
 * Alert gates: an alerting rule of the scenario's rule files, evaluated with its group over the simulated
 * series (src/promql/rules.ts). The gate fails while the alert fires, passes while it is pending or inactive,
 * and is an error when the rule's query failed at its last evaluation.
 */
import type { ScrapeSeries } from '../metrics/series.js';
import { RuleEngine } from '../promql/rules.js';
import type { AlertGate } from '../scenario/types.js';
import type { BoundGate, GateReading } from './reading.js';
import { clock as clockWords } from '../units/format.js';
import { quoted } from '../units/escape.js';
import { flagSides, flipRules, judging, type FlagOffJudging } from './flag-off-query.js';

/** An alert's instant as every reading says a moment of the run: the simulated clock since the start (16m30s). */
const clock = (ms: number, startMs: number) => clockWords((ms - startMs) / 1000);

const shown = (l: Readonly<Record<string, string>>) => `{${Object.entries(l).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${quoted(v)}`).join(',')}}`;

/**
 * Like with like: the alert's rules (and the recording rules they read) turned to flag-off traffic, evaluated over the
 * same series from the start (flag-off-query.ts); a failed reading says whether the alert fires there too, or why it
 * cannot be judged so.
 */
function flagOffTwin(gate: AlertGate, engine: RuleEngine, series: ScrapeSeries, flag: string): { judged: FlagOffJudging; engine: RuleEngine | null } {
  const sides = flagSides(series.mapping, flag);
  const own = engine.groups.filter((g) => gate.file === null || g.file === gate.file).flatMap((g) => g.rules).filter((r) => r.kind === 'alert' && r.name === gate.alert);
  const each = own.map((r) => judging(r.expr, sides, engine.groups));
  const blind = each.find((j) => j.kind === 'blind');
  const judged: FlagOffJudging = blind ?? (each.some((j) => j.kind === 'compares') ? { kind: 'compares' } : { kind: 'twin' });
  return { judged, engine: judged.kind === 'twin' ? new RuleEngine(flipRules(engine.groups, sides), series, engine.startMs, engine.prometheus) : null };
}

export function bindAlertGate(gate: AlertGate, series: () => ScrapeSeries, rules: () => RuleEngine, now: () => number, flag: string | null = null): BoundGate {
  const threshold = `${gate.alert} not firing`;
  let off: ReturnType<typeof flagOffTwin> | null = null;
  const flagOff = (reading: GateReading, s: ScrapeSeries, engine: RuleEngine, t: number): GateReading => {
    if (flag === null) return reading;
    off ??= flagOffTwin(gate, engine, s, flag);
    if (off.judged.kind === 'blind') return { ...reading, flagOffUnjudged: off.judged.why };
    if (!off.engine) return reading;
    off.engine.advance(t);
    if (off.engine.errors(gate.alert, gate.file).length) return reading;
    const alerts = off.engine.alerts(gate.alert, gate.file, gate.labels);
    const firing = alerts.filter((a) => a.state === 'firing');
    return firing.length ? { ...reading, flagOff: { value: firing.length, samples: alerts.length } } : reading;
  };
  return {
    gate, stageProbes: [], ringProbes: [],
    evaluate(): GateReading {
      const s = series();
      const engine = rules();
      s.recorder.scrapeUntil(now());
      const t = s.epochMs + Math.floor(now() / 1000);
      engine.advance(t);
      const errors = engine.errors(gate.alert, gate.file);
      const alerts = engine.alerts(gate.alert, gate.file, gate.labels);
      const firing = alerts.filter((a) => a.state === 'firing');
      const base = { gate: gate.source, threshold, samples: alerts.length };
      if (errors.length) return { ...base, verdict: 'error', value: null, detail: `the alert's query failed: ${errors.join('; ')}` };
      if (firing.length) {
        const detail = firing.map((a) => `firing since ${clock(a.firedAtMs!, engine.startMs)} (pending from ${clock(a.activeAtMs, engine.startMs)}): ${shown(a.labels)}`).join('; ');
        return flagOff({ ...base, verdict: 'fail', value: firing.length, detail }, s, engine, t);
      }
      const upstream = engine.allErrors();
      const note = upstream.length ? `; rules failing: ${upstream.join('; ')}` : '';
      const detail = alerts.length
        ? `${alerts.map((a) => `pending since ${clock(a.activeAtMs, engine.startMs)}: ${shown(a.labels)}`).join('; ')}${note}`
        : `inactive${note}`;
      return { ...base, verdict: 'pass', value: 0, detail };
    },
  };
}
