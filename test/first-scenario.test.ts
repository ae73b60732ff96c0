/**
 * What docs/first-scenario.md says a reader will see when they try something the page does not run: its step 6
 * suggests a threshold on flag-on latency alone in place of the comparison gate. The gate is read from the page
 * and put into the page's finished file, examples/first-scenario.yaml, so the page and this test cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, rehearse } from '../src/index.js';

const root = new URL('..', import.meta.url).pathname;
const page = readFileSync(`${root}docs/first-scenario.md`, 'utf8');
const example = readFileSync(`${root}examples/first-scenario.yaml`, 'utf8');

describe('docs/first-scenario.md, step 6', () => {
  it('a threshold on flag-on latency alone rolls the flag back for the fault, and the ground truth calls it a false rollback', () => {
    const gate = /alone \(`('req_duration\{journey:checkout,flag:on\} p\(99\)<\d+ms')`\) would have rolled the flag back/.exec(page)?.[1];
    expect(gate).toBeDefined();
    const compare = "      - { compare: { metric: req_duration, filter: '{journey:checkout}', max-increase: 50%, confidence: 99% } }\n";
    expect(example).toContain(compare);
    const text = example.replace(compare, `      - ${gate}\n`);
    const base = rehearse(parseScenario(example, { baseDir: `${root}examples` }));
    const latency = rehearse(parseScenario(text, { baseDir: `${root}examples` }));
    // Without the fault's five minutes the same gate holds: it is the fault, not the flag, that it reacts to.
    const calm = rehearse(parseScenario(text.replace(/^faults:\n.*\n/m, ''), { baseDir: `${root}examples` }));
    expect(base.rollouts[0].outcome).toBe('completed');
    expect(calm.rollouts[0].outcome).toBe('completed');
    expect(latency.rollouts[0].outcome).toBe('rolled-back');
    const outcome = latency.outcomes.flags['new-payments'];
    expect(outcome).toMatchObject({ defective: false, false_rollback: true, misattribution: true });
  });
});
