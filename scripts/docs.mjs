#!/usr/bin/env node
/**
 * The generated part of docs/scenario.md: one row per field of the scenario format, walked from the JSON
 * Schema that `rehearse schema` emits (schema/scenario.schema.json, itself checked against the validator by
 * test/cli.test.ts). The prose and examples around it are written by hand; only the text between the two
 * markers below is replaced.
 *
 *   node scripts/docs.mjs           rewrite the generated part (npm run docs)
 *   node scripts/docs.mjs --check   exit 1 when docs/scenario.md is not current
 *
 * Rules of the walk: a mapping of names is written `<name>`, a list item `[]`; a union lists its forms and
 * walks the fields of each object form; a shape already listed at another path is not walked again (the row
 * says where it is); the schema's generic descriptions of a unit ("A duration: ...") become the type column.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BEGIN = '<!-- BEGIN generated: scenario fields (npm run docs writes this part from schema/scenario.schema.json) -->';
export const END = '<!-- END generated: scenario fields -->';

const units = [
  // A number and one of the units' alternatives (src/units/parse.ts), repeated: whichever spellings it lists.
  [/^\^\(0\|\(\(\?:\\d\+.*\((?:[a-zµ]+\|)+[a-zµ]+\)\)\+\)\$$/, 'duration'],
  [/\/\((?:[a-zµ]+\|)+[a-zµ]+\)\$$/, 'rate'],
  [/^\^\(\\d\\d:\\d\\d\|/, 'time of day or duration'],
  [/^\^\\d\\d:\\d\\d\$$/, 'time of day'],
  [/^\^\\d\\d:\\d\\d-\\d\\d:\\d\\d\$$/, 'time window'],
  [/^\^\(\?:\\d\+\(\?:\\\.\\d\*\)\?\|\\\.\\d\+\)%\$$/, 'percentage'],
  [/^\^\\\+\?\(.*%\$$/, 'percentage or +percentage'],
  [/^\^\(x\\d\+/, 'xFACTOR or +duration'],
  [/^\^\\d\{4\}-\\d\\d-\\d\\d\$$/, 'date'],
  [/^\^\\\/\[\^\\s\]\*\$$/, 'path'],
  [/^\^\[A-Za-z0-9_-\]\+\(\\\.\[A-Za-z0-9_-\]\+\)\?\$$/, 'service or service.endpoint'],
];
const genericDescription = /^(A duration:|A percentage from|A rate, zero allowed|A rate:|A time of day)/;

function typeOf(node) {
  if (node === true || node === undefined || Object.keys(node).length === 0) return 'any';
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) {
    const types = [...new Set(alternatives.map(typeOf))];
    return types.join(' or ');
  }
  switch (node.type) {
    case 'string': {
      if (node.pattern) for (const [re, name] of units) if (re.test(node.pattern)) return name;
      return 'text';
    }
    case 'integer': {
      const lo = node.minimum ?? node.exclusiveMinimum;
      return lo === undefined || lo < 0 ? 'integer' : `integer ≥ ${node.exclusiveMinimum !== undefined ? lo + 1 : lo}`;
    }
    case 'number': return 'number';
    case 'boolean': return 'true or false';
    case 'array': return `list of ${plural(typeOf(node.items ?? {}))}`;
    case 'object': return node.properties ? 'mapping' : `mapping of names to ${plural(typeOf(node.additionalProperties ?? {}))}`;
    default: return Array.isArray(node.type) ? node.type.map((t) => (t === 'string' ? 'text' : t)).join(' or ') : 'any';
  }
}

function plural(t) {
  return t.includes(' or ') ? `(${t})` : t.replace(/^mapping$/, 'mappings');
}

function describe(node) {
  const own = node.description && !genericDescription.test(node.description) ? node.description : '';
  return own.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Rows `[path, type, required, description]` for every field below the schema's root. */
export function fieldRows(schema) {
  const rows = [];
  const byPath = new Map(); // path -> row, so that the forms of a union merge into one row per field
  const seen = new Map(); // JSON of an object shape -> the path where it is listed
  let when = ''; // the discriminating value of the union form being walked: "dist: lognormal"
  let forms = 0; // how many forms that union has
  const add = (path, type, required, text) => {
    const row = byPath.get(path);
    if (!row) {
      const fresh = { path, types: [type], required, text, when: when ? [when] : [], forms };
      byPath.set(path, fresh);
      rows.push(fresh);
      return fresh;
    }
    if (!row.types.includes(type)) row.types.push(type);
    if (when && !row.when.includes(when)) row.when.push(when);
    row.required = row.required && required;
    if (!row.text) row.text = text;
    return row;
  };
  const walkObject = (node, path) => {
    const key = JSON.stringify(node);
    if (node.properties && Object.keys(node.properties).length > 2) {
      if (seen.has(key) && seen.get(key) !== path) return seen.get(key);
      seen.set(key, path);
    }
    const required = new Set(node.required ?? []);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      if (name === '$schema') continue;
      field(child, path ? `${path}.${name}` : name, required.has(name));
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      walk(node.additionalProperties, `${path}.<name>`);
    }
    return undefined;
  };
  const walk = (node, path) => {
    if (!node || typeof node !== 'object') return undefined;
    const alternatives = node.anyOf ?? node.oneOf;
    if (alternatives) {
      const elsewhere = [];
      const outer = when;
      const outerForms = forms;
      forms = alternatives.filter((alt) => alt.properties && Object.values(alt.properties).some((v) => v && v.const !== undefined)).length;
      for (const alt of alternatives) {
        const tag = alternatives.length > 1 && alt.properties
          ? Object.entries(alt.properties).find(([, v]) => v && v.const !== undefined)
          : undefined;
        when = tag ? `${tag[0]}: ${tag[1].const}` : outer;
        const at = walk(alt, path);
        if (at) elsewhere.push(at);
      }
      when = outer;
      forms = outerForms;
      return elsewhere[0];
    }
    if (node.type === 'array' && node.items) return walk(node.items, `${path}[]`);
    if (node.type === 'object') return walkObject(node, path);
    return undefined;
  };
  const field = (node, path, required) => {
    const row = add(path, typeOf(node), required, describe(node));
    const elsewhere = walk(node, path);
    if (elsewhere && elsewhere !== path && !row.text.includes(elsewhere)) {
      row.text = `${row.text}${row.text ? ' ' : ''}Fields as under \`${elsewhere}\`.`;
    }
  };
  walkObject(schema, '');
  return rows.map((r) => {
    // A field of some forms of a union only: say which (a field of every form needs no note).
    const partial = r.when.length > 0 && r.when.length < r.forms;
    const note = partial ? `(with ${r.when.join(' or ')}) ` : '';
    return [r.path, r.types.join(' or '), r.required ? 'yes' : '', `${note}${r.text}`.trim()];
  });
}

export function fieldReference(schema) {
  const rows = fieldRows(schema);
  const lines = [
    BEGIN,
    '',
    `${rows.length} fields. \`<name>\` stands for a name you choose (a service, a journey, a flag, a case), \`[]\` for each item of a list.`,
    '',
    '| field | type | required | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map(([path, type, required, text]) => `| \`${path}\` | ${type} | ${required} | ${text} |`),
    '',
    END,
  ];
  return lines.join('\n');
}

/** The page with its generated part replaced; throws when the markers are missing. */
export function withReference(page, schema) {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/scenario.md: the markers of the generated part are missing (${BEGIN} ... ${END})`);
  return page.slice(0, begin) + fieldReference(schema) + page.slice(end + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = new URL('..', import.meta.url);
  const pageFile = new URL('docs/scenario.md', root);
  const schema = JSON.parse(readFileSync(new URL('schema/scenario.schema.json', root), 'utf8'));
  const page = readFileSync(pageFile, 'utf8');
  const next = withReference(page, schema);
  if (process.argv.includes('--check')) {
    if (next !== page) {
      console.error('docs/scenario.md: the field reference is not current; run npm run docs');
      process.exit(1);
    }
    console.log('docs/scenario.md: the field reference is current');
  } else if (next !== page) {
    writeFileSync(pageFile, next);
    console.log('docs/scenario.md: field reference written');
  } else {
    console.log('docs/scenario.md: the field reference is current');
  }
}
