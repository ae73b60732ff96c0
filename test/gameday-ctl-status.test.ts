/**
 * `gameday ctl URL status` polls a drill with `GET /api/state?since=CURSOR`: each poll after the first is sent
 * only what is new (the rows, audit entries and actions after the cursor the last one printed), and prints the
 * same clock and plans as a status that fetched the whole state at that moment, then the actions and decisions
 * that are new. `--watch` polls on, each poll since the last, until the drill ends. Before, every status asked for
 * the whole state (22,843 bytes of checkout at 19m30s, 98,069 of dependency-degrades at 110m: the page's charts
 * from the start) to print three lines; here, at 16m30s of gate-tuning (an ad-hoc fault
 * on), about 10,000 bytes against 2,400 for a poll a minute after the last. Beside the plans, status prints what the
 * page's banners and panels show: faults on, the error budget, the countdown, where the debrief is.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ctlMain } from '../src/cli/gameday-ctl.js';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, '..', 'scenarios', 'gate-tuning.yaml');
let drill: Drill | undefined;

afterAll(async () => {
  await drill?.stop();
});

async function ctl(args: string[], sleep?: (ms: number) => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['ctl', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) }, {}, sleep);
  return { code, out, err: err.join('\n') };
}

const cursorOf = (out: string[]) => /^next: --since (\S+)$/.exec(out.at(-1)!)![1];

describe('gameday ctl status, polled', () => {
  it('asks only for what is new since its cursor and shows what a full status shows, then the new actions and decisions', async () => {
    const read = readDrillScenario(file, null);
    const opened = await Drill.open({ file: read.file, caseName: null, hiddenCase: false, seed: 42, gates: 'on' }, read, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: 3_600_000, facilitator: 'fran', operators: [], observers: false,
      out: join(mkdtempSync(join(tmpdir(), 'rehearse-ctl-status-')), 'drill'), cadenceMs: 100,
    });
    drill = opened.drill;
    const d = drill;
    const url = opened.links[0].url;
    const asked: { since: string | null; bytes: number }[] = [];
    const stateSince = d.feed.stateSince.bind(d.feed);
    vi.spyOn(d.feed, 'stateSince').mockImplementation((since) => {
      const r = stateSince(since);
      asked.push({ since, bytes: r.text.length });
      return r;
    });
    d.startNow();
    d.session.advanceTo(15.5 * 60e6);
    expect((await ctl([url, 'note', 'watching p99'])).code).toBe(0);
    d.feed.produce(Date.now());

    // What the page shows beside the plans: the faults on now (one injected this instant, the clock not yet moved)
    // and the error budget, with its figures.
    expect((await ctl([url, 'adhoc-fault', '{kind: latency, target: api, add: 200ms, for: 5m}'])).code).toBe(0);
    d.feed.produce(Date.now());
    // A refusal says what to do instead.
    const twice = await ctl([url, 'resume']);
    expect([twice.code, twice.err]).toEqual([1, '409: the clock is already running\nnext: to pause a plan rather than the clock: `gameday ctl URL pause FLAG`']);
    // The countdown starts on the drill's next pulse (four times a second), not at advanceTo: on a loaded machine the
    // status could be asked before it (the first status lacked the line).
    await vi.waitFor(() => expect((d as unknown as { countdown: unknown }).countdown).not.toBeNull(), { timeout: 60_000, interval: 20 });
    const first = await ctl([url, 'status']);
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(/^gate-tuning: 15m30s of 25m00s, running at 1x \(you: fran, facilitator\)$/);
    // The plan's share says what it is a share of, as the page's column does.
    expect(first.out[1]).toBe('  new-engine: rolled-back, stage 1 of 3, 0% of users targeted, config v2');
    expect(first.out).toContain('  fault on: ad-hoc 1 (latency on api, +200 ms) since 15m30s until 20m30s');
    // The policy rolled the only plan back at 1m00s: the countdown runs, as the page's banner says.
    expect(first.out.find((l) => l.startsWith('  every plan is done'))).toMatch(/^ {2}every plan is done: the drill ends in \d+ s unless the facilitator keeps it going \(gameday ctl URL keep-going\)$/);
    expect(first.out).toContain('  error budget: exhausted (5.53x the budget) (332 failed journeys of the 60 the SLO allows over the whole horizon)');
    expect(first.out).toContain('  [15m30s] fran (facilitator): note: watching p99');
    expect(asked.at(-1)!.since).toBeNull();
    const cursor = cursorOf(first.out);

    d.session.advanceTo(16.5 * 60e6);
    expect((await ctl([url, 'note', 'p99 fine'])).code).toBe(0);
    expect((await ctl([url, 'promote', 'new-engine', '--reason', 'noise'])).code).toBe(0);
    // The plan is going again: the countdown stops on the drill's next pulse. Wait for it, so that every status below
    // reads the same state (one asked before the pulse showed a countdown the next did not).
    await vi.waitFor(() => expect((d as unknown as { countdown: unknown }).countdown).toBeNull(), { timeout: 60_000, interval: 20 });
    d.feed.produce(Date.now());
    const poll = await ctl([url, 'status', '--since', cursor]);
    const polled = asked.at(-1)!;
    const full = await ctl([url, 'status']);
    const whole = asked.at(-1)!;
    console.log(`status at 16m30s: the whole state ${whole.bytes} bytes, polled since 15m30s ${polled.bytes}`);
    expect(polled.since).toBe(cursor);
    expect(polled.bytes).toBeLessThan(whole.bytes / 3);
    // The clock and the plans: the same lines as a status that fetched everything.
    const plans = full.out.filter((l) => !l.startsWith('  [') && !l.startsWith('next:'));
    expect(plans.length).toBeGreaterThan(1);
    expect(poll.out.slice(0, plans.length)).toEqual(plans);
    // What is new: the second note and the decisions after 15m30s, not the first note again.
    const news = poll.out.slice(plans.length, -1);
    expect(news).toContain('  [16m30s] fran (facilitator): note: p99 fine');
    expect(news).not.toContain('  [15m30s] fran (facilitator): note: watching p99');
    expect(news.every((l) => full.out.includes(l))).toBe(true);
    const later = full.out.filter((l) => /^ {2}\[16m[0-5][0-9]s\]/.test(l));
    expect(news.filter((l) => !l.startsWith('  [15m30s]'))).toEqual(later);
    expect(news.slice(-2)).toEqual([
      '  [16m30s] fran (facilitator): promote new-engine (noise)',
      '  [16m30s] new-engine: operator fran start at stage 1 (10%): stage 1 of 3: 10%, hold 8m; promoted by fran: noise',
    ]);
    expect(full.out.some((l) => l.startsWith('  [1m00s] new-engine: policy rollback at stage 1 (0%): req_failed'))).toBe(true);
    expect(news.some((l) => l.startsWith('  [1m00s]'))).toBe(false);
    // Nothing new: the state lines and nothing else.
    const again = await ctl([url, 'status', '--since', cursorOf(poll.out)]);
    expect(again.out.slice(0, -1)).toEqual(plans);

    // --watch: the first poll asks for everything, each one after since the one before, until the drill ends.
    const from = asked.length;
    let polls = 0;
    const watched = await ctl([url, 'status', '--watch', '0.5'], async (ms) => {
      expect(ms).toBe(500);
      polls++;
      if (polls === 1) expect((await ctl([url, 'note', 'last look'])).code).toBe(0);
      if (polls === 2) {
        expect((await ctl([url, 'end'])).code).toBe(0);
        await new Promise((r) => setTimeout(r, 300));
      }
      // Ended, the watch follows the debrief until it is written.
      if (polls > 2) await new Promise((r) => setTimeout(r, 100));
      d.feed.produce(Date.now());
    });
    expect(watched.code).toBe(0);
    expect(polls).toBeGreaterThanOrEqual(2);
    const sinces = asked.slice(from).map((a) => a.since);
    expect(sinces).toHaveLength(polls + 1);
    expect(sinces[0]).toBeNull();
    expect(sinces.slice(1).every((c) => c !== null)).toBe(true);
    // The note printed once, on the poll after it; the last poll shows the drill ended.
    expect(watched.out.filter((l) => l.endsWith('note: last look'))).toHaveLength(1);
    expect(watched.out.filter((l) => l.endsWith('note: p99 fine'))).toHaveLength(1);
    expect(watched.out.some((l) => /^gate-tuning: 16m30s of 25m00s, ended /.test(l))).toBe(true);
    expect(watched.out.some((l) => /^ {2}ended \(by hand\): /.test(l))).toBe(true);
    expect(watched.out.at(-2)).toMatch(/^ {2}ended \(by hand\): the debrief is written to \S+drill\.html and \S+drill\.json; open it at /);
    await d.debriefDone;
    d.feed.produce(Date.now());
    // Once ended, where the debrief is, as the page's banner says.
    const after = await ctl([url, 'status']);
    const where = after.out.find((l) => l.startsWith('  ended (by hand): '))!;
    const late = await ctl([url, 'note', 'too late']);
    expect([late.code, late.err]).toEqual([1, '409: not recorded: the drill is over\nnext: `gameday ctl URL status` says where the debrief is']);
    expect(where).toMatch(/^ {2}ended \(by hand\): the debrief is written to \S+drill\.html and \S+drill\.json; open it at http:\/\/127\.0\.0\.1:\d+\/debrief\?token=\S+$/);
  }, 480_000);
});

describe('gameday ctl promote', () => {
  it('sends the plan\'s version it read: a promote someone made in between refuses it, so the plan moves one stage', async () => {
    const read = readDrillScenario(file, null);
    const opened = await Drill.open({ file: read.file, caseName: null, hiddenCase: false, seed: 42, gates: 'on' }, read, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: 3_600_000, facilitator: 'fran', operators: ['olga'], observers: false,
      out: join(mkdtempSync(join(tmpdir(), 'rehearse-ctl-promote-')), 'drill'), cadenceMs: 100,
    });
    const d = opened.drill;
    try {
      const [fran, olga] = opened.links.map((l) => l.url);
      d.startNow();
      // The policy rolls the plan back at 1m00s; at 2m a promote takes it up again, at stage 1.
      d.session.advanceTo(2 * 60e6);
      const stateSince = d.feed.stateSince.bind(d.feed);
      let race = true;
      vi.spyOn(d.feed, 'stateSince').mockImplementation((since) => {
        const r = stateSince(since);
        // Olga promotes between fran's reading of the state and fran's promote.
        if (race) {
          race = false;
          const plan = d.session.controller!.planStates().find((p) => p.flag === 'new-engine')!;
          d.session.act({ type: 'plan', flag: 'new-engine', op: 'promote', version: plan.version }, { name: 'olga', role: 'operator' }, 'w');
        }
        return r;
      });
      const before = d.session.controller!.planStates().find((p) => p.flag === 'new-engine')!;
      const raced = await ctl([fran, 'promote', 'new-engine']);
      const after = d.session.controller!.planStates().find((p) => p.flag === 'new-engine')!;
      expect(raced.code).toBe(1);
      expect(raced.err).toMatch(new RegExp(`^409: new-engine has moved since you saw it \\(config v${before.version}\\): it is ${after.phase} at stage ${after.stage + 1} of ${after.stages}`));
      // One stage, Olga's: fran's promote did not skip a second.
      expect(after.stage).toBe(0);
      const fresh = await ctl([fran, 'promote', 'new-engine']);
      expect(fresh.code).toBe(0);
      expect(d.session.controller!.planStates().find((p) => p.flag === 'new-engine')!.stage).toBe(1);
    } finally {
      await d.stop();
    }
  }, 120_000);
});
