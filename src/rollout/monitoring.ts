/**
 * What a monitoring stack would hold of a run, made on first use: the simulated Prometheus series (kept from
 * the start of the run once asked for) and the scenario's rule groups evaluated over them.
 */
import type { ScrapeSeries } from '../metrics/series.js';
import type { Simulation } from '../model/simulation.js';
import { observeSeries } from '../observe/metrics.js';
import { RuleEngine } from '../promql/rules.js';
import type { Scenario } from '../scenario/types.js';

export class Monitoring {
  private scrapeSeries: ScrapeSeries | null = null;
  private ruleEngine: RuleEngine | null = null;

  constructor(private readonly sim: Simulation, private readonly scenario: Scenario) {}

  series(): ScrapeSeries {
    this.scrapeSeries ??= observeSeries(this.sim, this.scenario);
    return this.scrapeSeries;
  }

  /** The rules over the series, evaluated from the start of the run; null when the scenario has none. */
  rules(): RuleEngine | null {
    if (this.scenario.metrics.rules.length === 0) return null;
    const s = this.series();
    this.ruleEngine ??= new RuleEngine(this.scenario.metrics.rules, s, s.epochMs, s.prometheus);
    return this.ruleEngine;
  }
}
