/**
 * What a calibration could not take from the traces, per service: its capacity given by the team, inferred with
 * its evidence, or unknown with the reason, read back from the comments the calibrated scenario carries (one
 * wording for the file and for the reports).
 */
import type { GivenCapacity } from './capacity.js';
import type { PoolEvidence } from './pool-waits.js';

export interface CapacityNote {
  /** The service's name in the calibrated scenario. */
  readonly service: string;
  readonly capacity: 'given' | 'inferred' | 'unknown';
  readonly replicas: number | null;
  /** Workers per replica, or null when unknown. */
  readonly concurrency: number | null;
  readonly evidence: string;
}

/** Each service of a calibrated scenario's text: its capacity lines and the comment above them. */
export function capacityNotes(yaml: string, given: ReadonlyMap<string, GivenCapacity>, pools: ReadonlyMap<string, PoolEvidence>): CapacityNote[] {
  const lines = yaml.split('\n');
  const start = lines.indexOf('services:');
  const out: CapacityNote[] = [];
  const inferred = new Set([...pools.values()].filter((p) => p.capacity !== null).map((p) => p.why));
  for (let i = start + 1; start >= 0 && i < lines.length; i++) {
    const head = /^ {2}([^\s#][^:]*):(?: {3}# traced as .*)?$/.exec(lines[i]);
    if (!head) continue;
    const comments: string[] = [];
    let replicas: number | null = null, concurrency: number | null = null;
    for (let j = i + 1; j < lines.length && lines[j].startsWith('    ') && !lines[j].startsWith('    endpoints:'); j++) {
      const c = /^ {4}# (.*)$/.exec(lines[j]);
      if (c) comments.push(c[1]);
      const r = /^ {4}replicas: (\d+)$/.exec(lines[j]);
      if (r) replicas = Number(r[1]);
      const k = /^ {4}concurrency: (\d+|unknown)$/.exec(lines[j]);
      if (k) concurrency = k[1] === 'unknown' ? null : Number(k[1]);
    }
    const evidence = comments.join(' ');
    const fromTeam = [...given.values()].some((g) => !inferred.has(g.why) && evidence.startsWith(g.why));
    out.push({
      service: head[1],
      capacity: concurrency === null ? 'unknown' : fromTeam ? 'given' : 'inferred',
      replicas: replicas ?? (concurrency === null ? null : 1),
      concurrency,
      evidence,
    });
  }
  return out;
}
