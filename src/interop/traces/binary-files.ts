/**
 * Trace files that are not text at all, told apart by their first bytes so that the message says what the file is
 * and what to give instead, where "not UTF-8 text" or "not JSON" left a reader to guess.
 *
 * The OpenTelemetry Collector's file exporter (opentelemetry-collector-contrib exporter/fileexporter, file_writer.go
 * `exportMessageAsBuffer`) writes each export request after its length as 4 bytes, big-endian, when its `format` is
 * `proto` or when it compresses (`compression: zstd`, each request compressed on its own); with `format: json` and no
 * compression it writes one JSON request a line (`exportMessageAsLine`), which calibrate reads.
 */

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
}

const AS_JSON = "calibrate reads OTLP JSON: set the file exporter's format: json and leave out compression (one export request a line)";

/** Why `bytes` (the start of a trace file) are no JSON that could be read, when their first bytes say what they are; else null. */
export function binaryTraceFile(bytes: Uint8Array): string | null {
  if (startsWith(bytes, GZIP)) return 'not JSON: the file is compressed with gzip: decompress it first (gunzip -k FILE) and give the JSON it holds';
  if (startsWith(bytes, ZSTD)) return `not JSON: the file is compressed with zstd (as the collector's file exporter writes it with compression: zstd): decompress it first (zstd -d FILE), or ${AS_JSON}`;
  if (bytes.length >= 5 && bytes[0] === 0 && (bytes[0]! << 24 | bytes[1]! << 16 | bytes[2]! << 8 | bytes[3]!) > 0) {
    if (startsWith(bytes, ZSTD, 4)) return `not JSON: each export request is compressed with zstd after its length in 4 bytes, as the collector's file exporter writes it with compression: zstd; ${AS_JSON}`;
    // A TracesData message starts with its field 1 (resource_spans), length-delimited: the tag byte 0x0a.
    if (bytes[4] === 0x0a) return `not JSON: binary protobuf, each export request after its length in 4 bytes, as the collector's file exporter writes it with format: proto; ${AS_JSON}`;
  }
  return null;
}
