// Keys inside { } or [ ] that Go's yaml refuses (src/scenario/go-flow-keys.ts, from gopkg.in/yaml.v3 scannerc.go
// yaml_simple_key_is_valid) are looked for by parsing the text again only when a flow collection spans lines or
// more than 1024 characters, or a document has an error. These tests hold that shortcut to the full search: every
// key the full search finds is refused in the documents read, on generated texts of every shape it looks at.
import { describe, expect, it } from 'vitest';
import { goFlowKeyColons } from '../src/scenario/go-flow-keys.js';
import { parseAllDocumentsAsGo } from '../src/scenario/go-quoted.js';

let seed = 11;
const draw = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const plain = ['a', 'b', '1', 'k', '"q"', "'s'"];
const odd = ['"a\nb"', "'x\n  y'", 'x'.repeat(1030), '"a"\n  ', 'b\n  ', '&an d', '!!str e', '"\u2028"', `"${'y'.repeat(1020)}"`];
const atom = () => (draw(8) === 0 ? odd[draw(odd.length)] : plain[draw(plain.length)]);
function flow(depth: number): string {
  if (depth > 2 || draw(3) === 0) return atom();
  const map = draw(2) === 0;
  const items = Array.from({ length: 1 + draw(3) }, () =>
    map || draw(3) === 0 ? `${flow(depth + 1)}${draw(6) === 0 ? '\n  : ' : ': '}${flow(depth + 1)}` : flow(depth + 1));
  return (map ? '{' : '[') + items.map((x, i) => (i === 0 ? x : (draw(5) === 0 ? ',\n  ' : ', ') + x)).join('') + (map ? '}' : ']');
}

const GO_REFUSES = "Go's yaml (kubectl, Prometheus) refuses it";
const refusals = (docs: ReturnType<typeof parseAllDocumentsAsGo>['docs']) =>
  docs.flatMap((d) => d.errors.filter((e) => e.message.includes(GO_REFUSES)).map((e) => e.pos[0]));

describe("keys Go's yaml refuses inside { } and [ ]", () => {
  it('are refused wherever the full search finds them, with or without the search skipped', () => {
    let found = 0, clean = 0;
    for (let i = 0; i < 400; i++) {
      const text = `k: ${flow(0)}\n${draw(2) ? `---\nm:\n  - ${flow(0)}\n` : ''}`;
      // The full search over the text the documents index (a quoted string Go reads on is indented there).
      const read = parseAllDocumentsAsGo(text, {}, 'go');
      const expected = goFlowKeyColons(read.text).map((c) => c.offset);
      expect(refusals(read.docs), JSON.stringify(text)).toEqual(expect.arrayContaining(expected));
      if (expected.length > 0) found++;
      if (read.docs.every((d) => d.errors.length === 0)) clean++;
    }
    // Both kinds of text were drawn: some the search refuses, some read clean (where it is skipped).
    expect(found).toBeGreaterThan(100);
    expect(clean).toBeGreaterThan(100);
  });

  it('on one line, a key on two lines inside a flow map is still found (the yaml package reads it without error)', () => {
    expect(refusals(parseAllDocumentsAsGo('k: {a: 1, b: [x, y]}\nz: {"p\nq": 1}\n', {}, 'go').docs)).toHaveLength(1);
    expect(refusals(parseAllDocumentsAsGo('k: {a: 1, b: [x, y]}\nz: {"p q": 1}\n', {}, 'go').docs)).toHaveLength(0);
  });
});
