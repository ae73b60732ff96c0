import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { writeBack } from '../src/cli/write-back.js';
import { importCommand } from '../src/cli/import.js';
import { parseScenarioObject } from '../src/load/scenario.js';
import { applyPolicy } from '../src/sweep/plan.js';
import { runScenario } from '../src/score/result.js';

const CONDITION = 'rollout.new-guestbook.argo.templates[0].spec.metrics[0].successCondition';

describe('tuning values inside imported resources', () => {
  it('writes back only the tuned line, comments and layout kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-wb-'));
    try {
      const files = writeBack('examples/argo/guestbook.yaml', { [CONDITION]: 'result[0] >= 0.97' }, dir);
      expect(files).toEqual([join(dir, 'analysis-templates.yaml')]);
      const before = readFileSync('examples/argo/analysis-templates.yaml', 'utf8').split('\n');
      const after = readFileSync(files[0], 'utf8').split('\n');
      expect(after.length).toBe(before.length);
      const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line, after[i]]]));
      expect(changed).toEqual([['    successCondition: result[0] >= 0.95', '    successCondition: result[0] >= 0.97']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a sweep policy with the value written into the resource', () => {
    const raw = parse(readFileSync('examples/argo/guestbook.yaml', 'utf8')) as Record<string, unknown>;
    const strict = parseScenarioObject(applyPolicy(raw, { [CONDITION]: 'result[0] >= 0.999' }), 'examples/argo', 'healthy');
    if (!strict.ok) throw new Error(JSON.stringify(strict.problems));
    expect(strict.scenario.rollouts[0].analyses!.background!.analysis.metrics[0].gate!.success!.source).toBe('result[0] >= 0.999');
    expect(runScenario(strict.scenario).rollouts[0].outcome).toBe('rolled-back');
    const nowhere = parseScenarioObject(applyPolicy(raw, { 'rollout.new-guestbook.argo.templates[0].spec.metrics[0].nope': 'x' }), 'examples/argo', 'healthy');
    expect(nowhere.ok).toBe(false);
    if (!nowhere.ok) expect(nowhere.problems[0].message).toBe('case healthy: templates.0.spec.metrics.0.nope: not in analysis-templates.yaml');
  });

  it('imports Argo and Flagger resources as a native plan that validates', () => {
    for (const [format, files] of [['argo', ['examples/argo/rollout.yaml', 'examples/argo/analysis-templates.yaml']], ['flagger', ['examples/flagger/canary.yaml', 'examples/flagger/metric-templates.yaml']]] as const) {
      const { text } = importCommand(format, [...files], 'new-guestbook');
      const plan = parse(text) as { rollout: Record<string, unknown>[] };
      const raw = parse(readFileSync('examples/argo/guestbook.yaml', 'utf8')) as Record<string, unknown>;
      delete raw.tune;
      const loaded = parseScenarioObject({ ...raw, rollout: plan.rollout }, 'examples/argo');
      // Argo's metrics become analysis runs (a step's and the background one), Flagger's checks gates.
      const r = loaded.ok ? loaded.scenario.rollouts[0] : loaded.problems;
      expect(Array.isArray(r) ? r : [r.gates.length, r.analyses?.stages.filter((a) => a).length ?? 0, r.analyses?.background ? 1 : 0]).toEqual(format === 'argo' ? [0, 1, 1] : [3, 0, 0]);
    }
  });
});
