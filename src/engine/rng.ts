import seedrandom from 'seedrandom';

/**
 * Named random streams derived from one seed. Each consumer draws from its own stream, so that adding a
 * service or a retry elsewhere does not shift the numbers a service's latency sees: runs that differ in one
 * policy stay comparable draw for draw (common random numbers).
 *
 * seedrandom derives each stream's starting state from the seed and the stream's name; the draws themselves
 * are xoshiro128** over one typed array of states, so that every draw in the simulator's hot path is the same
 * monomorphic, allocation-free method call whichever stream it reads.
 */
export class RandomStreams {
  private readonly names = new Map<string, number>();
  private state = new Uint32Array(0);
  /** The output of the last step(). */
  readonly out = new Uint32Array(1);

  constructor(readonly seed: number) {}

  /** The index of the named stream, created on first use. */
  stream(name: string): number {
    let i = this.names.get(name);
    if (i === undefined) {
      i = this.names.size;
      this.names.set(name, i);
      const grown = new Uint32Array((i + 1) * 4);
      grown.set(this.state);
      const init = seedrandom.alea(`rehearse:${this.seed}:${name}`);
      for (let k = 0; k < 4; k++) grown[i * 4 + k] = init.int32() >>> 0;
      if ((grown[i * 4] | grown[i * 4 + 1] | grown[i * 4 + 2] | grown[i * 4 + 3]) === 0) grown[i * 4] = 1;
      this.state = grown;
    }
    return i;
  }

  /** A uniform draw on [0, 1) from stream `i`. */
  next(i: number): number {
    this.step(i);
    return this.out[0] / 4294967296;
  }

  /**
   * An index picked by a uniform draw from stream `i` (next) against cumulative weights (ascending, the last 1):
   * the first whose weight the draw is below, else the last. The draw stays inside the call, as in step().
   */
  pick(i: number, cumulative: Float64Array): number {
    this.step(i);
    const u = this.out[0] / 4294967296;
    let j = 0;
    while (j < cumulative.length - 1 && u >= cumulative[j]) j++;
    return j;
  }

  /** The next 32-bit output of stream `i` (xoshiro128**, Blackman and Vigna). */
  nextUint32(i: number): number {
    this.step(i);
    return this.out[0];
  }

  /**
   * Advances stream `i`, its output (nextUint32) left in out[0], for the hot path: a number returned from a call
   * that is not inlined is boxed (a heap number per draw) unless it is an integer below 2^30, and so is a double
   * passed to one; an output stored here and read by the caller is not. next() is out[0] / 2^32.
   */
  step(i: number): void {
    const s = this.state;
    const b = i << 2;
    const s0 = s[b], s1 = s[b + 1], s2 = s[b + 2] ^ s0, s3 = s[b + 3] ^ s1;
    this.out[0] = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s[b] = s0 ^ s3;
    s[b + 1] = s1 ^ s2;
    s[b + 2] = s2 ^ t;
    s[b + 3] = rotl(s3, 11);
  }

  /**
   * Makes room for streams 0 to n - 1 addressed by number, for a set of RandomStreams that holds one stream per
   * record (a journey's own stream) rather than named ones. Existing states are kept.
   */
  ensure(n: number): void {
    if (this.state.length >= n * 4) return;
    const grown = new Uint32Array(n * 4);
    grown.set(this.state);
    this.state = grown;
  }

  /**
   * Seeds stream `i` from the seed and an integer key (a journey's number) with SplitMix32, a cheap integer
   * hash: the same key gives the same stream in every run of the seed, whatever else the run draws.
   */
  reseed(i: number, key: number): void {
    let x = (Math.imul(this.seed | 0, 0x9e3779b9) ^ Math.imul(key | 0, 0x85ebca6b) ^ ((key / 4294967296) | 0)) >>> 0;
    const b = i << 2;
    for (let k = 0; k < 4; k++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[b + k] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.state[b] | this.state[b + 1] | this.state[b + 2] | this.state[b + 3]) === 0) this.state[b] = 1;
  }

  /** Sets a stream's state: for checking the generator against its reference outputs. */
  setState(i: number, words: readonly [number, number, number, number]): void {
    this.state.set(words, i * 4);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
