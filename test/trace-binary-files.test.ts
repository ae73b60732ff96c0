/**
 * Trace files that are no text: a collector's file exporter writing `format: proto` or `compression: zstd`, a gzipped
 * export. Each is refused at 1:1 with what it is and what to give instead (it was `not UTF-8 text: byte 0x8b (save the
 * file as UTF-8)` or `not JSON: expected an object or an array`). The framing is the file exporter's own:
 * opentelemetry-collector-contrib exporter/fileexporter/file_writer.go `exportMessageAsBuffer` writes each request
 * after its length as a big-endian uint32 (binary.BigEndian.PutUint32), for `format: proto` and for legacy compression.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../src/interop/traces/read.js';

const protoDir = new URL('./fixtures/otlp/', import.meta.url).pathname;
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoDir, target);
root.loadSync('opentelemetry/proto/trace/v1/trace.proto');
root.resolveAll();
const TracesData = root.lookupType('opentelemetry.proto.trace.v1.TracesData');

const dir = mkdtempSync(join(tmpdir(), 'rehearse-binary-traces-'));
const hotrod = readFileSync(new URL('./fixtures/traces/hotrod-otlp.json', import.meta.url));

function framed(message: Uint8Array): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(message.length);
  return Buffer.concat([size, message]);
}

function refusal(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  try {
    readTraceFile(file, () => {});
  } catch (e) {
    return (e as Error).message;
  }
  return 'read';
}

describe('trace files that are not JSON text', () => {
  it("names the file exporter's format: proto (length-prefixed TracesData) and says to write JSON", () => {
    const message = TracesData.encode(TracesData.fromObject({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ spans: [{ name: 'GET /cart', kind: 2, startTimeUnixNano: 1, endTimeUnixNano: 2 }] }] }],
    })).finish();
    const file = join(dir, 'traces.proto');
    expect(refusal('traces.proto', framed(message))).toBe(`${file}:1:1: not JSON: binary protobuf, each export request after its length in 4 bytes, as the collector's file exporter writes it with format: proto; calibrate reads OTLP JSON: set the file exporter's format: json and leave out compression (one export request a line)`);
  });

  it("names zstd, whole-file and per request as the file exporter's compression: zstd writes it", () => {
    const zstdFrame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x01, 0x00]);
    expect(refusal('traces.json.zst', zstdFrame)).toContain('traces.json.zst:1:1: not JSON: the file is compressed with zstd (as the collector\'s file exporter writes it with compression: zstd): decompress it first (zstd -d FILE)');
    expect(refusal('traces-zstd.json', framed(zstdFrame))).toContain('traces-zstd.json:1:1: not JSON: each export request is compressed with zstd after its length in 4 bytes');
  });

  it('names gzip and says to decompress it', () => {
    expect(refusal('traces.json.gz', gzipSync(hotrod))).toBe(`${join(dir, 'traces.json.gz')}:1:1: not JSON: the file is compressed with gzip: decompress it first (gunzip -k FILE) and give the JSON it holds`);
  });

  it("still reads the exporter's format: json, one export request a line: 40 spans of one trace", () => {
    const result = (JSON.parse(hotrod.toString()) as { result: { resourceSpans: unknown[] } }).result;
    const file = join(dir, 'lines.json');
    writeFileSync(file, result.resourceSpans.map((r) => JSON.stringify({ resourceSpans: [r] })).join('\n') + '\n');
    let spans = 0;
    let traces = 0;
    readTraceFile(file, (trace) => {
      traces++;
      spans += trace.length;
    });
    expect([traces, spans]).toEqual([1, 40]);
  });
});
