/**
 * Reads a trace file in any of the three formats, streaming it, and hands over its spans a trace at a time.
 * Formats that group spans by trace (Jaeger, nested Zipkin lists) are handed over as each trace ends; the others
 * (OTLP, flat Zipkin lists, a bare Jaeger trace) are gathered by trace id and handed over at the end of the file.
 */
import { InputError } from '../../errors.js';
import { jaegerTraceSpans } from './jaeger.js';
import { streamJson, type Path } from './json-stream.js';
import { otlpResourceSpans } from './otlp.js';
import { ReadReport, type Span } from '../../observe/span.js';
import { zipkinSpan } from './zipkin.js';

export type TraceFormat = 'jaeger' | 'zipkin' | 'otlp';

const STREAMED: readonly (readonly string[])[] = [[], ['data'], ['resourceSpans'], ['result', 'resourceSpans'], ['spans']];

export interface FileRead {
  format: TraceFormat;
  report: ReadReport;
  traces: number;
}

/** Streams `file`, calling `onTrace` with the spans of each trace; throws InputError when it is no trace file. */
export function readTraceFile(file: string, onTrace: (spans: Span[]) => void): FileRead {
  const report = new ReadReport();
  let format: TraceFormat | null = null;
  let traces = 0;
  const pending = new Map<string, Span[]>();
  const bare: { spans: unknown[]; processes: unknown; traceID: unknown } = { spans: [], processes: undefined, traceID: undefined };
  let isBare = false;

  const hand = (spans: Span[]) => {
    if (spans.length === 0) return;
    report.spans += spans.length;
    traces++;
    onTrace(spans);
  };
  const gather = (spans: Span[]) => {
    for (const s of spans) {
      let list = pending.get(s.traceId);
      if (!list) pending.set(s.traceId, (list = []));
      list.push(s);
    }
  };
  const setFormat = (f: TraceFormat, line: number, column: number) => {
    if (format !== null && format !== f) throw new InputError([`${file}:${line}:${column}: ${f} data in a ${format} file`]);
    format = f;
  };

  streamJson(file, STREAMED, (path: Path, value: unknown, line: number, column: number) => {
    const top = path[0];
    if (path.length === 1 && typeof top === 'number') {
      // A top-level list: Zipkin spans, Zipkin traces (lists of spans), or Jaeger traces.
      if (Array.isArray(value)) {
        setFormat('zipkin', line, column);
        const spans: Span[] = [];
        for (const raw of value) {
          const s = zipkinSpan(raw, report);
          if (s) spans.push(s);
        }
        gather(spans);
      } else if (value && typeof value === 'object' && 'spans' in value && 'traceID' in value) {
        setFormat('jaeger', line, column);
        hand(jaegerTraceSpans(value, report));
      } else if (value && typeof value === 'object') {
        setFormat('zipkin', line, column);
        const s = zipkinSpan(value, report);
        if (s) gather([s]);
      } else report.skip('a list entry that is not a span or a trace');
      return;
    }
    if (top === 'data' && path.length === 2) {
      setFormat('jaeger', line, column);
      hand(jaegerTraceSpans(value, report));
    } else if ((top === 'resourceSpans' && path.length === 2) || (top === 'result' && path[1] === 'resourceSpans' && path.length === 3)) {
      setFormat('otlp', line, column);
      gather(otlpResourceSpans(value, report));
    } else if (top === 'spans' && path.length === 2) {
      isBare = true;
      bare.spans.push(value);
    } else if (top === 'processes' && path.length === 1) bare.processes = value;
    else if (top === 'traceID' && path.length === 1) bare.traceID = value;
  });

  if (isBare) {
    setFormat('jaeger', 1, 1);
    hand(jaegerTraceSpans({ traceID: bare.traceID, spans: bare.spans, processes: bare.processes }, report));
  }
  for (const spans of pending.values()) hand(spans);
  if (format === null) {
    throw new InputError([`${file}: no trace format found: expected Jaeger JSON ({"data": [traces]} or a trace with "traceID" and "spans"), ` +
      'Zipkin v2 JSON (a list of spans) or OTLP JSON ({"resourceSpans": [...]})']);
  }
  if (report.spans === 0) {
    const why = report.skippedTotal > 0 ? `: ${report.skippedTotal} skipped (${[...report.skipped].map(([r, n]) => `${n} ${r}`).join(', ')})` : '';
    throw new InputError([`${file}: no usable spans in this ${format} file${why}`]);
  }
  return { format, report, traces };
}
