/** `run --traces`: the sampled journeys of a run, written as a trace file. Loaded only when asked for. */
import { InputError } from '../errors.js';
import { writeVia } from '../files/write.js';
import { writeTraces } from '../interop/traces/write.js';
import { parseTraceSample, TraceRecorder } from '../observe/tracing.js';

export { attachTracer } from '../observe/trace-hooks.js';
import { plural } from '../units/format.js';
import { quoted } from '../units/escape.js';

export function tracerFor(sample: string): TraceRecorder {
  const sampling = parseTraceSample(sample);
  if (sampling === null) throw new InputError([`--trace-sample: expected a share such as 1% or errors+1%, got ${quoted(sample)}`]);
  return new TraceRecorder(sampling);
}

export function writeRunTraces(file: string, tracer: TraceRecorder, format: 'otlp' | 'jaeger' | 'zipkin', out: (s: string) => void): void {
  // Written beside the target and renamed: a full disk leaves no truncated trace file.
  writeVia(file, (temp) => writeTraces(temp, tracer.traces(), format));
  const dropped = tracer.droppedTraces > 0 ? ` (${tracer.droppedTraces} more left out: the ${tracer.keptSpans.toLocaleString('en-US')}-span limit)` : '';
  out(`${plural(tracer.keptTraces, 'trace')}, ${plural(tracer.keptSpans, 'span')} written to ${file} (${format})${dropped}`);
}
