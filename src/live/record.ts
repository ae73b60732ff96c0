/**
 * The drill record: everything a drill's journal says about the drill (not the clock lines, which only say how
 * far it got), in the form the debrief keeps and replay re-runs: the scenario (path and content hash), seed,
 * case, people and their roles, every action with its simulated and wall time, actor and result (refused ones
 * too), the countdown, resumptions and the end. A digest over a canonical form of a whole document (every
 * key sorted, every field included) lets replay tell an edited document from one another version produced.
 */
import { createHash } from 'node:crypto';
import type { GateMode } from '../rollout/controller.js';
import type { Role } from './access.js';
import type { RecordedAction } from './actions.js';
import type { JournalRecord } from './journal.js';
import type { EndReason } from './session.js';

export interface DrillRecord {
  scenario: { file: string; sha256: string; name: string };
  seed: number;
  gates: GateMode;
  /** The case when shown to everyone; when hidden, the commitment to the secret it was drawn from. */
  case: { hidden: false; name: string | null } | { hidden: true; commitment: string };
  /** The secret of a hidden case, once revealed (the end), else null. */
  secret: string | null;
  /** The speed asked at the start. */
  speed: number;
  /** When the journal began (the lobby opened), wall time. */
  opened: string;
  people: { name: string; role: Role; joined: string }[];
  actions: RecordedAction[];
  countdown: { op: 'start' | 'cancel' | 'expired'; atUs: number; wall: string; by?: string }[];
  resumed: { atUs: number; wall: string }[];
  /** How the drill ended; "interrupted" when the journal stops without an end (a crash, kill -9). */
  end: { atUs: number; reason: EndReason; wall: string | null };
  /** The journal's last hash: the document is tied to the journal it was made from. */
  journalHead: string;
}

/**
 * How a journal's drill ended: its end line; else a person's end action, when the process stopped before the line
 * after it was written (the drill had ended: a SIGTERM or a crash in between); else interrupted where the journal stops.
 */
function endOf(j: JournalRecord): DrillRecord['end'] {
  if (j.end) return { atUs: j.end.atUs, reason: j.end.reason, wall: j.end.wall };
  const last = j.actions.at(-1);
  if (last?.action.type === 'end' && last.refused === null) return { atUs: last.atUs, reason: 'by-hand', wall: last.wallTime };
  return { atUs: j.lastAtUs, reason: 'interrupted', wall: null };
}

export function recordFromJournal(j: JournalRecord, secret: string | null): DrillRecord {
  const h = j.header;
  return {
    scenario: h.scenario,
    seed: h.seed,
    gates: h.gates,
    case: h.case,
    secret: h.case.hidden ? secret : null,
    speed: h.speed,
    opened: h.wall,
    people: j.entries.flatMap((e) => (e.kind === 'person' ? [{ name: e.name, role: e.role, joined: e.wall }] : [])),
    actions: j.actions,
    countdown: j.entries.flatMap((e) => (e.kind === 'countdown' ? [{ op: e.op, atUs: e.atUs, wall: e.wall, ...(e.by ? { by: e.by } : {}) }] : [])),
    resumed: j.entries.flatMap((e) => (e.kind === 'resume' ? [{ atUs: e.atUs, wall: e.wall }] : [])),
    end: endOf(j),
    journalHead: j.head,
  };
}

/** JSON with every object's keys sorted: the same data gives the same text, whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  });
}

/**
 * A debrief document as version `version` writes it: its own version and its two runs' (the team's and the
 * policy's documents each say the version that made them), for comparing a document another version wrote.
 */
export function asVersion<T extends object>(doc: T, version: string): T {
  const d = doc as Record<string, unknown>;
  const run = (r: unknown) => (r !== null && typeof r === 'object' && 'version' in r ? { ...r, version } : r);
  return { ...d, version, ...('team' in d ? { team: run(d.team) } : {}), ...('policy' in d ? { policy: run(d.policy) } : {}) } as T;
}

/** The digest of a document: SHA-256 over its canonical JSON without the digest itself. */
export function documentDigest(doc: object): string {
  const { digest: _omit, ...rest } = doc as Record<string, unknown>;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
