/**
 * Flagger's query templates rendered as Flagger renders them (pkg/metrics/observers/render.go in fluxcd/flagger:
 * Go text/template with missingkey=error and the functions of MetricTemplateModel: name, namespace, target,
 * service, ingress, route, interval, variables), then with runs of whitespace collapsed to one space, as
 * PrometheusProvider.trimQuery does before it sends the query. The part of text/template the templates use:
 * actions `{{ fn }}`, `{{ variables.key }}`, `{{ $v := printf "fmt" arg... }}`, `{{ $v }}`, and the `{{-` and
 * `-}}` markers that trim the whitespace beside them. Anything else is an error naming the action.
 */
import { quoted } from '../../units/escape.js';

export interface QueryModel {
  readonly name: string;
  readonly namespace: string;
  readonly target: string;
  readonly service: string;
  readonly ingress: string;
  readonly route: string;
  readonly interval: string;
  readonly variables: Readonly<Record<string, string>>;
}

export class RenderError extends Error {
  override name = 'RenderError';
}

const FUNCTIONS = ['name', 'namespace', 'target', 'service', 'ingress', 'route', 'interval'] as const;

/** Go's fmt %s and %v over strings, the only verbs the templates use. */
function printf(format: string, args: string[]): string {
  let k = 0;
  return format.replace(/%[sv%]/g, (verb) => {
    if (verb === '%%') return '%';
    if (k >= args.length) return `%!${verb[1]}(MISSING)`;
    return args[k++];
  });
}

/** A Go string literal ("..." with escapes, or `raw`). */
function goString(text: string): string | null {
  if (text.startsWith('`') && text.endsWith('`') && text.length >= 2) return text.slice(1, -1);
  if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) return null;
  try {
    return JSON.parse(text) as string;
  } catch {
    return null;
  }
}

export function renderQuery(template: string, model: QueryModel): string {
  const vars = new Map<string, string>();
  const value = (word: string): string => {
    if (word.startsWith('$')) {
      const v = vars.get(word);
      if (v === undefined) throw new RenderError(`undefined variable ${quoted(word)}`);
      return v;
    }
    if ((FUNCTIONS as readonly string[]).includes(word)) return model[word as (typeof FUNCTIONS)[number]];
    const m = /^variables\.([A-Za-z0-9_]+)$/.exec(word);
    if (m) {
      if (!Object.hasOwn(model.variables, m[1])) throw new RenderError(`map has no entry for key ${quoted(m[1])} (templateVariables)`);
      return model.variables[m[1]];
    }
    const s = goString(word);
    if (s !== null) return s;
    throw new RenderError(`function ${quoted(word)} not defined`);
  };
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    let text = template.slice(i, open);
    let start = open + 2;
    if (template[start] === '-' && /\s/.test(template[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start++;
    }
    out += text;
    const close = template.indexOf('}}', start);
    if (close < 0) throw new RenderError('unclosed action');
    let end = close;
    let after = close + 2;
    if (template[close - 1] === '-' && /\s/.test(template[close - 2] ?? '')) {
      end = close - 1;
      while (after < template.length && /\s/.test(template[after])) after++;
    }
    const action = template.slice(start, end).trim();
    const words = action.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g) ?? [];
    const [head = '', assign] = words;
    if (words.length >= 3 && head.startsWith('$') && assign === ':=') {
      const [fn, first, ...rest] = words.slice(2);
      if (fn !== 'printf' || first === undefined) throw new RenderError(`unsupported action {{ ${action} }}`);
      const format = goString(first);
      if (format === null) throw new RenderError(`printf needs a string format in {{ ${action} }}`);
      vars.set(head, printf(format, rest.map(value)));
    } else if (words.length === 1) {
      out += value(head);
    } else throw new RenderError(`unsupported action {{ ${action} }}`);
    i = after;
  }
  return out;
}

/** PrometheusProvider.trimQuery: runs of whitespace become one space. */
export function trimQuery(query: string): string {
  return query.replace(/[\t\n\f\r ]+/g, ' ');
}
