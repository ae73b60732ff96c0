/**
 * The game-day server (hono on @hono/node-server): the dashboard page and its scripts, the state and its
 * server-sent events, the action API and /metrics. Loopback by default. Every request needs a person's token
 * (query parameter `token`, or an `Authorization` header with the Bearer scheme in any case); without one,
 * 401 and an empty body. The token says who acts and in which role: an action the role does not allow gets
 * 403 (observers may not act at all). State changes are POST only, and a request from another origin is
 * refused (403), so a page elsewhere cannot drive a drill. Bodies are validated by zod, then against the
 * scenario (a name that matches nothing): a bad one gets 400 and is not recorded; an action that does not
 * apply now gets 409 and is recorded as refused. The state and the updates a facilitator is sent carry the hidden
 * faults they may remove (feed.ts textFor); nobody else's do.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import { allowed, badName, ROLES, roleScope, RosterError, type Person, type Role, type Roster } from './access.js';
import { ActionBody, adhocAtProblem, describeAction, isRecorded, type Action, type RecordedAction } from './actions.js';
import { CursorError, textFor, type Feed } from './feed.js';
import { assetFile, dashboardHtml } from './page.js';
import { issueLines, PLAIN } from '../units/issues.js';

export interface DrillServerOptions {
  host: string;
  port: number;
  /** The address people use when it is not the one served (a proxy, a tunnel): links and the allowed origin. */
  publicUrl?: string;
  roster: Roster;
  feed: Feed;
  title: string;
  /** What is wrong with a well-formed body in this drill (a name that matches nothing): answered with 400, not recorded. */
  check(action: Action): string | null;
  act(action: Action, person: Person): RecordedAction;
  invite(name: string, role: Role): { token: string };
  metrics(): string;
  /** The debrief, once written. */
  debrief(): { html: string; json: string } | null;
  /** A page connected (+1) or went away (-1). */
  onPresence?(person: Person, delta: 1 | -1): void;
  /** An unexpected error while answering a request (the request got a 500). */
  onError?(err: Error): void;
}

export interface DrillServer {
  /** The origin people use (the public URL's when given). */
  origin: string;
  port: number;
  /** The address links use, without a token. */
  url: string;
  link(token: string): string;
  /** Ends every event stream (pages reconnect with their last event id). */
  dropStreams(): void;
  close(): Promise<void>;
}

const InviteBody = z.strictObject({ name: z.string().min(1).max(60), role: z.enum(ROLES) });

/** The token of a request: `Authorization: Bearer T` (the scheme in any case, RFC 9110), else `?token=T`. */
export function requestToken(authorization: string | undefined, query: string | undefined): string | undefined {
  const m = authorization === undefined ? null : /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return m ? m[1] : query;
}

export async function startDrillServer(o: DrillServerOptions): Promise<DrillServer> {
  const origins = new Set<string>();
  const streams = new Set<SSEStreamingApi>();
  const app = new Hono<{ Variables: { person: Person } }>();
  app.use('*', async (c, next) => {
    const person = o.roster.who(requestToken(c.req.header('authorization'), c.req.query('token')));
    if (!person) return c.body(null, 401);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      if ((origin !== undefined && !origins.has(origin)) || c.req.header('sec-fetch-site') === 'cross-site') {
        return c.json({ error: 'requests from another origin are refused' }, 403);
      }
    }
    c.set('person', person);
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
  });

  app.get('/', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
    return c.html(dashboardHtml(o.title, requestToken(c.req.header('authorization'), c.req.query('token'))!));
  });
  app.get('/assets/:name', (c) => {
    const file = assetFile(c.req.param('name'));
    if (!file) return c.json({ error: 'not found' }, 404);
    c.header('Content-Type', file.type);
    return c.body(file.body);
  });
  const you = (p: Person) => ({ name: p.name, role: p.role });
  // ?since=CURSOR (the `next` of an earlier answer): the state now with only the rows after it.
  app.get('/api/state', (c) => {
    let r: ReturnType<Feed['stateSince']>;
    try {
      r = o.feed.stateSince(c.req.query('since') ?? null);
    } catch (e) {
      if (e instanceof CursorError) return c.json({ error: e.message }, 400);
      throw e;
    }
    return c.body(`{"you":${JSON.stringify(you(c.get('person')))},"id":${JSON.stringify(o.feed.lastId)},"next":${JSON.stringify(r.next)},"state":${textFor(c.get('person').role, r)}}`, 200, { 'Content-Type': 'application/json' });
  });
  app.get('/api/events', (c) => {
    const person = c.get('person');
    return streamSSE(c, async (stream) => {
      streams.add(stream);
      o.onPresence?.(person, 1);
      // A page opening its stream again after the browser gave up on it names the last update it saw in `last`.
      let last = c.req.header('last-event-id') ?? c.req.query('last') ?? null;
      const gone = new Promise<void>((r) => stream.onAbort(r));
      try {
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ you: you(person) }), retry: 1000 });
        while (!stream.aborted && !stream.closed) {
          const woken = o.feed.next();
          const updates = o.feed.since(last) ?? [o.feed.reset()];
          for (const u of updates) {
            await stream.writeSSE({ event: 'update', data: textFor(person.role, u), id: u.id });
            last = u.id;
          }
          await Promise.race([woken, gone]);
        }
      } finally {
        streams.delete(stream);
        o.onPresence?.(person, -1);
      }
    });
  });
  app.post('/api/actions', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'the body is larger than 64 KiB' }, 413) }), async (c) => {
    const person = c.get('person');
    if (person.role === 'observer') return c.json({ error: roleScope('observer') }, 403);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'the body is not JSON' }, 400);
    }
    const parsed = ActionBody.safeParse(body, PLAIN);
    if (!parsed.success) return c.json({ error: adhocAtProblem(body) ?? issueLines(parsed.error.issues).join('; ') }, 400);
    if (!allowed(person.role, parsed.data.type)) return c.json({ error: `${person.name} is ${person.role === 'operator' ? 'an' : 'a'} ${person.role}: ${roleScope(person.role)}` }, 403);
    const bad = o.check(parsed.data);
    if (bad !== null) return c.json({ error: bad }, 400);
    const rec = o.act(parsed.data, person);
    return c.json({ ok: rec.refused === null, refused: rec.refused, recorded: isRecorded(rec), atSeconds: rec.atUs / 1e6, by: rec.by, what: describeAction(rec.action, rec.faultName) }, rec.refused === null ? 200 : 409);
  });
  app.post('/api/invite', bodyLimit({ maxSize: 4096, onError: (c) => c.json({ error: 'the body is too large' }, 413) }), async (c) => {
    const person = c.get('person');
    if (person.role !== 'facilitator') return c.json({ error: 'only the facilitator invites people' }, 403);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'the body is not JSON' }, 400);
    }
    const parsed = InviteBody.safeParse(body, PLAIN);
    if (!parsed.success) return c.json({ error: issueLines(parsed.error.issues).join('; ') }, 400);
    // A name that can never be one is a bad request (400, exit 2 for `gameday invite`), as an empty one is; only a
    // name already taken is a conflict (409).
    const why = badName(parsed.data.name);
    if (why) return c.json({ error: `name: ${why}` }, 400);
    try {
      const { token } = o.invite(parsed.data.name, parsed.data.role);
      return c.json({ name: parsed.data.name, role: parsed.data.role, url: link(token) });
    } catch (e) {
      if (e instanceof RosterError) return c.json({ error: e.message }, 409);
      throw e;
    }
  });
  app.get('/metrics', (c) => {
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return c.body(o.metrics());
  });
  app.get('/debrief', (c) => {
    const d = o.debrief();
    if (!d) return c.json({ error: 'the debrief is not written yet' }, 404);
    c.header('Content-Security-Policy', "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:");
    // No icon to fetch: a request without the token would only get a 401.
    return c.html(d.html.replace('<head>', '<head>\n<link rel="icon" href="data:,">'));
  });
  app.get('/debrief.json', (c) => {
    const d = o.debrief();
    if (!d) return c.json({ error: 'the debrief is not written yet' }, 404);
    c.header('Content-Type', 'application/json');
    return c.body(d.json);
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((err, c) => {
    o.onError?.(err);
    return c.json({ error: 'internal error' }, 500);
  });

  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: o.port, hostname: o.host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  for (const h of new Set([hostInUrl, '127.0.0.1', 'localhost', '[::1]'])) origins.add(`http://${h}:${port}`);
  let publicOrigin: string | null, origin: string, base: URL;
  try {
    publicOrigin = o.publicUrl ? new URL(o.publicUrl).origin : null;
    origin = publicOrigin ?? `http://${hostInUrl === '0.0.0.0' || hostInUrl === '[::]' ? '127.0.0.1' : hostInUrl}:${port}`;
    base = o.publicUrl ? new URL(o.publicUrl) : new URL(`${origin}/`);
  } catch (e) {
    // Listening, but no link can be made to it: a server left open would hold the process after the error.
    server.close();
    throw e;
  }
  if (publicOrigin) origins.add(publicOrigin);
  function link(token: string): string {
    const u = new URL(base.href);
    u.searchParams.set('token', token);
    return u.href;
  }
  return {
    origin,
    port,
    url: base.href,
    link,
    dropStreams: () => {
      for (const s of streams) s.abort();
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of streams) s.abort();
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}
