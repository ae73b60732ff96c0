/**
 * Which journeys can meet a flag: those whose calls, followed through every endpoint they may reach (a flag's
 * new calls included), pass through a service that evaluates it. A comparison of flag on against flag off
 * without a filter looks at these journeys only: in the others no service ever asks for the flag.
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

/** Per flag, a byte per journey: 1 when the journey may reach a service that evaluates the flag. */
export function flagJourneys(m: CompiledModel, evaluatedBy: readonly (readonly string[])[], reach = journeyServices(m)): Uint8Array[] {
  return evaluatedBy.map((names) => {
    const services = names.map((n) => m.serviceNames.indexOf(n)).filter((s) => s >= 0);
    return Uint8Array.from(reach, (reached) => (services.some((s) => reached[s] === 1) ? 1 : 0));
  });
}
