/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
 * generator. Output block c is a pure function of (key, c), so any backend can produce element i without
 * producing elements 0..i-1, and CPU and GPU give the same bits for the same seed. It is the package's one
 * generator: backends/webgpu/kernels/random.ts is this algorithm again in WGSL (a GPU cannot call into JS), and
 * the element layout below must stay the same in both.
 *
 * Element layout, shared by every backend:
 *   uniform element i = lane (i % 4) of block (counter + floor(i / 4)), as (u32 >>> 8) * 2^-24 in [0, 1).
 *   normal element i  = Box-Muller on block (counter + floor(i / 2)): u1 = lane 2*(i%2), u2 = lane 2*(i%2)+1,
 *                       z = sqrt(-2 ln(1 - u1)) * cos(2π u2)   (1 - u1 lies in (0, 1], so the log is finite).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32, exact in doubles by splitting into 16-bit halves. */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lo = aLo * bLo;
  const mid1 = aHi * bLo;
  const mid2 = aLo * bHi;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/** Writes the 4 u32 lanes of block (c0, c1, 0, 0) under (k0, k1) into out[0..3]. */
export function philox4x32(k0: number, k1: number, c0: number, c1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = 0;
  let x3 = 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    const n0 = (hi1 ^ x1 ^ key0) >>> 0;
    const n2 = (hi0 ^ x3 ^ key1) >>> 0;
    x0 = n0;
    x1 = lo1;
    x2 = n2;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

const TWO_POW_32 = 4294967296;

/** Splits a block counter (a double up to 2^53) into the two low counter words. */
export function counterWords(counter: number): [number, number] {
  return [(counter % TWO_POW_32) >>> 0, Math.floor(counter / TWO_POW_32) >>> 0];
}

/** A uniform float on [0, 1) from 32 random bits (their top 24). */
export const uniformFromBits = (u: number): number => (u >>> 8) * (1 / 16777216);

/** A standard normal value from two uniforms (Box-Muller). */
export function boxMuller(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** Blocks consumed by a draw of n elements (how far the global counter advances). */
export function blocksFor(kind: 'uniform' | 'normal', n: number): number {
  return kind === 'uniform' ? Math.ceil(n / 4) : Math.ceil(n / 2);
}

/** The reference fill, used by the CPU backend and as the oracle for others. */
export function fillRandom(
  kind: 'uniform' | 'normal',
  key: readonly [number, number],
  counter: number,
  out: Float32Array | Float64Array,
): void {
  const lanes = new Uint32Array(4);
  const n = out.length;
  if (kind === 'uniform') {
    for (let b = 0; b * 4 < n; b++) {
      const [c0, c1] = counterWords(counter + b);
      philox4x32(key[0], key[1], c0, c1, lanes);
      for (let l = 0; l < 4 && b * 4 + l < n; l++) out[b * 4 + l] = uniformFromBits(lanes[l]!);
    }
  } else {
    for (let b = 0; b * 2 < n; b++) {
      const [c0, c1] = counterWords(counter + b);
      philox4x32(key[0], key[1], c0, c1, lanes);
      out[b * 2] = boxMuller(uniformFromBits(lanes[0]!), uniformFromBits(lanes[1]!));
      if (b * 2 + 1 < n) out[b * 2 + 1] = boxMuller(uniformFromBits(lanes[2]!), uniformFromBits(lanes[3]!));
    }
  }
}

/** The global generator state: a key from the seed and a block counter that every draw advances. */
const state = { key: [0, 0] as [number, number], counter: 0 };

/** Seeds the global generator behind rand, randn, randint and dropout (torch.manual_seed). */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`manualSeed: seed must be a non-negative safe integer, got ${seed}`);
  state.key = [(seed % TWO_POW_32) >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
  state.counter = 0;
}

/** Reserves `blocks` blocks of the stream: returns the key and the first block's counter. */
export function reserveBlocks(blocks: number): { key: [number, number]; counter: number } {
  const r = { key: state.key, counter: state.counter };
  state.counter += blocks;
  return r;
}
