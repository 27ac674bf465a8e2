/** Creation ops: from JS data, constants, ranges, identity, and the seeded random generators. */

import { untracked } from '../dispatch.js';
import { type AnyTypedArray, assertDType, type DType, dtypeOfTypedArray, typedArrayFor } from '../dtype.js';
import { ArgumentError, DTypeError, describeValue, fmtShape, ShapeError } from '../errors.js';
import { blocksFor, reserveBlocks } from '../random/philox.js';
import { getBackend } from '../registry.js';
import { assertValidShape, sizeOf } from '../shape.js';
import type { NestedArray, Tensor } from '../tensor.js';
import { cast } from './elementwise.js';
import { add, mul } from './math.js';
import { filled } from './scalar.js';
import { empty } from './util.js';

/** Where and as what a creation function makes its tensor. */
export interface CreateOptions {
  dtype?: DType;
  /** Backend name; default: the current backend. */
  backend?: string;
}

function target(opts: CreateOptions | undefined, dtype: DType) {
  if (opts?.dtype !== undefined) assertDType(opts.dtype);
  return { backend: getBackend(opts?.backend), dtype: opts?.dtype ?? dtype };
}

/** A JS value stored as `dtype` must survive the store: int32 takes integers in range, never a rounded value. */
function assertStorable(op: string, v: number, dtype: DType, at: number): void {
  if (dtype === 'int32' && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) {
    throw new DTypeError(
      op,
      `value ${v} (at flat position ${at}) is not an int32; round it explicitly first`,
    );
  }
}

function fromHost(
  op: string,
  data: AnyTypedArray,
  shape: readonly number[],
  opts: CreateOptions | undefined,
  fallback: DType,
): Tensor {
  const { backend, dtype } = target(opts, fallback);
  assertValidShape(op, shape);
  if (sizeOf(shape) !== data.length) {
    throw new ShapeError(
      op,
      `${data.length} values do not fill shape ${fmtShape(shape)} (size ${sizeOf(shape)})`,
    );
  }
  let typed = data;
  if (dtypeOfTypedArray(data) !== dtype || data.constructor !== typedArrayFor(dtype, 0).constructor) {
    typed = typedArrayFor(dtype, data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      assertStorable(op, v, dtype, i);
      typed[i] = dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
    }
  }
  const out = empty(backend, dtype, shape, op);
  if (data.length > 0) backend.write(out.storage.handle, typed);
  return out;
}

function inferShape(op: string, data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  if (shape.length === 0 && Array.isArray(data)) return [0];
  assertValidShape(op, shape);
  return shape;
}

function flattenNested(
  op: string,
  data: NestedArray,
  shape: readonly number[],
  out: number[],
  depth = 0,
): void {
  if (depth === shape.length) {
    if (Array.isArray(data))
      throw new ShapeError(op, `ragged nested array: expected a value at depth ${depth}, found an array`);
    out.push(typeof data === 'boolean' ? (data ? 1 : 0) : data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new ShapeError(
      op,
      `ragged nested array: expected length ${shape[depth]} at depth ${depth} of ${fmtShape(shape)}`,
    );
  }
  for (const d of data) flattenNested(op, d, shape, out, depth + 1);
}

/**
 * A tensor from JS data: nested arrays, a typed array (with `shape`, default 1-D), a number or a boolean.
 * The dtype defaults to the data's: float32 for numbers, bool for booleans, the typed array's own type.
 */
export function tensor(
  data: NestedArray | AnyTypedArray,
  opts: CreateOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (opts.dtype !== undefined) assertDType(opts.dtype);
  if (ArrayBuffer.isView(data)) {
    const natural = dtypeOfTypedArray(data);
    if (!natural)
      throw new DTypeError('tensor', `unsupported typed array ${(data as object).constructor.name}`);
    return fromHost('tensor', data, opts.shape ?? [data.length], opts, natural);
  }
  const shape = inferShape('tensor', data);
  const flat: number[] = [];
  flattenNested('tensor', data, shape, flat);
  const isBool = flat.length > 0 && firstLeaf(data) === 'boolean';
  const fallback: DType = isBool ? 'bool' : 'float32';
  const dtype = opts.dtype ?? fallback;
  const values = typedArrayFor(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    assertStorable('tensor', flat[i]!, dtype, i);
    values[i] = dtype === 'bool' ? (flat[i] !== 0 ? 1 : 0) : flat[i]!;
  }
  const finalShape = opts.shape ?? shape;
  return fromHost('tensor', values, finalShape, opts, fallback);
}
/** The same as tensor(). */
export const fromArray = tensor;

function firstLeaf(d: NestedArray): string {
  let cur = d;
  while (Array.isArray(cur)) cur = cur[0]!;
  return typeof cur;
}

/** A 0-d tensor holding `value`. */
export function scalar(value: number | boolean, opts?: CreateOptions): Tensor {
  return tensor(value, opts);
}

/** A tensor of `shape` filled with `value` (float32 unless `opts.dtype`). */
export function full(shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  return fullAs('full', shape, value, opts);
}
function fullAs(op: string, shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  assertValidShape(op, shape);
  const { backend, dtype } = target(opts, 'float32');
  assertStorable(op, value, dtype, 0);
  return filled(backend, dtype, shape, dtype === 'bool' ? (value ? 1 : 0) : value, op);
}

/**
 * The shape of a creation call in either form: `zeros([2, 3], opts?)`, or PyTorch's `zeros(2, 3)` (sizes as
 * separate numbers, options allowed last). Anything else is an ArgumentError saying to pass an array.
 */
function shapeArgs(op: string, args: readonly unknown[]): [number[], CreateOptions | undefined] {
  if (typeof args[0] === 'number') {
    const n = args.findIndex((a) => typeof a !== 'number');
    const dims = (n < 0 ? args : args.slice(0, n)) as number[];
    const rest = n < 0 ? [] : args.slice(n);
    if (rest.length > 1 || (rest.length === 1 && (rest[0] === null || typeof rest[0] !== 'object')))
      throw new ArgumentError(
        op,
        `pass the shape as an array, ${op}([2, 3]), or as numbers, ${op}(2, 3); got (${args.map(describeValue).join(', ')})`,
      );
    return [dims, rest[0] as CreateOptions | undefined];
  }
  if (args.length > 2)
    throw new ArgumentError(
      op,
      `takes (shape, options?), got ${args.length} arguments; pass the shape as an array`,
    );
  return [args[0] as number[], args[1] as CreateOptions | undefined];
}

/** Zeros of `shape` (float32 unless `opts.dtype`); also `zeros(2, 3)` as in PyTorch. */
export function zeros(shape: readonly number[], opts?: CreateOptions): Tensor;
export function zeros(...sizes: number[]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, opts] = shapeArgs('zeros', args);
  return fullAs('zeros', shape, 0, opts);
}
/** Ones of `shape` (float32 unless `opts.dtype`); also `ones(2, 3)` as in PyTorch. */
export function ones(shape: readonly number[], opts?: CreateOptions): Tensor;
export function ones(...sizes: number[]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, opts] = shapeArgs('ones', args);
  return fullAs('ones', shape, 1, opts);
}
/** A tensor of t's shape, dtype and backend filled with `value` (each overridable in opts). */
export const fullLike = (t: Tensor, value: number, opts?: CreateOptions): Tensor =>
  full(t.shape, value, { dtype: t.dtype, backend: t.backend.name, ...opts });
/** Zeros of t's shape, dtype and backend. */
export const zerosLike = (t: Tensor, opts?: CreateOptions): Tensor => fullLike(t, 0, opts);
/** Ones of t's shape, dtype and backend. */
export const onesLike = (t: Tensor, opts?: CreateOptions): Tensor => fullLike(t, 1, opts);

/** arange(end), arange(start, end, step = 1): values start, start + step, ... < end (> end for step < 0). */
export function arange(startOrEnd: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  const [s, e] = end === undefined ? [0, startOrEnd] : [startOrEnd, end];
  if (step === 0 || !Number.isFinite(step))
    throw new ShapeError('arange', `step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((e - s) / step));
  const integral =
    Number.isInteger(s) && Number.isInteger(step) && opts?.dtype !== 'float32' && opts?.dtype !== 'float64';
  const dtype = opts?.dtype ?? (integral ? 'int32' : 'float32');
  const values = typedArrayFor(dtype, n);
  for (let i = 0; i < n; i++) values[i] = s + i * step;
  return fromHost('arange', values, [n], { ...opts, dtype }, dtype);
}

/** `steps` evenly spaced values from start to end inclusive (torch.linspace). */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ShapeError('linspace', `steps must be an integer >= 0, got ${steps}`);
  const values = new Float64Array(steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Symmetric evaluation (as PyTorch): the second half counts back from `end`, so both endpoints are exact.
  for (let i = 0; i < steps; i++)
    values[i] = i < steps / 2 ? start + i * delta : end - (steps - 1 - i) * delta;
  return fromHost('linspace', values, [steps], opts, 'float32');
}

/** The n × m identity matrix (m defaults to n). */
export function eye(n: number, m = n, opts?: CreateOptions): Tensor {
  assertValidShape('eye', [n, m]);
  const values = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return fromHost('eye', values, [n, m], opts, 'float32');
}

function random(
  op: string,
  kind: 'uniform' | 'normal',
  shape: readonly number[],
  opts?: CreateOptions,
): Tensor {
  assertValidShape(op, shape);
  const { backend, dtype } = target(opts, 'float32');
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new DTypeError(op, `needs a float dtype, got ${dtype}`);
  const out = empty(backend, dtype, shape, op);
  const { key, counter } = reserveBlocks(blocksFor(kind, out.size));
  if (out.size > 0) backend.random(kind, key, counter, out);
  return out;
}

/** Uniform on [0, 1), from the global seeded generator (see manualSeed); also `rand(2, 3)`. */
export function rand(shape: readonly number[], opts?: CreateOptions): Tensor;
export function rand(...sizes: number[]): Tensor;
export function rand(...args: unknown[]): Tensor {
  const [shape, opts] = shapeArgs('rand', args);
  return random('rand', 'uniform', shape, opts);
}
/** Standard normal, from the global seeded generator; also `randn(2, 3)`. */
export function randn(shape: readonly number[], opts?: CreateOptions): Tensor;
export function randn(...sizes: number[]): Tensor;
export function randn(...args: unknown[]): Tensor {
  const [shape, opts] = shapeArgs('randn', args);
  return random('randn', 'normal', shape, opts);
}

/** Integers uniform on [low, high) (int32 by default). */
export function randint(low: number, high: number, shape: readonly number[], opts?: CreateOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ShapeError('randint', `needs integers low < high, got [${low}, ${high})`);
  }
  const dtype = opts?.dtype ?? 'int32';
  return untracked(() => {
    const u = random('randint', 'uniform', shape, { backend: opts?.backend, dtype: 'float32' });
    // floor(low + u * (high - low)) via truncation of a non-negative value; u < 1 keeps it below high.
    const scaled = mul(u, high - low);
    const asInt = cast(scaled, 'int32');
    const shifted = add(asInt, low);
    const out = dtype === 'int32' ? shifted : cast(shifted, dtype);
    for (const t of [u, scaled, asInt]) t.dispose();
    if (out !== shifted) shifted.dispose();
    return out;
  });
}
