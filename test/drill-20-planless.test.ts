/**
 * The debrief of a drill without a rollout plan (scenarios/checkout.yaml: a capacity drill, faults and the clock
 * only): there is no flag to compare, and the page says so rather than show the comparison's headers over no row
 * and a chart of flag exposure with no series.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drillHtml } from '../src/live/debrief-html.js';
import { debriefLines } from '../src/live/debrief-words.js';
import { drillOf, fran } from './drill-19-session.js';

const root = new URL('..', import.meta.url).pathname;

describe('the debrief of a drill without a rollout plan', () => {
  const { doc } = drillOf(join(root, 'scenarios', 'checkout.yaml'), null, [
    [30e6, { type: 'adhoc-fault', fault: { kind: 'latency', target: 'payments -> bank', add: '300ms', for: '5m' } }, fran],
    [60e6, { type: 'remove-fault', name: 'ad-hoc 1' }, fran],
  ], 90e6);

  it('says there is no flag to compare, charts only the journeys\' error rates, and keeps the faults and the budget', () => {
    const html = drillHtml(doc);
    expect(doc.comparison).toEqual([]);
    expect(html).not.toContain('<table id="comparison">');
    expect(html).toContain('<p id="comparison">The scenario has no rollout plan: there is no flag to compare side by side.');
    expect([...html.matchAll(/<div class="chart" id="chart-\d+" data-title="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'Journey error rates: the team and the policy alone, under the same faults; red rules: people&#39;s actions; shaded: faults',
    ]);
    expect(html).toContain('<td>0m30s</td><td>0m30s</td><td>1m00s (removed by fran)</td><td>1m00s</td>');
    expect(debriefLines(doc)).toEqual([
      'verdict: No rollout plan to compare',
      expect.stringMatching(/^ {2}error budget: team \S+ consumed, policy alone \S+ consumed \(failed journeys /),
      '  faults removed: ad-hoc 1 by fran at 1m00s (on from 0m30s; the policy alone faced it from 0m30s to 1m00s)',
    ]);
    // Nobody could act on a plan and both runs faced the same fault for the same span: the same figures.
    expect(doc.budget.team).toEqual(doc.budget.policy);
    expect(doc.team.services).toEqual(doc.policy.services);
  });
});
