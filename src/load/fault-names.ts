/**
 * A fault's name is how results, reports and a game day's debrief tell it from the others: a name given (a scheduled
 * fault's `name`, a catalogue fault's key) names one fault only. Faults left unnamed keep the name of their kind and
 * target, which several may share (two latency faults on a service at other times), as before names could be given.
 */
import type { Locate } from '../scenario/parse.js';
import { formatPath, type PathSegment, type Problem } from '../scenario/problems.js';
import type { ScenarioInput } from '../scenario/schema.js';
import { quoted } from '../units/escape.js';

interface Named { name: string; path: PathSegment[]; key: boolean; given: boolean }

/** Each given name that another fault has too, at both places, each naming the other with its file:line:column. */
export function duplicateFaultNames(input: ScenarioInput, where: Locate, file: string): Problem[] {
  const named: Named[] = [
    ...(input.faults ?? []).map((f, i): Named => (f.name !== undefined
      ? { name: f.name, path: ['faults', i, 'name'], key: false, given: true }
      : { name: `${f.kind} ${f.target.trim()}`, path: ['faults', i], key: false, given: false })),
    ...Object.keys(input['faults-catalogue'] ?? {}).map((name): Named => ({ name, path: ['faults-catalogue', name], key: true, given: true })),
  ];
  const byName = new Map<string, Named[]>();
  for (const n of named) byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
  const out: Problem[] = [];
  for (const [name, all] of byName) {
    if (all.length < 2 || !all.some((n) => n.given)) continue;
    const placed = all.map((n) => where(n.path, { path: n.path, key: n.key, message: '' }));
    const place = (p: Problem) => `${formatPath(p.path)} (${p.line ? `${file}:${p.line}:${p.column ?? 1}` : file})`;
    placed.forEach((p, k) => {
      const others = placed.filter((_, j) => j !== k).map(place).join(', ');
      const message = `fault name ${quoted(name)} is also the name of ${others}: a fault's name is unique among the scenario's faults and its faults-catalogue (a fault without a name is named by its kind and target)`;
      out.push({ ...p, message });
    });
  }
  return out;
}
