/**
 * A client-side pool (a parallel group with a `limit`) named as the scenario file names it: the calling service,
 * the services the group calls, and where the group stands in the file, so that a report's reader finds it there.
 */
import { formatPath } from '../units/issues.js';
import type { CallSpec } from './system.js';

/** `frontend -> route`, or `frontend -> inventory, fraud` for a group that calls several services. */
export function poolName(caller: string, calls: readonly CallSpec[]): string {
  return `${caller} -> ${[...new Set(calls.map((c) => c.service))].join(', ')}`;
}

/** `services.frontend.endpoints.dispatch.calls[2]`: the group's path in the scenario file. */
export const poolPath = (path: readonly (string | number)[]): string => formatPath(path);
