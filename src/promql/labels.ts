/**
 * label_replace and label_join as Prometheus 2.42 computes them (promql/functions.go): the regular expression
 * fully anchored, `$1`, `${1}`, `$name` and `${name}` expanded as Go's Regexp.ExpandString does (`$1x` names the
 * group "1x", which is empty), the series left unchanged when the expression does not match, and an empty
 * result removing the label. The metric name is kept.
 */
import type { Labels } from '../metrics/series.js';
import { anchoredRegex, type GoMatch } from '../lang/promql-signatures.js';
import { labelJoinFailure, labelReplaceFailure } from '../lang/promql-tree.js';
import { EvalError, type Sample } from './values.js';

function withLabel(l: Labels, name: string, value: string): Labels {
  const out: Record<string, string> = { ...l };
  if (value === '') delete out[name];
  else out[name] = value;
  return out;
}

/** Go's Regexp.ExpandString: the template with $-references to the match's groups. */
export function expandTemplate(template: string, match: GoMatch): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | null = null;
    let end = i;
    if (template[i + 1] === '{') {
      const m = /^\{([\p{L}\p{Nd}_]+)\}/u.exec(template.slice(i + 1));
      if (m) {
        name = m[1];
        end = i + m[0].length;
      }
    } else {
      const m = /^[\p{L}\p{Nd}_]+/u.exec(template.slice(i + 1));
      if (m) {
        name = m[0];
        end = i + m[0].length;
      }
    }
    if (name === null) {
      out += '$'; // malformed: the dollar is text
      continue;
    }
    // A number without leading zeros (and below 1e8) is a group's index; anything else a group's name.
    if (/^(0|[1-9][0-9]{0,7})$/.test(name)) {
      const n = Number(name);
      if (n < match.length && match[n] !== undefined) out += match[n];
    } else {
      const g = match.groups?.[name];
      if (g !== undefined) out += g;
    }
    i = end;
  }
  return out;
}

export function labelReplace(samples: readonly Sample[], dst: string, replacement: string, src: string, regex: string): Sample[] {
  // funcLabelReplace: the expression compiled, then the destination checked, at every evaluation (whatever the
  // input); a query with either wrong fails where it is evaluated (promtool check rules accepts it).
  const failure = labelReplaceFailure(dst, regex);
  if (failure !== null) throw new EvalError(failure);
  const re = anchoredRegex(regex);
  return samples.map((s) => {
    const m = re.exec(s.labels[src] ?? '');
    if (!m) return s;
    return { labels: withLabel(s.labels, dst, expandTemplate(replacement, m)), value: s.value };
  });
}

export function labelJoin(samples: readonly Sample[], dst: string, separator: string, sources: readonly string[]): Sample[] {
  const failure = labelJoinFailure(dst, sources);
  if (failure !== null) throw new EvalError(failure);
  return samples.map((s) => ({ labels: withLabel(s.labels, dst, sources.map((k) => s.labels[k] ?? '').join(separator)), value: s.value }));
}

/** Go's string order: bytewise over UTF-8 (JavaScript's < compares UTF-16 code units). */
const bytewise = (x: string, y: string): number => (x === y ? 0 : Buffer.compare(Buffer.from(x), Buffer.from(y)));

/**
 * Prometheus' order of label sets (model/labels/labels.go Compare), the order of a range query's series (engine.go
 * sorts its Matrix so): label by label in name order, the name then the value; a set that is the start of the
 * other comes first.
 */
export function compareLabelSets(a: Labels, b: Labels): number {
  const ka = Object.keys(a).sort(bytewise), kb = Object.keys(b).sort(bytewise);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const c = bytewise(ka[i], kb[i]) || bytewise(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
  }
  return ka.length - kb.length;
}
