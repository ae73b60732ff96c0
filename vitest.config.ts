import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Files that measure a real system, drive a browser or a server in real time, or hold a child process to a time
// budget run alone, after the rest: nothing else competes with them for the machine. The rest run a file per core,
// those that read static pages in chromium (browser, debrief-outcomes, vocabulary, calibration-report) among them:
// a page is given 2 minutes to render its charts, and no clock is asserted.
const ALONE = [
  'test/realsys-live.test.ts',
  'test/live-browser.test.ts',
  'test/live-record.test.ts',
  'test/live-prometheus.test.ts',
  'test/live-server.test.ts',
  'test/hostile.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        // Not isolated: a worker imports the sources (and vega, zod, playwright) once for all the files it runs, not
        // once a file (59 small files: 80 s of CPU isolated, 34 s not). No test file leaves state behind: the one that
        // sets variables (hostile-files) restores them, and every main() reads them afresh.
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ALONE, maxWorkers: availableParallelism(), isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
