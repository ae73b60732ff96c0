/**
 * A name from the traces that is no scenario name (a line break, a route's slashes and braces, a SQL statement of
 * kilobytes, two names that reduce alike) is written reduced, with a comment at the written name giving what the
 * traces called it, so that a team finds its service or operation; calibrate's summary counts them. A name already
 * valid gets no comment. The comment is one line whatever the name holds, and the scenario reads back as before.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { safe } from '../src/calibrate/names.js';
import { quoted } from '../src/units/escape.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-traced-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LONG = `SELECT ${'a'.repeat(9_993)}`;
const SERVICES = ['Api\ntl7', 'x', 'x!', 'db#x', 'ok-svc'];
const OPS = ['GET /api/users/{id}', `SELECT ${'x'.repeat(2_000)}`, 'a "b" \\c # d', 'line\u2028sep', LONG, 'valid_op'];

/** Jaeger JSON: 10 traces, each a root span of SERVICES[0] calling one span of each other service, OPS in turn. */
function traces(): string {
  const processes = Object.fromEntries(SERVICES.map((s, i) => [`p${i}`, { serviceName: s, tags: [] }]));
  const data = [];
  let id = 1;
  for (let t = 1; t <= 10; t++) {
    const traceID = t.toString(16);
    const root = { traceID, spanID: (id++).toString(16), operationName: OPS[0], startTime: t * 1_000_000, duration: 9_000, processID: 'p0', tags: [], references: [] };
    const spans: object[] = [root];
    for (let i = 1; i < OPS.length; i++) {
      spans.push({ traceID, spanID: (id++).toString(16), operationName: OPS[i], startTime: t * 1_000_000 + i * 1_200, duration: 1_000,
        processID: `p${1 + ((i - 1) % (SERVICES.length - 1))}`, tags: [], references: [{ refType: 'CHILD_OF', traceID, spanID: root.spanID }] });
    }
    data.push({ traceID, spans, processes });
  }
  return JSON.stringify({ data });
}

const file = join(dir, 'traces.json');
writeFileSync(file, traces());

/** The traced name a written line's comment gives (quoted() writes JSON's escapes for these names), or null. */
const tracedOf = (line: string): string | null => {
  const m = / {3}# traced as ("(?:[^"\\]|\\.)*")$/.exec(line);
  return m ? (JSON.parse(m[1]) as string) : null;
};

describe('a traced name written reduced carries its traced name in a comment', () => {
  it('at the service, the endpoint and the journey, one line each, and the scenario reads back as before', async () => {
    const outFile = join(dir, 'calibrated.yaml');
    const out: string[] = [];
    const err: string[] = [];
    expect(await main(['calibrate', file, '--out', outFile], { out: (s) => out.push(s), err: (s) => err.push(s) }), err.join('\n')).toBe(0);
    const yaml = readFileSync(outFile, 'utf8');
    const doc = parse(yaml) as { journeys: Record<string, unknown>; services: Record<string, { endpoints: Record<string, unknown> }> };
    // The names written are those of before: reduced by safe(), "x!" meeting "x" as x-2.
    expect(Object.keys(doc.services)).toEqual(['Api-tl7', 'x', 'x-2', 'db-x', 'ok-svc']);
    expect(Object.keys(doc.journeys)).toEqual([safe(OPS[0])]);
    expect(Object.values(doc.services).flatMap((s) => Object.keys(s.endpoints)).sort()).toEqual(OPS.map(safe).sort());
    // Each renamed name's line says what the traces called it, readable back exactly; valid names get nothing.
    const lines = yaml.split('\n');
    const said = new Map(lines.flatMap((l) => {
      const traced = tracedOf(l);
      return traced === null ? [] : [[l.trim().split(':')[0], traced] as const];
    }));
    expect(said).toEqual(new Map([
      [safe(OPS[0]), OPS[0]], // the journey's line and the endpoint's give the same
      ['Api-tl7', 'Api\ntl7'],
      ['x-2', 'x!'],
      [safe(OPS[1]), OPS[1]],
      ['db-x', 'db#x'],
      [safe(OPS[2]), OPS[2]],
      [safe(OPS[3]), OPS[3]],
      [safe(OPS[4]), LONG],
    ]));
    expect(lines.filter((l) => l.includes('# traced as')).length).toBe(9);
    expect(lines.some((l) => /^ {2}(x|ok-svc):/.test(l) && l.includes('#'))).toBe(false);
    expect(lines.some((l) => l.includes('valid_op') && l.includes('traced as'))).toBe(false);
    expect(yaml).toContain(`  Api-tl7:   # traced as ${quoted('Api\ntl7')}\n`);
    // The summary counts them: 3 services, 5 operations (one both a journey and an endpoint).
    expect(out.filter((l) => l.startsWith('renamed: '))).toEqual([
      'renamed: 9 names from the traces are no scenario names (letters, digits, "_" and "-", at most 120 characters, -2 where two meet): ' +
        `written reduced, each with its name in the traces in a comment (3 services, 5 endpoints, 1 journey), such as Api-tl7   # traced as ${quoted('Api\ntl7')}`,
    ]);
    const validated: string[] = [];
    expect(await main(['validate', outFile], { out: (s) => validated.push(s), err: (s) => validated.push(s) }), validated.join('\n')).toBe(0);
  });

  it('leaves the calibrated figures and the capacities read back from the comments as they were', () => {
    const r = calibrateFiles([file]);
    const stripped = r.yaml.replace(/ {3}# traced as "(?:[^"\\]|\\.)*"$/gm, '');
    expect(parse(stripped)).toEqual(parse(r.yaml));
    expect(r.capacities.map((c) => [c.service, c.capacity])).toEqual(['Api-tl7', 'x', 'x-2', 'db-x', 'ok-svc'].map((s) => [s, 'unknown']));
    expect(r.renamed.length).toBe(9);
  });

  it('says nothing where every name is valid', async () => {
    const out: string[] = [];
    const outFile = join(dir, 'plain.yaml');
    expect(await main(['calibrate', 'test/fixtures/traces/zipkin-skew.json', '--out', outFile], { out: (s) => out.push(s), err: () => {} })).toBe(0);
    expect(readFileSync(outFile, 'utf8')).not.toContain('traced as');
    expect(out.filter((l) => l.startsWith('renamed'))).toEqual([]);
  });
});
