/**
 * The header `rehearse import flags` prints names each flag's variants; an Unleash toggle without variants read
 * `gift-wrap: .`, as though a variant had an empty name.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;

describe('rehearse import flags: the header', () => {
  it('says a flag without variants is on or off', async () => {
    const r = await cli('import', 'flags', 'unleash', `${root}flags/demo.unleash.json`);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`# Flags of ${root}flags/demo.unleash.json (unleash), served as unleash serves them: variants search-v2: bm25/vector; gift-wrap: none (on or off).`);
  });
});
