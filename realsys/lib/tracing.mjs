/**
 * The OpenTelemetry SDK as a Node service team sets it up: a NodeTracerProvider with a batch span processor, the
 * http instrumentation, head sampling decided at the root (parent-based, trace-id ratio) and spans encoded by the
 * SDK's own OTLP JSON serializer. The ratio can be changed while running, as a remote sampling configuration does.
 */
import { createRequire } from 'node:module';
import { context } from '@opentelemetry/api';
import { ExportResultCode, getRPCMetadata, RPCType } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Keeps every batch the processor exports, with the time it was exported, until the file is written. */
class KeepingExporter {
  batches = [];
  export(spans, done) {
    this.batches.push({ at: Date.now(), spans });
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown() { return Promise.resolve(); }
  forceFlush() { return Promise.resolve(); }
}

/** A root sampler whose ratio is set from outside (the trace-id ratio sampler of the SDK does the deciding). */
class AdjustableRatioSampler {
  inner = new TraceIdRatioBasedSampler(0);
  setRatio(ratio) { this.inner = new TraceIdRatioBasedSampler(ratio); }
  shouldSample(...args) { return this.inner.shouldSample(...args); }
  toString() { return `Adjustable{${this.inner.toString()}}`; }
}

export function startTracing(service) {
  const exporter = new KeepingExporter();
  const root = new AdjustableRatioSampler();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    sampler: new ParentBasedSampler({ root }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, maxQueueSize: 8192 })],
  });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation()] });
  // The instrumentation patches the CommonJS module object; an ES import of node:http shares it only when loaded
  // after this point, so the services take http from here.
  const http = createRequire(import.meta.url)('node:http');
  return {
    http,
    setRatio: (r) => root.setRatio(r),
    /** Exports what is pending and hands over every batch since the last take. */
    async take() {
      await provider.forceFlush();
      const batches = exporter.batches;
      exporter.batches = [];
      return batches;
    },
    shutdown: () => provider.shutdown(),
  };
}

/** OTLP JSON (an ExportTraceServiceRequest) of spans, by the SDK's serializer. */
export const otlpJson = (spans) => Buffer.from(JsonTraceSerializer.serializeRequest(spans));

/** Names the server span after its route, as web frameworks' instrumentations do (`GET /product`, http.route). */
export function setRoute(route) {
  const meta = getRPCMetadata(context.active());
  if (meta?.type === RPCType.HTTP) meta.route = route;
}
