/**
 * rehearse export k6: generated scripts type-check against @types/k6 with tsc (TypeScript's native binary,
 * spawned on a temporary tsconfig), and carry the traffic shape, users and thresholds of their scenarios.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { exportK6 } from '../src/cli/export.js';

const root = new URL('..', import.meta.url).pathname;
const k6Types = join(root, 'node_modules/@types/k6');
const tsc = join(root, 'node_modules/.bin/tsc');

/** Type-checks one script; returns tsc's diagnostics ('' when it passes). */
function typeCheck(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-k6-'));
  writeFileSync(join(dir, 'script.ts'), script);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2020', module: 'esnext', moduleResolution: 'bundler', lib: ['es2020'], types: [],
      paths: { k6: [join(k6Types, 'index.d.ts')], 'k6/*': [join(k6Types, '*')] },
    },
    files: [join(k6Types, 'index.d.ts'), 'script.ts'],
  }));
  try {
    execFileSync(tsc, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return (e as { stdout: string }).stdout || String(e);
  }
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const scenarios = ['checkout', 'two-flag-release', 'flagd-shop', 'unleash-shop', 'launchdarkly-shop'];

describe('rehearse export k6', () => {
  const scripts = new Map(scenarios.map((s) => [s, exportK6(join(root, `scenarios/${s}.yaml`), { baseUrl: 'https://staging.example.com' })]));

  it('writes scripts that type-check against @types/k6', () => {
    for (const [name, script] of scripts) expect(typeCheck(script), name).toBe('');
  });

  it('the type check catches a script k6 would reject', () => {
    const broken = scripts.get('checkout')!.replace('"executor": "ramping-arrival-rate"', '"executor": "ramping-arrival"');
    expect(typeCheck(broken)).toMatch(/error TS\d+/);
  });

  it('one ramping-arrival-rate scenario per journey, following the shape and the journey\'s share', () => {
    // checkout.yaml: 200/s ramping to 300/s over 10m, then flat to 20m; the checkout journey takes 15%.
    const s = scripts.get('checkout')!;
    const options = JSON.parse(/export const options: Options = (\{[\s\S]*?\n\});/.exec(s)![1]);
    expect(Object.keys(options.scenarios)).toEqual(['browse', 'basket', 'checkout']);
    expect(options.scenarios.checkout).toMatchObject({
      executor: 'ramping-arrival-rate', exec: 'journey_checkout', startRate: 30, timeUnit: '1s',
      stages: [{ target: 45, duration: '600s' }, { target: 45, duration: '600s' }], tags: { journey: 'checkout' },
    });
    expect(s).toContain('http.request("POST", `${BASE_URL}/api/checkout`, null, { headers, tags: {"journey":"checkout","service":"frontend","endpoint":"checkout"} })');
  });

  it('carries the cohort\'s users and the gates k6 can express; lists the rest at the top', () => {
    const s = scripts.get('unleash-shop')!;
    const users = JSON.parse(/new SharedArray<string>\('users', \(\): string\[\] => (\[.*\])\);/.exec(s)![1]);
    expect(users).toHaveLength(1000);
    expect(s).toContain('"http_req_duration{journey:search}": [\n      "p(99)<800"\n    ]');
    expect(s).toContain('//   - rollout search-v2: req_failed{service:search,flag:on} rate<0.01: it selects requests by flag state');
    expect(s).toContain('X-Targeting-Key');
  });

  it('an endpoint without http is a clear error with its position (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-k6-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, readFileSync(join(root, 'scenarios/checkout.yaml'), 'utf8').replace('        http: { path: /cart }\n', ''));
    const r = await cli('export', 'k6', file, '--base-url', 'https://x.example.com');
    expect(r.code).toBe(2);
    expect(r.err).toContain('s.yaml:21:53: journeys.basket.steps[1]: endpoint frontend.cart has no HTTP route; add services.frontend.endpoints.cart.http');
    expect(r.err.split('\n')).toHaveLength(1);
  });
});

describe('k6 stages for the other shapes', () => {
  it('steps become one-second ramps at each step; a diurnal curve is followed piece by piece', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-k6-'));
    const write = (traffic: string) => {
      const file = join(dir, 's.yaml');
      writeFileSync(file, `name: s\nduration: 10m\ntraffic: ${traffic}\njourneys: { j: { steps: [api] } }\nservices: { api: { http: { path: /x } } }\n`);
      return JSON.parse(/export const options: Options = (\{[\s\S]*?\n\});/.exec(exportK6(file, { baseUrl: 'http://x.example' }))![1]).scenarios.j;
    };
    const steps = write('{ rate: 10/s, shape: steps, steps: [{ at: 0s, rate: 10/s }, { at: 5m, rate: 40/s }] }');
    expect(steps.startRate).toBe(10);
    expect(steps.stages).toEqual([{ target: 10, duration: '299s' }, { target: 40, duration: '1s' }, { target: 40, duration: '300s' }]);
    const diurnal = write('{ rate: 100/s, shape: diurnal, period: 10m, peak-at: 5m, trough: 20% }');
    const targets = diurnal.stages.map((s: { target: number }) => s.target);
    expect(diurnal.startRate).toBe(20);
    expect(Math.max(...targets)).toBe(100);
    expect(diurnal.stages.reduce((a: number, s: { duration: string }) => a + parseInt(s.duration, 10), 0)).toBe(600);
    expect(typeCheck(exportK6(join(dir, 's.yaml'), { baseUrl: 'http://x.example' }))).toBe('');
  });
});
