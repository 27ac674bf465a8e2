/**
 * Runs a float32 reduction on a [R, C] layout of a JS array: stages the input span with one memcpy, runs the
 * rows or cols kernel (reduce.ts), copies the outputs out.
 */
import type { ReduceKind } from './reduce.js';
import type { WasmRuntime } from './runtime.js';

/**
 * Runs the reduction kernel call (src, R, C, rowBytes, dst, acc: byte addresses) on the worker pool; false when
 * it declines (column layouts, small work), and the caller makes the call itself.
 */
export type ReduceParallel = (
  op: ReduceKind,
  layout: 'rows' | 'cols',
  src: number,
  R: number,
  C: number,
  rowBytes: number,
  dst: number,
  acc: number,
) => boolean;

/** Counters of the WebAssembly tier's reductions. */
export interface ReduceStats {
  calls: number;
  /** Calls split over the worker pool. */
  parallelCalls: number;
  /** Bytes staged into wasm memory (none for inputs in the heap). */
  bytesIn: number;
}

/**
 * 'rows': out[r] = fold(x[off + r*rowStride + c], c < C); 'cols': out[c] = fold(x[off + r*rowStride + c], r < R).
 * False (nothing written) when the span is too sparse to stage or scratch would pass the ceiling.
 */
export function reduceF32(
  rt: WasmRuntime,
  stats: ReduceStats,
  parallel: ReduceParallel | undefined,
  op: ReduceKind,
  layout: 'rows' | 'cols',
  x: Float32Array,
  offset: number,
  rowStride: number,
  R: number,
  C: number,
  out: Float32Array,
  outOffset: number,
): boolean {
  if (R === 0 || C === 0 || rowStride < 0) return false;
  const hi = offset + (R - 1) * rowStride + C;
  const span = hi - offset;
  if (span > 2 * R * C + 4096) return false;
  const nOut = layout === 'rows' ? R : C;
  const accFloats = layout === 'cols' ? 2 * C + 2 : 0;
  // an input already in the wasm heap is read in place
  const inPlace = rt.heap?.owns(x) === true;
  const spanFloats = inPlace ? 0 : Math.ceil(span / 2) * 2;
  const scratch = rt.scratch((spanFloats + accFloats + nOut) * 4);
  if (scratch === undefined) return false;
  const mem = rt.f32;
  const src = inPlace ? x.byteOffset + offset * 4 : scratch;
  const acc = scratch + spanFloats * 4;
  const dst = acc + accFloats * 4;
  if (!inPlace) mem.set(x.subarray(offset, hi), src / 4);
  if (parallel?.(op, layout, src, R, C, rowStride * 4, dst, acc) !== true) {
    if (layout === 'rows') rt.exports[`rows_${op}`](src, R, C, rowStride * 4, dst);
    else rt.exports[`cols_${op}`](src, R, C, rowStride * 4, dst, acc);
  }
  out.set(mem.subarray(dst / 4, dst / 4 + nOut), outOffset);
  stats.calls++;
  if (!inPlace) stats.bytesIn += span * 4;
  return true;
}
