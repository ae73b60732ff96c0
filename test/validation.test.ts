/** Bad input of every kind: a message naming the path inside the file (and its line), and a hint where one helps. */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatPath, formatProblem } from '../src/scenario/problems.js';

const base = () => ({
  name: 'shop',
  duration: '10m',
  traffic: { rate: '100/s' } as Record<string, unknown>,
  journeys: { buy: { steps: ['frontend.checkout'] } } as Record<string, unknown>,
  services: {
    frontend: { endpoints: { checkout: { calls: ['payment.charge'] as unknown[] } } },
    payment: { endpoints: { charge: {} as Record<string, unknown> } },
  } as Record<string, any>,
});

function problems(doc: unknown): string[] {
  const r = parseScenarioText(typeof doc === 'string' ? doc : stringify(doc));
  if (r.ok) return [];
  return r.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

describe('scenario validation', () => {
  it('accepts the base fixture', () => {
    expect(problems(base())).toEqual([]);
  });

  const cases: [string, (d: ReturnType<typeof base>) => void, string][] = [
    ['misspelt service', (d) => { d.services.frontend.endpoints.checkout.calls = ['paymnet.charge']; },
      'services.frontend.endpoints.checkout.calls[0]: unknown service "paymnet"; did you mean "payment"?'],
    ['misspelt endpoint in object form', (d) => { d.services.frontend.endpoints.checkout.calls = [{ to: 'payment.chrage', timeout: '1s' }]; },
      'services.frontend.endpoints.checkout.calls[0].to: unknown endpoint "chrage" of service "payment"; did you mean "charge"?'],
    ['misspelt key', (d) => { d.services.payment.replicaz = 2; }, 'services.payment.replicaz: unknown key "replicaz"; did you mean "replicas"?'],
    ['zero rate', (d) => { d.traffic.rate = '0/s'; }, 'traffic.rate: rate "0/s" must be greater than zero'],
    ['negative rate', (d) => { d.traffic.rate = '-5/s'; }, 'traffic.rate: invalid rate "-5/s"'],
    ['percentage over 100%', (d) => { d.services.payment.errors = '120%'; }, 'services.payment.errors: percentage "120%" is over 100%'],
    ['a number where a duration goes', (d) => { d.duration = 600 as unknown as string; }, 'duration: a duration needs a unit'],
    ['wrong type', (d) => { d.services.payment.replicas = 'two'; }, 'services.payment.replicas: replicas must be a whole number'],
    ['zero replicas', (d) => { d.services.payment.replicas = 0; }, 'services.payment.replicas: replicas must be at least 1'],
    ['unknown distribution', (d) => { d.services.payment.endpoints.charge.latency = { dist: 'expo', mean: '3ms' }; },
      'services.payment.endpoints.charge.latency.dist: unknown dist "expo": expected one of constant, uniform, exponential, normal, lognormal, empirical; did you mean "exponential"?'],
    ['lognormal with p99 below p50', (d) => { d.services.payment.latency = { dist: 'lognormal', p50: '10ms', p99: '5ms' }; },
      'services.payment.latency.p99: p99 (5ms) must be above p50 (10ms)'],
    ['bad parallel member', (d) => { d.services.frontend.endpoints.checkout.calls = [{ parallel: ['payment.charge', 'payment.refund'] }]; },
      'services.frontend.endpoints.checkout.calls[0].parallel[1]: unknown endpoint "refund" of service "payment"'],
    ['no duration', (d) => { delete (d as Partial<typeof d>).duration; }, 'duration: give a duration (e.g. "1h"), or traffic.requests'],
    ['steps shape without steps', (d) => { d.traffic.shape = 'steps'; }, 'traffic.steps: shape "steps" needs a list of steps'],
    ['sync call cycle', (d) => { d.services.payment.endpoints.charge.calls = ['frontend.checkout']; },
      'synchronous call cycle: frontend.checkout -> payment.charge -> frontend.checkout'],
    ['empty journey', (d) => { d.journeys.buy = { steps: [] }; }, 'journeys.buy.steps: a journey needs at least one step'],
    ['unknown shape', (d) => { d.traffic.shape = 'sine'; }, 'traffic.shape: expected one of "constant", "diurnal", "ramp", "steps"'],
    ['a blackhole without a horizon', (d) => {
      delete (d as Partial<typeof d>).duration;
      d.traffic.requests = 100;
      (d as Record<string, unknown>).faults = [{ kind: 'blackhole', target: 'payment' }];
    }, 'duration: a scenario with a timeout, blackhole or partition fault needs a duration'],
    ['a fault on an unknown service', (d) => { (d as Record<string, unknown>).faults = [{ kind: 'abort', target: 'paymnt' }]; },
      'faults[0].target: unknown service "paymnt"; did you mean "payment"?'],
    ['a fault on a misspelt endpoint', (d) => { (d as Record<string, unknown>).faults = [{ kind: 'abort', target: 'payment.chrage' }]; },
      'faults[0].target: unknown endpoint "chrage" of service "payment"; did you mean "charge"?'],
    ['a fault at an unknown rollout event', (d) => { (d as Record<string, unknown>).faults = [{ kind: 'abort', target: 'payment', at: 'stage(nope, 2)' }]; },
      'faults[0].at: no rollout plan for "nope"'],
  ];

  it.each(cases)('%s', (_name, mutate, expected) => {
    const d = base();
    mutate(d);
    const found = problems(d);
    expect(found.some((p) => p.includes(expected)), `got:\n${found.join('\n')}`).toBe(true);
  });

  it('a misspelt service in a flag\'s evaluated-by is one error with its suggestion, not also "does not evaluate" for its when-on', () => {
    const withFlag = (evaluatedBy: string[]) => {
      const d = base() as Record<string, any>;
      d.flags = { f: { 'evaluated-by': evaluatedBy, 'when-on': { 'payment.charge': { latency: 'x1.1' } } } };
      return problems(d);
    };
    expect(withFlag(['paymnt'])).toEqual(['flags.f.evaluated-by[0]: unknown service "paymnt"; did you mean "payment"?']);
    // A service really left out is still said, beside a misspelling that suggests another one.
    expect(withFlag(['frontnd'])).toEqual([
      'flags.f.evaluated-by[0]: unknown service "frontnd"; did you mean "frontend"?',
      'flags.f.when-on["payment.charge"]: "payment" does not evaluate this flag: add it to evaluated-by, or the change can never apply',
    ]);
    expect(withFlag(['frontend'])).toEqual([
      'flags.f.when-on["payment.charge"]: "payment" does not evaluate this flag: add it to evaluated-by, or the change can never apply',
    ]);
  });

  it('a flag\'s latency change past what rehearse holds is refused, never dropped (an addition of 10^320h added nothing; a multiplier of 320 digits was Infinity)', () => {
    const withEffect = (latency: string) => {
      const d = base() as Record<string, any>;
      d.flags = { f: { 'evaluated-by': ['payment'], 'when-on': { payment: { latency } } } };
      return problems(d);
    };
    const huge = '9'.repeat(320);
    expect(withEffect(`+${huge}h`)).toEqual([`flags.f.when-on.payment.latency: duration "${huge}h" is longer than rehearse holds (about 285 years, 2^53 microseconds)`]);
    expect(withEffect(`x${huge}`)).toEqual([`flags.f.when-on.payment.latency: multiplier "x${huge}" is larger than a number holds`]);
    expect(withEffect('+20ms')).toEqual([]);
    expect(withEffect('x1.5')).toEqual([]);
  });

  it('a cpu-stress factor past a million is refused at its path (1e308 made every stressed call take forever, without a word)', () => {
    const stress = (factor: number) => {
      const d = base() as Record<string, any>;
      d.faults = [{ kind: 'cpu-stress', target: 'payment', at: '1m', for: '1m', factor }];
      return problems(d);
    };
    expect(stress(1e308)).toEqual(['faults[0].factor: a cpu-stress factor is at most 1,000,000: 1e+308 times a service time is past what the clock holds']);
    expect(stress(1_000_000)).toEqual([]);
    expect(stress(2)).toEqual([]);
  });

  it('a fault field its kind does not read is refused at its path (a percent or segment on cpu-stress or instance-kill was parsed and never applied)', () => {
    const faults = (fault: Record<string, unknown>) => {
      const d = base() as Record<string, any>;
      d.faults = [{ target: 'payment', at: '1m', for: '1m', ...fault }];
      return problems(d);
    };
    expect(faults({ kind: 'cpu-stress', factor: 2, percent: '20%' })).toEqual(['faults[0].percent: cpu-stress does not read percent: cpu-stress acts on the whole service, every request alike']);
    expect(faults({ kind: 'instance-kill', segment: 'beta' })).toEqual(['faults[0].segment: instance-kill does not read segment: instance-kill acts on the whole service, every request alike']);
    expect(faults({ kind: 'latency', add: '5ms', factor: 3 })).toEqual(['faults[0].factor: latency does not read factor: only cpu-stress does']);
    expect(faults({ kind: 'abort', rate: '5/s' })).toEqual(['faults[0].rate: abort does not read rate: only throttle does']);
    expect(faults({ kind: 'timeout', status: 504 })).toEqual(['faults[0].status: timeout does not read status: abort, unavailable and throttle do']);
    expect(faults({ kind: 'abort', add: '5ms', replicas: 1 })).toEqual(['faults[0].add: abort does not read add: latency and packet-loss do', 'faults[0].replicas: abort does not read replicas: only instance-kill does']);
    expect(faults({ kind: 'abort', percent: '20%', status: 500 })).toEqual([]);
    expect(faults({ kind: 'cpu-stress', factor: 2 })).toEqual([]);
  });

  it('journey weights whose sum is past what a number holds are refused (two of 1e308 gave a third journey every user)', () => {
    const d = base();
    d.journeys = { a: { weight: 1e308, steps: ['frontend.checkout'] }, b: { weight: 1e308, steps: ['frontend.checkout'] }, c: { weight: 15, steps: ['frontend.checkout'] } };
    expect(problems(d)).toEqual(['journeys: the journeys\' weights add up to more than a number holds: give them in proportion, e.g. 60, 25 and 15']);
    d.journeys = { a: { weight: 1e308, steps: ['frontend.checkout'] }, c: { weight: 15, steps: ['frontend.checkout'] } };
    expect(problems(d)).toEqual([]);
  });

  it('an async call cycle is allowed (it does not hold workers)', () => {
    const d = base();
    d.services.payment.endpoints.charge.calls = [{ to: 'frontend.checkout', async: true, probability: '10%' }];
    expect(problems(d)).toEqual([]);
  });

  it('points at the line and column of the offending value', () => {
    const text = ['name: shop', 'duration: 10m', 'traffic: { rate: 100/s }', 'journeys:', '  buy: { steps: [frontend] }',
      'services:', '  frontend:', '    calls: [paymnet]', '  payment: {}'].join('\n');
    const r = parseScenarioText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(formatProblem('shop.yaml', r.problems[0])).toBe('shop.yaml:8:13: services.frontend.calls[0]: unknown service "paymnet"; did you mean "payment"?');
    }
  });

  it('reports YAML syntax errors with line and column', () => {
    const r = parseScenarioText('name: shop\nservices:\n  a: [1, 2\n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems[0].message).toMatch(/^invalid YAML/);
      expect(r.problems[0].line).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('cases patch what they say', () => {
  const withCase = (latency: unknown) => {
    const d = base() as Record<string, any>;
    d.services.payment.latency = { dist: 'lognormal', p50: '5ms', p99: '25ms' };
    d.cases = { fault: { services: { payment: { latency } } } };
    return stringify(d);
  };

  it('a distribution of another kind replaces the base one whole', () => {
    const r = parseScenarioText(withCase({ dist: 'empirical', samples: ['3ms', '9ms'] }), '.', 'fault');
    expect(r.ok, r.ok ? '' : r.problems.map((p) => p.message).join('\n')).toBe(true);
    if (r.ok) expect(r.scenario.services.find((s) => s.name === 'payment')!.endpoints[0].latency).toMatchObject({ kind: 'empirical', samples: [3000, 9000] });
  });

  it('a key of another form of the object is named as such, never suggested as itself', () => {
    const d = base();
    d.services.payment.latency = { dist: 'empirical', samples: ['3ms'], p50: '5ms' };
    const found = problems(d);
    expect(found).toContain('services.payment.latency.p50: key "p50" does not go with dist: empirical (keys here: dist, samples, plus)');
    expect(found.join('\n')).not.toContain('did you mean "p50"');
  });

  it('a shifted distribution adds its fixed delay to every draw (plus)', () => {
    const d = base();
    d.services.payment.latency = { dist: 'lognormal', p50: '5ms', p99: '25ms', plus: '20ms' };
    const r = parseScenarioText(stringify(d));
    expect(r.ok).toBe(true);
    if (r.ok) {
      const lat = r.scenario.services.find((s) => s.name === 'payment')!.endpoints[0].latency;
      expect(lat.plus).toBe(20_000);
      expect(lat.mean).toBeCloseTo(20_000 + Math.exp(Math.log(5000) + (Math.log(5) / 2.3263478740408408) ** 2 / 2), 6);
    }
  });
});
