/**
 * Writes traces (lists of neutral spans, one list per trace) to a file in one of the three formats, a trace at a
 * time so that a large sample never becomes one string.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeFolders } from '../../files/write.js';
import { jaegerTrace } from './jaeger.js';
import { otlpDocument } from './otlp.js';
import type { Span } from '../../observe/span.js';
import { zipkinSpans } from './zipkin.js';
import type { TraceFormat } from './read.js';

export function writeTraces(file: string, traces: Iterable<Span[]>, format: TraceFormat): void {
  makeFolders(dirname(file), file);
  const fd = openSync(file, 'w');
  try {
    const each = (open: string, close: string, item: (t: Span[]) => string) => {
      writeSync(fd, open);
      let i = 0;
      for (const t of traces) writeSync(fd, `${i++ > 0 ? ',\n' : '\n'}${item(t)}`);
      writeSync(fd, `${i > 0 ? '\n' : ''}${close}\n`);
    };
    if (format === 'jaeger') each('{"data": [', ']}', (t) => JSON.stringify(jaegerTrace(t)));
    else if (format === 'zipkin') each('[', ']', (t) => zipkinSpans(t).map((s) => JSON.stringify(s)).join(',\n'));
    else {
      // OTLP: one resourceSpans entry per service and trace keeps each trace's spans together.
      each('{"resourceSpans": [', ']}', (t) => (otlpDocument(t) as { resourceSpans: object[] }).resourceSpans.map((r) => JSON.stringify(r)).join(',\n'));
    }
  } finally {
    closeSync(fd);
  }
}
