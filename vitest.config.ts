import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Files that measure a real system, drive a browser or a server in real time, or hold a child process to a time
// budget run alone, after the rest: nothing else competes with them for the machine. The rest run a file per core.
const ALONE = [
  'test/realsys-live.test.ts',
  'test/live-browser.test.ts',
  'test/browser.test.ts',
  'test/debrief-outcomes.test.ts',
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
    env: {
      // Worker threads started from the sources (sweep and ci pools, a drill's debrief) load them through tsx. Its
      // disk cache is written from its loader thread, which waits between modules and never finishes a write: every
      // thread left a descriptor open per module (about 175) in the test worker, and an empty cache file.
      TSX_DISABLE_CACHE: '1',
    },
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ALONE, maxWorkers: availableParallelism(), sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
