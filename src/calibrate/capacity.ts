/**
 * The capacity of each calibrated service: given by the team (`--capacity frontend=16,cart=2x8`, or
 * `--deployment DIR` with Kubernetes manifests and `--replica-concurrency`), else inferred where the traces
 * show saturation, else unknown. Never a guess: a name that matches no service in the traces is an error.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { didYouMean, InputError, reason } from '../errors.js';
import { readInput } from '../files/read.js';
import { CONCURRENCY_ANNOTATION, readManifests, type Workload } from '../interop/kubernetes/capacity.js';
import { quoted } from '../units/escape.js';

export interface GivenCapacity {
  readonly replicas: number;
  /** Workers per replica, or null when only the replicas are known. */
  readonly concurrency: number | null;
  /** Where it came from, for the YAML comment. */
  readonly why: string;
}

export interface CapacityOptions {
  /** `frontend=16,cart=2x8`: workers in all (one replica), or replicas x workers per replica. */
  capacity?: string;
  /** A folder (or file) of Kubernetes manifests. */
  deployment?: string;
  /** `8` for every replica of every workload, or `frontend=4,cart=2`. */
  replicaConcurrency?: string;
}

/** Parses `name=N,name=RxC`; `bare` allows a lone N meaning every name. */
function pairs(flag: string, text: string, bare: boolean): Map<string, { replicas: number; workers: number }> {
  const out = new Map<string, { replicas: number; workers: number }>();
  for (const item of text.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = /^(?:([^=\s]+)=)?(?:(\d+)x)?(\d+)$/.exec(item);
    if (!m || (m[1] === undefined && !bare) || Number(m[3]) < 1 || (m[2] !== undefined && Number(m[2]) < 1)) {
      throw new InputError([`${flag}: expected ${bare ? 'N or ' : ''}NAME=N or NAME=REPLICASxN (whole numbers of at least 1), got ${quoted(item)}`]);
    }
    if (!Number.isSafeInteger(Number(m[3])) || !Number.isSafeInteger(Number(m[2] ?? 1))) throw new InputError([`${flag}: ${quoted(item)}: a number past 2^53 is not a whole number to JavaScript`]);
    // The last was taken: frontend=4,frontend=5 wrote 5 where the one typed first may be the one meant.
    const name = m[1] ?? '*';
    if (out.has(name)) throw new InputError([`${flag}: ${name === '*' ? 'a count for every name' : `${quoted(name)}`} is given twice (${quoted(item)} and the one before it): keep one`]);
    out.set(name, { replicas: m[2] === undefined ? 1 : Number(m[2]), workers: Number(m[3]) });
  }
  return out;
}

function manifestFiles(path: string): { file: string; text: string }[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError([`--deployment: ${path}: no such file or folder`]);
  }
  let files: string[];
  try {
    files = st.isDirectory() ? readdirSync(path, { recursive: true }).map(String).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(path, f)) : [path];
  } catch (err) {
    // A folder under it that cannot be read (EACCES), a loop of links: a stack trace before.
    const at = (err as NodeJS.ErrnoException).path;
    throw new InputError([`--deployment: ${at ?? path}: cannot read the folder: ${reason(err)}`]);
  }
  if (files.length === 0) throw new InputError([`--deployment: ${path}: no .yaml, .yml or .json file in it`]);
  // Through the input reader: a FIFO (named or in the folder) would block forever, /dev/zero never ends.
  return files.map((file) => ({ file, text: readInput(file, 'resource', `--deployment: ${file}`) }));
}

/** Capacities the team gives, by the traces' service names; warnings for what did not apply. */
export function givenCapacities(services: readonly string[], o: CapacityOptions, written: ReadonlyMap<string, string> = new Map()): { given: Map<string, GivenCapacity>; warnings: string[] } {
  const given = new Map<string, GivenCapacity>();
  const warnings: string[] = [];
  // A service is named as the traces spell it or as the scenario writes it (`127.0.0.1:8080` or `127-0-0-1-8080`).
  const byName = new Map<string, string>(services.map((s) => [s, s]));
  for (const [s, w] of written) if (byName.has(s) && !byName.has(w)) byName.set(w, s);
  const spelt = [...new Set(services.map((s) => written.get(s) ?? s))];
  const resolve = (flag: string, name: string): string => {
    const service = byName.get(name);
    if (service === undefined) throw new InputError([`${flag}: no service ${quoted(name)} in the traces${didYouMean(name, [...byName.keys()])} (services: ${spelt.join(', ')})`]);
    return service;
  };
  const read = (flag: string, m: Map<string, { replicas: number; workers: number }>) => new Map([...m].map(([name, v]) => [name === '*' ? name : resolve(flag, name), v] as const));
  const perReplica = o.replicaConcurrency !== undefined ? read('--replica-concurrency', pairs('--replica-concurrency', o.replicaConcurrency, true)) : new Map<string, { replicas: number; workers: number }>();
  for (const [name, v] of perReplica) {
    if (v.replicas !== 1) throw new InputError([`--replica-concurrency: ${name}: give workers per replica (N), not REPLICASxN`]);
  }
  const ambiguous = new Map<string, string>();
  const byCapacity = new Set<string>();
  if (o.deployment !== undefined) {
    const { workloads: all, warnings: w } = readManifests(manifestFiles(o.deployment));
    warnings.push(...w);
    // A workload that runs no pods (spec.replicas 0, or scaled to 0 by a Rollout that took over its pods) serves
    // none of the traced requests: not counted beside one that runs them, and no capacity alone.
    const runs = (x: Workload) => x.replicas > 0 && !x.idle;
    const workloads = all.filter(runs);
    for (const wl of all.filter((x) => !runs(x))) {
      const service = wl.names.map((n) => byName.get(n)).find((n) => n !== undefined);
      if (service === undefined) continue;
      const why = wl.idle ? `spec.replicas ${wl.replicas}, but ${wl.idle}` : 'spec.replicas 0';
      const other = workloads.find((x) => x.names.some((n) => byName.get(n) === service));
      if (other !== undefined) warnings.push(`${wl.where}: ${wl.kind} ${wl.names[0]}: runs no pods (${why}): not counted; service ${quoted(service)} runs on ${other.kind} ${other.names[0]} (${other.where})`);
      else ambiguous.set(service, `--deployment: ${wl.kind} ${wl.names[0]} (${wl.where}) runs no pods (${why}), where the traces show service ${quoted(service)} serving requests; give the manifests it runs with, or its capacity with --capacity ${written.get(service) ?? service}=REPLICASxWORKERS`);
    }
    // The workloads each service matches, by metadata.name first, then by label: two of the same rank both run its
    // pods (a Deployment and its canary, a chart's components under one app.kubernetes.io/name), which rehearse does not add up.
    const rank = new Map<string, { rank: number; wl: Workload[] }>();
    for (const wl of workloads) {
      const r = wl.names.findIndex((n) => byName.has(n));
      if (r < 0) continue;
      const service = byName.get(wl.names[r]) as string;
      const had = rank.get(service);
      if (had === undefined || r < had.rank) rank.set(service, { rank: r, wl: [wl] });
      else if (r === had.rank) had.wl.push(wl);
    }
    for (const wl of workloads) {
      const service = wl.names.map((n) => byName.get(n)).find((n) => n !== undefined);
      if (service === undefined) {
        warnings.push(`${wl.where}: ${wl.kind} ${wl.names[0]}: no service of that name in the traces${didYouMean(wl.names[0], services)}; not used`);
        continue;
      }
      const matched = rank.get(service) as { rank: number; wl: Workload[] };
      if (!matched.wl.includes(wl)) {
        warnings.push(`${wl.where}: ${wl.kind} ${wl.names[0]}: matches service ${quoted(service)} by its label, where ${matched.wl[0].kind} ${matched.wl[0].names[0]} (${matched.wl[0].where}) matches it by name: not used`);
        continue;
      }
      if (matched.wl.length > 1) {
        ambiguous.set(service, `--deployment: ${matched.wl.map((w) => `${w.kind} ${w.names[0]} (${w.where})`).join(' and ')} ${matched.wl.length === 2 ? 'both' : 'all'} match the traced service ${quoted(service)} (by ${matched.rank === 0 ? 'name' : 'label'}): its pods are theirs together, which rehearse does not add up; give its capacity with --capacity ${written.get(service) ?? service}=REPLICASxWORKERS`);
        continue;
      }
      if (wl.unknown) {
        ambiguous.set(service, `--deployment: ${wl.kind} ${wl.names[0]} (${wl.where}) runs the traced service ${quoted(service)}: ${wl.unknown}; give its capacity with --capacity ${written.get(service) ?? service}=REPLICASxWORKERS`);
        continue;
      }
      const flag = perReplica.get(service) ?? perReplica.get('*');
      const concurrency = wl.concurrency ?? flag?.workers ?? null;
      const from = wl.concurrency !== null ? `annotation ${CONCURRENCY_ANNOTATION}` : flag ? '--replica-concurrency' : null;
      const hpa = wl.hpa ? `; HorizontalPodAutoscaler (${wl.hpa.where}) keeps ${wl.hpa.min} to ${wl.hpa.max} replicas: the run holds ${wl.replicas} (no autoscaling)` : '';
      given.set(service, {
        replicas: wl.replicas,
        concurrency,
        why: `${wl.kind} ${wl.names[0]} (${wl.where}): ${wl.replicas} replicas${wl.beside ? ` (${wl.beside})` : ''}${hpa}; ${from ? `workers per replica from ${from}` : `workers per replica not given (annotation ${CONCURRENCY_ANNOTATION} or --replica-concurrency)`}`,
      });
    }
  }
  for (const [name, v] of perReplica) {
    if (name === '*' || given.has(name)) continue;
    given.set(name, { replicas: 1, concurrency: v.workers, why: `--replica-concurrency ${name}=${v.workers} (replicas not given: 1)` });
  }
  if (o.capacity !== undefined) {
    for (const [name, v] of pairs('--capacity', o.capacity, false)) {
      const service = resolve('--capacity', name);
      byCapacity.add(service);
      given.set(service, { replicas: v.replicas, concurrency: v.workers, why: `given: --capacity ${name}=${v.replicas > 1 ? `${v.replicas}x` : ''}${v.workers}` });
    }
  }
  const unresolved = [...ambiguous].filter(([service]) => !byCapacity.has(service)).map(([, message]) => message);
  if (unresolved.length > 0) throw new InputError(unresolved);
  return { given, warnings };
}
