/** Plain-JS references for the conformance suite, independent of the engine's own code. */

/** erf by composite Simpson integration of 2/√π e^(-t²) over [0, x]: error far below 1e-12 for |x| <= 6. */
export function erfRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  const a = Math.min(Math.abs(x), 6);
  const n = 2000;
  const h = a / n;
  let s = 1 + Math.exp(-a * a);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  const v = ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
  return x < 0 ? -v : v;
}

export const geluRef = (x: number): number => 0.5 * x * (1 + erfRef(x / Math.SQRT2));
export const geluTanhRef = (x: number): number =>
  0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
export const sigmoidRef = (x: number): number => 1 / (1 + Math.exp(-x));

/** Unary float ops: reference and an input range where the op is well defined. */
export const UNARY_FLOAT: Record<string, { ref: (x: number) => number; lo: number; hi: number }> = {
  neg: { ref: (x) => -x, lo: -3, hi: 3 },
  exp: { ref: Math.exp, lo: -5, hi: 5 },
  log: { ref: Math.log, lo: 0.05, hi: 5 },
  log1p: { ref: Math.log1p, lo: -0.9, hi: 5 },
  softplus: { ref: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), lo: -30, hi: 30 },
  logSigmoid: { ref: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))), lo: -30, hi: 30 },
  sqrt: { ref: Math.sqrt, lo: 0, hi: 5 },
  reciprocal: { ref: (x) => 1 / x, lo: 0.25, hi: 4 },
  sin: { ref: Math.sin, lo: -3, hi: 3 },
  cos: { ref: Math.cos, lo: -3, hi: 3 },
  tanh: { ref: Math.tanh, lo: -4, hi: 4 },
  erf: { ref: erfRef, lo: -3, hi: 3 },
  abs: { ref: Math.abs, lo: -3, hi: 3 },
  square: { ref: (x) => x * x, lo: -3, hi: 3 },
  relu: { ref: (x) => Math.max(x, 0), lo: -3, hi: 3 },
  sigmoid: { ref: sigmoidRef, lo: -6, hi: 6 },
};

/** Binary float ops: reference and input ranges for a and b. */
export const BINARY_FLOAT: Record<
  string,
  { ref: (a: number, b: number) => number; b: [number, number]; a: [number, number] }
> = {
  add: { ref: (a, b) => a + b, a: [-3, 3], b: [-3, 3] },
  sub: { ref: (a, b) => a - b, a: [-3, 3], b: [-3, 3] },
  mul: { ref: (a, b) => a * b, a: [-3, 3], b: [-3, 3] },
  div: { ref: (a, b) => a / b, a: [-3, 3], b: [0.5, 2] },
  pow: { ref: (a, b) => a ** b, a: [0.1, 3], b: [-2, 2] },
  maximum: { ref: Math.max, a: [-3, 3], b: [-3, 3] },
  minimum: { ref: Math.min, a: [-3, 3], b: [-3, 3] },
};

/** Comparisons on numbers (IEEE: every comparison with NaN is false except ne). */
export const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
};

/** NumPy broadcasting of two shapes, or undefined when incompatible (written independently of src/shape.ts). */
export function broadcastRef(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** The flat index into a (row-major, shape `from`) that broadcasting maps output multi-index `idx` to. */
export function broadcastIndex(idx: readonly number[], from: readonly number[]): number {
  const lead = idx.length - from.length;
  let flat = 0;
  for (let i = 0; i < from.length; i++) flat = flat * from[i]! + (from[i] === 1 ? 0 : idx[lead + i]!);
  return flat;
}
