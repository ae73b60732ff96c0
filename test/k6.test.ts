/**
 * rehearse export k6: generated scripts type-check against @types/k6 with tsc (TypeScript's native binary,
 * spawned on a temporary tsconfig), and carry the traffic shape, users and thresholds of their scenarios.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { exportK6 } from '../src/cli/export.js';
import { scenario as fixture } from './helpers.js';

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
  const exports = new Map(scenarios.map((s) => [s, exportK6(join(root, `scenarios/${s}.yaml`), { baseUrl: 'https://staging.example.com' })]));
  const scripts = new Map([...exports].map(([k, v]) => [k, v.script]));

  it('writes scripts that type-check against @types/k6', () => {
    for (const [name, script] of scripts) expect(typeCheck(script), name).toBe('');
  });

  it('names from the scenario cannot end a comment or a line of the script: no code of theirs runs, and alike names get functions of their own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-k6-names-'));
    const file = join(dir, 'names.yaml');
    writeFileSync(file, [
      'name: "shop\\nglobalThis.pwned1 = 1;\\u2028globalThis.pwned2 = 2;"', 'duration: 5m', 'traffic: { rate: 5/s }', 'journeys:',
      '  "j */ globalThis.pwned3 = 3; /*": { steps: [web.home] }', '  "a-b": { steps: [web.home] }', '  "a_b": { steps: [web.home] }',
      'services:', '  web: { latency: 5ms, endpoints: { home: { http: { path: /home } } } }', '',
    ].join('\n'));
    const { script } = exportK6(file, { baseUrl: 'https://staging.example.com' });
    // Before: the name's line break and the journey's "*/" put three assignments into the script, outside any comment.
    expect(typeCheck(script)).toBe('');
    const js = transformSync(script, { loader: 'ts', format: 'cjs' }).code;
    const stubs: Record<string, unknown> = { 'k6/http': { default: { request: () => ({ status: 200 }) } }, k6: { check: () => true }, 'k6/data': { SharedArray: class {} } };
    const module = { exports: {} };
    const sandbox: Record<string, unknown> = { module, exports: module.exports, require: (m: string) => stubs[m], __ENV: {}, open: () => '[]' };
    sandbox.globalThis = sandbox;
    runInNewContext(js, sandbox);
    expect([sandbox.pwned1, sandbox.pwned2, sandbox.pwned3]).toEqual([undefined, undefined, undefined]);
    const exported = module.exports as Record<string, unknown>;
    expect(Object.keys(exported).filter((k) => k.startsWith('journey_a_b'))).toEqual(['journey_a_b', 'journey_a_b_2']);
    expect(script).toContain('// k6 load test written by rehearse export k6 from');
    expect(script).toContain('(scenario "shop\\x0aglobalThis.pwned1 = 1;\\u2028globalThis.pwned2 = 2;").');
    expect(script).toContain('/** Journey "j *\\/ globalThis.pwned3 = 3; /*": web.home. */');
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

  it('reads the cohort\'s users from a JSON file beside the script, with open() inside a SharedArray', () => {
    const { script, users } = exports.get('unleash-shop')!;
    // The pattern of k6's SharedArray docs (fixture k6/sharedarray-open-json.js, schooldevops/k6-tutorials):
    // new SharedArray(name, () => JSON.parse(open('./data.json'))), in the init context.
    expect(script).toContain(`const users: string[] = new SharedArray<string>('users', (): string[] => JSON.parse(open("./users.json")));`);
    expect(users!.file).toBe('users.json');
    expect(JSON.parse(users!.json)).toHaveLength(1000);
    expect(script.length).toBeLessThan(20_000);
    expect(script).not.toContain(JSON.parse(users!.json)[0]);
  });

  it('carries the gates k6 can express, aborting the test as the gate stops the rollout; lists the rest at the top', () => {
    const s = scripts.get('unleash-shop')!;
    expect(s).toContain('"http_req_duration{journey:search}": [\n      {\n        "threshold": "p(99)<800",\n        "abortOnFail": true,\n        "delayAbortEval": "60s"\n      }\n    ]');
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

describe('k6 thresholds as k6 users write them', () => {
  const shop = (gates: unknown[], extra: Record<string, unknown> = {}) => fixture({
    duration: '10m', traffic: { rate: '10/s' },
    journeys: { checkout: { steps: ['api.buy'] }, browse: { steps: ['api.look'] } },
    services: { api: { endpoints: { buy: { http: { method: 'POST', path: '/buy' } }, look: { http: { path: '/look' } } } } },
    flags: { f: { 'evaluated-by': ['api'] } },
    rollout: [{ flag: 'f', stages: [{ to: '50%', hold: '5m' }, { to: '100%' }], 'evaluate-every': '30s', gates, ...extra }],
  });

  it('reads a threshold pasted from a k6 script, spaces and scenario tag included: scenario is the journey', () => {
    // grafana k6: every sample of a scenario's executor carries scenario=<name> (lib/executor/base_executor.go);
    // the expression as nathaliamaimone/k6-performance-test examples/thresholds-example.js writes it.
    const pasted = /http_req_duration: \[ \{ threshold: '([^']+)'/.exec(readFileSync(join(root, 'test/fixtures/vendor/k6/thresholds-abortOnFail-delayAbortEval.js'), 'utf8'))![1];
    expect(pasted).toBe('p(95) < 500');
    const s = shop([`http_req_duration{scenario:checkout} ${pasted}`]);
    expect(s.rollouts[0].gates[0]).toMatchObject({ kind: 'threshold', metric: 'req_duration', filter: { journey: 'checkout' }, limit: 500_000 });
    expect(() => shop(['http_req_failed{scenario:chekout} rate < 0.01'])).toThrow(/unknown journey "chekout"; did you mean "checkout"\?/);
  });

  it('a gate that stops the rollout aborts the test after its first evaluation; the SLO only fails it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-k6-'));
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify({
      name: 's', duration: '10m', traffic: { rate: '10/s', cohort: { size: 50, seed: 1 } }, slo: { availability: '99%' },
      journeys: { checkout: { steps: ['api.buy'] } },
      services: { api: { endpoints: { buy: { http: { method: 'POST', path: '/buy' } } } } },
      flags: { f: { 'evaluated-by': ['api'] } },
      rollout: [{ flag: 'f', stages: [{ to: '50%', hold: '5m' }, { to: '100%' }], 'evaluate-every': '30s', 'failure-limit': 2, gates: ['http_req_duration{scenario:checkout} p(95) < 500'] }],
    }));
    const r = await cli('export', 'k6', file, '--base-url', 'https://x.example.com', '--out', join(dir, 'checkout.k6.ts'));
    expect(r.code).toBe(0);
    expect(r.out).toBe(`k6 script written to ${join(dir, 'checkout.k6.ts')}, its users to ${join(dir, 'checkout.k6.users.json')}`);
    const script = readFileSync(join(dir, 'checkout.k6.ts'), 'utf8');
    const options = JSON.parse(/export const options: Options = (\{[\s\S]*?\n\});/.exec(script)![1]);
    expect(options.thresholds).toEqual({
      'http_req_duration{journey:checkout}': [{ threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '30s' }],
      http_req_failed: ['rate<0.01'],
    });
    expect(script).toContain('//   - rollout f: failure-limit 2: k6 aborts at the first failing evaluation');
    expect(script).toContain('JSON.parse(open("./checkout.k6.users.json"))');
    expect(JSON.parse(readFileSync(join(dir, 'checkout.k6.users.json'), 'utf8'))).toHaveLength(50);
    expect(typeCheck(script)).toBe('');
    // The users need a file beside the script.
    const printed = await cli('export', 'k6', file, '--base-url', 'https://x.example.com');
    expect(printed.code).toBe(2);
    expect(printed.err).toContain('the script reads its users from a JSON file beside it: give --out FILE to write both');
    // A users file that cannot be written beside the script (a folder in its place) is refused before the script is.
    mkdirSync(join(dir, 'other.k6.users.json'));
    const blocked = await cli('export', 'k6', file, '--base-url', 'https://x.example.com', '--out', join(dir, 'other.k6.ts'));
    expect(blocked.code).toBe(2);
    expect(blocked.err).toBe(`${join(dir, 'other.k6.users.json')}: cannot write: is a directory`);
    expect(existsSync(join(dir, 'other.k6.ts'))).toBe(false);
  });
});

describe('k6 stages for the other shapes', () => {
  it('steps become one-second ramps at each step; a diurnal curve is followed piece by piece', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-k6-'));
    const write = (traffic: string) => {
      const file = join(dir, 's.yaml');
      writeFileSync(file, `name: s\nduration: 10m\ntraffic: ${traffic}\njourneys: { j: { steps: [api] } }\nservices: { api: { http: { path: /x } } }\n`);
      return JSON.parse(/export const options: Options = (\{[\s\S]*?\n\});/.exec(exportK6(file, { baseUrl: 'http://x.example' }).script)![1]).scenarios.j;
    };
    const steps = write('{ rate: 10/s, shape: steps, steps: [{ at: 0s, rate: 10/s }, { at: 5m, rate: 40/s }] }');
    expect(steps.startRate).toBe(10);
    expect(steps.stages).toEqual([{ target: 10, duration: '299s' }, { target: 40, duration: '1s' }, { target: 40, duration: '300s' }]);
    const diurnal = write('{ rate: 100/s, shape: diurnal, period: 10m, peak-at: 5m, trough: 20% }');
    const targets = diurnal.stages.map((s: { target: number }) => s.target);
    expect(diurnal.startRate).toBe(20);
    expect(Math.max(...targets)).toBe(100);
    expect(diurnal.stages.reduce((a: number, s: { duration: string }) => a + parseInt(s.duration, 10), 0)).toBe(600);
    expect(typeCheck(exportK6(join(dir, 's.yaml'), { baseUrl: 'http://x.example' }).script)).toBe('');
  });
});
