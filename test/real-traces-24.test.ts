/**
 * Work a span hands off and does not wait for, in the same service: a local (internal) span that ends after its
 * parent. Brave's kafka-clients instrumentation (openzipkin/brave instrumentation/kafka-clients) ends the CONSUMER
 * span when poll() returns; the application then processes each record under `kafkaTracing.nextSpan(record)`, a child
 * of that consumer span that starts after it and outlives it (zipkin-lens testdata/messaging-kafka.json, copied as
 * test/fixtures/traces/zipkin-messaging-kafka.json). The processing is the consumer's real work: calibrate read it
 * as time inside the poll (so its 647 ms fell outside every endpoint, servicea's poll measured 1 to 26 us) and left
 * its errors uncounted (serviceb's three on-message spans tagged `error`, Zipkin's failed span: zipkin2/Span.java
 * and zipkin-lens count a span with an `error` tag, any value, as failed). It is now an endpoint of its own,
 * called asynchronously by the span it outlives.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { calibrateFiles } from '../src/calibrate/calibrate.js';

const fixture = (f: string) => new URL(`./fixtures/traces/${f}`, import.meta.url).pathname;
type Endpoint = { latency: unknown; errors?: string; calls?: { to: string; async?: boolean; probability?: string; repeat?: number }[] };
const services = (file: string): Record<string, { endpoints: Record<string, Endpoint> }> =>
  parse(calibrateFiles([file]).yaml).services;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-real-traces-24-'));

describe('a local span that outlives its parent is work of its own, called asynchronously (Kafka consumers as Brave traces them)', () => {
  const s = services(fixture('zipkin-messaging-kafka.json'));

  it('each on-message span is an endpoint of its consumer\'s service, its own time measured; poll calls it asynchronously', () => {
    expect(Object.keys(s.servicea.endpoints)).toEqual(['poll', 'on-message']);
    expect(s.servicea.endpoints.poll.latency).toEqual({ dist: 'empirical', samples: ['1us', '1us', '1us', '26us'] });
    expect(s.servicea.endpoints.poll.calls).toEqual([{ to: 'servicea.on-message', async: true }]);
    // The three records of the first poll took 252, 223 and 172 ms (their "handle" local spans inside them are
    // their time; their sends are producer hand-offs); the three polled back from servicea's own topic, 45 to 149 us.
    expect(s.servicea.endpoints['on-message'].latency).toEqual({ dist: 'empirical', samples: ['45us', '65us', '149us', '171798us', '223097us', '252090us'] });
    expect(s.servicea.endpoints['on-message'].calls?.every((c) => c.async === true)).toBe(true);
    expect(s.servicea.endpoints['on-message'].calls?.map((c) => c.to).sort()).toEqual(['kafka.send', 'kafka.send', 'servicea.poll', 'serviceb.poll']);
  });

  it('the errors of the processing count: serviceb\'s three on-message spans tagged error (one with an empty value) fail', () => {
    expect(s.serviceb.endpoints.poll).toEqual({ latency: '1us', calls: [{ to: 'serviceb.on-message', async: true }] });
    expect(s.serviceb.endpoints['on-message']).toEqual({ latency: '0us', errors: '100%' });
  });

  const zipkin = (spans: object[]) => {
    const f = join(dir, `t-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify(spans));
    return f;
  };
  const span = (id: string, parentId: string | undefined, name: string, ts: number, duration: number, kind?: string) =>
    ({ traceId: 'a'.repeat(16), id, parentId, name, kind, timestamp: ts, duration, localEndpoint: { serviceName: 'orders' } });

  it('a server span\'s background work that ends after its answer is its own endpoint; work inside the answer stays the server\'s', () => {
    const t0 = 1_700_000_000_000_000;
    const out = services(zipkin([
      span('0000000000000001', undefined, 'place-order', t0, 10_000, 'SERVER'),
      span('0000000000000002', '0000000000000001', 'validate', t0 + 1_000, 3_000),
      span('0000000000000003', '0000000000000001', 'send-receipt', t0 + 9_000, 50_000),
    ]));
    expect(out.orders.endpoints['place-order']).toEqual({ latency: '10000us', calls: [{ to: 'orders.send-receipt', async: true }] });
    expect(out.orders.endpoints['send-receipt']).toEqual({ latency: '50000us' });
    expect(Object.keys(out.orders.endpoints)).toEqual(['place-order', 'send-receipt']);
  });

  it('a local span under a client span is part of the call, even when it ends after the client span: the far end is still the call', () => {
    const t0 = 1_700_000_000_000_000;
    const client = { ...span('0000000000000002', '0000000000000001', 'charge', t0 + 1_000, 5_000, 'CLIENT'), remoteEndpoint: { serviceName: 'payments' } };
    const out = services(zipkin([
      span('0000000000000001', undefined, 'checkout', t0, 10_000, 'SERVER'),
      client,
      span('0000000000000003', '0000000000000002', 'read-body', t0 + 5_000, 3_000),
    ]));
    expect(out.orders.endpoints).toEqual({ checkout: { latency: '5000us', calls: ['payments.charge'] } });
    expect(out.payments.endpoints).toEqual({ charge: { latency: '5000us' } });
  });

  it('start times in whole milliseconds: a local span ending within the millisecond after its parent is inside it', () => {
    const t0 = 1_700_000_000_000_000;
    const out = services(zipkin([
      span('0000000000000001', undefined, 'get-cart', t0, 10_000, 'SERVER'),
      span('0000000000000002', '0000000000000001', 'render', t0 + 2_000, 8_900),
    ]));
    expect(out.orders.endpoints).toEqual({ 'get-cart': { latency: '10000us' } });
  });
});
