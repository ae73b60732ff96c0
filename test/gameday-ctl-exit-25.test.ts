/**
 * `gameday ctl` exits 3, not 2, when the drill cannot be asked: 2 is for a mistake in the command (docs/cli.md,
 * Exit codes), and a drill that stopped, or answers 503 while a resumed drill is replayed (src/live/replay-slices.ts
 * holdPort), may answer the same command once it is up again.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ctlMain } from '../src/cli/gameday-ctl.js';
import { holdPort } from '../src/live/replay-slices.js';

async function ctl(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['ctl', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A port that was just served and is no longer (a drill whose server stopped). */
async function stoppedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('gameday ctl: a drill that cannot be asked exits 3', () => {
  it('its server stopped: connection refused, exit 3', async () => {
    const port = await stoppedPort();
    const r = await ctl(`http://127.0.0.1:${port}/?token=abc`, 'status');
    expect(r).toEqual({ code: 3, out: '', err: `error: cannot reach the drill at http://127.0.0.1:${port}: connection refused (has it stopped?)` });
  });

  it('an address nobody serves (port 9): exit 3, for an action as for status', async () => {
    expect((await ctl('http://127.0.0.1:9/?token=abc', 'note', 'paged')).code).toBe(3);
    expect((await ctl('http://127.0.0.1:9/?token=abc', 'status', '--watch', '2')).code).toBe(3);
  });

  it('the drill answers 503 while it is replayed after a resume: said as it says it, exit 3', async () => {
    const port = await stoppedPort();
    const close = await holdPort('127.0.0.1', port);
    try {
      const r = await ctl(`http://127.0.0.1:${port}/?token=abc`, 'promote', 'new-checkout');
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/^503: /);
    } finally {
      await close();
    }
  });

  it('a mistake in the command is still 2', async () => {
    expect((await ctl('http://127.0.0.1:9/?token=abc', 'speed', 'fast')).code).toBe(2);
  });
});
