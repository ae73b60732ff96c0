/**
 * Differential fuzzing of the lean path (src/model/lean.ts): random models whose calls can only succeed (replicas,
 * workers, unbounded queues, every latency distribution, endpoints calling endpoints in sequence and in parallel,
 * repeats, probabilities, weighted journeys, cohorts, every traffic shape, SLOs, short and long windows, tiny and
 * huge latencies) run on the lean path and, with an observer of calls, on the general one; the two results must be
 * the same bytes. Each model also gets one thing that can fail, slow or observe a call, and must then take the
 * general path. LEAN_FUZZ_CASES=N runs more seeds (the committed bound keeps the file quick).
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/model/simulation.js';
import { buildResult, runScenario } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { scenario } from './helpers.js';
import { chooser, leanDocument, spoiled } from './lean-models.js';

const CASES = Number(process.env.LEAN_FUZZ_CASES ?? 40);
const FIRST = Number(process.env.LEAN_FUZZ_FIRST ?? 1);

/** An observer of every call's end: it forces the general path on the same model. */
const hearsCalls = (sim: Simulation) => sim.observe({ attemptEnded() {}, attemptEndedInline() {} });

function leanPath(s: Scenario, observe?: (sim: Simulation) => void): boolean {
  const sim = new Simulation(s);
  observe?.(sim);
  sim.begin();
  return sim.leanPath;
}

describe('the lean path against the general one on random models', () => {
  it(`${CASES} random lean models give the general path's result byte for byte`, () => {
    let journeys = 0;
    let queued = 0;
    for (let seed = FIRST; seed < FIRST + CASES; seed++) {
      const doc = leanDocument(seed);
      const s = scenario(doc);
      expect(leanPath(s), `seed ${seed}`).toBe(true);
      expect(leanPath(s, hearsCalls), `seed ${seed}`).toBe(false);
      const lean = runScenario(s);
      const general = runScenario(s, { observe: hearsCalls });
      const a = JSON.stringify(lean);
      const b = JSON.stringify(general);
      if (a !== b) expect(a, `seed ${seed}: ${JSON.stringify(doc)}`).toBe(b);
      journeys += lean.simulated.requests;
      queued += Object.values(lean.services).filter((v) => v.maxQueued > 0).length;
    }
    // The models ran journeys and some of them queued: the comparison compared something.
    expect(journeys).toBeGreaterThan(CASES * 10);
    expect(queued).toBeGreaterThan(0);
  });

  it('stepped as the live driver steps a run (runUntil in small, uneven steps), the lean path gives the general path\'s result', () => {
    // Against the same steps on the general path, not the one-shot run: a run's simulated seconds depend on its steps
    // when its journeys end before its duration (test/fuzz-19.test.ts, reported).
    const stepped = (s: Scenario, seed: number, observe: boolean): string => {
      const sim = new Simulation(s);
      if (observe) hearsCalls(sim);
      sim.begin();
      expect(sim.leanPath).toBe(!observe);
      const c = chooser(seed);
      const end = Number.isFinite(s.durationUs) ? s.durationUs : 600e6;
      let t = 0;
      while (t < end && sim.runUntil(t)) t += c.pick([1, 999, 250_000, 1e6, 7e6]);
      while (sim.runUntil(t)) t += 1e6;
      return JSON.stringify(buildResult(s, s.seed, sim.end(), null, null));
    };
    for (let seed = FIRST; seed < FIRST + Math.ceil(CASES / 2); seed++) {
      const s = scenario(leanDocument(seed));
      expect(stepped(s, seed, false), `seed ${seed}`).toBe(stepped(s, seed, true));
    }
  });

  it('each with one thing that can fail, slow or time out a call takes the general path', () => {
    for (let seed = FIRST; seed < FIRST + CASES; seed++) {
      const s = scenario(spoiled(leanDocument(seed), seed));
      expect(leanPath(s), `seed ${seed}`).toBe(false);
    }
  });
});
