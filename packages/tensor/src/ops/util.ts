/** Shared plumbing of the front-end ops: liveness and backend checks, output allocation, raw views. */
import type { Backend, View } from '../backend.js';
import type { DType } from '../dtype.js';
import { BackendError, DTypeError, fmtShape } from '../errors.js';
import { getBackend } from '../registry.js';
import { contiguousStrides, type Shape, sizeOf } from '../shape.js';
import { allocStorage } from '../storage.js';
import { Tensor } from '../tensor.js';

/** Checks every tensor is alive and on one backend; returns that backend. */
export function commonBackend(op: string, ...ts: readonly Tensor[]): Backend {
  let b: Backend | undefined;
  for (const t of ts) {
    t.assertLive(op);
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

/** A fresh contiguous tensor (uninitialised contents). */
export function empty(backend: Backend, dtype: DType, shape: Shape): Tensor {
  if (!backend.dtypes.includes(dtype)) {
    throw new DTypeError(
      'alloc',
      `backend ${backend.name} has no ${dtype} (it supports ${backend.dtypes.join(', ')})`,
    );
  }
  return new Tensor(allocStorage(backend, dtype, sizeOf(shape)), [...shape], contiguousStrides(shape), 0);
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
