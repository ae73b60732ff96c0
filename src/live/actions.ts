/**
 * What people can do during a game day, as data: the body of POST /api/actions, a line of `gameday ctl`, and a
 * row of the drill record. Validated with the same schema machinery as scenarios (zod), so a bad request gets
 * a message that names the field, never a crash.
 */
import { z } from 'zod';
import { CatalogueFault } from '../scenario/schema.js';

const name = z.string().trim().min(1).max(60).regex(/^[^\u0000-\u001f\u007f-\u009f]+$/, { error: 'a name has no control characters' });
const flag = z.string().min(1).max(200);
const reason = z.string().max(500).optional();

export const ActionBody = z.discriminatedUnion('type', [
  /** The clock: pause or resume the simulation (nothing changes in the simulated world). */
  z.strictObject({ type: z.literal('clock'), op: z.enum(['pause', 'resume']), by: name.optional() }),
  z.strictObject({ type: z.literal('speed'), speed: z.number().min(0.1).max(100_000), by: name.optional() }),
  /** A rollout plan: through the flag configuration path, as the policy does. */
  z.strictObject({ type: z.literal('plan'), flag, op: z.enum(['promote', 'pause', 'resume', 'rollback', 'approve']), reason, by: name.optional() }),
  /** A fault of the scenario's catalogue, by name. */
  z.strictObject({ type: z.literal('fault'), name: z.string().min(1).max(200), by: name.optional() }),
  /** An ad-hoc fault, written as a scenario's fault (without `at`: it starts now). */
  z.strictObject({ type: z.literal('adhoc-fault'), fault: CatalogueFault, by: name.optional() }),
  z.strictObject({ type: z.literal('note'), text: z.string().trim().min(1).max(2000), by: name.optional() }),
  z.strictObject({ type: z.literal('end'), by: name.optional() }),
]);

export type Action = z.infer<typeof ActionBody>;

/** An action as the drill recorded it: when (simulated and wall time), who, and what came of it. */
export interface RecordedAction {
  /** Simulated time of the action, in microseconds (an integer: replay applies it at exactly this instant). */
  atUs: number;
  wallTime: string;
  by: string;
  action: Action;
  /** null when applied, else why it did not apply. */
  refused: string | null;
  /** Flag configuration version after the action (plan actions). */
  configVersion?: number;
}

/** A readable one-line description of an action (for terminals and tables; escape it for HTML). */
export function describeAction(a: Action): string {
  switch (a.type) {
    case 'clock': return a.op === 'pause' ? 'paused the clock' : 'resumed the clock';
    case 'speed': return `set the speed to ${a.speed}x`;
    case 'plan': return `${a.op} ${a.flag}${a.reason ? ` (${a.reason})` : ''}`;
    case 'fault': return `injected fault ${a.name}`;
    case 'adhoc-fault': return `injected an ad-hoc ${a.fault.kind} fault on ${a.fault.target}`;
    case 'note': return `note: ${a.text}`;
    case 'end': return 'ended the drill';
  }
}

/** Actions that change the simulated world (and so are replayed); the others only change the pace. */
export function changesWorld(a: Action): boolean {
  return a.type === 'plan' || a.type === 'fault' || a.type === 'adhoc-fault';
}
