/**
 * A small seeded generator (xoshiro128**) for everything in this package that draws random numbers outside the
 * tensor engine: data order, Gaussian replay samples, prefix initialisation. Its state is four 32-bit words, so a
 * checkpoint can store it and a resumed run draws exactly what the uninterrupted run would have drawn.
 *
 * Why a third generator beside @norga/tensor's and @norga/datasets': tensor's Philox fills tensors on any backend
 * (same bits on CPU and GPU) and is not a stream of JS numbers; datasets' mulberry32 is a closure with no state to
 * save, made for one-off shuffles and splits. This one needs getState/setState for checkpoints and a normal() for
 * the Gaussian replay. Its and mixSeeds' exact bits are those every recorded result was drawn with, so folding it
 * into either would change every result.
 */
export class Rng {
  private s: Uint32Array;
  private spare: number | undefined;

  constructor(seed: number) {
    this.s = new Uint32Array(4);
    // SplitMix32 spreads one seed over the four words (xoshiro must not start from all zeros).
    let x = seed >>> 0;
    for (let k = 0; k < 4; k++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[k] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1] as number, 5), 7), 9) >>> 0;
    const t = ((s[1] as number) << 9) >>> 0;
    s[2] = (s[2] as number) ^ (s[0] as number);
    s[3] = (s[3] as number) ^ (s[1] as number);
    s[1] = (s[1] as number) ^ (s[2] as number);
    s[0] = (s[0] as number) ^ (s[3] as number);
    s[2] = (s[2] as number) ^ t;
    s[3] = rotl(s[3] as number, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let k = 0; k < n; k++) p[k] = k;
    for (let k = n - 1; k > 0; k--) {
      const j = this.int(k + 1);
      const tmp = p[k] as number;
      p[k] = p[j] as number;
      p[j] = tmp;
    }
    return p;
  }

  /** The generator's state, for checkpoints. */
  getState(): number[] {
    return [...this.s, this.spare ?? Number.NaN];
  }

  /** Restores a getState(); throws a RangeError for anything but its five numbers. */
  setState(state: number[]): void {
    if (state.length !== 5) throw new RangeError(`Rng.setState: expected 5 numbers, got ${state.length}`);
    for (let k = 0; k < 4; k++) this.s[k] = (state[k] as number) >>> 0;
    const spare = state[4] as number;
    this.spare = Number.isNaN(spare) ? undefined : spare;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A 32-bit seed from several integers (e.g. seed, task, epoch), so each stream is independent of the others. */
export function mixSeeds(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h ^ (h >>> 12)) >>> 0;
  }
  return h >>> 0;
}
