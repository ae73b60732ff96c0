/**
 * What surrounds the spans of a trace file, and spans kept by a store, read exactly:
 * - the documents' wrappers: Jaeger's HTTP API answer (jaegertracing/jaeger cmd/jaeger/internal/extension/
 *   jaegerquery/internal/http_handler.go structuredResponse {data, total, limit, offset, errors}, handleError), its
 *   api_v3 gateway (internal/proto/api_v3/query_service.pb.go GRPCGatewayWrapper {result}, GRPCGatewayError {error};
 *   apiv3/http_gateway.go tryHandleError), OTLP's TracesData {resourceSpans} (opentelemetry-proto trace.proto) and
 *   jaeger-ui's state of a loaded trace (packages/jaeger-ui/src/types/index.ts FetchedTrace {data, error, id, state});
 * - a span's process as jaeger-ui copies it into each span (packages/jaeger-ui/src/model/transform-trace-data.ts:
 *   span.process = data.processes[processID]), walked once, with the trace's processes;
 * - Jaeger's Elasticsearch and OpenSearch span documents (internal/storage/v2/elasticsearch/tracestore/core/dbmodel/
 *   model.go Span; core/reader.go mergeAllNestedAndElevatedTagsOfSpan and convertTagField; core/writer.go
 *   splitElevatedTags; tracestore/ids.go getParentSpanId), alone, a search answer's hits, or a hit a line;
 * - every command that reads trace files prints the fields it warned of: calibrate's own files and --check's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateCommand } from '../src/cli/calibrate.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-trace-wrappers-'));
const write = (name: string, doc: unknown, text = JSON.stringify(doc, null, 2)): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('trace wrappers: --check prints the warnings of the files it reads, as calibrate prints its own', () => {
  const spans = (extra: object) => Array.from({ length: 40 }, (_, i) => ({
    traceId: (i + 1).toString(16).padStart(16, '0'), id: 'a'.padStart(16, '0'), name: 'get', kind: 'SERVER', timestamp: 1700000000000000 + i * 1000, duration: 100 + i,
    localEndpoint: { serviceName: 'api', ...extra },
  }));

  it('a checked file\'s fields are warned once each, with file:line:column and counts; a file given to both is warned once', () => {
    const base = write('check-base.json', spans({})), checked = write('check-addressed.json', spans({ ipv4: '10.0.0.1' }));
    const warnings: string[] = [];
    calibrateCommand([base], { check: [checked], resamples: '0', quiet: true }, () => {}, (w) => warnings.push(w));
    expect(warnings.filter((w) => w.includes('Zipkin '))).toEqual([
      expect.stringMatching(new RegExp(`^warning: ${checked}:\\d+:\\d+: Zipkin LocalEndpoint\\.ipv4: .* \\(40 times in the file; the first here\\)$`)),
    ]);
    const again: string[] = [];
    calibrateCommand([checked], { check: [checked], resamples: '0', quiet: true }, () => {}, (w) => again.push(w));
    expect(again.filter((w) => w.includes('Zipkin '))).toHaveLength(1);
  });
});
