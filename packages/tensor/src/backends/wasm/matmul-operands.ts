/** The matmul drivers' shared view of their operands: strided batches, and how one is staged into wasm memory. */

/** A batch of matrices in one array: entry i starts at offsets[i]; element (r, c) is at + r*rowStride + c*colStride. */
export interface MatOperand {
  readonly data: Float32Array;
  readonly offsets: ArrayLike<number>;
  readonly rowStride: number;
  readonly colStride: number;
}

/** Counters of the WebAssembly tier's float32 matmul. */
export interface MatmulStats {
  calls: number;
  parallelCalls: number;
  /** Products run by the unpacked kernel (gemm-direct.ts); the rest were packed. */
  directCalls: number;
  /** Tasks run, and how many of them ran on workers. */
  tasks: number;
  workerTasks: number;
  /** Bytes staged into wasm memory (operands, packed panels) and copied out of it (C). */
  bytesIn: number;
  bytesOut: number;
}

/** Adds one product to the counters: the drivers' (matmul.ts, matmul-direct.ts) only bookkeeping. */
export function countMatmul(
  stats: MatmulStats,
  run: { direct: boolean; parallel: boolean; tasks: number; mine: number; bytesIn: number; bytesOut: number },
): void {
  stats.calls++;
  if (run.direct) stats.directCalls++;
  if (run.parallel) stats.parallelCalls++;
  stats.tasks += run.tasks;
  stats.workerTasks += run.tasks - run.mine;
  stats.bytesIn += run.bytesIn;
  stats.bytesOut += run.bytesOut;
}

export function allEqual(xs: ArrayLike<number>): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[0]) return false;
  return true;
}

export function uniformStep(xs: ArrayLike<number>, step: number): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) - (xs[i - 1] as number) !== step) return false;
  return true;
}

export const align16 = (floats: number): number => Math.ceil(floats / 4) * 4;

/** The span [lo, hi) of source floats the operand's first `entries` entries touch (non-negative strides). */
export function spanOf(
  op: MatOperand,
  entries: number,
  rows: number,
  cols: number,
): { lo: number; hi: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const extent = (rows - 1) * op.rowStride + (cols - 1) * op.colStride + 1;
  for (let i = 0; i < entries; i++) {
    const o = op.offsets[i] as number;
    if (o < lo) lo = o;
    if (o + extent > hi) hi = o + extent;
  }
  return { lo, hi };
}

/**
 * The operand's span (see spanOf) when it is dense enough to stage with one memcpy (at most twice the elements
 * plus a little); undefined otherwise (negative strides, sparse views).
 */
export function stageSpan(
  op: MatOperand,
  entries: number,
  rows: number,
  cols: number,
): { lo: number; hi: number } | undefined {
  if (op.rowStride < 0 || op.colStride < 0) return undefined;
  const span = spanOf(op, entries, rows, cols);
  return span.hi - span.lo <= 2 * entries * rows * cols + 4096 ? span : undefined;
}
