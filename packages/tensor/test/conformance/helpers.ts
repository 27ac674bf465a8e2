/**
 * Shared helpers of the tensor test suites: evaluating ops without leaking, reading results, comparing with
 * tolerances, asserting typed errors, and the per-test leak check.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import {
  type DType,
  getBackend,
  memory,
  Scope,
  type Tensor,
  type TensorError,
  tensor,
  tidy,
} from '../../src/index.js';

/** A tensor's contents as plain JS: shape, dtype and the row-major values. */
export interface Read {
  shape: number[];
  dtype: DType;
  data: number[];
}

/** Reads a tensor (async, so it works on every backend) and disposes it. */
export async function take(t: Tensor): Promise<Read> {
  try {
    const data = await t.data();
    return { shape: [...t.shape], dtype: t.dtype, data: Array.from(data) };
  } finally {
    t.dispose();
  }
}

/** Runs fn inside tidy (so intermediates are freed), reads the tensor it returns and disposes it. */
export async function ev(fn: () => Tensor): Promise<Read> {
  return take(tidy(fn));
}

/** Like ev for functions returning several tensors (split, ...). */
export async function evAll(fn: () => Tensor[]): Promise<Read[]> {
  const ts = tidy(fn);
  const out: Read[] = [];
  for (const t of ts) out.push(await take(t));
  return out;
}

/** Float tolerance check: NaN matches NaN, infinities must match exactly, else |a - e| <= atol + rtol |e|. */
export function closeEnough(actual: number, expected: number, atol: number, rtol: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}

/** Up to `limit` human-readable mismatches between actual and expected values (empty when they agree). */
export function mismatches(
  actual: readonly number[],
  expected: readonly number[],
  atol = 1e-6,
  rtol = 1e-3,
  limit = 5,
): string[] {
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  const out: string[] = [];
  for (let i = 0; i < expected.length && out.length < limit; i++) {
    if (!closeEnough(actual[i]!, expected[i]!, atol, rtol))
      out.push(`[${i}] got ${actual[i]}, expected ${expected[i]}`);
  }
  return out;
}

/** Asserts values agree within a tolerance (float32 default: atol 1e-6, rtol 1e-3). */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  atol = 1e-6,
  rtol = 1e-3,
): void {
  expect(mismatches(actual, expected, atol, rtol)).toEqual([]);
}

/** Row-major flattening of a nested JS array. */
export function flat(nested: unknown): number[] {
  if (!Array.isArray(nested)) return [typeof nested === 'boolean' ? Number(nested) : (nested as number)];
  return nested.flatMap((x) => flat(x));
}

/**
 * Asserts fn throws an instance of `cls` whose message matches every pattern. Tensors fn creates are freed
 * even when it throws (a Scope, so this does not depend on tidy's error path).
 */
export function expectError(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => TensorError,
  ...patterns: (string | RegExp)[]
): TensorError {
  const scope = new Scope();
  let caught: unknown;
  try {
    scope.run(() => {
      fn();
    });
  } catch (e) {
    caught = e;
  } finally {
    scope.dispose();
  }
  expect(caught, 'expected a throw').toBeInstanceOf(cls);
  const err = caught as TensorError;
  for (const p of patterns) {
    if (typeof p === 'string') expect(err.message).toContain(p);
    else expect(err.message).toMatch(p);
  }
  return err;
}

/** Helpers bound to one backend: tensor creation with { backend } filled in. */
export function on(backend: string) {
  const dtypes = getBackend(backend).dtypes;
  return {
    backend,
    /** Float dtypes the backend stores (float64 only where it has it). */
    floatDTypes: (['float32', 'float64'] as const).filter((d) => dtypes.includes(d)),
    has: (d: DType) => dtypes.includes(d),
    t: (data: Parameters<typeof tensor>[0], opts: Parameters<typeof tensor>[1] = {}) =>
      tensor(data, { ...opts, backend }),
    /** A tensor of `shape` holding 0, 1, 2, ... (times `scale`, plus `shift`) in `dtype`. */
    seq: (shape: readonly number[], dtype: DType = 'float32', scale = 1, shift = 0) => {
      const n = shape.reduce((p, d) => p * d, 1);
      const values = Array.from({ length: n }, (_, i) => i * scale + shift);
      return tensor(dtype === 'bool' ? values.map((v) => (v % 2 === 0 ? 1 : 0)) : values, {
        shape,
        dtype,
        backend,
      });
    },
  };
}

/** Deterministic pseudo-random values (a small LCG; the tests must not depend on the engine's own RNG). */
export function pseudo(n: number, seed = 1, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.fround(lo + ((s >>> 8) / 16777216) * (hi - lo)));
  }
  return out;
}

/** Row-major index arithmetic: the element of a nested JS array at a multi-index. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Every multi-index of a shape in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((p, d) => p * d, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/**
 * The leak check: records memory() before each test and asserts tensors and bytes in use are back there
 * after it. Call once at the top level of a test file.
 */
export function checkLeaks(): void {
  let start = memory();
  beforeEach(() => {
    start = memory();
  });
  afterEach(() => {
    const now = memory();
    expect(
      { tensors: now.tensors, bytesInUse: now.bytesInUse },
      'tensors or bytes leaked by this test',
    ).toEqual({
      tensors: start.tensors,
      bytesInUse: start.bytesInUse,
    });
  });
}
