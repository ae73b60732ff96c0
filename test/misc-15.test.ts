/**
 * Small faithfulness gaps closed together:
 * - trace files that hold no span are named for what they are and refused as empty, not "no trace format found":
 *   an OTLP export with no spans ({"resourceSpans": []}), Jaeger's search answer when nothing matched
 *   ({"data":[],"total":0,"limit":0,"offset":0,"errors":null}: jaegertracing/jaeger cmd/query/app/http_handler.go
 *   search, uiTraces := make([]*ui.Trace, len(tracesFromStorage)), written as structuredResponse).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { streamJson, type Path } from '../src/interop/traces/json-stream.js';
import { readTraceFile } from '../src/interop/traces/read.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-misc-15-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const bin = new URL('../bin/rehearse.js', import.meta.url).pathname;
const refusal = (file: string): string[] => {
  try {
    readTraceFile(file, () => {});
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  throw new Error(`${file} was read`);
};

describe('a trace file with no span is named for what it is and refused as empty', () => {
  it('the JSON walk tells of a streamed container even when it is empty (it hands over no value)', () => {
    const file = write('empty-otlp-walk.json', '{"resourceSpans": []}');
    const values: Path[] = [], containers: [Path, boolean, number, number][] = [];
    streamJson(file, [['resourceSpans']], (path) => values.push(path), () => {}, (path, array, line, column) => containers.push([path, array, line, column]));
    expect(values).toEqual([]);
    expect(containers).toEqual([[[], false, 1, 1], [['resourceSpans'], true, 1, 19]]);
  });

  it.each([
    ['an OTLP export', '{"resourceSpans": []}', 'an OTLP export with no spans'],
    ['an OTLP export whose resources hold no span', '{"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": []}]}]}', 'an OTLP export with no spans'],
    ['Jaeger\'s search answer when nothing matched', '{"data":[],"total":0,"limit":0,"offset":0,"errors":null}', 'a Jaeger API answer with no traces'],
    ['Jaeger\'s answer, data alone', '{"data": []}', 'a Jaeger API answer with no traces'],
    ['Jaeger\'s api_v3 gateway', '{"result": {"resourceSpans": []}}', 'a Jaeger api_v3 answer with no spans'],
    ['Tempo\'s /api/traces', '{"batches": []}', 'a Tempo trace answer (/api/traces) with no spans'],
    ['Tempo\'s /api/v2/traces for a trace it has not', '{"trace": {}}', 'a Tempo trace answer (/api/v2/traces) with no spans'],
    ['an Elasticsearch search answer', '{"hits": {"total": {"value": 0}, "hits": []}}', 'an Elasticsearch search answer with no hits'],
    ['a top-level list', '[]', 'an empty list (no span, no trace)'],
  ])('%s', (_, text, what) => {
    const file = write(`empty-${what.replace(/\W+/g, '-')}.json`, text);
    expect(refusal(file)).toEqual([`${file}: ${what}: nothing to read`]);
  });

  it('JSON lines of empty exports say how many documents held nothing', () => {
    const file = write('empty-lines.jsonl', '{"resourceSpans": []}\n{"resourceSpans": []}\n');
    expect(refusal(file)).toEqual([`${file}: 2 documents, not a span in them (an OTLP export with no spans): nothing to read`]);
  });

  it('a key no format has is still "no trace format found"; an export with spans all unusable still says what was skipped', () => {
    expect(refusal(write('other.json', '{"kind": "not traces"}'))[0]).toMatch(/: no trace format found: /);
    expect(refusal(write('empty-object.json', '{}'))[0]).toMatch(/: no trace format found: /);
    const noIds = write('no-ids.json', '{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x"}]}]}]}');
    expect(refusal(noIds)[0]).toMatch(/: no usable spans in this otlp file: 1 skipped/);
  });

  it('calibrate exits 2 with the file and the words, no stack trace', () => {
    for (const [name, text, what] of [['cli-otlp.json', '{"resourceSpans": []}', 'an OTLP export with no spans'], ['cli-jaeger.json', '{"data": []}', 'a Jaeger API answer with no traces']]) {
      const file = write(name, text);
      const r = spawnSync(process.execPath, [bin, 'calibrate', file], { encoding: 'utf8', cwd: dir });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 2, stdout: '', stderr: `${file}: ${what}: nothing to read\n` });
    }
  });
});
