/**
 * Zipkin spans reported in parts: a part without a timestamp (a tracer that flushed a span's name or tags apart
 * from its timing) is merged into the part of the same span that has one, as Zipkin merges them when it reads a
 * trace (openzipkin/zipkin zipkin2/internal/Trace.java merge: the same id and shared flag, local endpoints that do
 * not differ; Span.java Builder.merge: what the span lacks is taken from the part, tags and annotations added).
 */
import type { ReadReport, Span } from '../../observe/span.js';

/** Parts read without a timestamp, with the report of the file they came from. */
const PARTS = new WeakMap<Span, ReadReport>();

export function markPart(span: Span, report: ReadReport): void {
  PARTS.set(span, report);
}

/** The trace's spans with its parts merged into the spans they belong to; a part that belongs to none is skipped and counted. */
export function mergeParts(spans: Span[]): Span[] {
  if (!spans.some((s) => PARTS.has(s))) return spans;
  const whole = spans.filter((s) => !PARTS.has(s));
  const byId = new Map<string, Span[]>();
  for (const s of whole) {
    const key = `${s.spanId}\u0000${s.shared}`;
    byId.set(key, [...(byId.get(key) ?? []), s]);
  }
  for (const part of spans) {
    const report = PARTS.get(part);
    if (report === undefined) continue;
    report.spans--;
    const into = (byId.get(`${part.spanId}\u0000${part.shared}`) ?? []).find((s) => s.service === null || part.service === null || s.service === part.service);
    if (into === undefined) {
      report.skip('a span without a timestamp, and no part of it (its id, shared flag and service) with one');
      continue;
    }
    report.merged++;
    if (into.name === '') into.name = part.name;
    if (into.kind === 'unspecified') into.kind = part.kind;
    if (into.parentId === null) into.parentId = part.parentId;
    if (into.durationUs === 0) into.durationUs = part.durationUs;
    into.service ??= part.service;
    into.remoteService ??= part.remoteService;
    Object.assign(into.attributes, part.attributes);
    into.events.push(...part.events.map((e) => ({ ...e, timeUs: Number.isFinite(e.timeUs) ? e.timeUs : into.startUs })));
    into.error ||= part.error;
  }
  return whole;
}
