/**
 * Names from the traces survive the calibrated scenario as text: a service called "0x10", "1", "true" or "1e400"
 * and an endpoint called "5" were written as bare YAML, which reads them back as 16, 1, true, Infinity and 5, so
 * that the scenario calibrate wrote did not validate ("unknown service", found by mutating Zipkin's and
 * OpenTelemetry's own trace files).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-calibrate-names-'));

describe('names that YAML would read as something else', () => {
  it('are written quoted, and read back as the names the traces gave', async () => {
    const spans = JSON.parse(readFileSync('test/fixtures/traces/zipkin-skew.json', 'utf8')) as { name?: string; localEndpoint?: { serviceName?: string }; remoteEndpoint?: { serviceName?: string } }[];
    const rename: Record<string, string> = { servicea: '0x10', serviceb: '1e400' };
    for (const s of spans) {
      for (const e of [s.localEndpoint, s.remoteEndpoint]) if (e?.serviceName) e.serviceName = rename[e.serviceName] ?? e.serviceName;
      if (s.name) s.name = s.name === 'get' ? 'true' : '5';
    }
    const file = join(dir, 'zipkin.json');
    writeFileSync(file, JSON.stringify(spans));
    const out = join(dir, 'calibrated.yaml');
    const lines: string[] = [];
    const code = await main(['calibrate', file, '--out', out], { out: (s) => lines.push(s), err: (s) => lines.push(s) });
    expect(code, lines.join('\n')).toBe(0);
    const doc = parse(readFileSync(out, 'utf8')) as { services: Record<string, { endpoints: Record<string, unknown> }>; journeys: Record<string, { steps: unknown[] }> };
    expect(Object.keys(doc.services).sort()).toEqual(['0x10', '1e400']);
    expect(Object.values(doc.services).flatMap((sv) => Object.keys(sv.endpoints)).sort()).toEqual(['5', 'true']);
    for (const j of Object.values(doc.journeys)) for (const step of j.steps) expect(typeof step).toBe('string');
    const validated: string[] = [];
    expect(await main(['validate', out], { out: (s) => validated.push(s), err: (s) => validated.push(s) }), validated.join('\n')).toBe(0);
  });
});
