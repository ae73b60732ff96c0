/**
 * An error on a span of a service's own inside a request it answered. Jaeger's HotROD simulates redis inside the
 * driver service (jaegertracing/jaeger examples/hotrod/services/driver/redis.go: "simulate redis as a separate
 * process", a tracer of its own named redis-manual; GetDriver sets codes.Error "An error occurred" on a simulated
 * timeout and the driver retries, its FindNearest answering). Traced with the driver's own tracer, as a service
 * instrumenting its in-process cache or fallback writes it, those are local spans of the driver that fail inside a
 * FindNearest that succeeds. The span that answered decides (the caller saw no failure): they are not failures, and
 * calibrate says how many requests held one, where before it dropped them without a word.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';

// jaegertracing/jaeger-ui packages/jaeger-ui/src/api/v3/__fixtures__/getTrace-response.json (test/fixtures/traces/README.md).
const HOTROD = 'test/fixtures/traces/hotrod-otlp.json';
type Attr = { key: string; value: { stringValue?: string } };
type Doc = { result: { resourceSpans: { resource: { attributes: Attr[] }; scopeSpans: { spans: { kind: number }[] }[] }[] } };

/** The HotROD trace with redis-manual's spans written by the driver's own tracer, as local spans (kind internal). */
function inDriver(): string {
  const doc = JSON.parse(readFileSync(HOTROD, 'utf8')) as Doc;
  for (const rs of doc.result.resourceSpans) {
    const name = rs.resource.attributes.find((a) => a.key === 'service.name');
    if (name?.value.stringValue !== 'redis-manual') continue;
    name.value.stringValue = 'driver';
    for (const ss of rs.scopeSpans) for (const s of ss.spans) s.kind = 1;
  }
  const f = join(mkdtempSync(join(tmpdir(), 'rehearse-inner-errors-')), 'hotrod-driver-local.json');
  writeFileSync(f, JSON.stringify(doc));
  return f;
}

describe('a failed local span inside a request that succeeded', () => {
  it('is not a failure of the request, and is counted and said: at the endpoint and in the warnings', () => {
    const r = calibrateFiles([inDriver()]);
    expect(r.yaml).toContain('      driver-DriverService-FindNearest:   # traced as "driver.DriverService/FindNearest"\n        # 1 span, 0 failed (0 in the endpoint itself); 1 succeeded with a failed local span inside (not counted as failures)\n');
    expect(r.yaml).not.toMatch(/driver-DriverService-FindNearest:.*\n(?:        .*\n)*?        errors:/);
    expect(r.warnings).toContain('errors inside requests that succeeded: 1 successful span(s) hold a failed span of their own service (a local span, not a call; first: trace 2ea75461946a7dd10f2c15ab36a076cb, span 515f970d6a704d52 (driver GetDriver)); the span that answered decides: not counted as failures (a retry or a fallback inside the service is in its own latency); see each endpoint\'s comment');
  });

  it('as HotROD writes them (another service, client spans), they are failed calls, not inner errors', () => {
    const r = calibrateFiles([HOTROD]);
    expect(r.warnings.some((w) => w.startsWith('errors inside requests that succeeded'))).toBe(false);
    expect(r.yaml).not.toContain('succeeded with a failed local span inside');
  });
});
