/**
 * Which services each journey may reach: its calls followed through every endpoint they may reach (a flag's new
 * calls included). The report's split of calls to a service, flag on against off, is kept per journey that
 * reaches it (telemetry/splits.ts). Which journeys meet a flag, in the scenario and in any of its cases, is the
 * scenario's own (scenario/reach.ts, Flag.journeysInAnyCase).
 */
import type { CompiledModel } from './compile.js';

/** Per journey, a byte per service: 1 when the journey may reach the service. */
export function journeyServices(m: CompiledModel): Uint8Array[] {
  const E = m.endpointNames.length;
  const F = m.flagCount;
  // Endpoints each endpoint may call, directly (its own calls and those a flag makes it make instead).
  const callees: number[][] = Array.from({ length: E }, () => []);
  const opsCallees = (from: number, start: number, end: number) => {
    for (let op = start; op < end; op++) {
      for (let k = m.opSiteStart[op]; k < m.opSiteEnd[op]; k++) callees[from].push(m.siteEndpoint[k]);
    }
  };
  for (let e = 0; e < E; e++) {
    opsCallees(e, m.endpointOpStart[e], m.endpointOpEnd[e]);
    for (let f = 0; f < F; f++) {
      for (let x = m.effectOf[e * F + f]; x >= 0; x = m.effNext[x]) if (m.effOpStart[x] >= 0) opsCallees(e, m.effOpStart[x], m.effOpEnd[x]);
    }
  }
  return m.journeyNames.map((_, j) => {
    const seen = new Uint8Array(E);
    const reached = new Uint8Array(m.serviceNames.length);
    const stack: number[] = [];
    for (let op = m.journeyOpStart[j]; op < m.journeyOpEnd[j]; op++) {
      for (let k = m.opSiteStart[op]; k < m.opSiteEnd[op]; k++) stack.push(m.siteEndpoint[k]);
    }
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (seen[e]) continue;
      seen[e] = 1;
      reached[m.endpointService[e]] = 1;
      for (const c of callees[e]) if (!seen[c]) stack.push(c);
    }
    return reached;
  });
}
