/** Reading and writing cohort files: the I/O edge of the cohorts layer. */
import { tryReadInput } from '../files/read.js';
import { duplicateKeyAt, jsonPath, jsonPosition, jsonSyntaxError, positionOf } from '../files/json.js';
import { z } from 'zod';
import { formatPath, PLAIN } from '../units/issues.js';
import { RESERVED_NAME } from '../records.js';
import { didYouMean } from '../errors.js';
import { COHORT_SCHEMA, generateCohort, outOfRange, RANGED_COLUMNS, USER_ATTRIBUTES, type Cohort } from './cohort.js';
import { quoted, quotedList } from '../units/escape.js';

/** Built when a cohort file is first read: most runs read none. */
let cohortDocument: ReturnType<typeof buildCohortDocument> | undefined;
const buildCohortDocument = () => z.strictObject({
  schema: z.literal(COHORT_SCHEMA),
  name: z.string(),
  seed: z.int(),
  size: z.int().min(1),
  segments: z.record(z.string(), z.number().min(0).max(1)),
  users: z.strictObject({
    key: z.array(z.string()),
    country: z.array(z.string()),
    plan: z.array(z.string()),
    platform: z.array(z.string()),
    appVersion: z.array(z.string()),
    accountAgeDays: z.array(z.number()),
    employee: z.array(z.boolean()),
    betaTester: z.array(z.boolean()),
    segment: z.array(z.string()),
    activity: z.array(z.number().positive()),
  }).catchall(z.array(z.union([z.string(), z.number(), z.boolean()]))),
});

/**
 * `warnings`: what the header says that its users do not bear out, each with its path in the file. A refusal names
 * its path and, where the file holds it, the line and column of the value refused.
 */
export type CohortRead = { ok: true; cohort: Cohort; warnings: { path: string; message: string }[] }
  | { ok: false; path: string; message: string; line?: number; column?: number };

/** Where a refusal of a cohort file lies, after the name it is shown by: `cohorts/a.json:12:5 at users.plan[3]`. */
export function cohortPlace(shown: string, read: { path: string; line?: number; column?: number }): string {
  return `${shown}${read.line === undefined ? '' : `:${read.line}:${read.column}`}${read.path ? ` at ${read.path}` : ''}`;
}

/** Segments a cohort can have: each user's segment is kept as an index of one byte (cohort.ts segmentsOf). */
const MAX_SEGMENTS = 256;

/**
 * Whether the header's seed (with its segments) makes the file's users, by its first user: the columns no
 * `--attribute` replaces (key, segment, activity), generated for one user (a generation's first user is the same
 * whatever its size). A file edited, or not made by `cohorts generate`, has users its seed does not make: they are
 * read as the file has them, and said so.
 */
function seedWarning(seed: number, segments: Record<string, number>, users: { key: string[]; segment: string[]; activity: number[] }): { path: string; message: string } | null {
  // `cohorts generate` takes only shares above 0 (a weight of 0 is no draw: faker's weightedArrayElement throws).
  const none = Object.entries(segments).find(([, share]) => !(share > 0));
  if (none) {
    return {
      path: `segments.${none[0]}`,
      message: `a share of 0: "rehearse cohorts generate" takes shares above 0, so no seed made users with these segments; its users are read as the file has them, and the seed is not used`,
    };
  }
  const first = generateCohort({ name: '', size: 1, seed, segments });
  for (const column of ['key', 'segment', 'activity'] as const) {
    if (first[column][0] === users[column][0]) continue;
    return {
      path: 'seed',
      message: `seed ${seed} does not make these users: its first user's ${column} is ${JSON.stringify(first[column][0])}, users.${column}[0] is ${JSON.stringify(users[column][0])} (the file was edited, or not made by "rehearse cohorts generate --seed ${seed}" with these segments); its users are read as the file has them, and the seed is not used`,
    };
  }
  return null;
}

export function readCohortFile(file: string): CohortRead {
  // A device, a FIFO, a directory or a file over the limit is refused before anything is read (files/read.ts).
  const read = tryReadInput(file, 'cohort');
  if (!read.ok) return { ok: false, path: '', message: read.why };
  let raw: unknown;
  try {
    raw = JSON.parse(read.text);
  } catch (err) {
    const found = jsonSyntaxError(read.text);
    if (found) return { ok: false, path: '', message: `not a cohort file (not JSON): ${found.message}`, ...positionOf(read.text, found.offset) };
    return { ok: false, path: '', message: `not a cohort file: ${(err as Error).message}` };
  }
  // JSON.parse keeps a key given twice with its last value: the file says two things, refused where the second is.
  const twice = duplicateKeyAt(read.text);
  if (twice) {
    return { ok: false, path: jsonPath([...twice.path, twice.key]), message: `${quoted(twice.key)} is given twice: JSON.parse would keep the second and drop the first without a word; give it once`, ...positionOf(read.text, twice.offset) };
  }
  // JSON.parse keeps a "__proto__" column as a key of its own, which the schema would drop without a word.
  const users = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).users : undefined;
  if (users !== null && typeof users === 'object' && Object.hasOwn(users, RESERVED_NAME)) {
    return { ok: false, path: `users.${RESERVED_NAME}`, message: `the attribute name ${quoted(RESERVED_NAME)} is reserved (JavaScript's prototype key): rename the column` };
  }
  const segments = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).segments : undefined;
  if (segments !== null && typeof segments === 'object' && Object.hasOwn(segments, RESERVED_NAME)) {
    return { ok: false, path: `segments.${RESERVED_NAME}`, message: `the segment name ${quoted(RESERVED_NAME)} is reserved (JavaScript's prototype key): rename the segment` };
  }
  const refuse = (path: (string | number)[], message: string): CohortRead => ({ ok: false, path: formatPath(path), message, ...jsonPosition(read.text, path) });
  const parsed = (cohortDocument ??= buildCohortDocument()).safeParse(raw, PLAIN);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(issue.path.map((p) => (typeof p === 'number' ? p : String(p))), issue.message);
  }
  const d = parsed.data;
  for (const [attr, column] of Object.entries(d.users)) {
    if ((column as unknown[]).length !== d.size) return refuse(['users', attr], `has ${(column as unknown[]).length} entries for ${d.size} users`);
  }
  if (new Set(d.users.key).size !== d.size) return refuse(['users', 'key'], 'targeting keys must be unique');
  // A built-in column's value out of its range (a negative account age) is refused at the user.
  for (const column of RANGED_COLUMNS) {
    const values = d.users[column];
    for (let i = 0; i < values.length; i++) {
      const why = outOfRange(column, values[i]);
      if (why !== null) return refuse(['users', column, i], why);
    }
  }
  // Users are drawn by activity x users / the activities' sum (cohort.ts ActivitySampler): a sum past what a number
  // holds is infinite, and the users were not drawn by their activity (the largest alike, the others never).
  let total = 0;
  for (let i = 0; i < d.users.activity.length; i++) {
    total += d.users.activity[i];
    if (!Number.isFinite(total)) {
      return refuse(['users', 'activity', i], `${d.users.activity[i]}: a user's share of the journeys is their activity over the sum of all users' activities, and with this one the sum passes what a number holds (${Number.MAX_VALUE.toExponential(3)}): the users would not be drawn by their activity; "rehearse cohorts generate" draws activities around 1`);
    }
  }
  // A user in a segment the header does not list was taken into a segment of its own, with no share: refused.
  const declared = Object.keys(d.segments);
  if (declared.length > MAX_SEGMENTS) return refuse(['segments'], `${declared.length} segments: at most ${MAX_SEGMENTS}`);
  const listed = new Set(declared);
  const stray = d.users.segment.findIndex((seg) => !listed.has(seg));
  if (stray >= 0) {
    const seg = d.users.segment[stray];
    return refuse(['users', 'segment', stray], `${quoted(seg)} is not a segment the header lists${didYouMean(seg, declared)} (segments: ${quotedList(declared) || 'none'}): add it to segments with its share, or put the user in one of them`);
  }
  const seeded = seedWarning(d.seed, d.segments, d.users);
  const builtIn = new Set<string>([...USER_ATTRIBUTES, 'activity']);
  const { key, country, plan, platform, appVersion, accountAgeDays, employee, betaTester, segment, activity } = d.users;
  const extra = Object.fromEntries(Object.entries(d.users).filter(([k]) => !builtIn.has(k))) as Record<string, (string | number | boolean)[]>;
  return {
    ok: true,
    cohort: {
      name: d.name, seed: d.seed, size: d.size, segments: d.segments,
      key, country, plan, platform, appVersion, accountAgeDays, employee, betaTester, segment, activity,
      ...(Object.keys(extra).length ? { attributes: extra } : {}),
    },
    warnings: seeded === null ? [] : [seeded],
  };
}
