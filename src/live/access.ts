/**
 * Who may do what during a game day, as game-day practice assigns the parts: the facilitator runs the drill
 * (the clock, faults, invitations, the end), operators act on the rollout plans, a scribe keeps notes, and
 * observers watch. Each person has their own token, and their name is bound to it: the server attributes every
 * action by the token it came with. Tokens are random; only their SHA-256 digests are kept (in memory and in
 * the journal), compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { quoted } from '../units/escape.js';

export const ROLES = ['facilitator', 'operator', 'scribe', 'observer'] as const;
export type Role = (typeof ROLES)[number];

export interface Person {
  name: string;
  role: Role;
  /** SHA-256 of the token, hex. */
  tokenDigest: string;
}

/** Action types (actions.ts) each role may take. */
const ALLOWED: Record<Role, readonly string[]> = {
  facilitator: ['start', 'clock', 'speed', 'plan', 'fault', 'adhoc-fault', 'remove-fault', 'note', 'countdown', 'end'],
  operator: ['plan', 'note'],
  scribe: ['note'],
  observer: [],
};

/** Whether a role may take an action of this type. */
export function allowed(role: Role, type: string): boolean {
  return ALLOWED[role].includes(type);
}

/** What a role may do, in the words of `gameday ctl` and the page (for a 403's message). */
const SCOPE: Record<Role, string> = {
  facilitator: 'facilitators may do everything',
  operator: 'operators may act on rollout plans (promote, pause, resume, rollback, approve) and write notes',
  scribe: 'scribes may write notes',
  observer: 'observers watch: they cannot act',
};

export function roleScope(role: Role): string {
  return SCOPE[role];
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const NAME = /^[^\u0000-\u001f\u007f-\u009f]{1,60}$/;

/** Why a name cannot be a person's name (null when it can). */
export function badName(name: string): string | null {
  if (name.trim() !== name || !NAME.test(name)) return 'a name is 1 to 60 characters, without control characters or surrounding spaces';
  return null;
}

/** The people of a drill by token. */
export class Roster {
  private readonly people: Person[] = [];
  private readonly digests: Buffer[] = [];

  /** Adds a person with a new token; returns the token (shown once, never kept). */
  invite(name: string, role: Role): { token: string; person: Person } {
    const why = badName(name);
    if (why) throw new RosterError(why);
    if (this.people.some((p) => p.name === name)) throw new RosterError(`${quoted(name)} is already in the drill: each person has one token`);
    const token = newToken();
    const person = { name, role, tokenDigest: tokenDigest(token) };
    this.add(person);
    return { token, person };
  }

  /** A further token for someone already in the drill (a resumed drill's facilitator, whose old link is not known). */
  reissue(name: string): { token: string; person: Person } {
    const known = this.people.find((p) => p.name === name);
    if (!known) throw new RosterError(`${quoted(name)} is not in the drill`);
    const token = newToken();
    const person = { name, role: known.role, tokenDigest: tokenDigest(token) };
    this.add(person);
    return { token, person };
  }

  /** Adds a person known by the digest of their token (from a journal). */
  add(person: Person): void {
    this.people.push(person);
    this.digests.push(Buffer.from(person.tokenDigest, 'hex'));
  }

  /** The person a token belongs to, or null. Every digest is compared, in constant time each. */
  who(token: string | undefined): Person | null {
    if (token === undefined || token.length === 0 || token.length > 200) return null;
    const given = Buffer.from(tokenDigest(token), 'hex');
    let found: Person | null = null;
    this.digests.forEach((d, i) => {
      if (timingSafeEqual(d, given)) found = this.people[i];
    });
    return found;
  }

  /** Everyone in the drill, once each (a person may hold more than one token). */
  list(): readonly Person[] {
    return this.people.filter((p, i) => this.people.findIndex((q) => q.name === p.name) === i);
  }
}

export class RosterError extends Error {}
