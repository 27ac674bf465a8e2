/**
 * Reductions over any set of axes. The kept dims index outputs, the reduced dims are walked by a linear index
 * r (row-major over the reduced axes, which is also the index argmax/argmin report). Two variants:
 *   serial    - one invocation per output loops over r; best when the reduced run is short or strided
 *               (neighbouring invocations then read neighbouring addresses);
 *   workgroup - one workgroup per output; invocations stride over r, then a tree in shared memory; best for
 *               long contiguous runs (softmax / layerNorm rows).
 * Combining values reuses the op table's add/max/min WGSL; float sums are compensated (Kahan) per invocation.
 */
import type { ReduceOp, View } from '../../../backend.js';
import type { DType } from '../../../dtype.js';
import { BINARY, type BinaryOp, CAST } from '../../../ops/table.js';
import { coalesce, contiguousStrides, sizeOf } from '../../../shape.js';
import { offsetsFromIndex, Params } from '../layout.js';
import { BITS_HELPER, main1d, paramsDecl, wgslConst, wgslType } from '../wgsl.js';
import type { KernelContext } from './context.js';

const GROUP = 64;
/** Split a reduction when its run is at least this long and it has few outputs... */
const SPLIT_MIN = 16384;
/** ...into chunks of about this many elements, at most MAX_CHUNKS per output. */
const CHUNK = 4096;
const MAX_CHUNKS = 1024;

export type ReduceVariant = 'serial' | 'workgroup';

/**
 * Each reduction: where its accumulator starts, the op-table entry that combines two partial results, and for
 * arg* the comparison that picks the better element. A mapped type over ReduceOp: a new reduction must say all three.
 */
export const REDUCTIONS: {
  readonly [K in ReduceOp]: {
    readonly start: 'zero' | 'lowest' | 'highest';
    readonly combine: BinaryOp;
    readonly arg?: '>' | '<';
  };
} = {
  sum: { start: 'zero', combine: 'add' },
  max: { start: 'lowest', combine: 'max' },
  min: { start: 'highest', combine: 'min' },
  argmax: { start: 'lowest', combine: 'max', arg: '>' },
  argmin: { start: 'highest', combine: 'min', arg: '<' },
};

function identity(op: ReduceOp, dtype: DType): string {
  const t = wgslType(dtype);
  const { start } = REDUCTIONS[op];
  if (start === 'zero') return wgslConst(0, dtype);
  const low = start === 'lowest';
  if (t === 'f32') return `f32_bits(${low ? '0xff800000u' : '0x7f800000u'})`;
  if (t === 'i32') return low ? 'i32(-2147483647 - 1)' : '2147483647i';
  return low ? '0u' : '1u';
}

/**
 * On CPU-emulated adapters (lavapipe, SwiftShader) a workgroup barrier suspends and resumes every SIMD row of
 * invocations, so the tree costs more than it saves once there are enough outputs to keep every thread and
 * lane busy: there, serial wins from 64 outputs up (measured on lavapipe: layerNorm over [394, 192] about 4x,
 * softmax over [6, 197, 197] about 2.5x faster). Few outputs with long runs still take the workgroup variant
 * (and its split), which spreads one output's run over many invocations.
 */
export function chooseReduceVariant(
  reducedSize: number,
  outSize: number,
  innerStride: number,
  cpuAdapter = false,
): ReduceVariant {
  if (cpuAdapter && outSize >= 64) return 'serial';
  if (reducedSize >= 64 && (innerStride === 1 || outSize < 256)) return 'workgroup';
  return 'serial';
}

/** The variant every reduction runs instead of chooseReduceVariant's pick (see pinReduceVariant). */
let pinned: ReduceVariant | undefined;

/**
 * Makes every reduction run `variant` (undefined: pick by shape again). For the tests that check both
 * variants on one adapter; not exported from the package, so no user code depends on a kernel's name.
 */
export function pinReduceVariant(variant: ReduceVariant | undefined): void {
  pinned = variant;
}

export function reduce(ctx: KernelContext, op: ReduceOp, x: View, axes: readonly number[], out: View): void {
  const nOut = sizeOf(out.shape);
  if (nOut === 0) return;
  const keptDims = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const outStrides = contiguousStrides(out.shape);
  const kept = coalesce(
    keptDims.map((d) => x.shape[d]!),
    [keptDims.map((d) => x.strides[d]!), keptDims.map((d) => outStrides[d]!)],
  );
  const red = coalesce(
    axes.map((d) => x.shape[d]!),
    [axes.map((d) => x.strides[d]!)],
  );
  const R = sizeOf(red.shape);
  const innerStride = red.strides[0]![red.shape.length - 1] ?? 1;
  const variant = pinned ?? chooseReduceVariant(R, nOut, innerStride, ctx.cpuAdapter);

  const p = new Params();
  p.push(nOut, R);
  const keptShapeAt = p.push(...kept.shape);
  const keptXAt = p.push(...kept.strides[0]!);
  const keptOutAt = p.push(...kept.strides[1]!);
  const offAt = p.push(x.offset, out.offset);
  const redShapeAt = p.push(...red.shape);
  const redXAt = p.push(...red.strides[0]!);
  // Long reductions into few outputs split the run over several workgroups per output (pass 1 writes
  // [nOut, chunks] partials into a scratch buffer), then reduce the partials (pass 2). arg* never split.
  const { combine: combineOp, arg: cmp } = REDUCTIONS[op];
  const arg = cmp !== undefined;
  const chunks =
    variant === 'workgroup' && !arg && R >= SPLIT_MIN && nOut < 256
      ? Math.min(MAX_CHUNKS, Math.ceil(R / CHUNK))
      : 1;
  const chunkLen = Math.ceil(R / chunks);
  const chunkAt = p.push(chunks, chunkLen);
  const scratch = chunks > 1 ? ctx.recorder.scratch(nOut * chunks * 4) : undefined;

  const xt = wgslType(x.dtype);
  // Sums accumulate in the output dtype (bool -> int32 counts); the rest in the input's.
  const accDType = op === 'sum' ? out.dtype : x.dtype;
  const at = wgslType(accDType);
  const key = `red|${op}|${variant}|${x.dtype}>${out.dtype}|k${kept.shape.length}|r${red.shape.length}|w${p.words.length}`;
  const wgsl = ctx.shader(key, () => {
    const load = op === 'sum' ? CAST.wgsl(`bx[xo]`, x.dtype, accDType, at) : 'bx[xo]';
    const combine = BINARY[combineOp].wgsl(['a', 'b'], at);
    const kahan = op === 'sum' && at === 'f32';
    const helpers = `
fn combine(a: ${at}, b: ${at}) -> ${at} { return ${combine}; }${
      arg
        ? `
// NaN counts as the extreme (as PyTorch); ties go to the lower index.
fn better(v: ${at}, i: u32, bv: ${at}, bi: u32) -> bool {
  let vn = ${at === 'f32' ? 'isnan_f32(v)' : 'false'};
  let bn = ${at === 'f32' ? 'isnan_f32(bv)' : 'false'};
  if (vn || bn) { return vn && (!bn || i < bi); }
  return v ${cmp} bv || (v == bv && i < bi);
}`
        : ''
    }`;
    // Per-invocation accumulation over r in [start, end) step `step`.
    const accumulate = (start: string, step: string, end = 'pu(1u)') => `
  var acc: ${at} = ${identity(op, accDType)};
  var idx: u32 = 0xffffffffu;
  var comp: ${at} = ${wgslConst(0, accDType)};
  for (var r: u32 = ${start}; r < ${end}; r = r + ${step}) {
    ${offsetsFromIndex('r', red.shape.length, redShapeAt, [redXAt], [offAt], 'x')}
    let xo = base + x0;
    let v = ${load};
    ${arg ? 'if (better(v, r, acc, idx)) { acc = v; idx = r; }' : kahan ? 'let y = v - comp; let t = acc + y; comp = (t - acc) - y; acc = t;' : 'acc = combine(acc, v);'}
  }`;
    const keptOffsets = `${offsetsFromIndex('o', kept.shape.length, keptShapeAt, [keptXAt, keptOutAt], [offAt, offAt + 1], 'k')}
  let base = k0 - pu(${offAt}u);`;
    const result = arg ? 'i32(idx)' : 'acc';
    const decls = `${paramsDecl(p.words.length)}
@group(0) @binding(1) var<storage, read_write> bout: array<${wgslType(out.dtype)}>;
@group(0) @binding(2) var<storage, read> bx: array<${xt}>;
${BITS_HELPER}
${helpers}`;
    if (variant === 'serial') {
      return `${decls}
${main1d(
  `${keptOffsets}
  ${accumulate('0u', '1u')}
  bout[k1] = ${result};`,
  'o',
)}
`;
    }
    return `${decls}
var<workgroup> sacc: array<${at}, ${GROUP}>;
var<workgroup> sidx: array<u32, ${GROUP}>;
@compute @workgroup_size(${GROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let chunks = pu(${chunkAt}u);
  let o = g / chunks;
  let c = g % chunks;
  // Uniform control flow for the barriers below: out-of-range groups still take part, then write nothing.
  let live = o < pu(0u);
  ${keptOffsets}
  let rStart = c * pu(${chunkAt + 1}u);
  let rEnd = min(pu(1u), rStart + pu(${chunkAt + 1}u));
  ${accumulate('select(rEnd, rStart + lid, live)', `${GROUP}u`, 'rEnd')}
  sacc[lid] = acc;
  sidx[lid] = idx;
  for (var s: u32 = ${GROUP / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (lid < s) {
      ${arg ? `if (better(sacc[lid + s], sidx[lid + s], sacc[lid], sidx[lid])) { sacc[lid] = sacc[lid + s]; sidx[lid] = sidx[lid + s]; }` : 'sacc[lid] = combine(sacc[lid], sacc[lid + s]);'}
    }
  }
  if (lid == 0u && live) {
    ${arg ? 'bout[k1] = i32(sidx[0]);' : 'bout[k1 * chunks + c] = sacc[0];'}
  }
}
`;
  });
  if (variant === 'serial') {
    ctx.dispatch1d(`reduce.${op}`, wgsl, p, [ctx.buffer(out), ctx.buffer(x)], nOut);
    return;
  }
  if (!scratch) {
    ctx.dispatch1d(`reduce.${op}`, wgsl, p, [ctx.buffer(out), ctx.buffer(x)], nOut, 1);
    return;
  }
  // Pass 1 writes partials as if `out` were the contiguous [nOut, chunks] scratch (its kept strides are
  // contiguous, so k1 is the output's linear index and offset 0 is right there).
  p.words[offAt + 1] = 0;
  ctx.dispatch1d(`reduce.${op}`, wgsl, p, [scratch, ctx.buffer(x)], nOut * chunks, 1);
  const partials: View = {
    storage: {
      backend: null as never,
      handle: { buffer: scratch },
      dtype: out.dtype,
      size: nOut * chunks,
      bytes: nOut * chunks * 4,
      refs: 1,
    },
    shape: [nOut, chunks],
    strides: [chunks, 1],
    offset: 0,
    dtype: out.dtype,
  };
  // (out may be a Tensor, whose dtype is a getter: spell the view out.)
  const into: View = {
    storage: out.storage,
    shape: [nOut, 1],
    strides: [1, 1],
    offset: out.offset,
    dtype: out.dtype,
  };
  reduce(ctx, op, partials, [1], into);
  ctx.recorder.release(scratch);
}
