/** Shared plumbing of the front-end ops: liveness and backend checks, output allocation, raw views. */
import type { Backend, Storage, View } from '../backend.js';
import { BYTES_PER_ELEMENT, type DType } from '../dtype.js';
import {
  AllocationError,
  ArgumentError,
  BackendError,
  DTypeError,
  describeValue,
  fmtShape,
} from '../errors.js';
import { getBackend } from '../registry.js';
import { contiguousStrides, type Shape, sizeOf } from '../shape.js';
import { allocStorage } from '../storage.js';
import { Tensor } from '../tensor.js';

/**
 * Checks that `value`, the op's argument `name`, is a live Tensor. Front-end ops call this before touching an
 * argument, so a forgotten await or a plain array gives an ArgumentError naming the op, not a TypeError from
 * deep inside ("x.assertLive is not a function").
 */
export function assertLive(op: string, value: unknown, name: string): asserts value is Tensor {
  if ((value as { __isTensor?: unknown } | null | undefined)?.__isTensor !== true)
    throw new ArgumentError(op, `${name} must be a Tensor, got ${describeValue(value)}`);
  (value as Tensor).assertLive(op);
}

/** Checks every tensor is alive and on one backend; returns that backend. */
export function commonBackend(op: string, ...ts: readonly Tensor[]): Backend {
  let b: Backend | undefined;
  for (const [i, t] of ts.entries()) {
    assertLive(op, t, `operand ${i + 1}`);
    if (b === undefined) b = t.backend;
    else if (t.backend !== b) {
      throw new BackendError(
        op,
        `tensors are on different backends (${b.name} and ${t.backend.name}); move one with .to('${b.name}')`,
      );
    }
  }
  return b ?? getBackend();
}

/** A fresh contiguous tensor (uninitialised contents); `op` names the caller in errors. */
export function empty(backend: Backend, dtype: DType, shape: Shape, op = 'alloc'): Tensor {
  if (!backend.dtypes.includes(dtype)) {
    throw new DTypeError(
      op,
      `backend ${backend.name} has no ${dtype} (it supports ${backend.dtypes.join(', ')})`,
    );
  }
  const size = sizeOf(shape);
  let storage: Storage;
  try {
    storage = allocStorage(backend, dtype, size);
  } catch (e) {
    // V8 says only "Invalid typed array length" (or "Array buffer allocation failed"): say what was asked for.
    if (!(e instanceof RangeError)) throw e;
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    throw new AllocationError(
      op,
      `cannot allocate ${fmtShape(shape)} ${dtype} (${size} elements, ${fmtBytes(bytes)}) on ${backend.name}: ${e.message}`,
    );
  }
  return new Tensor(storage, [...shape], contiguousStrides(shape), 0);
}

function fmtBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${bytes} bytes = ${v.toFixed(1)} ${units[u]}`;
}

/** A view object (not a Tensor: no refcount) for handing strided layouts to kernels. */
export function rawView(t: View, shape: Shape, strides: readonly number[], offset = t.offset): View {
  return { storage: t.storage, shape, strides, offset, dtype: t.dtype };
}

/** A view of t broadcast to `shape` (stride 0 on new or size-1 axes). The caller has checked compatibility. */
export function broadcastView(t: View, shape: Shape): View {
  const lead = shape.length - t.shape.length;
  const strides = shape.map((d, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    return t.shape[j] === 1 && d !== 1 ? 0 : t.strides[j]!;
  });
  return rawView(t, shape, strides);
}

export function assertDTypeIn(op: string, t: Tensor, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) {
    throw new DTypeError(
      op,
      `dtype ${t.dtype} ${fmtShape(t.shape)} not supported (accepts ${allowed.join(', ')})`,
    );
  }
}

export function assertSameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      op,
      `dtype mismatch: ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}; cast one explicitly`,
    );
  }
}

/** Runs a kernel that may throw (a rejected index, a device error); the output it was writing is freed first. */
export function disposeOnThrow(out: Tensor, run: () => void): void {
  try {
    run();
  } catch (e) {
    out.dispose();
    throw e;
  }
}
