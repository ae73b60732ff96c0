/**
 * Synthetic user cohorts: who the users are (a stable targeting key and the attributes rollouts target on),
 * which named segment each belongs to, and how active each is. Generated with faker from a seed, so the same
 * seed gives the same people; stored column by column.
 */
import { record } from '../records.js';
import { englishFaker } from './faker.js';
import { generateAttribute, type AttributeSpec, type AttributeValue } from './attributes.js';

export const COHORT_SCHEMA = 'rehearse/cohort@1';

/** Attribute names users carry, as targeting rules and audience expressions name them. */
export const USER_ATTRIBUTES = [
  'key', 'country', 'plan', 'platform', 'appVersion', 'accountAgeDays', 'employee', 'betaTester', 'segment',
] as const;
export type UserAttribute = (typeof USER_ATTRIBUTES)[number];

export interface Cohort {
  readonly name: string;
  readonly seed: number;
  readonly size: number;
  /** Segment names and their target shares (they sum to 1). */
  readonly segments: Readonly<Record<string, number>>;
  readonly key: readonly string[];
  readonly country: readonly string[];
  readonly plan: readonly string[];
  readonly platform: readonly string[];
  readonly appVersion: readonly string[];
  readonly accountAgeDays: readonly number[];
  readonly employee: readonly boolean[];
  readonly betaTester: readonly boolean[];
  readonly segment: readonly string[];
  /** Share of traffic weight: heavy-tailed, so a few users make many requests. */
  readonly activity: readonly number[];
  /** Further attributes targeting rules read, one column each (cohorts generate --attribute, or a cohort file). */
  readonly attributes?: Readonly<Record<string, readonly AttributeValue[]>>;
}

/** Segments when none are given: most users in general, a beta group, business accounts, and staff. */
export { DEFAULT_SEGMENTS } from './segments.js';
import { DEFAULT_SEGMENTS } from './segments.js';
import { quoted } from '../units/escape.js';

const COUNTRIES: [string, number][] = [
  ['US', 30], ['IN', 10], ['GB', 8], ['DE', 8], ['BR', 7], ['FR', 6], ['JP', 5], ['CA', 4], ['MX', 4], ['AU', 3],
  ['ES', 3], ['IT', 3], ['NL', 2], ['SE', 2], ['PL', 2], ['KR', 2], ['ZA', 1],
];
const weighted = <T>(list: [T, number][]) => list.map(([value, weight]) => ({ value, weight }));

export interface GenerateOptions {
  name: string;
  size: number;
  seed: number;
  segments?: Readonly<Record<string, number>>;
  /** Extra attributes, each drawn from its own stream (the built-in columns stay as they are without them). */
  attributes?: readonly AttributeSpec[];
}

export function generateCohort(opts: GenerateOptions): Cohort {
  const segments = opts.segments ?? DEFAULT_SEGMENTS;
  const faker = englishFaker();
  faker.seed(opts.seed);
  const segmentChoices = weighted(Object.entries(segments));
  const countries = weighted(COUNTRIES);
  const platforms = weighted<string>([['web', 55], ['ios', 25], ['android', 20]]);
  const c = {
    key: [] as string[], country: [] as string[], plan: [] as string[], platform: [] as string[], appVersion: [] as string[],
    accountAgeDays: [] as number[], employee: [] as boolean[], betaTester: [] as boolean[], segment: [] as string[], activity: [] as number[],
  };
  for (let i = 0; i < opts.size; i++) {
    const segment = faker.helpers.weightedArrayElement(segmentChoices);
    const platform = faker.helpers.weightedArrayElement(platforms);
    c.key.push(`u-${faker.string.uuid()}`);
    c.segment.push(segment);
    c.country.push(faker.helpers.weightedArrayElement(countries));
    c.platform.push(platform);
    c.appVersion.push(platform === 'web' ? 'web' : `5.${faker.number.int({ min: 8, max: 14 })}.${faker.number.int({ min: 0, max: 4 })}`);
    c.plan.push(
      segment === 'business' ? 'business'
        : segment === 'beta' ? 'beta'
          : segment === 'internal' ? 'staff'
            : faker.helpers.weightedArrayElement(weighted<string>([['free', 75], ['pro', 25]])),
    );
    c.employee.push(segment === 'internal');
    c.betaTester.push(segment === 'beta' || segment === 'internal');
    // Account age: exponential with a mean of a year and a half.
    c.accountAgeDays.push(Math.floor(-Math.log(1 - faker.number.float({ min: 0, max: 1, fractionDigits: 6 }) + 1e-9) * 540));
    // Activity: lognormal (sigma 1.2): the top 1% of users make about 10% of requests.
    const u1 = faker.number.float({ min: 1e-9, max: 1, fractionDigits: 9 });
    const u2 = faker.number.float({ min: 0, max: 1, fractionDigits: 9 });
    c.activity.push(round(Math.exp(1.2 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)), 4));
  }
  const cohort: Cohort = { name: opts.name, seed: opts.seed, size: opts.size, segments, ...c };
  return opts.attributes?.length ? withAttributes(cohort, opts.attributes) : cohort;
}

/** The users' columns of a generated cohort, in the order generateCohort() makes them. */
const COLUMNS = ['key', 'country', 'plan', 'platform', 'appVersion', 'accountAgeDays', 'employee', 'betaTester', 'segment', 'activity'] as const;
const DEFERRED = new WeakSet<Cohort>();

/**
 * generateCohort(opts) for a cohort without extra attributes, its users made when one of their columns is first
 * read: checking a scenario (its segment and attribute names, known from `opts`) makes no one, and a run makes the
 * same users as generateCohort() would (its draws are its own, from its seed).
 */
export function deferredCohort(opts: GenerateOptions): Cohort {
  if (opts.attributes?.length) return generateCohort(opts);
  let made: Cohort | null = null;
  const c = { name: opts.name, seed: opts.seed, size: opts.size, segments: opts.segments ?? DEFAULT_SEGMENTS } as Cohort;
  for (const column of COLUMNS) {
    Object.defineProperty(c, column, {
      enumerable: true,
      configurable: true,
      get: () => {
        made ??= generateCohort(opts);
        // Read once through here: each column is then a plain property of the cohort.
        for (const col of COLUMNS) Object.defineProperty(c, col, { value: made[col], enumerable: true, configurable: false, writable: false });
        return made[column];
      },
    });
  }
  DEFERRED.add(c);
  return c;
}

/** The cohort's segment names: those declared, then any its users have beyond them (a cohort file's). */
export function segmentNames(c: Cohort): string[] {
  // A generated cohort's users are each in a declared segment.
  return DEFERRED.has(c) ? Object.keys(c.segments) : [...new Set([...Object.keys(c.segments), ...c.segment])];
}

/** Built-in numeric columns with a range of their own, which a cohort file and an attribute are held to. */
export const RANGED_COLUMNS = ['accountAgeDays'] as const;

/**
 * Why a value is out of its built-in column's range, or null: an account's age is the days since the account was
 * made, 0 or more (generateCohort draws whole days from 0). A targeting rule reads it as written (`accountAgeDays <
 * 30` would take a negative age for a new account), so a value no account has is refused.
 */
export function outOfRange(column: string, value: unknown): string | null {
  if (column !== 'accountAgeDays' || typeof value !== 'number' || value >= 0) return null;
  return `${value} days: an account's age is the days since it was made, 0 or more ("rehearse cohorts generate" draws whole days from 0)`;
}

/** Built-in columns an attribute may replace (of the same type): the key, segment and activity stay. */
const REPLACEABLE = { country: 'string', plan: 'string', platform: 'string', appVersion: 'string', accountAgeDays: 'number', employee: 'boolean', betaTester: 'boolean' } as const;

/** An attribute a cohort cannot take (given twice, of another type than the column it replaces, out of its range). */
export class AttributeError extends Error {
  constructor(readonly attribute: string, message: string) {
    super(`attribute ${quoted(attribute)} ${message}`);
  }
}

/** The cohort with attributes drawn for its users: a built-in column of the same name is replaced. */
export function withAttributes(c: Cohort, specs: readonly AttributeSpec[]): Cohort {
  const out: Record<string, unknown> = { ...c };
  const extra = record<readonly AttributeValue[]>(Object.entries(c.attributes ?? {}));
  const named = new Set<string>();
  for (const spec of specs) {
    // Given twice, the last one silently replaced the first.
    if (named.has(spec.name)) throw new AttributeError(spec.name, 'is given twice: give each attribute once');
    named.add(spec.name);
    const values = generateAttribute(spec, c.size, c.seed);
    if (Object.hasOwn(REPLACEABLE, spec.name)) {
      const want = REPLACEABLE[spec.name as keyof typeof REPLACEABLE];
      const bad = values.find((v) => typeof v !== want);
      if (bad !== undefined) throw new AttributeError(spec.name, `replaces a built-in ${want} column; ${JSON.stringify(bad)} is not a ${want}`);
      const range = values.map((v) => outOfRange(spec.name, v)).find((why) => why !== null);
      if (range) throw new AttributeError(spec.name, `replaces a built-in column: ${range}`);
      out[spec.name] = values;
    } else if (spec.name === 'key' || spec.name === 'segment' || spec.name === 'activity') {
      throw new AttributeError(spec.name, 'is made by rehearse itself and cannot be replaced');
    } else {
      extra[spec.name] = values;
    }
  }
  if (Object.keys(extra).length) out.attributes = extra;
  return out as unknown as Cohort;
}

/** Every attribute name users carry: the built-in ones and the cohort's own. */
export function attributeNames(c: Cohort): string[] {
  return [...USER_ATTRIBUTES, ...Object.keys(c.attributes ?? {})];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Segment names in a fixed order (declared first, then as met) and each user's segment as an index into them. */
export function segmentsOf(c: Cohort): { names: string[]; ofUser: Uint8Array } {
  const names = segmentNames(c);
  const index = new Map(names.map((s, i) => [s, i]));
  return { names, ofUser: Uint8Array.from(c.segment, (s) => index.get(s)!) };
}

/** The user's attributes as an object, for targeting rules and display. */
export function userAttributes(c: Cohort, i: number): Record<UserAttribute, string | number | boolean> & Record<string, string | number | boolean> {
  const a: Record<string, string | number | boolean> = {
    key: c.key[i], country: c.country[i], plan: c.plan[i], platform: c.platform[i], appVersion: c.appVersion[i],
    accountAgeDays: c.accountAgeDays[i], employee: c.employee[i], betaTester: c.betaTester[i], segment: c.segment[i],
  };
  if (c.attributes) for (const [name, values] of Object.entries(c.attributes)) a[name] = values[i];
  return a as Record<UserAttribute, string | number | boolean> & Record<string, string | number | boolean>;
}

/** The on-disk document: metadata and one array per attribute. */
export function cohortDocument(c: Cohort): Record<string, unknown> {
  const { name, seed, size, segments, attributes, ...columns } = c;
  return { schema: COHORT_SCHEMA, name, seed, size, segments, users: { ...columns, ...(attributes ?? {}) } };
}

/**
 * Picks users in proportion to their activity in O(1) a draw (Walker's alias method), so that the same user
 * comes back within a run as real users do.
 */
export class ActivitySampler {
  readonly probability: Float64Array;
  readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    const total = weights.reduce((a, b) => a + b, 0);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.probability[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) {
      this.probability[i] = 1;
      this.alias[i] = i;
    }
  }

  /** A user index from two uniform draws. */
  pick(u1: number, u2: number): number {
    const i = Math.floor(u1 * this.probability.length);
    return u2 < this.probability[i] ? i : this.alias[i];
  }
}
