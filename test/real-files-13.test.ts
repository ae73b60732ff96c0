/**
 * Round 13 of the real-files sweep: published files of the vendors run through the CLI, each outcome asserted.
 * - fluxcd/flagger test/contour/test-canary.sh, its A/B Canary (test/fixtures/vendor/flagger/e2e-contour-ab-canary.yaml):
 *   the note that an A/B plan's first stage stands for the users the match selects named no file:line:column
 *   (src/cli/import.ts); and the load test's hey command, which sends `-H 'X-Canary: insider'`, was said to be
 *   "split by the weights", where runAB (pkg/controller/scheduler.go) routes by the match: SetRoutes(primary 0,
 *   canary 100) with the match routes, so a request that matches reaches the canary and the others the primary.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { readFileSync } from 'node:fs';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n').split('\n').filter(Boolean) };
}

describe('Flagger\'s Contour A/B canary (test/contour/test-canary.sh)', () => {
  const file = 'test/fixtures/vendor/flagger/e2e-contour-ab-canary.yaml';
  it('imports at 50% of users for 5 iterations, every warning at file:line:column', async () => {
    const r = await cli(['import', 'flagger', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('      - to: 50%\n        hold: 50s\n');
    expect(r.err.filter((l) => !/^warning: test\/fixtures\/vendor\/flagger\/e2e-contour-ab-canary\.yaml:\d+:\d+: /.test(l))).toEqual([]);
    // The match is at line 21 (its first item), as the match's own warning says.
    expect(readFileSync(file, 'utf8').split('\n')[20]).toBe('      - headers:');
    expect(r.err).toContain(`warning: ${file}:21:7: spec.analysis.match: the users the match selects are written as 50% of users: set the first stage's "to" to the share that matches`);
  });

  it('the load test\'s requests are routed by the match, not split by weights', () => {
    const r = flaggerParts([{ file: 'c.yaml', text: readFileSync(file, 'utf8') }]);
    const hook = r.warnings.find((w) => w.includes('webhook "load-test"'));
    expect(hook).toContain('routed by analysis.match as users\' requests are, not by weights');
    expect(hook).not.toContain('split by the weights');
    // contour reads the match; linkerd does not, and runAB then sends every request to the canary.
    const linkerd = flaggerParts([{ file: 'c.yaml', text: readFileSync(file, 'utf8').replace('provider: contour', 'provider: linkerd') }]);
    expect(linkerd.warnings.find((w) => w.includes('webhook "load-test"'))).toContain('all of it to the canary, as every request during this A/B analysis');
  });
});
