import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// A file that measures a real system runs alone, after the rest: nothing else competes with it for the machine.
const ALONE = ['test/realsys-live.test.ts'];
// Files that drive a browser or a server in real time, or hold a child process to a time budget: much of their time
// is waiting (paced drills, chromium, child processes), about 100 s of CPU over 200 s of a quiet run's wall time when
// they ran three at a time on their own, one core idle. Vitest runs the projects of one group in one pool of workers
// (the group's maxWorkers, which its projects must share) and by project: as a project of their own, started with the
// rest, they took three of its three workers for their first 200 s, then the other files ran. Here they are files of
// the one project, each started after two others (LongFirst below), so that about one of them runs at a time, beside
// files that compute. Their budgets are a loaded machine's (every wait is minutes long, a signal's budget 10 s): three
// at a time with other work at a load average of 7 to 15, every one passed; three of them among four files that
// compute, on one core with other work at 8 to 15, passed. Longest first.
const LIVE = [
  'test/live-browser.test.ts',
  'test/drill-17-live.test.ts',
  'test/fuzz-22-live.test.ts',
  'test/model-22-live.test.ts',
  'test/drill-20-live.test.ts',
  'test/hostile.test.ts',
  'test/live-record.test.ts',
  'test/drill-19-sequences.test.ts',
  'test/fuzz-21-live.test.ts',
  'test/drill-built-cli.test.ts',
  'test/drill-record-files.test.ts',
  'test/fuzz-20.test.ts',
  'test/live-prometheus.test.ts',
  'test/drill-24-reconnect.test.ts',
  'test/drill-interrupted.test.ts',
  'test/fuzz-20-browser.test.ts',
  'test/drill-reveal.test.ts',
  'test/drill-19-resume-served.test.ts',
  'test/drill-24-page-words.test.ts',
  'test/live-server.test.ts',
  'test/model-21-live.test.ts',
  'test/drill-conflicts.test.ts',
  'test/drill-server-words.test.ts',
  'test/drill-watch-end.test.ts',
];
/** Files that compute between two files that mostly wait, at the start of the run (LIVE). */
const BETWEEN_LIVE = 2;

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
    const path = (f: TestSpecification) => relative(f.project.config.root, f.moduleId);
    const rank = (list: string[], f: TestSpecification) => {
      const i = list.indexOf(path(f));
      return i < 0 ? list.length : i;
    };
    const inOrder = (list: string[], fs: TestSpecification[]) => fs.toSorted((a, b) => rank(list, a) - rank(list, b) || at.get(a)! - at.get(b)!);
    // Groups and projects keep their order (super.sort puts them first); within a project, the long files lead, and
    // a file of LIVE follows every BETWEEN_LIVE others.
    const out: TestSpecification[] = [];
    const projects = [...new Set(sorted.map((f) => f.project))];
    for (const project of projects) {
      const mine = sorted.filter((f) => f.project === project);
      const live = inOrder(LIVE, mine.filter((f) => LIVE.includes(path(f))));
      const rest = inOrder(LONG, mine.filter((f) => !LIVE.includes(path(f))));
      rest.forEach((f, i) => {
        out.push(f);
        if ((i + 1) % BETWEEN_LIVE === 0 && live.length > 0) out.push(live.shift()!);
      });
      out.push(...live);
    }
    return out;
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
        // One worker more than the cores for the files that compute (many spend part of their time waiting: npm
        // installs, chromium, child processes; with one worker a core, their durations added up to 1.6 to 1.8 times
        // the wall time, not 2), and one for the file of LIVE that runs beside them.
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ALONE, maxWorkers: availableParallelism() + 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
