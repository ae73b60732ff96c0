/**
 * Where rehearse (Go flagd's reading, go-core.ts) and flagd-core's json-logic-engine, which a team evaluating in
 * process runs, answer one operation of a rule otherwise for the operands a cohort gives it: each place of the
 * file is written down at import (file:line:column: path), and a served flag set counts, per place, the
 * evaluations whose operands the two read otherwise, with the first such operands as an example.
 */
import { formatPath, type PathSegment } from '../../scenario/problems.js';
import { at, isObject, type FlagFile } from '../document.js';
import { GO_CORE, type Answer, type Disagreement } from './go-core.js';

type Json = Record<string, unknown>;

/** Each place of an operation go-core.ts compares (a JSON path), with its file:line:column: path. */
export function placesOf(doc: FlagFile, targets: readonly [unknown, PathSegment[]][]): Record<string, string> {
  const places: Record<string, string> = {};
  const walk = (node: unknown, p: PathSegment[]): void => {
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, [...p, i]));
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 1 && GO_CORE.has(keys[0])) {
      const w = at(doc, p, '');
      places[JSON.stringify(p)] = `${w.line ? `${doc.file}:${w.line}:${w.column}` : doc.file}: ${formatPath(p)}`;
    }
    if (keys.length === 1) walk(node[keys[0]], [...p, keys[0]]);
  };
  for (const [node, p] of targets) walk(node, p);
  return places;
}

const shown = (a: Answer): string => ('error' in a ? 'an error (PARSE_ERROR)' : JSON.stringify(a.value) ?? 'null');

/** Counts the evaluations at each place where the two disagree; `next()` starts an evaluation. */
export class Disagreements {
  private evaluation = 0;
  private readonly seen = new Map<string, { where: string; example: string; evaluations: number; last: number }>();

  constructor(private readonly places: Readonly<Record<string, string>>) {}

  next(): void {
    this.evaluation++;
  }

  readonly listen: Disagreement = (place, name, operands, go, js, about) => {
    const where = this.places[place];
    if (where === undefined) return;
    const s = this.seen.get(place);
    if (!s) {
      const example = `{${JSON.stringify(name)}: ${JSON.stringify(operands)}}${about ? ` (${about})` : ''} is ${shown(go)} to Go flagd, ${shown(js)} to flagd-core`;
      this.seen.set(place, { where, example, evaluations: 1, last: this.evaluation });
    } else if (s.last !== this.evaluation) {
      s.evaluations++;
      s.last = this.evaluation;
    }
  };

  /** One line per place, in the order first met. */
  lines(): string[] {
    return [...this.seen.values()].map((s) => `${s.where}: ${s.evaluations} evaluation${s.evaluations === 1 ? '' : 's'} of the cohort read these operands otherwise in flagd-core, the JavaScript in-process provider, than in Go flagd, which rehearse follows: ${s.example}; a team that evaluates the flag in process serves those users otherwise`);
  }
}

export type { Json };
