/**
 * The WebAssembly backend: the CPU reference backend (../cpu/index.ts) with float32 work moved into the
 * WebAssembly tier (tier.ts) where it pays. Each method tries the tier and, where it does not apply (dtype,
 * size, layout) or the tier is switched off (`setCpuTier('js')`), calls the reference kernel it overrides.
 * Registered as 'cpu' wherever WebAssembly SIMD is available (src/index.ts); `NORGA_CPU_TIER=js` keeps the
 * reference alone.
 */
import type { ReduceOp, View } from '../../backend.js';
import type { DType } from '../../dtype.js';
import { type Expr, exprKey } from '../../ops/expr.js';
import { coalesce } from '../../shape.js';
import { CpuBackend } from '../cpu/index.js';
import { supported } from './elementwise.js';
import type { EwOperand } from './elementwise-run.js';
import { envFlag } from './features.js';
import { getWasmTier, type WasmTier } from './tier.js';

/*
 * Thresholds must never change a result: the CPU backend's numbers may not depend on tensor size (a sample's
 * logits are the same alone and inside a batch). Elementwise kernels and reductions may switch tiers by size
 * because both tiers compute the same bits (float32 steps from ../f32-math.ts; row sums in one order). Matmul
 * may not: this tier accumulates in float32 with FMA, the JS kernel in doubles, so every float32 product runs
 * here whatever its size (an empty one has nothing to compute), and the JS matmul is the tier 'js' reference.
 * Fused attention has no threshold of its own beyond its kernel's shape limits: its composite fallback
 * (ops/attention.ts) computes the same steps in the same order.
 */
/**
 * NORGA_WASM_FORCE=1 (for tests): every size this tier can take goes to it (thresholds of 1, small float32
 * buffers in the heap too) and the worker pool takes small jobs (tier.ts), so the conformance suites, whose
 * tensors are mostly small, exercise this tier's kernels and the pool as they do the JS tier's.
 */
export const WASM_FORCED = envFlag('NORGA_WASM_FORCE') === '1';
/** Below this many multiply-adds, fused attention leaves the work to its composite (same bits, less overhead). */
export const WASM_ATTENTION_MIN_MACS = WASM_FORCED ? 1 : 4096;
/** Below this many input elements the JS reduction wins (bit-identical: see reduce.ts). */
export const WASM_REDUCE_MIN = WASM_FORCED ? 1 : 2048;
/** Below this many elements the JS elementwise kernel wins (bit-identical: staging and the call cost µs). */
export const WASM_ELEMENTWISE_MIN = WASM_FORCED ? 1 : 2048;
/** Float32 buffers at least this long live in the wasm heap (smaller ones gain nothing from it). */
export const WASM_HEAP_MIN = WASM_FORCED ? 1 : 1024;

/** Rows shorter than this are copied by the wasm kernel, longer ones by TypedArray.set. */
const SHORT_ROW = 64;

let enabled = true;

/** Chooses the CPU tier at run time: 'wasm' (the default where available) or 'js' (the reference). */
export function setCpuTier(tier: 'js' | 'wasm'): void {
  enabled = tier === 'wasm';
}

/** The CPU tier in use. */
export function cpuTier(): 'js' | 'wasm' {
  return enabled && getWasmTier() ? 'wasm' : 'js';
}

/** Element offsets of every batch entry of a view over `batchShape`, in row-major order. */
function batchOffsets(view: View, batchShape: readonly number[]): number[] {
  let total = 1;
  for (const n of batchShape) total *= n;
  if (total === 0) return [];
  const offs = new Array<number>(total);
  offs[0] = view.offset;
  // from the last batch dim out: the first `len` entries hold the offsets over the dims done so far
  let len = 1;
  for (let d = batchShape.length - 1; d >= 0; d--) {
    const n = batchShape[d] as number;
    const s = view.strides[d] as number;
    for (let i = n - 1; i >= 1; i--)
      for (let j = 0; j < len; j++) offs[i * len + j] = (offs[j] as number) + i * s;
    len *= n;
  }
  return offs;
}

/** a[..., M, K] @ b[..., K, N] -> out[..., M, N] (out contiguous); true if done here. */
function matmulF32(tier: WasmTier, a: View, b: View, out: View): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || out.dtype !== 'float32') return false;
  const r = a.shape.length;
  const M = a.shape[r - 2] as number;
  const K = a.shape[r - 1] as number;
  const N = b.shape[r - 1] as number;
  const batchShape = out.shape.slice(0, -2);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  if (M * N * K * batch === 0) return false;
  return tier.matmulF32({
    a: {
      data: a.storage.handle as Float32Array,
      offsets: batchOffsets(a, batchShape),
      rowStride: a.strides[r - 2] as number,
      colStride: a.strides[r - 1] as number,
    },
    b: {
      data: b.storage.handle as Float32Array,
      offsets: batchOffsets(b, batchShape),
      rowStride: b.strides[r - 2] as number,
      colStride: b.strides[r - 1] as number,
    },
    out: {
      data: out.storage.handle as Float32Array,
      offsets: batchOffsets(out, batchShape),
      rowStride: out.strides[r - 2] as number,
      colStride: out.strides[r - 1] as number,
    },
    M,
    N,
    K,
  });
}

/**
 * probs = softmax(q @ kᵀ · scale), out = probs @ v over the heads (batch dims) of float32 views, out and probs
 * contiguous; true if done here (see attention.ts for where it applies).
 */
function attentionF32(
  tier: WasmTier,
  q: View,
  k: View,
  v: View,
  scale: number,
  out: View,
  probs: View,
): boolean {
  if ([q, k, v, out, probs].some((x) => x.dtype !== 'float32')) return false;
  const r = q.shape.length;
  const [Lq, D] = q.shape.slice(-2) as [number, number];
  const Lk = k.shape[r - 2] as number;
  const Dv = v.shape[r - 1] as number;
  const batchShape = q.shape.slice(0, -2);
  const heads = batchShape.reduce((p, d) => p * d, 1);
  if (heads * Lq * Lk * (D + Dv) < WASM_ATTENTION_MIN_MACS) return false;
  const operand = (x: View) => ({
    data: x.storage.handle as Float32Array,
    offsets: batchOffsets(x, batchShape),
    rowStride: x.strides[r - 2] as number,
    colStride: x.strides[r - 1] as number,
  });
  return tier.attentionF32({
    q: operand(q),
    k: operand(k),
    v: operand(v),
    out: out.storage.handle as Float32Array,
    outOffset: out.offset,
    probs: probs.storage.handle as Float32Array,
    probsOffset: probs.offset,
    Lq,
    Lk,
    D,
    Dv,
    scale,
  });
}

const exprKeys = new WeakMap<Expr, string>();

/** out = expr(inputs) elementwise (inputs broadcast to out's shape by strides); true if done here. */
function elementwiseF32(tier: WasmTier, expr: Expr, inputs: readonly View[], out: View): boolean {
  if (out.dtype !== 'float32') return false;
  let size = 1;
  for (const d of out.shape) size *= d;
  if (size < WASM_ELEMENTWISE_MIN) return false;
  for (const x of inputs) if (x.dtype !== 'float32') return false;
  if (!supported(expr)) return false;
  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  if (shape.length === 0) return false;
  const inner = shape.length - 1;
  const outStrides = strides[0] as number[];
  // the output must be contiguous along rows; short rows waste most of each vector
  if (outStrides[inner] !== 1 || (shape.length > 1 && (shape[inner] as number) < 4)) return false;
  const ins: EwOperand[] = inputs.map((v, i) => ({
    data: v.storage.handle as Float32Array,
    offset: v.offset,
    strides: strides[i + 1] as number[],
  }));
  if (inputs.length === 1 && expr.kind === 'input') {
    const x = ins[0] as EwOperand;
    const dst = out.storage.handle as Float32Array;
    // short rows: one wasm call walks the rows (TypedArray.set costs more to set up than it copies)
    if (
      x.strides[inner] === 1 &&
      (shape[inner] as number) < SHORT_ROW &&
      tier.copyRowsF32(x.data, x.offset, x.strides, dst, out.offset, outStrides, shape)
    )
      return true;
    if (copyRows(x, out, shape, outStrides)) return true;
  }
  let key = exprKeys.get(expr);
  if (key === undefined) {
    key = exprKey(expr);
    exprKeys.set(expr, key);
  }
  return tier.elementwiseF32(
    key,
    expr,
    ins,
    { data: out.storage.handle as Float32Array, offset: out.offset, strides: outStrides },
    shape,
  );
}

/**
 * A float32 sum/max/min whose reduced elements form one contiguous run per output ('rows'), or whose outputs
 * are contiguous columns over one strided reduced dim ('cols'); true if done here (bit-identical to JS).
 */
function reduceF32(tier: WasmTier, op: ReduceOp, x: View, axes: readonly number[], out: View): boolean {
  if (x.dtype !== 'float32' || out.dtype !== 'float32') return false;
  if (op !== 'sum' && op !== 'max' && op !== 'min') return false;
  let size = 1;
  for (const d of x.shape) size *= d;
  if (size < WASM_REDUCE_MIN) return false;
  const keptDims = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const kept = coalesce(
    keptDims.map((d) => x.shape[d] as number),
    [keptDims.map((d) => x.strides[d] as number)],
  );
  const red = coalesce(
    axes.map((d) => x.shape[d] as number),
    [axes.map((d) => x.strides[d] as number)],
  );
  const ks = kept.shape;
  const kst = kept.strides[0] as number[];
  const rs = red.shape;
  const rst = red.strides[0] as number[];
  const o = out.storage.handle as Float32Array;
  const data = x.storage.handle as Float32Array;
  if (rs.length === 1 && rst[0] === 1 && ks.length <= 1) {
    return tier.reduceF32(
      op,
      'rows',
      data,
      x.offset,
      ks.length ? (kst[0] as number) : 0,
      ks.length ? (ks[0] as number) : 1,
      rs[0] as number,
      o,
      out.offset,
    );
  }
  if (ks.length === 1 && kst[0] === 1 && rs.length === 1) {
    return tier.reduceF32(
      op,
      'cols',
      data,
      x.offset,
      rst[0] as number,
      rs[0] as number,
      ks[0] as number,
      o,
      out.offset,
    );
  }
  return false;
}

/** A plain copy of rows contiguous in both source and destination: TypedArray.set per row, no kernel. */
function copyRows(x: EwOperand, out: View, shape: readonly number[], outStrides: readonly number[]): boolean {
  const rank = shape.length;
  if (x.strides[rank - 1] !== 1) return false;
  const dst = out.storage.handle as Float32Array;
  const cols = shape[rank - 1] as number;
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= shape[d] as number;
  // walk every dim but the last (odometer)
  const idx = new Array<number>(rank - 1).fill(0);
  let src = x.offset;
  let o = out.offset;
  for (let r = 0; r < rows; r++) {
    dst.set(x.data.subarray(src, src + cols), o);
    for (let d = rank - 2; d >= 0; d--) {
      const n = shape[d] as number;
      if (++(idx[d] as number) < n) {
        src += x.strides[d] as number;
        o += outStrides[d] as number;
        break;
      }
      idx[d] = 0;
      src -= (x.strides[d] as number) * (n - 1);
      o -= (outStrides[d] as number) * (n - 1);
    }
  }
  return true;
}

/**
 * The CPU backend with its float32 kernels in WebAssembly where they apply (see the header). The tier (heap,
 * workers) is process-wide: disposing the backend leaves it to the next instance.
 */
export class WasmBackend extends CpuBackend {
  constructor(readonly tier: WasmTier) {
    super();
  }

  /**
   * Float32 buffers of WASM_HEAP_MIN+ elements live in the tier's heap, where its kernels read and write in
   * place; others, or at the heap's ceiling, are plain typed arrays. Contents are unspecified (a reused block
   * is not cleared): the front-end's empty() promises no more, and every op writes its whole output.
   */
  override alloc(dtype: DType, size: number) {
    const inHeap = dtype === 'float32' && enabled && size >= WASM_HEAP_MIN;
    return (inHeap ? this.tier.runtime.heap?.allocF32(size) : undefined) ?? super.alloc(dtype, size);
  }
  override free(handle: unknown): void {
    // Heap blocks go back to the heap (it ignores other arrays); plain arrays are garbage collected.
    if (handle instanceof Float32Array) this.tier.runtime.heap?.free(handle);
  }
  override elementwise(expr: Expr, inputs: readonly View[], out: View): void {
    if (!enabled || !elementwiseF32(this.tier, expr, inputs, out)) super.elementwise(expr, inputs, out);
  }
  override reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    if (!enabled || !reduceF32(this.tier, op, x, axes, out)) super.reduce(op, x, axes, out);
  }
  override matmul(a: View, b: View, out: View): void {
    if (!enabled || !matmulF32(this.tier, a, b, out)) super.matmul(a, b, out);
  }
  override attention(q: View, k: View, v: View, scale: number, out: View, probs: View): boolean {
    return enabled && attentionF32(this.tier, q, k, v, scale, out, probs);
  }
}
