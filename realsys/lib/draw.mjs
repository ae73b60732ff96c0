/** Seeded draws of service times (ms) from the distributions system.json names. */
import seedrandom from 'seedrandom';

export function stream(seed, name) {
  const next = seedrandom.alea(`realsys:${seed}:${name}`);
  let spare = null;
  const normal = () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    // Box-Muller: two standard normals from two uniforms.
    const u = 1 - next(), v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    uniform: next,
    /** A draw from `{ dist: exponential, mean } | { dist: lognormal, median, sigma } | { dist: constant, value }`. */
    draw(d) {
      switch (d.dist) {
        case 'exponential': return -d.mean * Math.log(1 - next());
        case 'lognormal': return d.median * Math.exp(d.sigma * normal());
        case 'constant': return d.value;
        default: throw new Error(`system.json: unknown distribution "${d.dist}" (exponential, lognormal or constant)`);
      }
    },
  };
}

/** The exact mean of a distribution, for the README's utilization table. */
export function meanOf(d) {
  switch (d.dist) {
    case 'exponential': return d.mean;
    case 'lognormal': return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case 'constant': return d.value;
    default: throw new Error(`system.json: unknown distribution "${d.dist}"`);
  }
}
