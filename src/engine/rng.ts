import seedrandom from 'seedrandom';

/** A uniform source on [0, 1). */
export type Uniform = () => number;

/**
 * Named random streams derived from one seed. Each consumer draws from its own stream, so that adding a
 * service or a retry elsewhere does not shift the numbers a service's latency sees: runs that differ in one
 * policy stay comparable draw for draw (common random numbers).
 */
export class RandomStreams {
  private readonly streams = new Map<string, Uniform>();

  constructor(readonly seed: number) {}

  stream(name: string): Uniform {
    let s = this.streams.get(name);
    if (!s) {
      s = seedrandom.alea(`rehearse:${this.seed}:${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}
