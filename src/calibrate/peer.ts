/**
 * The name of a service seen only from its callers: the far end of a client or producer span with no server span
 * of its own (a database, a cache, a broker, an outside API). Named as the team would know it, by OpenTelemetry's
 * attributes for the peer of a client span, older and newer names alike, and by Zipkin's remoteEndpoint:
 *
 * 1. the peer's service name: `peer.service` (`service.peer.name` in newer conventions), Zipkin's
 *    `remoteEndpoint.serviceName`;
 * 2. its host name: `server.address`, `net.peer.name`, `server.socket.domain`, `net.sock.peer.name`, `peer.hostname`;
 * 3. what it is: `db.system.name` / `db.system` with `db.namespace` / `db.name`, `messaging.system`, `rpc.service`,
 *    `gen_ai.provider.name` / `gen_ai.system`;
 * 4. the host of `url.full` / `http.url`;
 * 5. an address: any of the above that is an IP address or `localhost` (a machine, not a service: several services
 *    on one machine share it), with its port (`server.port`, `net.peer.port`, the URL's), then `network.peer.address`
 *    / `net.sock.peer.addr` / `server.socket.address` / `peer.address` with theirs;
 * 6. else `CALLER-remote`.
 *
 * Steps 1, 2 and 5 follow the ranking of OpenTelemetry's Zipkin mapping (opentelemetry-specification,
 * specification/trace/sdk_exporters/zipkin.md, "Remote endpoint"), which puts an address with its port.
 */
import type { AttributeValue, Span } from '../observe/span.js';

export interface PeerName {
  /** The name as the traces spell it. */
  readonly name: string;
  /** The attributes it came from, for the scenario's comment. */
  readonly by: string;
  /** Named by no attribute of the span: after its caller. */
  readonly fallback?: true;
}

const text = (a: Record<string, AttributeValue>, key: string): string | null => {
  const v = a[key];
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
};

const first = (a: Record<string, AttributeValue>, keys: readonly string[]): { key: string; value: string } | null => {
  for (const key of keys) {
    const value = text(a, key);
    if (value !== null) return { key, value };
  }
  return null;
};

/** An IPv4 or IPv6 literal, or the loopback name: where a machine is, not which service on it. */
export function isAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-f:.]+$/.test(h)) || h === 'localhost' || h.endsWith('.localhost');
}

const withPort = (host: string, port: string | null): string => (port === null ? host : `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`);

/** The host and port of a URL, or null. */
function urlHost(u: string): { host: string; port: string | null } | null {
  try {
    const url = new URL(u);
    if (url.hostname === '') return null;
    return { host: url.hostname, port: url.port === '' ? null : url.port };
  } catch {
    return null;
  }
}

const HOSTS = ['server.address', 'net.peer.name', 'server.socket.domain', 'net.sock.peer.name', 'peer.hostname'] as const;
const PORTS = ['server.port', 'net.peer.port'] as const;
const SOCKETS: readonly (readonly [string, string])[] = [
  ['network.peer.address', 'network.peer.port'], ['server.socket.address', 'server.socket.port'], ['net.sock.peer.addr', 'net.sock.peer.port'],
  ['net.peer.ip', 'net.peer.port'], ['peer.address', 'peer.port'],
];

export function peerName(client: Span, caller: string): PeerName {
  const a = client.attributes;
  // 1. The peer's service name.
  const service = first(a, ['peer.service', 'service.peer.name']);
  if (client.remoteService !== null) {
    return { name: client.remoteService, by: service?.value === client.remoteService ? service.key : 'remoteEndpoint.serviceName' };
  }
  if (service) return { name: service.value, by: service.key };
  // 2. A host name (not an address).
  const host = HOSTS.map((key) => ({ key, value: text(a, key) })).find((h) => h.value !== null && !isAddress(h.value));
  if (host) return { name: host.value!, by: host.key };
  // 3. What it is.
  const db = first(a, ['db.system.name', 'db.system']);
  if (db) {
    const ns = first(a, ['db.namespace', 'db.name']);
    return ns ? { name: `${db.value}/${ns.value}`, by: `${db.key} and ${ns.key}` } : { name: db.value, by: db.key };
  }
  const messaging = first(a, ['messaging.system']);
  if (messaging) return { name: messaging.value, by: messaging.key };
  const rpc = first(a, ['rpc.service']);
  if (rpc) return { name: rpc.value, by: rpc.key };
  // A generative AI model's provider (semantic-conventions docs/gen-ai/gen-ai-spans.md: gen_ai.provider.name,
  // gen_ai.system before it), as db.system.name names a database.
  const genAi = first(a, ['gen_ai.provider.name', 'gen_ai.system']);
  if (genAi) return { name: genAi.value, by: genAi.key };
  // 4. The URL's host.
  const url = first(a, ['url.full', 'http.url']);
  const u = url ? urlHost(url.value) : null;
  if (u && !isAddress(u.host)) return { name: u.host, by: `${url!.key} (its host)` };
  // 5. An address with its port.
  const addr = HOSTS.map((key) => ({ key, value: text(a, key) })).find((h) => h.value !== null);
  if (addr) {
    const port = first(a, PORTS);
    return { name: withPort(addr.value!, port?.value ?? null), by: port ? `${addr.key} and ${port.key}` : addr.key };
  }
  if (u) return { name: withPort(u.host, u.port), by: `${url!.key} (its host${u.port !== null ? ' and port' : ''})` };
  for (const [ak, pk] of SOCKETS) {
    const v = text(a, ak);
    if (v === null) continue;
    const port = text(a, pk);
    return { name: withPort(v, port), by: port !== null ? `${ak} and ${pk}` : ak };
  }
  return { name: `${caller}-remote`, by: 'no attribute of the client span names it: the caller\'s name', fallback: true };
}
