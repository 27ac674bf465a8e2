/**
 * gather and scatterAdd along one axis. Both walk the index tensor's shape; the coordinate on `axis` comes
 * from the index value instead of the loop. Values must lie in [0, size) as in PyTorch (negative ones raise, as
 * on the CPU); out-of-range ones are reported, then clamped so that a bad index never reads or writes outside
 * the tensor.
 *
 * scatterAdd is correct under duplicate indices: several invocations may add into one element, so additions
 * are atomic. WGSL has no float atomics, so float32 adds run a compare-exchange loop on the value's u32 bits.
 * Out-of-range indices raise an IndexError: at once for host-made indices, else at the next read
 * (index-check.ts).
 */
import type { View } from '../../../backend.js';
import { IndexError } from '../../../errors.js';
import { rangeMessage } from '../../../index-range.js';
import { sizeOf } from '../../../shape.js';
import { axisMessage, checkHostIndices, errorRecorderWgsl, firstHostIndexOutside } from '../index-check.js';
import { offsetsFromIndex, Params } from '../layout.js';
import { main1d, paramsDecl, wgslType } from '../wgsl.js';
import type { KernelContext } from './context.js';

// Resolves the index value at o0 into a coordinate along the axis; reports (then clamps) out-of-range ones.
const AXIS_COORD = `let raw = bidx[o0];
  let size = pu(1u);
  if (raw < 0 || raw >= i32(size)) { report_bad_index(pu(3u), raw, i); }
  let coord = u32(clamp(raw, 0, i32(size) - 1));`;

/**
 * The kernel shared by gather and scatterAdd: one invocation per element of `walked` (gather's output,
 * scatterAdd's source), whose shape the index tensor has. The WGSL `body` sees `o1 + coord * pu(2u)`, the
 * element of `target` (the tensor indexed along `axis`), and `o2`, the element of `walked`; `bindings`
 * declares `bout` (binding 1, the written buffer) and binding 2. Params: n, axisSize, axisStride(target),
 * check id, then shape, index strides, target strides (axis zeroed), offsets.
 */
function dispatchAlongAxis(
  ctx: KernelContext,
  op: 'gather' | 'scatterAdd',
  target: View,
  index: View,
  walked: View,
  axis: number,
  bindings: string,
  body: string,
  buffers: readonly [written: GPUBuffer, read: GPUBuffer],
): void {
  const shape = walked.shape;
  const n = sizeOf(shape);
  if (n === 0) return;
  const rank = shape.length;
  const size = target.shape[axis]!;
  checkHostIndices(op, index, axis, size);
  const id = ctx.indexChecks.register(op, axisMessage(axis, size));
  const p = new Params();
  p.push(n, size, target.strides[axis]!, id);
  const shapeAt = p.push(...shape);
  const zeroAxis = (s: readonly number[]) => s.map((v, d) => (d === axis ? 0 : v));
  const strideAts = [index.strides, zeroAxis(target.strides), walked.strides].map((s) => p.push(...s));
  const offsetAts = [index, target, walked].map((v) => p.push(v.offset));
  const wgsl = ctx.shader(
    `${op}|${wgslType(target.dtype)}|${rank}`,
    () => `${paramsDecl(p.words.length)}
${bindings}
@group(0) @binding(3) var<storage, read> bidx: array<i32>;
${errorRecorderWgsl(4)}
${main1d(`${offsetsFromIndex('i', rank, shapeAt, strideAts, offsetAts)}
  ${AXIS_COORD}
  ${body}`)}
`,
  );
  ctx.dispatch1d(op, wgsl, p, [...buffers, ctx.buffer(index), ctx.indexChecks.buffer], n);
}

export function gather(ctx: KernelContext, x: View, axis: number, index: View, out: View): void {
  const t = wgslType(x.dtype);
  dispatchAlongAxis(
    ctx,
    'gather',
    x,
    index,
    out,
    axis,
    `@group(0) @binding(1) var<storage, read_write> bout: array<${t}>;
@group(0) @binding(2) var<storage, read> bx: array<${t}>;`,
    'bout[o2] = bx[o1 + coord * pu(2u)];',
    [ctx.buffer(out), ctx.buffer(x)],
  );
}

export function scatterAdd(ctx: KernelContext, out: View, axis: number, index: View, src: View): void {
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
  dispatchAlongAxis(
    ctx,
    'scatterAdd',
    out,
    index,
    src,
    axis,
    `@group(0) @binding(1) var<storage, read_write> bout: array<${atom}>;
@group(0) @binding(2) var<storage, read> bsrc: array<${t}>;`,
    `let dst = o1 + coord * pu(2u);
  let v = bsrc[o2];
  ${add}`,
    [ctx.buffer(out), ctx.buffer(src)],
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
  what = 'index',
): void {
  const n = sizeOf(index.shape);
  if (n === 0) return;
  const bad = firstHostIndexOutside(index, low, high);
  if (bad) throw new IndexError(op, rangeMessage(low, high, what)(bad.value, bad.position));
  if (bad === null) return; // host-made and all inside: no kernel needed
  const rank = index.shape.length;
  const id = ctx.indexChecks.register(op, rangeMessage(low, high, what));
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
${main1d(`${offsetsFromIndex('i', rank, shapeAt, [strideAt], [offsetAt])}
  let raw = bidx[o0];
  if (raw < bitcast<i32>(pu(1u)) || raw >= bitcast<i32>(pu(2u))) { report_bad_index(pu(3u), raw, i); }`)}
`,
  );
  ctx.dispatch1d(op, wgsl, p, [ctx.buffer(index), ctx.indexChecks.buffer], n);
}
