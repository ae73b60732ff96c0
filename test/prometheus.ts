/**
 * A real Prometheus for the differential tests: OpenMetrics files backfilled with promtool into a temporary
 * storage directory, the server started on a free loopback port with that directory and a minimal config
 * (no scrape targets), queried through its HTTP API, and stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

export function prometheusAvailable(): boolean {
  return existsSync(PROMETHEUS) && existsSync(PROMTOOL);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface PromResult {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: 'vector' | 'scalar' | 'matrix' | 'string'; result: unknown };
}

export class PrometheusServer {
  private constructor(private readonly proc: ChildProcess, private readonly dir: string, readonly base: string) {}

  /** Backfills the files and starts the server; resolves once it answers /-/ready. */
  static async start(files: string[]): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-prom-'));
    const data = join(dir, 'data');
    for (const f of files) {
      const r = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', f, data], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`promtool failed on ${f}: ${r.stderr || r.stdout}`);
    }
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    const port = await freePort();
    const proc = spawn(PROMETHEUS, [
      `--config.file=${config}`, `--storage.tsdb.path=${data}`, '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=error',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (c) => (stderr += c));
    const base = `http://127.0.0.1:${port}`;
    const server = new PrometheusServer(proc, dir, base);
    for (let i = 0; i < 300; i++) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      try {
        const r = await fetch(`${base}/-/ready`);
        if (r.ok) return server;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await server.stop();
    throw new Error(`prometheus did not become ready: ${stderr}`);
  }

  async query(query: string, timeMs: number): Promise<PromResult> {
    const body = new URLSearchParams({ query, time: String(timeMs / 1000) });
    const r = await fetch(`${this.base}/api/v1/query`, { method: 'POST', body });
    return (await r.json()) as PromResult;
  }

  /** /api/v1/query_range from start to end (inclusive) every step. */
  async queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<PromResult> {
    const body = new URLSearchParams({ query, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000) });
    const r = await fetch(`${this.base}/api/v1/query_range`, { method: 'POST', body });
    return (await r.json()) as PromResult;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
