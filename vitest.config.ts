import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// A file that measures a real system runs alone, after the rest: nothing else competes with it for the machine.
const ALONE = ['test/realsys-live.test.ts'];
// Files that drive a browser or a server in real time, or hold a child process to a time budget, run three at a time
// beside the shared files (a project of their own, started with them): much of their time is waiting (paced drills,
// chromium, child processes), about 100 s of CPU over 200 s of a quiet run's wall time when they ran after the rest,
// one core idle. Their budgets are a loaded machine's (every wait is minutes long, a signal's budget 10 s): beside the
// shared files with other work keeping the machine at a load average of 7 to 15, every one passed. Before, with other
// work at 11 to 16 and after the rest: 661 s two at a time, 519 s three at a time (the closest to its budget, a built
// drill's debrief page drawn in chromium, 211 s of 300).
const LIVE = [
  'test/live-browser.test.ts',
  'test/live-record.test.ts',
  'test/live-prometheus.test.ts',
  'test/live-server.test.ts',
  'test/hostile.test.ts',
  'test/drill-built-cli.test.ts',
  'test/drill-server-words.test.ts',
  'test/drill-record-files.test.ts',
  'test/drill-watch-end.test.ts',
  'test/drill-interrupted.test.ts',
  'test/drill-conflicts.test.ts',
  'test/drill-reveal.test.ts',
  'test/drill-17-live.test.ts',
  'test/drill-19-sequences.test.ts',
  'test/drill-19-resume-served.test.ts',
  'test/drill-20-live.test.ts',
  'test/fuzz-20.test.ts',
  'test/fuzz-20-browser.test.ts',
  'test/model-21-live.test.ts',
  'test/fuzz-21-live.test.ts',
  'test/model-22-live.test.ts',
  'test/fuzz-22-live.test.ts',
  'test/drill-24-reconnect.test.ts',
  'test/drill-24-page-words.test.ts',
];

// The files that take longest (40 s to 2.5 min each), started first so that no worker is left running one after the
// others are done. Vitest orders by the durations of the last run when it has them; a fresh clone has none, and its
// order by size started queueing.test.ts (52 s) among the last. A file not listed here only starts in that order.
const LONG = [
  'test/pack.test.ts',
  'test/docs.test.ts',
  'test/sweep.test.ts',
  'test/calibration-ranges.test.ts',
  'test/compare.test.ts',
  'test/action.test.ts',
  'test/hostile-files.test.ts',
  'test/live-hidden-evaluators.test.ts',
  'test/traces-roundtrip.test.ts',
  'test/rollout.test.ts',
  'test/queueing.test.ts',
  'test/browser.test.ts',
  'test/debrief-outcomes.test.ts',
  'test/realsys.test.ts',
  'test/calibration-report.test.ts',
];

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const at = new Map(sorted.map((f, i) => [f, i]));
    const rank = (f: TestSpecification) => {
      const i = LONG.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? LONG.length : i;
    };
    // Groups and projects keep their order (super.sort puts them first); within a project, the long files lead.
    return sorted.toSorted((a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder
      || (a.project.name === b.project.name ? 0 : at.get(a)! - at.get(b)!)
      || rank(a) - rank(b) || at.get(a)! - at.get(b)!);
  }
}

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Not isolated: a worker imports the sources (and vega, zod, playwright) once for all the files it runs, not once
    // a file. A test file leaves nothing behind that another reads: what it changes in the process (variables, read
    // limits, listeners, spies) it puts back, and whatever the worker holds (caches of the sources) answers alike.
    isolate: false,
    sequence: { sequencer: LongFirst },
    env: {
      // Worker threads started from the sources (sweep and ci pools, a drill's debrief) load them through tsx. Its
      // disk cache is written from its loader thread, which waits between modules and never finishes a write: every
      // thread left a descriptor open per module (about 175) in the test worker, and an empty cache file.
      TSX_DISABLE_CACHE: '1',
    },
    projects: [
      {
        extends: true,
        // One worker more than the cores: many shared files spend part of their time waiting rather than computing (npm
        // installs, chromium, paced drills, child processes: the pack test used about 0.7 of a core over its life). With
        // one worker a core, the shared files' durations added up to 1.6 to 1.8 times the phase's wall time, not 2.
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: [...ALONE, ...LIVE], maxWorkers: availableParallelism() + 1, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'live', include: LIVE, maxWorkers: 3, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
