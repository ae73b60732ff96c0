/**
 * A real Prometheus (Debian's package) scrapes a live drill's /metrics on loopback with an observer's token as a
 * bearer credential, and a PromQL query returns the simulated request rate within sampling error. Under
 * CI=true a missing prometheus fails the test; elsewhere it is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const PROMETHEUS = '/usr/bin/prometheus';
const present = existsSync(PROMETHEUS);
if (!present && process.env.CI === 'true') throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus (.ci/run does)`);
const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');

let prometheus: ChildProcess | null = null;
let drill: Drill | null = null;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-prom-'));

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await drill?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!present)('a real Prometheus scrapes a game day', () => {
  it('queries the simulated request rate from the live /metrics', async () => {
    const read = readDrillScenario(file, 'healthy');
    const opened = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, read, null, 60, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', observers: true, out: join(dir, 'drill'),
    });
    drill = opened.drill;
    const fran = opened.links[0].url;
    // Prometheus scrapes with the observers' read-only token.
    const observer = new URL(opened.links.find((l) => l.role === 'observer')!.url).searchParams.get('token')!;
    const promPort = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: gameday',
      `    authorization: { type: Bearer, credentials: ${JSON.stringify(observer)} }`,
      `    static_configs: [{ targets: ["127.0.0.1:${drill.server.port}"] }]`,
      '',
    ].join('\n'));
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    prometheus.stderr!.on('data', (d) => (log += d));
    let exited = false;
    prometheus.once('exit', () => (exited = true));
    await fetch(new URL('/api/actions', fran), { method: 'POST', body: '{"type":"start"}', headers: { Authorization: `Bearer ${new URL(fran).searchParams.get('token')}`, 'Content-Type': 'application/json' } });
    const query = async (q: string) => {
      const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
      const j = await r.json() as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      expect(j.status).toBe('success');
      return j.data.result;
    };
    // Wait for Prometheus to be up and to have scraped a few times while the drill runs.
    let up: { value: [number, string] }[] = [];
    for (let i = 0; i < 60 && !exited && !(up.length && up[0].value[1] === '1'); i++) {
      await sleep(500);
      up = await query('up{job="gameday"}').catch(() => []);
    }
    expect(up[0]?.value[1], log).toBe('1');
    await sleep(5000);
    const simulated = Number((await query('rehearse_simulated_seconds_total'))[0].value[1]);
    expect(simulated).toBeGreaterThan(120);
    // Requests per simulated second: the counter over the drill's clock (both from the same scrape).
    const [ratio] = await query('sum(http_requests_total{service_name="web"}) / scalar(rehearse_simulated_seconds_total)');
    const rate = Number(ratio.value[1]);
    // 40 arrivals a second, Poisson: within 5 standard deviations of the mean over the time covered.
    expect(Math.abs(rate - 40)).toBeLessThan(5 * Math.sqrt(40 / simulated));
    // And over a range: increase of requests over increase of simulated time, as a dashboard would graph it.
    const [ranged] = await query('sum(increase(http_requests_total{service_name="web"}[4s])) / scalar(increase(rehearse_simulated_seconds_total[4s]))');
    expect(Math.abs(Number(ranged.value[1]) - 40)).toBeLessThan(4);
    // Labels as the simulated telemetry names them.
    const series = await query('http_requests_total{service_name="pay"}');
    expect(series.map((s) => s.metric.http_route)).toContain('charge');
    expect(series.map((s) => s.metric.code)).toContain('200');
  }, 120_000);
});
