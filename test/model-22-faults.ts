/**
 * The scenario a plain `rehearse run` needs to face a drill's faults as the policy alone faced them: each fault the
 * team faced scheduled at the instant it switched on, for as long as it was on when a person removed it, under the
 * name the drill gave it (a catalogue fault's key, `ad-hoc 1`), and each scheduled fault the drill ended before
 * reaching timed at the end (it never acts); the catalogue left out, the duration cut to the drill's end. Its result is the debrief's policy run, field for field, names included.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import type { DrillDocument } from '../src/live/debrief.js';

const us = (seconds: number) => `${Math.round(seconds * 1e6)}us`;

export function sameFaultsScenario(doc: Pick<DrillDocument, 'faults' | 'record' | 'team'>, file: string): string {
  const s = parse(readFileSync(file, 'utf8')) as Record<string, any>;
  const adhoc = new Map(doc.record.actions.filter((a) => a.action.type === 'adhoc-fault' && a.refused === null)
    .map((a) => [a.faultName!, (a.action as { fault: Record<string, unknown> }).fault]));
  const scheduled: Record<string, unknown>[] = [...(s.faults ?? [])];
  // Scheduled faults keep their own name (given, or their kind and target, which several may share): the first left.
  const scheduledNamed = (name: string) => {
    const k = scheduled.findIndex((x) => x !== null && (x.name ?? `${x.kind} ${String(x.target).trim()}`) === name);
    const spec = scheduled[k];
    scheduled[k] = null as never;
    return spec;
  };
  // The faults in the runs' order: those both faced, and between them each scheduled one the drill ended before
  // reaching, timed at the end, where it never acts (both runs list it as never on).
  const faced = [...doc.faults];
  s.faults = doc.team.outcomes.faults.map((listed) => {
    if (listed.from_seconds === null) return { ...scheduledNamed(listed.name), at: `${doc.record.end.atUs}us` };
    const f = faced.shift()!;
    const spec = f.source === 'scheduled' ? scheduledNamed(f.name)
      : { ...(f.source === 'catalogue' ? s['faults-catalogue'][f.name] : adhoc.get(f.name)), name: f.name };
    const lasted = f.removed_by === undefined ? {} : { for: us(f.team_to_seconds! - f.team_from_seconds!) };
    return { ...spec, at: us(f.team_from_seconds!), ...lasted };
  });
  delete s['faults-catalogue'];
  s.duration = `${doc.record.end.atUs}us`;
  if (typeof s.traffic.cohort === 'string' && !isAbsolute(s.traffic.cohort)) s.traffic.cohort = join(dirname(file), s.traffic.cohort);
  return JSON.stringify(s);
}

/**
 * A plain run of the scenario above says of each scheduled fault the drill ended before reaching, timed at the end,
 * that it was due as the run ended (`due_seconds`: the end), where the drill's runs, which never had it due, say
 * nothing: the result with that field taken off those faults (never on, due at the end), for comparing field for field.
 */
export function withoutStandInDue<T extends { outcomes: { faults: { from_seconds: number | null; due_seconds?: number }[] } }>(r: T, endSeconds: number): T {
  const faults = r.outcomes.faults.map((f) => {
    if (f.from_seconds !== null || f.due_seconds === undefined || Math.abs(f.due_seconds - endSeconds) > 1e-6) return f;
    const { due_seconds: _due, ...rest } = f;
    return rest;
  });
  return { ...r, outcomes: { ...r.outcomes, faults } };
}
