/**
 * Zipkin spans reported in parts: a part without a timestamp (a tracer that flushed a span's name or tags apart
 * from its timing) is merged into the part of the same span that has one, as Zipkin merges them when it reads a
 * trace (openzipkin/zipkin zipkin2/internal/Trace.java merge: the same id and shared flag, local endpoints that do
 * not differ; Span.java Builder.merge: what the span lacks is taken from the part, tags and annotations added).
 *
 * Whether a span failed is read once it is whole: a merged span's tags and kind are its parts' together, so a status
 * code both parts carry counts once, and a code on one part read with the kind on the other (a 404 with CLIENT)
 * counts as it would on the span Zipkin shows.
 */
import type { AttributeValue, ReadReport, Span } from '../../observe/span.js';
import { otelStatus, statusCodeError } from '../../observe/span-errors.js';

/** The report each Zipkin span was read into, and why its status code failed it (counted there), if it did. */
const READ = new WeakMap<Span, { report: ReadReport; why: string | null; at: string }>();
/** Parts read without a timestamp. */
const PARTS = new WeakSet<Span>();

/**
 * Whether a Zipkin span failed: an error tag, otel.status_code ERROR, or (its status not OK) its status code, read for
 * its kind. OpenTelemetry's Zipkin exporter writes the span's status as otel.status_code (OK or ERROR) and, for ERROR,
 * an error tag (opentelemetry-specification trace/sdk_exporters/zipkin.md, Status); Zipkin counts any error tag.
 */
function failed(tags: Record<string, AttributeValue>, kind: Span['kind']): { error: boolean; why: string | null } {
  const status = otelStatus(tags['otel.status_code'], true);
  if ('error' in tags || status === 'ERROR') return { error: true, why: null };
  const why = status === 'OK' ? null : statusCodeError(tags, kind);
  return { error: why !== null, why };
}

function judge(span: Span, report: ReadReport): void {
  const { error, why } = failed(span.attributes, span.kind);
  span.error = error;
  report.failedBy(why);
  READ.set(span, { report, why, at: READ.get(span)?.at ?? report.here });
}

function unjudge(span: Span): ReadReport | undefined {
  const read = READ.get(span);
  if (read?.why) {
    const n = (read.report.failedByCode.get(read.why) ?? 0) - 1;
    if (n > 0) read.report.failedByCode.set(read.why, n);
    else read.report.failedByCode.delete(read.why);
  }
  return read?.report;
}

/** Reads whether the span failed (counted in `report`), and marks it a part when it has no timestamp. */
export function markRead(span: Span, report: ReadReport, part: boolean): void {
  judge(span, report);
  if (part) PARTS.add(span);
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
  const grown = new Set<Span>();
  for (const part of spans) {
    if (!PARTS.has(part)) continue;
    const report = unjudge(part);
    if (report === undefined) continue;
    report.spans--;
    const into = (byId.get(`${part.spanId}\u0000${part.shared}`) ?? []).find((s) => s.service === null || part.service === null || s.service === part.service);
    if (into === undefined) {
      report.here = READ.get(part)?.at ?? report.here;
      report.skip('a span without a timestamp, and no part of it (its id, shared flag and service) with one');
      continue;
    }
    report.merged++;
    grown.add(into);
    if (into.name === '') into.name = part.name;
    if (into.kind === 'unspecified') into.kind = part.kind;
    if (into.parentId === null) into.parentId = part.parentId;
    if (into.durationUs === 0) into.durationUs = part.durationUs;
    into.service ??= part.service;
    into.remoteService ??= part.remoteService;
    Object.assign(into.attributes, part.attributes);
    into.events.push(...part.events.map((e) => ({ ...e, timeUs: Number.isFinite(e.timeUs) ? e.timeUs : into.startUs })));
  }
  // A merged span fails, and is counted, once: on its parts' tags and kind together.
  for (const span of grown) {
    const report = unjudge(span);
    if (report !== undefined) judge(span, report);
  }
  return whole;
}
