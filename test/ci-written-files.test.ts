/**
 * `rehearse ci` skips what rehearse wrote and what a collector exported beside the scenarios: a run's `--json` result
 * (it holds `journeys` and `services`, and was read as a scenario with a hundred problems) and the OpenTelemetry
 * Collector's file exporter's JSON lines, one export request a line (read as a scenario: "invalid JSON").
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notAScenarioText } from '../src/load/kinds.js';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;

const scenario = `
name: tiny
seed: 3
duration: 5m
traffic: { rate: 20/s, cohort: { size: 500 } }
journeys: { j: { steps: [api] } }
services: { api: { concurrency: 50, latency: 5ms, errors: 0.1% } }
acceptance: ['error_budget_burned max<100']
`;

/** The HotROD trace as the collector's file exporter writes it (format: json, no compression): a request a line. */
function exporterLines(): string {
  const doc = JSON.parse(readFileSync(join(root, 'test/fixtures/traces/hotrod-otlp.json'), 'utf8')) as { result: { resourceSpans: unknown[] } };
  return doc.result.resourceSpans.map((r) => JSON.stringify({ resourceSpans: [r] })).join('\n') + '\n';
}

describe('rehearse ci beside files rehearse and a collector wrote', () => {
  it("names a run's --json result as a document rehearse wrote, not a scenario", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-ci-written-'));
    writeFileSync(join(dir, 'tiny.yaml'), scenario);
    const run = await cli('run', join(dir, 'tiny.yaml'), '--json', join(dir, 'tiny-result.json'));
    expect(run.code).toBe(0);
    expect(notAScenarioText(readFileSync(join(dir, 'tiny-result.json'), 'utf8'))).toBe('a rehearse/run@1 document that rehearse wrote');
    // ci says "not a scenario" once, after the reason.
    const r = await cli('ci', dir, '--json', join(dir, 'ci.json'));
    expect(r.out).toMatch(/^skipped .*tiny-result\.json: a rehearse\/run@1 document that rehearse wrote, not a scenario$/m);
  });

  it("names the file exporter's JSON lines as traces, and ci runs the scenario beside them alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-ci-written-'));
    const folder = join(dir, 'rehearsals');
    mkdirSync(folder);
    writeFileSync(join(folder, 'tiny.yaml'), scenario);
    writeFileSync(join(folder, 'otelcol-traces.json'), exporterLines());
    expect(notAScenarioText(exporterLines())).toMatch(/^JSON lines, 6 documents: .*OTLP.*rehearse calibrate/);
    const r = await cli('ci', folder, '--json', join(dir, 'ci.json'));
    expect(r.out).toMatch(/skipped .*otelcol-traces\.json: JSON lines, 6 documents: .*OTLP/);
    expect(r.out).not.toContain('✘ INVALID');
    expect(JSON.parse(readFileSync(join(dir, 'ci.json'), 'utf8'))).toMatchObject({ counts: { cases: 1, passed: 1 } });
    expect(r.code).toBe(0);
  });
});
