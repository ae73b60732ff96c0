/**
 * A service seen only from its callers (no server span of its own: a database, a cache, an outside API) is named as
 * the team would know it, from its callers' client spans, and calibrate says which attribute named it.
 *
 * The ranking of peer.service, server.address, net.peer.name and an address with its port is OpenTelemetry's
 * mapping of a client span's peer to Zipkin's remoteEndpoint: opentelemetry-specification,
 * specification/trace/sdk_exporters/zipkin.md ("Remote endpoint", ranks 1 to 11). The attribute names, older and
 * newer, are the semantic conventions' (peer.service; server.address and server.port, formerly net.peer.name and
 * net.peer.port; db.system.name and db.namespace, formerly db.system and db.name; messaging.system; rpc.service;
 * url.full, formerly http.url).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { peerLines } from '../src/calibrate/names.js';
import { peerName } from '../src/calibrate/peer.js';
import type { AttributeValue, Span } from '../src/observe/span.js';
import { load } from './roundtrip-helpers.js';

const root = new URL('..', import.meta.url).pathname;
const realsys = (s: string) => join(root, 'test', 'fixtures', 'realsys', 'base', `${s}.otlp.json`);

const client = (attributes: Record<string, AttributeValue>, remoteService: string | null = null): Span => ({
  traceId: '1', spanId: '2', parentId: '3', follows: false, service: 'shop', name: 'call', kind: 'client',
  startUs: 0, durationUs: 1, error: false, attributes, events: [], shared: false, remoteService,
});

describe('the peer of a client span, by the semantic conventions', () => {
  it('ranks the peer service first, then a host name, then what the peer is, then a URL host, then an address with its port', () => {
    const cases: [Record<string, AttributeValue>, string, string][] = [
      [{ 'peer.service': 'payments', 'server.address': 'pay.internal', 'db.system': 'postgresql' }, 'payments', 'peer.service'],
      [{ 'service.peer.name': 'payments', 'server.address': 'pay.internal' }, 'payments', 'service.peer.name'],
      [{ 'server.address': 'orders-db', 'server.port': 5432, 'db.system': 'postgresql', 'db.name': 'orders' }, 'orders-db', 'server.address'],
      [{ 'net.peer.name': 'redis-cart', 'net.peer.port': 6379, 'db.system': 'redis' }, 'redis-cart', 'net.peer.name'],
      // An address is a machine, not a service: what the peer is names it before the address does.
      [{ 'server.address': '10.0.3.7', 'db.system': 'postgresql', 'db.name': 'orders' }, 'postgresql/orders', 'db.system and db.name'],
      [{ 'server.address': '127.0.0.1', 'db.system.name': 'postgresql', 'db.namespace': 'orders' }, 'postgresql/orders', 'db.system.name and db.namespace'],
      [{ 'db.system': 'redis' }, 'redis', 'db.system'],
      [{ 'network.peer.address': '10.1.1.1', 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' }, 'kafka', 'messaging.system'],
      [{ 'rpc.system': 'grpc', 'rpc.service': 'oteldemo.CartService', 'server.address': '::1' }, 'oteldemo.CartService', 'rpc.service'],
      [{ 'url.full': 'https://api.stripe.com/v1/charges', 'server.address': '52.1.2.3' }, 'api.stripe.com', 'url.full (its host)'],
      [{ 'http.url': 'http://currency:7001/convert' }, 'currency', 'http.url (its host)'],
      // Several services on one machine: the port tells them apart (as rank 4 of the mapping puts it with the address).
      [{ 'server.address': '127.0.0.1', 'server.port': 44323, 'url.full': 'http://127.0.0.1:44323/query' }, '127.0.0.1:44323', 'server.address and server.port'],
      [{ 'net.peer.name': 'localhost', 'net.peer.port': 8080 }, 'localhost:8080', 'net.peer.name and net.peer.port'],
      [{ 'url.full': 'http://127.0.0.1:9000/x' }, '127.0.0.1:9000', 'url.full (its host and port)'],
      [{ 'network.peer.address': '10.0.0.5', 'network.peer.port': 11211 }, '10.0.0.5:11211', 'network.peer.address and network.peer.port'],
      [{ 'net.sock.peer.addr': '::1', 'net.sock.peer.port': 6379 }, '[::1]:6379', 'net.sock.peer.addr and net.sock.peer.port'],
      [{ 'peer.hostname': 'legacy-db' }, 'legacy-db', 'peer.hostname'],
    ];
    for (const [attributes, name, by] of cases) expect({ attributes, ...peerName(client(attributes), 'shop') }).toEqual({ attributes, name, by });
  });

  it('takes Zipkin\'s remoteEndpoint.serviceName (the readers also put peer.service there), and the caller\'s name only when nothing names the peer', () => {
    expect(peerName(client({ 'server.address': 'x' }, 'app_db'), 'shop')).toEqual({ name: 'app_db', by: 'remoteEndpoint.serviceName' });
    expect(peerName(client({ 'peer.service': 'app_db' }, 'app_db'), 'shop')).toEqual({ name: 'app_db', by: 'peer.service' });
    expect(peerName(client({ 'http.method': 'GET' }), 'shop').name).toBe('shop-remote');
  });
});

describe('calibrating from one service\'s trace file', () => {
  // The shop's cart, traced alone (its OpenTelemetry SDK's file): its calls to the db are client spans whose server
  // spans are in another file. Every service of the shop listens on 127.0.0.1, each on a port of its own.
  it('names the callee by address and port, so that services on one machine stay apart, and says what named it', () => {
    const r = calibrateFiles([realsys('frontend')]);
    const services = load(r.yaml).services.map((s) => s.name).sort();
    // The frontend calls catalog, cart and recommend: three services, not one named 127-0-0-1.
    expect(services).toEqual(['127-0-0-1-37105', '127-0-0-1-40251', '127-0-0-1-41355', 'frontend']);
    expect(r.yaml).toContain('  127-0-0-1-37105:   # traced as "127.0.0.1:37105"\n    # seen only as the far end of client spans (not instrumented), named "127.0.0.1:37105" by its callers\' server.address and server.port: capacity unknown; give it with --capacity 127-0-0-1-37105=N');
    expect(peerLines(r.analysis)).toEqual(['not instrumented, named from their callers\' client spans: 127-0-0-1-37105 (server.address and server.port: 127.0.0.1:37105), ' +
      '127-0-0-1-40251 (server.address and server.port: 127.0.0.1:40251), 127-0-0-1-41355 (server.address and server.port: 127.0.0.1:41355)']);
  });

  it('--capacity takes the name as the scenario writes it or as the trace spells it; a misspelt one is an error with a suggestion', () => {
    const r = calibrateFiles([realsys('cart')], { capacity: '127-0-0-1-44323=8,cart=4' });
    expect(r.yaml).toContain('  127-0-0-1-44323:   # traced as "127.0.0.1:44323"\n    # given: --capacity 127-0-0-1-44323=8\n    replicas: 1\n    concurrency: 8');
    const spelt = calibrateFiles([realsys('cart')], { capacity: '127.0.0.1:44323=2x4' });
    expect(spelt.yaml).toContain('  127-0-0-1-44323:   # traced as "127.0.0.1:44323"\n    # given: --capacity 127.0.0.1:44323=2x4\n    replicas: 2\n    concurrency: 4');
    expect(() => calibrateFiles([realsys('cart')], { capacity: '127-0-0-1-4432=8' }))
      .toThrow('--capacity: no service "127-0-0-1-4432" in the traces; did you mean "127-0-0-1-44323"? (services: 127-0-0-1-44323, cart)');
    expect(() => calibrateFiles([realsys('cart')], { replicaConcurrency: '127.0.0.1:4323=2' })).toThrow('did you mean "127.0.0.1:44323"?');
  });

  it('a Zipkin file (openzipkin/zipkin, zipkin-lens/testdata/simple-db-p6.json): the database by its remoteEndpoint.serviceName', () => {
    const r = calibrateFiles([join(root, 'test', 'fixtures', 'traces', 'zipkin-simple-db.json')], { capacity: 'app_db=4' });
    expect(peerLines(r.analysis)).toEqual(['not instrumented, named from their callers\' client spans: app_db (remoteEndpoint.serviceName)']);
    expect(r.yaml).toContain('  app_db:\n    # given: --capacity app_db=4');
  });
});
