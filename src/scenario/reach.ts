/**
 * Which journeys meet each flag, read from a scenario's own types (before compiling): those whose calls,
 * followed through every endpoint they may reach (the calls a flag's new code path makes included), pass
 * through a service that evaluates the flag. The load layer takes the union over a scenario's cases
 * (Flag.journeysInAnyCase), so that a comparison of flag on against off looks at the same journeys in every case.
 */
import type { CallSpec, Flag, Journey, Operation, Service } from './types.js';

const key = (c: CallSpec) => `${c.service}.${c.endpoint}`;
const callsOf = (ops: readonly Operation[]) => ops.flatMap((op) => (op.kind === 'call' ? [op.call] : op.calls));

/** Per flag (in order), the names of the journeys that may reach a service evaluating it. */
export function journeysMeetingFlags(s: { readonly journeys: readonly Journey[]; readonly services: readonly Service[]; readonly flags: readonly Pick<Flag, 'evaluatedBy' | 'effects'>[] }): string[][] {
  const callees = new Map<string, string[]>();
  for (const svc of s.services) for (const e of svc.endpoints) callees.set(`${e.service}.${e.name}`, callsOf(e.operations).map(key));
  // A flag's new calls, made instead by the endpoint (or every endpoint of the service) it names.
  for (const f of s.flags) {
    for (const x of f.effects) {
      if (x.operations === null) continue;
      const svc = s.services.find((v) => v.name === x.service);
      for (const e of svc?.endpoints ?? []) if (x.endpoint === null || x.endpoint === e.name) callees.get(`${e.service}.${e.name}`)?.push(...callsOf(x.operations).map(key));
    }
  }
  const reached = s.journeys.map((j) => {
    const services = new Set<string>();
    const seen = new Set<string>();
    const stack = j.steps.map(key);
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (seen.has(e)) continue;
      seen.add(e);
      services.add(e.slice(0, e.indexOf('.')));
      for (const c of callees.get(e) ?? []) if (!seen.has(c)) stack.push(c);
    }
    return services;
  });
  return s.flags.map((f) => s.journeys.filter((_, j) => f.evaluatedBy.some((v) => reached[j].has(v))).map((j) => j.name));
}
