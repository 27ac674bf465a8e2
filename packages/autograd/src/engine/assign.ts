/**
 * In-place writes, for the few places that must keep a tensor's identity while changing its values: optimiser
 * steps, loadStateDict and initialisers (a module's parameter is the same handle before and after). Written
 * with the backend's elementwise kernel, so it works on every backend. Each write bumps the storage's version,
 * so a backward that needs the old values fails clearly instead of using the new ones.
 */

import { BackendError, cast, DTypeError, fmtShape, ShapeError, type Tensor, untracked } from '@norga/tensor';
import { bumpVersion } from './version.js';

function broadcastStrides(value: Tensor, shape: readonly number[]): number[] {
  const lead = shape.length - value.rank;
  return shape.map((d, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    if (value.shape[j] === d) return value.strides[j]!;
    if (value.shape[j] === 1) return 0;
    throw new ShapeError('assign_', `cannot write ${fmtShape(value.shape)} into ${fmtShape(shape)}`);
  });
}

/** Overwrites target's elements with value (a tensor broadcastable to target's shape, or a number). */
export function assign_(target: Tensor, value: Tensor | number): void {
  target.assertLive('assign_');
  if (target.strides.some((s, i) => s === 0 && target.shape[i]! > 1)) {
    throw new ShapeError(
      'assign_',
      `target ${fmtShape(target.shape)} is a broadcast view (stride 0); it has no distinct elements to write`,
    );
  }
  if (target.size === 0) return;
  if (typeof value === 'number') {
    bumpVersion(target);
    target.backend.elementwise({ kind: 'const', value, dtype: target.dtype }, [], target);
    return;
  }
  value.assertLive('assign_');
  if (value.backend !== target.backend) {
    throw new BackendError('assign_', `value is on ${value.backend.name}, target on ${target.backend.name}`);
  }
  if (value.dtype !== target.dtype) {
    throw new DTypeError(
      'assign_',
      `dtype mismatch: target ${target.dtype} ${fmtShape(target.shape)}, value ${value.dtype} ${fmtShape(value.shape)}`,
    );
  }
  const strides = broadcastStrides(value, target.shape);
  const src = {
    storage: value.storage,
    shape: target.shape,
    strides,
    offset: value.offset,
    dtype: value.dtype,
  };
  if (value.storage === target.storage) {
    // Reading and writing one buffer in a dispatch is undefined (and invalid on WebGPU): stage a copy.
    const staged = untracked(() => cast(value, value.dtype));
    try {
      assign_(target, staged);
    } finally {
      staged.dispose();
    }
    return;
  }
  // Bumped only once the write is sure to happen: a rejected assign_ must not invalidate saved tensors.
  bumpVersion(target);
  target.backend.elementwise({ kind: 'input', index: 0 }, [src], target);
}
