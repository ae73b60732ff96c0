/**
 * scenarios/dependency-degrades.yaml as a hidden-case drill. Its cases "defective" and "beta-only" put the flag's
 * defect in payments, so payments evaluates the flag in them and not in "healthy": the drill was refused, since
 * the page showed payments' flag-on and flag-off series and the flag's propagation to payments only in those
 * cases. Making every case evaluate the flag in payments would change the scenario's results (propagation draws).
 * Now the page shows alike whatever the case (src/live/hidden.ts evaluators()), the simulation is the case's
 * own, and a hidden case scores exactly as the same case shown: the same faults at the same instants, for the
 * team and the policy alone, and the same results.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Drill } from '../src/live/drill.js';
import { checkHiddenCases, drawCase, newSecret } from '../src/live/hidden.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, '..', 'scenarios', 'dependency-degrades.yaml');
const cases = readDrillScenario(file, null).base.cases;
const opened: Drill[] = [];

afterAll(async () => {
  for (const d of opened) await d.stop();
});

function secretFor(name: string): string {
  for (;;) {
    const s = newSecret();
    if (drawCase(cases, s) === name) return s;
  }
}

async function drill(caseName: string, hidden: boolean) {
  const read = readDrillScenario(file, caseName);
  const out = join(mkdtempSync(join(tmpdir(), 'rehearse-hidden-evaluators-')), 'drill');
  const { drill: d, links } = await Drill.open({ file: read.file, caseName: hidden ? null : caseName, hiddenCase: hidden, seed: 13, gates: 'on' }, read,
    hidden ? secretFor(caseName) : null, 1, { host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: [], observers: false, out, cadenceMs: 100 });
  opened.push(d);
  d.startNow();
  const url = new URL(links[0].url);
  const state = async () => (await (await fetch(new URL('api/state', url), { headers: { Authorization: `Bearer ${url.searchParams.get('token')}` } })).json()).state;
  return { d, out, state };
}

type Row = { service: string; series: string };
const seriesOf = (st: { rows: { services: Row[] } }) => [...new Set(st.rows.services.map((r) => `${r.service}: ${r.series}`))].sort();
const reached = (st: { audit: { reason: string | null }[] }) => st.audit.map((a) => a.reason).filter((r) => r?.startsWith('reached')).sort();

describe('a hidden case on dependency-degrades', () => {
  it('is allowed: its cases differ only in which services evaluate the flag', () => {
    expect(() => checkHiddenCases(file, new Map(cases.map((c) => [c, readDrillScenario(file, c).scenario])))).not.toThrow();
  });

  it('shows the same page whatever the case, and scores as the same case shown', async () => {
    const healthy = await drill('healthy', true);
    const defective = await drill('defective', true);
    const shown = await drill('healthy', false);
    // 30 simulated minutes: the defective flag rolled back at the first stage; the healthy one in its second stage,
    // its promotion propagated and the processor slowed (from stage 2 + 5m).
    for (const x of [healthy, defective, shown]) {
      x.d.session.advanceTo(30 * 60e6);
      x.d.feed.produce(Date.now());
    }
    const [h, dh] = [await healthy.state(), await defective.state()];
    expect(seriesOf(h)).toEqual(seriesOf(dh));
    expect(seriesOf(h)).toContain('payments: smart-retry-ui on');
    expect(reached(h).length).toBeGreaterThan(0);
    expect(new Set(reached(h))).toEqual(new Set(reached(dh)));
    expect(reached(dh)).not.toContain('reached payments');
    // The debrief has it all: the defective case's propagation to payments.
    defective.d.endByHand();
    expect(await defective.d.debriefDone).not.toBeNull();
    const dd = JSON.parse(readFileSync(`${defective.out}.json`, 'utf8'));
    expect(dd.revealed.case).toBe('defective');
    expect(dd.team.audit.some((a: { event: string; service?: string }) => a.event === 'propagated' && a.service === 'payments')).toBe(true);

    for (const x of [healthy, shown]) {
      x.d.session.advanceTo(45 * 60e6);
      x.d.endByHand();
    }
    expect(await healthy.d.debriefDone).not.toBeNull();
    expect(await shown.d.debriefDone).not.toBeNull();
    const [a, b] = [healthy, shown].map((x) => JSON.parse(readFileSync(`${x.out}.json`, 'utf8')));
    expect(a.record.case).toMatchObject({ hidden: true });
    expect(a.revealed.case).toBe('healthy');
    // The processor's slowdown, met at the same instant by the team and the policy, in both drills.
    expect(a.faults).toEqual(b.faults);
    expect(a.faults).toHaveLength(1);
    expect(a.faults[0].team_from_seconds).not.toBeNull();
    expect(a.faults[0].team_from_seconds).toBe(a.faults[0].policy_from_seconds);
    expect(a.team).toEqual(b.team);
    expect(a.policy).toEqual(b.policy);
    expect(a.comparison).toEqual(b.comparison);
    expect(a.budget).toEqual(b.budget);
  }, 480_000);
});
