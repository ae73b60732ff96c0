/**
 * What people can do during a game day, as data: the body of POST /api/actions, a line of `gameday ctl`, and a
 * row of the drill record. Validated with the same schema machinery as scenarios (zod), so a bad request gets
 * a message that names the field, never a crash. Who acted is never part of the body: the server knows it from
 * the token (each person has their own), so a name typed into a box cannot speak for someone else.
 */
import { z } from 'zod';
import { CatalogueFault } from '../scenario/schema.js';
import type { Role } from './access.js';

const flag = z.string().min(1).max(200);
const reason = z.string().trim().max(500).optional();

export const ActionBody = z.discriminatedUnion('type', [
  /** The facilitator starts the drill: the clock runs from the lobby on. */
  z.strictObject({ type: z.literal('start') }),
  /** The clock: pause or resume the simulation (nothing changes in the simulated world). */
  z.strictObject({ type: z.literal('clock'), op: z.enum(['pause', 'resume']) }),
  z.strictObject({ type: z.literal('speed'), speed: z.number().min(0.1).max(100_000) }),
  /** A rollout plan: through the flag configuration path, as the policy does. */
  z.strictObject({
    type: z.literal('plan'), flag, op: z.enum(['promote', 'pause', 'resume', 'rollback', 'approve']), reason,
    /** The plan's configuration version the person saw (the page sends it): a promote is refused once the plan has moved since, so that two people promoting at once do not skip a stage. */
    version: z.number().int().min(0).optional(),
    /** The plan's phase the person saw (the page and `gameday ctl promote` send it): a promote is refused once someone paused the plan since, so that it does not override a pause its author never saw. */
    phase: z.string().min(1).max(40).optional(),
  }),
  /** A fault of the scenario's catalogue, by name. */
  z.strictObject({ type: z.literal('fault'), name: z.string().min(1).max(200) }),
  /** An ad-hoc fault, written as a scenario's fault (without `at`: it starts now). */
  z.strictObject({ type: z.literal('adhoc-fault'), fault: CatalogueFault }),
  /** A fault injected earlier (catalogue or ad-hoc, by the name it got), taken out now: off if on, else never on. */
  z.strictObject({ type: z.literal('remove-fault'), name: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal('note'), text: z.string().trim().min(1).max(2000) }),
  /** The countdown shown once every plan is done: the facilitator keeps the drill going. */
  z.strictObject({ type: z.literal('countdown'), op: z.literal('cancel') }),
  z.strictObject({ type: z.literal('end'), reason }),
]);

export type Action = z.infer<typeof ActionBody>;

/**
 * An ad-hoc fault given an `at` or a `name`: it starts when it is injected, and the drill names it, so the key is
 * refused with why, rather than as an unknown key of a fault (the scenario's faults have both).
 */
export function adhocAtProblem(body: unknown): string | null {
  const b = body as { type?: unknown; fault?: unknown } | null;
  if (b === null || typeof b !== 'object' || b.type !== 'adhoc-fault' || b.fault === null || typeof b.fault !== 'object') return null;
  if (Object.hasOwn(b.fault, 'at')) return 'fault.at: an ad-hoc fault starts when it is injected: leave out at (a fault at a set time goes in the scenario\'s faults)';
  // The drill names it (ad-hoc 1, hidden ad-hoc 1, ...), the name a removal and the debrief give it.
  if (Object.hasOwn(b.fault, 'name')) return 'fault.name: the drill names an ad-hoc fault (ad-hoc 1, ad-hoc 2, ...): leave out name';
  return null;
}
export type ActionType = Action['type'];

/** An action as the drill recorded it: when (simulated and wall time), who, and what came of it. */
export interface RecordedAction {
  /** Simulated time of the action, in microseconds (an integer: replay applies it at exactly this instant). */
  atUs: number;
  wallTime: string;
  by: string;
  role: Role;
  action: Action;
  /** null when applied, else why it did not apply. */
  refused: string | null;
  /** Flag configuration version after the action (plan actions). */
  configVersion?: number;
  /** The name the fault got in the run (ad-hoc faults that were applied). */
  faultName?: string;
}

/** Why an action sent once the drill has ended did not apply: it is answered, and not recorded (the record is closed). */
export const DRILL_ENDED = 'the drill has ended';

/** Whether the drill recorded the action (done or refused); not one sent once it had ended. */
export const isRecorded = (rec: RecordedAction): boolean => rec.refused !== DRILL_ENDED;

/** A readable one-line description of an action (for terminals and tables; escape it for HTML). */
export function describeAction(a: Action, faultName?: string): string {
  switch (a.type) {
    case 'start': return 'started the drill';
    case 'clock': return a.op === 'pause' ? 'paused the clock' : 'resumed the clock';
    case 'speed': return `set the speed to ${a.speed}x`;
    case 'plan': return `${a.op} ${a.flag}${a.reason ? ` (${a.reason})` : ''}`;
    case 'fault': return `injected fault ${a.name}`;
    case 'adhoc-fault': return `injected ad-hoc fault ${faultName ? `${faultName}: ` : ''}${a.fault.kind} on ${a.fault.target}`;
    case 'remove-fault': return `removed fault ${a.name}`;
    case 'note': return `note: ${a.text}`;
    case 'countdown': return 'kept the drill going after every plan was done';
    case 'end': return `ended the drill${a.reason ? ` (${a.reason})` : ''}`;
  }
}

/** Actions that change the simulated world (and so are replayed); the others only change the pace. */
export function changesWorld(a: Action): boolean {
  return a.type === 'plan' || a.type === 'fault' || a.type === 'adhoc-fault' || a.type === 'remove-fault';
}
