/**
 * Alert gates: an alerting rule of the scenario's rule files, evaluated with its group over the simulated
 * series (src/promql/rules.ts). The gate fails while the alert fires, passes while it is pending or inactive,
 * and is an error when the rule's query failed at its last evaluation.
 */
import type { ScrapeSeries } from '../metrics/series.js';
import type { RuleEngine } from '../promql/rules.js';
import type { AlertGate } from '../scenario/types.js';
import type { BoundGate, GateReading } from './reading.js';
import { clock as clockWords } from '../units/format.js';
import { quoted } from '../units/escape.js';

/** An alert's instant as every reading says a moment of the run: the simulated clock since the start (16m30s). */
const clock = (ms: number, startMs: number) => clockWords((ms - startMs) / 1000);

const shown = (l: Readonly<Record<string, string>>) => `{${Object.entries(l).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${quoted(v)}`).join(',')}}`;

export function bindAlertGate(gate: AlertGate, series: () => ScrapeSeries, rules: () => RuleEngine, now: () => number): BoundGate {
  const threshold = `${gate.alert} not firing`;
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
        return { ...base, verdict: 'fail', value: firing.length, detail };
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
