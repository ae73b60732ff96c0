/** Fixture builders and queueing theory for the tests. */
import { main } from '../src/cli/main.js';
import { InputError } from '../src/errors.js';
import { resourceValues } from '../src/interop/kube/resources.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import type { Scenario } from '../src/scenario/types.js';

/** A Scenario from a plain object written as the YAML would be; throws with the problems if invalid. */
export function scenario(doc: Record<string, unknown>): Scenario {
  const loaded = parseScenarioText(JSON.stringify({ name: 'test', ...doc }));
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => formatProblem('fixture', p)).join('\n'));
  return loaded.scenario;
}

/** One station: `c` workers, exponential service with rate mu (per second), Poisson arrivals at lambda. */
export function mmc(lambda: number, mu: number, c: number, requests: number, seed = 1): Scenario {
  return scenario({
    seed,
    traffic: { rate: `${lambda}/s`, requests },
    journeys: { only: { steps: ['station'] } },
    services: { station: { concurrency: c, queue: 'unbounded', latency: { dist: 'exponential', mean: `${1000 / mu}ms` } } },
  });
}

/** Erlang C: probability that an arrival waits in an M/M/c queue, and mean waiting and response times (s). */
export function erlangC(lambda: number, mu: number, c: number): { pWait: number; meanWait: number; meanResponse: number } {
  const a = lambda / mu;
  const rho = a / c;
  if (rho >= 1) throw new Error('unstable queue');
  let term = 1;
  let sum = 1; // k = 0
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - rho); // a^c / c! / (1 - rho)
  const pWait = last / (sum + last);
  const meanWait = pWait / (c * mu - lambda);
  return { pWait, meanWait, meanResponse: meanWait + 1 / mu };
}

/** The lines of the InputError `run` throws (what the command line prints, exit 2); fails when it throws none. */
export function refusedLines(run: () => unknown, what: string): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  throw new Error(`${what} was read`);
}

/**
 * The documents of a YAML file of Kubernetes resources (a CRD, a Canary) as rehearse reads resources
 * (src/interop/kube/resources.ts: quoted strings as Go's yaml reads them, then the plain data); a document that does
 * not read throws. The yaml package alone stops in the quoted strings Flagger's CRD continues at a lower indent and
 * reads the rest as keys.
 */
export function resourceDocs(text: string): any[] {
  return resourceValues(text, 'input');
}

/** The command in this process, as `rehearse ARGV...` runs it: its exit code and what it printed (lines joined). */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
