/**
 * flagd's sem_ver as Go flagd runs it: open-feature/flagd core/pkg/evaluator/semver.go (SemVerEvaluation) over
 * golang.org/x/mod/semver (v0.35.0, the version core/go.mod pins: parse, Compare, Major, MajorMinor). flagd-core
 * 4.0.1 reads versions with node-semver, which takes what Go does not: "vv1.2.3" (one v removed, then node-semver's
 * own), " 1.2.3 " (trimmed), a number written 1e+06 by Go's %v; and refuses "1.2.3-01"-like inputs alike. Go
 * answers null (nil) where the arguments are no list of three, a version does not parse, the operator is no text
 * or not one of = != < <= >= > ^ ~.
 */

interface Parsed { major: string; minor: string; patch: string; prerelease: string }

const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const identChar = (c: string): boolean => /^[A-Za-z0-9-]$/.test(c);
const badNum = (v: string): boolean => /^\d+$/.test(v) && v.length > 1 && v[0] === '0';

function parseInt10(v: string): [string, string] | null {
  if (!digit(v[0])) return null;
  let i = 1;
  while (i < v.length && digit(v[i])) i++;
  if (v[0] === '0' && i !== 1) return null;
  return [v.slice(0, i), v.slice(i)];
}

function parsePrerelease(v: string): [string, string] | null {
  let i = 1;
  let start = 1;
  while (i < v.length && v[i] !== '+') {
    if (!identChar(v[i]) && v[i] !== '.') return null;
    if (v[i] === '.') {
      if (start === i || badNum(v.slice(start, i))) return null;
      start = i + 1;
    }
    i++;
  }
  if (start === i || badNum(v.slice(start, i))) return null;
  return [v.slice(0, i), v.slice(i)];
}

function parseBuild(v: string): [string, string] | null {
  let i = 1;
  let start = 1;
  while (i < v.length) {
    if (!identChar(v[i]) && v[i] !== '.') return null;
    if (v[i] === '.') {
      if (start === i) return null;
      start = i + 1;
    }
    i++;
  }
  if (start === i) return null;
  return [v.slice(0, i), v.slice(i)];
}

/** x/mod semver parse: v, major, then .minor and .patch (each may be left out), -prerelease, +build. */
function parse(v: string): Parsed | null {
  if (v === '' || v[0] !== 'v') return null;
  const major = parseInt10(v.slice(1));
  if (!major) return null;
  let rest = major[1];
  if (rest === '') return { major: major[0], minor: '0', patch: '0', prerelease: '' };
  if (rest[0] !== '.') return null;
  const minor = parseInt10(rest.slice(1));
  if (!minor) return null;
  rest = minor[1];
  if (rest === '') return { major: major[0], minor: minor[0], patch: '0', prerelease: '' };
  if (rest[0] !== '.') return null;
  const patch = parseInt10(rest.slice(1));
  if (!patch) return null;
  rest = patch[1];
  let prerelease = '';
  if (rest[0] === '-') {
    const p = parsePrerelease(rest);
    if (!p) return null;
    [prerelease, rest] = p;
  }
  if (rest[0] === '+') {
    const b = parseBuild(rest);
    if (!b) return null;
    rest = b[1];
  }
  return rest === '' ? { major: major[0], minor: minor[0], patch: patch[0], prerelease } : null;
}

function compareInt(x: string, y: string): number {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

function comparePrerelease(x: string, y: string): number {
  if (x === y) return 0;
  if (x === '') return 1;
  if (y === '') return -1;
  const xs = x.slice(1).split('.');
  const ys = y.slice(1).split('.');
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    const [dx, dy] = [xs[i], ys[i]];
    if (dx === dy) continue;
    const [nx, ny] = [/^\d*$/.test(dx), /^\d*$/.test(dy)];
    if (nx !== ny) return nx ? -1 : 1;
    if (nx && dx.length !== dy.length) return dx.length < dy.length ? -1 : 1;
    return dx < dy ? -1 : 1;
  }
  return xs.length < ys.length ? -1 : 1;
}

/** semver.Compare: an invalid version is below every valid one, two invalid ones equal. */
function compare(v: string, w: string): number {
  const [a, b] = [parse(v), parse(w)];
  if (!a || !b) return !a && !b ? 0 : !a ? -1 : 1;
  return compareInt(a.major, b.major) || compareInt(a.minor, b.minor) || compareInt(a.patch, b.patch) || comparePrerelease(a.prerelease, b.prerelease);
}

const majorOf = (v: string): string => {
  const p = parse(v);
  return p ? v.slice(0, 1 + p.major.length) : '';
};
const majorMinorOf = (v: string): string => {
  const p = parse(v);
  if (!p) return '';
  const i = 1 + p.major.length;
  const j = i + 1 + p.minor.length;
  return j <= v.length && v[i] === '.' && v.slice(i + 1, j) === p.minor ? v.slice(0, j) : `${v.slice(0, i)}.${p.minor}`;
};

/** Go's %v of a JSON value that is no text, as semver.go ensureString writes it (fmt.Sprintf("%v", v)). */
function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    // %v of a float64 is %g at the shortest precision: an exponent below -4 or from 6 on is written as e±dd.
    if (v === 0) return Object.is(v, -0) ? '-0' : '0';
    const [mantissa, e] = v.toExponential().split('e');
    const exp = Number(e);
    if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return String(v);
  }
  return '\u0000not a version';
}

/** semver.go normalizeVersion: "v" put in front (a "V" replaced by it), then checked. */
function normalize(v: unknown): string | null {
  let version = typeof v === 'string' ? v : goV(v);
  if (!version.startsWith('v')) version = `v${version.startsWith('V') ? version.slice(1) : version}`;
  return parse(version) ? version : null;
}

/** semver.go SemVerEvaluation on its parsed arguments: true, false, or null (an error flagd logs). */
export function goSemVer(parsed: unknown): boolean | null {
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const actual = normalize(parsed[0]);
  if (actual === null || typeof parsed[1] !== 'string') return null;
  const target = normalize(parsed[2]);
  if (target === null) return null;
  const c = compare(actual, target);
  switch (parsed[1]) {
    case '<': return c === -1;
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '<=': return c <= 0;
    case '>=': return c >= 0;
    case '>': return c === 1;
    case '~': return compare(majorMinorOf(actual), majorMinorOf(target)) === 0;
    case '^': return compare(majorOf(actual), majorOf(target)) === 0;
    default: return null;
  }
}
