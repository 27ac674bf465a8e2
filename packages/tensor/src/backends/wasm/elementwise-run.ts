/**
 * Runs a fused elementwise kernel over a coalesced layout of JS arrays: the last two dims are the kernel's
 * [rows, cols] block, any dims before them are walked here. Each input's span is staged into scratch with one
 * memcpy, the output is computed into scratch (rows padded to a multiple of four) and copied out. Copies are
 * the operands' sizes, counted in the stats.
 */
import type { Expr } from '../../ops/expr.js';
import type { ElementwiseCache, ElementwiseKernel, InputMode } from './elementwise.js';
import type { WasmRuntime } from './runtime.js';

export interface EwOperand {
  readonly data: Float32Array;
  readonly offset: number;
  /** One stride per dim of the shape (elements; 0 broadcasts). */
  readonly strides: readonly number[];
}

/** Counters of the WebAssembly tier's fused elementwise kernels. */
export interface ElementwiseStats {
  calls: number;
  /** Calls split over the worker pool. */
  parallelCalls: number;
  /** Bytes staged into wasm memory and copied out of it (none for operands and outputs in the heap). */
  bytesIn: number;
  bytesOut: number;
}

/**
 * Runs one kernel call on the worker pool, cut into row ranges (byRows) or vector ranges of a single row;
 * false when it declines (small work, no pool), and the caller makes the call itself. Elements are
 * independent, so the split never changes a result.
 */
export type ElementwiseParallel = (
  kernel: ElementwiseKernel,
  args: readonly number[],
  byRows: boolean,
  units: number,
  elements: number,
) => boolean;

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The kernel mode for an operand's stride along the row. */
export function modeOf(colStride: number): InputMode {
  return colStride === 1 ? 'row' : colStride === 0 ? 'splat' : 'strided';
}

/**
 * out = expr(inputs) over `shape` (rank >= 1, the output's last stride 1). False (nothing written) when an
 * operand has a negative stride, is too sparse to stage, or scratch would pass the ceiling.
 */
export function elementwiseF32(
  rt: WasmRuntime,
  cache: ElementwiseCache,
  stats: ElementwiseStats,
  parallel: ElementwiseParallel | undefined,
  key: string,
  expr: Expr,
  inputs: readonly EwOperand[],
  out: EwOperand,
  shape: readonly number[],
): boolean {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return true;
  const cols = shape[rank - 1] as number;
  const rows = rank >= 2 ? (shape[rank - 2] as number) : 1;
  const outer = shape.slice(0, Math.max(0, rank - 2));
  const rowOf = (x: EwOperand): number => (rank >= 2 ? (x.strides[rank - 2] as number) : 0);
  const colOf = (x: EwOperand): number => x.strides[rank - 1] as number;
  if (colOf(out) !== 1) return false;

  const heap = rt.heap;
  const spans: [number, number][] = [];
  const slack: number[] = [];
  // operands already in the wasm heap are read in place (their strided over-reads stay inside the headroom)
  const inPlace = inputs.map((x) => heap?.owns(x.data) === true && 3 * colOf(x) * 4 < 128 * 1024);
  let floats = 0;
  for (const [i, x] of inputs.entries()) {
    let hi = x.offset + 1;
    for (let d = 0; d < rank; d++) {
      const s = x.strides[d] as number;
      if (s < 0) return false;
      hi += ((shape[d] as number) - 1) * s;
    }
    hi = Math.min(hi, x.data.length);
    if (hi - x.offset > 2 * total + 4096) return false;
    spans.push([x.offset, hi]);
    // the kernel reads up to three elements past a row
    slack.push(align4(3 * colOf(x) + 4));
    if (!inPlace[i]) floats += align4(hi - x.offset) + (slack[slack.length - 1] as number);
  }
  let slabs = 1;
  for (const d of outer) slabs *= d;
  // the result goes straight into a heap-resident output when its rows are back to back (the kernel writes
  // each row exactly)
  const direct =
    heap?.owns(out.data) === true &&
    isRowMajor(out.strides, shape) &&
    !inputs.some((x, i) =>
      overlaps(x.data, spans[i] as [number, number], out.data, out.offset, out.offset + total),
    );
  const ld = direct ? cols : align4(cols);
  const slab = rows * ld;
  const scratch = rt.scratch((floats + (direct ? 0 : slabs * slab)) * 4);
  if (scratch === undefined) return false;
  const mem = rt.f32;
  let at = scratch / 4;
  const base: number[] = [];
  let bytesIn = 0;
  inputs.forEach((x, i) => {
    const [lo, hi] = spans[i] as [number, number];
    if (inPlace[i]) {
      base.push(x.data.byteOffset / 4 + lo);
      return;
    }
    mem.set(x.data.subarray(lo, hi), at);
    bytesIn += (hi - lo) * 4;
    base.push(at);
    at += align4(hi - lo) + (slack[i] as number);
  });
  const outAt = direct ? out.data.byteOffset / 4 + out.offset : at;
  const kernel = cache.get(
    key,
    expr,
    inputs.map((x) => modeOf(colOf(x))),
  );
  if (!kernel) return false;
  const args: number[] = new Array(5 + 3 * inputs.length).fill(0);
  args[1] = rows;
  args[2] = Math.ceil(cols / 4);
  args[3] = ld * 4;
  args[args.length - 1] = cols % 4 || 4;
  inputs.forEach((x, i) => {
    args[5 + 3 * i] = rowOf(x) * 4;
    args[6 + 3 * i] = colOf(x) * 4;
  });
  // walk the outer dims (odometer), one kernel call per [rows, cols] slab
  const idx = new Array<number>(outer.length).fill(0);
  const inOff = inputs.map(() => 0);
  let outOff = out.offset;
  const contiguousOut = direct || (ld === cols && isRowMajor(out.strides, shape));
  for (let s = 0; s < slabs; s++) {
    args[0] = (outAt + s * slab) * 4;
    for (let i = 0; i < inputs.length; i++)
      args[4 + 3 * i] = ((base[i] as number) + (inOff[i] as number)) * 4;
    // one slab may go to the pool, by rows or (one row) by runs of vectors
    if (!(slabs === 1 && parallel?.(kernel, args, rows > 1, rows > 1 ? rows : (args[2] as number), total)))
      kernel.fn(...args);
    if (!contiguousOut && !direct) {
      const orow = rowOf(out);
      for (let r = 0; r < rows; r++) {
        const from = outAt + s * slab + r * ld;
        out.data.set(mem.subarray(from, from + cols), outOff + r * orow);
      }
    }
    for (let d = outer.length - 1; d >= 0; d--) {
      const n = outer[d] as number;
      if (++(idx[d] as number) < n) {
        for (let i = 0; i < inputs.length; i++)
          inOff[i] = (inOff[i] as number) + ((inputs[i] as EwOperand).strides[d] as number);
        outOff += out.strides[d] as number;
        break;
      }
      idx[d] = 0;
      for (let i = 0; i < inputs.length; i++)
        inOff[i] = (inOff[i] as number) - ((inputs[i] as EwOperand).strides[d] as number) * (n - 1);
      outOff -= (out.strides[d] as number) * (n - 1);
    }
  }
  if (contiguousOut && !direct) out.data.set(mem.subarray(outAt, outAt + total), out.offset);
  stats.calls++;
  stats.bytesIn += bytesIn;
  if (!direct) stats.bytesOut += total * 4;
  return true;
}

function isRowMajor(strides: readonly number[], shape: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if ((shape[d] as number) !== 1 && strides[d] !== expect) return false;
    expect *= shape[d] as number;
  }
  return true;
}

/** Whether an input's span [lo, hi) and the output's [o0, o1) share memory. */
function overlaps(
  a: Float32Array,
  [lo, hi]: [number, number],
  o: Float32Array,
  o0: number,
  o1: number,
): boolean {
  if (a.buffer !== o.buffer) return false;
  const a0 = a.byteOffset + lo * 4;
  const a1 = a.byteOffset + hi * 4;
  return a0 < o.byteOffset + o1 * 4 && o.byteOffset + o0 * 4 < a1;
}
