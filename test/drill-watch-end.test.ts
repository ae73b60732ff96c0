/**
 * `gameday ctl URL status --watch` follows an ended drill until its debrief is written, and says where it is: it
 * stopped at the first poll that saw the end, with "writing the debrief: starting (0%)" and no file named. The
 * debrief's files are named from the end on (the page and status while writing), and a drill served with
 * --exit-on-end whose server stops while watched is the end of the watch (exit 0), not "cannot reach the drill".
 * The server here is a stand-in that answers GET /api/state with the drill's states in turn.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ctlMain } from '../src/cli/gameday-ctl.js';

const files = { html: 'reports/drill.html', json: 'reports/drill.json' };
const meta = (status: string, debrief: unknown) => ({ name: 'drill', nowSeconds: status === 'ended' ? 1800 : 1700, horizonSeconds: 1800, speed: 60, status, endReason: status === 'ended' ? 'horizon' : null, debrief });
const answer = (m: unknown, n: number) => JSON.stringify({ you: { name: 'fran', role: 'facilitator' }, next: `0f3a9c2e.${n}.0.0`, state: { reset: false, meta: m, plans: [], actions: [], audit: [] } });

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** Serves the answers in turn; after the last, stops serving when `stop` (the drill's server gone). */
async function serve(answers: string[], stop: boolean): Promise<string> {
  let i = 0;
  server = createServer((req, res) => {
    const body = answers[Math.min(i++, answers.length - 1)];
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    if (stop && i >= answers.length) { server!.close(); server!.closeAllConnections(); }
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/?token=abc`;
}

async function watch(url: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['ctl', url, 'status', '--watch', '0.1'], { out: (s) => out.push(s), err: (s) => err.push(s) }, {}, () => new Promise((r) => setTimeout(r, 20)));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('status --watch at the end of a drill', () => {
  it('follows the debrief until it is written, naming its files', async () => {
    const url = await serve([
      answer(meta('running', { state: 'none', progress: 0, step: '' }), 1),
      answer(meta('ended', { state: 'writing', progress: 0, step: 'starting', files }), 2),
      answer(meta('ended', { state: 'writing', progress: 0.5, step: 'the policy alone', files }), 3),
      answer(meta('ended', { state: 'ready', progress: 1, step: 'done', files, served: true }), 4),
    ], false);
    const r = await watch(url);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  ended (the scenario\'s horizon): writing the debrief to reports/drill.html and reports/drill.json: starting (0%)');
    expect(r.out).toMatch(/ {2}ended \(the scenario's horizon\): the debrief is written to reports\/drill\.html and reports\/drill\.json; open it at http:\/\/127\.0\.0\.1:\d+\/debrief\?token=abc\nnext: --since 0f3a9c2e\.4\.0\.0$/);
  });

  it('a server that stops once the debrief is written ends the watch', async () => {
    const url = await serve([
      answer(meta('ended', { state: 'writing', progress: 0.2, step: 'the team', files }), 1),
    ], true);
    const r = await watch(url);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/writing the debrief to reports\/drill\.html and reports\/drill\.json: the team \(20%\)\n {2}the drill's server has stopped: the debrief is in the files named above\nnext: --since 0f3a9c2e\.1\.0\.0$/);
  });
});
