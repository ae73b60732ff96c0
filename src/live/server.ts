/**
 * The game-day server (hono on @hono/node-server): the dashboard page and its scripts, the state and its
 * server-sent events, the action API and /metrics. Loopback by default. Every request needs the drill's
 * random token (query parameter `token` or `Authorization: Bearer`), compared in constant time; without it,
 * 401 and an empty body. State changes are POST only, and a request from another origin is refused (403), so
 * a page elsewhere cannot drive a drill. Bodies are validated by zod: a bad one gets 400 and a message.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { ActionBody, type Action, type RecordedAction } from './actions.js';
import type { PacedDriver } from './driver.js';
import { assetFile, dashboardHtml } from './page.js';
import type { DrillSession } from './session.js';
import { liveSnapshot, type Cursor } from './view.js';
import { metricsText } from './metrics.js';
import { issueLines, plainError } from '../units/issues.js';

export interface DrillServerOptions {
  session: DrillSession;
  driver: PacedDriver;
  host: string;
  port: number;
  token?: string;
  /** The name recorded for actions that carry none. */
  defaultName: string;
  /** At most this many updates per second to each page. */
  updatesPerSecond?: number;
  /** An action was applied (or refused): for the terminal. */
  onAction?: (rec: RecordedAction) => void;
  /** The debrief, once the drill has ended and it is written. */
  debrief?: () => { html: string; json: string } | null;
  /** An unexpected error while answering a request (the request got a 500). */
  onError?: (err: Error) => void;
  now?: () => Date;
}

export interface DrillServer {
  url: string;
  origin: string;
  token: string;
  port: number;
  /** Wakes the event streams (something changed). */
  changed(): void;
  close(): Promise<void>;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export async function startDrillServer(o: DrillServerOptions): Promise<DrillServer> {
  const token = o.token ?? newToken();
  const expected = digest(token);
  const tokenOk = (given: string | undefined) => given !== undefined && timingSafeEqual(digest(given), expected);
  const now = o.now ?? (() => new Date());
  let revision = 0;
  const origins = new Set<string>();

  const app = new Hono();
  app.use('*', async (c, next) => {
    const auth = c.req.header('authorization');
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    if (!tokenOk(bearer ?? c.req.query('token'))) return c.body(null, 401);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      if ((origin !== undefined && !origins.has(origin)) || c.req.header('sec-fetch-site') === 'cross-site') {
        return c.json({ error: 'requests from another origin are refused' }, 403);
      }
    }
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
  });

  app.get('/', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
    return c.html(dashboardHtml(token, o.session.scenario.name));
  });
  app.get('/assets/:name', (c) => {
    const file = assetFile(c.req.param('name'));
    if (!file) return c.body(null, 404);
    c.header('Content-Type', file.type);
    return c.body(file.body);
  });
  app.get('/api/state', (c) => c.json(liveSnapshot(o.session, o.driver, { windows: 0, audit: 0 }, o.defaultName)));
  app.get('/api/events', (c) => streamSSE(c, async (stream) => {
    const cursor: Cursor = { windows: 0, audit: 0 };
    let seen = -1;
    let aborted = false;
    stream.onAbort(() => {
      aborted = true;
    });
    const gap = 1000 / (o.updatesPerSecond ?? 4);
    let id = 0;
    while (!aborted) {
      if (seen !== revision) {
        seen = revision;
        const snap = liveSnapshot(o.session, o.driver, cursor, o.defaultName);
        Object.assign(cursor, snap.cursor);
        await stream.writeSSE({ event: 'state', data: JSON.stringify(snap), id: String(id++) });
        if (o.session.ended && o.debrief?.()) {
          await stream.writeSSE({ event: 'debrief', data: JSON.stringify({ html: '/debrief', json: '/debrief.json' }) });
        }
      }
      await stream.sleep(gap);
    }
  }));
  app.post('/api/actions', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'the body is larger than 64 KiB' }, 413) }), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'the body is not JSON' }, 400);
    }
    const parsed = ActionBody.safeParse(body, { error: plainError });
    if (!parsed.success) return c.json({ error: issueLines(parsed.error.issues).join('; ') }, 400);
    const rec = act(parsed.data);
    return c.json({ ok: rec.refused === null, refused: rec.refused, atSeconds: rec.atUs / 1e6 }, rec.refused === null ? 200 : 409);
  });
  app.get('/metrics', (c) => {
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return c.body(metricsText(o.session));
  });
  app.get('/debrief', (c) => {
    const d = o.debrief?.();
    if (!d) return c.json({ error: 'the drill has not ended' }, 404);
    c.header('Content-Security-Policy', "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:");
    // No icon to fetch: a request without the token would only get a 401.
    return c.html(d.html.replace('<head>', '<head>\n<link rel="icon" href="data:,">'));
  });
  app.get('/debrief.json', (c) => {
    const d = o.debrief?.();
    if (!d) return c.json({ error: 'the drill has not ended' }, 404);
    c.header('Content-Type', 'application/json');
    return c.body(d.json);
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((err, c) => {
    o.onError?.(err);
    return c.json({ error: 'internal error' }, 500);
  });

  function act(action: Action): RecordedAction {
    const by = action.by ?? o.defaultName;
    const wall = now().toISOString();
    // The pace: the driver does it; the session records it for the timeline.
    if (action.type === 'clock' && !o.session.ended) {
      if (action.op === 'pause') o.driver.pause();
      else o.driver.resume();
    }
    if (action.type === 'speed' && !o.session.ended) o.driver.setSpeed(action.speed);
    const rec = o.session.act(action, by, wall);
    revision++;
    o.onAction?.(rec);
    // The drill ends (and its debrief is written) after this response has gone.
    if (action.type === 'end') setTimeout(() => o.driver.tick(), 20);
    return rec;
  }

  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: o.port, hostname: o.host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  for (const h of new Set([hostInUrl, '127.0.0.1', 'localhost', '[::1]'])) origins.add(`http://${h}:${port}`);
  const origin = `http://${hostInUrl}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    changed: () => {
      revision++;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}

export type { Context };
