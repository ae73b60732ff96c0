/**
 * Names in a calibrated scenario: a name from the traces reduced to the scenario's letters, each service's name in
 * the scenario by its name in the traces, and the services named from their callers' client spans.
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import type { Analysis, EndpointStats } from './analyze.js';
import { RESERVED_NAME } from '../records.js';
import { quoted } from '../units/escape.js';
import { plural } from '../units/format.js';

/** The longest name a calibrated scenario writes (a span named by a whole SQL statement makes one of kilobytes). */
export const MAX_NAME = 120;

/**
 * A name from the traces as a scenario's name: letters, digits, "_" and "-"; never the reserved __proto__; at most
 * MAX_NAME characters, a longer one cut and told apart from others cut alike by a hash of the whole name. YAML reads
 * a key of more than 1,024 characters as no key (a service named by 2,000 characters made a scenario that did not load).
 */
export const safe = (name: string): string => {
  const s = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  const n = s === '' ? 'op' : s === RESERVED_NAME ? 'proto' : s;
  return n.length <= MAX_NAME ? n : `${n.slice(0, MAX_NAME - 9).replace(/-+$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
};

/**
 * A name as YAML writes it so that it reads back as that text: quoted where YAML would read a number, a boolean or
 * null instead (a service "0x10" or "1e400" became the key 16 or Infinity, a journey "true" a boolean).
 */
export const yamlName = (name: string): string => (readsAsText(name) ? name : JSON.stringify(name));

/** Whether a bare scalar reads back as itself, as the scenario's reader (YAML 1.2's core schema) reads it. */
function readsAsText(text: string): boolean {
  try {
    return parse(text) === text;
  } catch {
    return false;
  }
}

/** A call's target (`service.endpoint`) as YAML writes it: quoted where YAML would read a number (`1.5`, `2.5e3`). */
export const yamlStep = (step: string): string => (readsAsText(step) ? step : JSON.stringify(step));

/** Every endpoint the scenario holds: the instrumented ones, then those seen only from their callers. */
export function allEndpoints(analysis: Analysis): EndpointStats[] {
  const leafOnly = [...analysis.leaves.values()].filter((l) => !analysis.endpoints.has(`${l.service}\u0000${l.endpoint}`));
  return [...analysis.endpoints.values(), ...leafOnly];
}

/** Each service's name in the scenario, by its name in the traces (reduced by `safe`, `-2`, `-3`... where two meet). */
export function serviceNames(analysis: Analysis): Map<string, string> {
  return serviceNamesOf(allEndpoints(analysis));
}

export function serviceNamesOf(all: EndpointStats[]): Map<string, string> {
  const service = new Map<string, string>();
  const used = new Set<string>();
  for (const e of all) {
    if (service.has(e.service)) continue;
    let n = safe(e.service), k = 2;
    while (used.has(n)) n = `${safe(e.service)}-${k++}`;
    used.add(n);
    service.set(e.service, n);
  }
  return service;
}

/** The services seen only from their callers, and what named each, for the terminal. */
export function peerLines(a: Analysis): string[] {
  const written = serviceNames(a);
  const instrumented = new Set([...a.endpoints.values()].map((e) => e.service));
  const peers = [...a.peers].filter(([name]) => !instrumented.has(name) && written.has(name));
  if (peers.length === 0) return [];
  return [`not instrumented, named from their callers' client spans: ${peers.map(([name, by]) => `${written.get(name)} (${by}${written.get(name) !== name ? `: ${name}` : ''})`).join(', ')}`];
}

/** A name of the traces the scenario writes reduced (safe, or told apart by -2 where two meet). */
export interface Renamed {
  readonly what: 'service' | 'endpoint' | 'journey';
  /** As the scenario writes it (an endpoint without its service). */
  readonly written: string;
  readonly traced: string;
}

/** The comment at a name written reduced: what the traces called it, on one line (quoted()). */
export const tracedAs = (traced: string): string => `   # traced as ${quoted(traced)}`;

/** For the terminal: how many names were written reduced, and the first. */
export function renamedLines(renamed: readonly Renamed[]): string[] {
  if (renamed.length === 0) return [];
  const count = (what: Renamed['what']) => renamed.filter((r) => r.what === what).length;
  const kinds = (['service', 'endpoint', 'journey'] as const).filter((w) => count(w) > 0).map((w) => plural(count(w), w)).join(', ');
  const first = renamed.find((r) => r.what !== 'journey') ?? renamed[0];
  return [`renamed: ${plural(renamed.length, 'name')} from the traces ${renamed.length === 1 ? 'is no scenario name' : 'are no scenario names'} ` +
    `(letters, digits, "_" and "-", at most ${MAX_NAME} characters, -2 where two meet): written reduced, each with its name in the traces in a comment ` +
    `(${kinds}), such as ${first.written}${tracedAs(first.traced)}`];
}
