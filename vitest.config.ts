import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// A file that measures a real system runs alone, after the rest: nothing else competes with it for the machine.
const ALONE = ['test/realsys-live.test.ts'];
// Files that drive a browser or a server in real time, or hold a child process to a time budget, run after the
// rest, two at a time: their budgets are a loaded machine's (every wait is minutes long, a signal's budget 10 s),
// and beside each other they meet less load than the shared files give them.
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
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Not isolated: a worker imports the sources (and vega, zod, playwright) once for all the files it runs, not once
    // a file. A test file leaves nothing behind that another reads: what it changes in the process (variables, read
    // limits, listeners, spies) it puts back, and whatever the worker holds (caches of the sources) answers alike.
    isolate: false,
    env: {
      // Worker threads started from the sources (sweep and ci pools, a drill's debrief) load them through tsx. Its
      // disk cache is written from its loader thread, which waits between modules and never finishes a write: every
      // thread left a descriptor open per module (about 175) in the test worker, and an empty cache file.
      TSX_DISABLE_CACHE: '1',
    },
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: [...ALONE, ...LIVE], maxWorkers: availableParallelism(), sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'live', include: LIVE, maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
