/**
 * gather and scatterAdd along one axis. Both walk the index tensor's shape; the coordinate on `axis` comes
 * from the index value instead of the loop (negative values count from the end, as Python indexing; values
 * out of range are clamped so that a bad index can never read or write outside the tensor).
 *
 * scatterAdd is correct under duplicate indices: several invocations may add into one element, so additions
 * are atomic. WGSL has no float atomics, so float32 adds run a compare-exchange loop on the value's u32 bits.
 * Out-of-range indices raise an IndexError: at once for host-made indices, else at the next read
 * (index-check.ts).
 */
import type { View } from '../../../backend.js';
import { IndexError } from '../../../errors.js';
import { sizeOf } from '../../../shape.js';
import { WORKGROUP } from '../constants.js';
import {
  axisMessage,
  checkHostIndices,
  errorRecorderWgsl,
  firstHostIndexOutside,
  rangeMessage,
} from '../index-check.js';
import { offsetsFromIndex, Params } from '../layout.js';
import { ENTRY_ARGS, LINEAR_INDEX, paramsDecl, wgslType } from '../wgsl.js';
import type { KernelContext } from './context.js';

/**
 * Params: n, axisSize, axisStride(target), check id, then shape, index strides, target strides (axis zeroed),
 * offsets.
 */
function layoutParams(
  shape: readonly number[],
  index: View,
  target: View,
  others: readonly View[],
  axis: number,
  checkId: number,
) {
  const p = new Params();
  p.push(sizeOf(shape), target.shape[axis]!, target.strides[axis]!, checkId);
  const shapeAt = p.push(...shape);
  const zeroAxis = (s: readonly number[]) => s.map((v, d) => (d === axis ? 0 : v));
  const strideAts = [index, target, ...others].map((v, k) =>
    p.push(...(k === 1 ? zeroAxis(v.strides) : v.strides)),
  );
  const offsetAts = [index, target, ...others].map((v) => p.push(v.offset));
  return { p, shapeAt, strideAts, offsetAts };
}

// Resolves the index value at o0 into a coordinate along the axis; reports (then clamps) out-of-range ones.
const AXIS_COORD = `let raw = bidx[o0];
  let size = pu(1u);
  if (raw < -i32(size) || raw >= i32(size)) { report_bad_index(pu(3u), raw, i); }
  let wrapped = select(raw, raw + i32(size), raw < 0);
  let coord = u32(clamp(wrapped, 0, i32(size) - 1));`;

export function gather(ctx: KernelContext, x: View, axis: number, index: View, out: View): void {
  const n = sizeOf(out.shape);
  if (n === 0) return;
  const rank = out.shape.length;
  checkHostIndices('gather', index, axis, x.shape[axis]!);
  const id = ctx.indexChecks.register('gather', axisMessage(axis, x.shape[axis]!));
  const { p, shapeAt, strideAts, offsetAts } = layoutParams(out.shape, index, x, [out], axis, id);
  const t = wgslType(x.dtype);
  const wgsl = ctx.shader(
    `gather|${t}|${rank}`,
    () => `${paramsDecl(p.words.length)}
@group(0) @binding(1) var<storage, read_write> bout: array<${t}>;
@group(0) @binding(2) var<storage, read> bx: array<${t}>;
@group(0) @binding(3) var<storage, read> bidx: array<i32>;
${errorRecorderWgsl(4)}
const WG = ${WORKGROUP}u;
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_ARGS}) {
  let i = ${LINEAR_INDEX};
  if (i >= pu(0u)) { return; }
  ${offsetsFromIndex('i', rank, shapeAt, strideAts, offsetAts)}
  ${AXIS_COORD}
  bout[o2] = bx[o1 + coord * pu(2u)];
}
`,
  );
  ctx.dispatch1d(
    'gather',
    wgsl,
    p,
    [ctx.buffer(out), ctx.buffer(x), ctx.buffer(index), ctx.indexChecks.buffer],
    n,
  );
}

export function scatterAdd(ctx: KernelContext, out: View, axis: number, index: View, src: View): void {
  const n = sizeOf(src.shape);
  if (n === 0) return;
  const rank = src.shape.length;
  checkHostIndices('scatterAdd', index, axis, out.shape[axis]!);
  const id = ctx.indexChecks.register('scatterAdd', axisMessage(axis, out.shape[axis]!));
  const { p, shapeAt, strideAts, offsetAts } = layoutParams(src.shape, index, out, [src], axis, id);
  const t = wgslType(out.dtype);
  const atom = t === 'i32' ? 'atomic<i32>' : 'atomic<u32>';
  const add =
    t === 'f32'
      ? `var old = atomicLoad(&bout[dst]);
  loop {
    let next = bitcast<u32>(bitcast<f32>(old) + v);
    let r = atomicCompareExchangeWeak(&bout[dst], old, next);
    if (r.exchanged) { break; }
    old = r.old_value;
  }`
      : t === 'i32'
        ? 'atomicAdd(&bout[dst], v);'
        : // bool: a sum that is nonzero is true, i.e. a logical or.
          'atomicOr(&bout[dst], select(0u, 1u, v != 0u));';
  const wgsl = ctx.shader(
    `scatterAdd|${t}|${rank}`,
    () => `${paramsDecl(p.words.length)}
@group(0) @binding(1) var<storage, read_write> bout: array<${atom}>;
@group(0) @binding(2) var<storage, read> bsrc: array<${t}>;
@group(0) @binding(3) var<storage, read> bidx: array<i32>;
${errorRecorderWgsl(4)}
const WG = ${WORKGROUP}u;
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_ARGS}) {
  let i = ${LINEAR_INDEX};
  if (i >= pu(0u)) { return; }
  ${offsetsFromIndex('i', rank, shapeAt, strideAts, offsetAts)}
  ${AXIS_COORD}
  let dst = o1 + coord * pu(2u);
  let v = bsrc[o2];
  ${add}
}
`,
  );
  ctx.dispatch1d(
    'scatterAdd',
    wgsl,
    p,
    [ctx.buffer(out), ctx.buffer(src), ctx.buffer(index), ctx.indexChecks.buffer],
    n,
  );
}

/**
 * Checks that every element of an int32 view lies in [low, high) (oneHot's indices): at once for host-made
 * indices, else by a kernel whose failure the next read reports. `op` names the user's op in the error.
 */
export function checkIndexRange(
  ctx: KernelContext,
  op: string,
  index: View,
  low: number,
  high: number,
): void {
  const n = sizeOf(index.shape);
  if (n === 0) return;
  const bad = firstHostIndexOutside(index, low, high);
  if (bad) throw new IndexError(op, rangeMessage(low, high)(bad.value, bad.position));
  if (bad === null) return;
  const rank = index.shape.length;
  const id = ctx.indexChecks.register(op, rangeMessage(low, high));
  const p = new Params();
  p.push(n, low, high, id);
  const shapeAt = p.push(...index.shape);
  const strideAt = p.push(...index.strides);
  const offsetAt = p.push(index.offset);
  const wgsl = ctx.shader(
    `rangeCheck|${rank}`,
    () => `${paramsDecl(p.words.length)}
@group(0) @binding(1) var<storage, read> bidx: array<i32>;
${errorRecorderWgsl(2)}
const WG = ${WORKGROUP}u;
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_ARGS}) {
  let i = ${LINEAR_INDEX};
  if (i >= pu(0u)) { return; }
  ${offsetsFromIndex('i', rank, shapeAt, [strideAt], [offsetAt])}
  let raw = bidx[o0];
  if (raw < bitcast<i32>(pu(1u)) || raw >= bitcast<i32>(pu(2u))) { report_bad_index(pu(3u), raw, i); }
}
`,
  );
  ctx.dispatch1d(op, wgsl, p, [ctx.buffer(index), ctx.indexChecks.buffer], n);
}
