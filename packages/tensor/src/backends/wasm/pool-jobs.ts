/**
 * Elementwise and reduction jobs for the worker pool. A job cuts one kernel call into runs of rows (or of
 * vectors of a single row) by the sizes alone; every output element is still computed by
 * one call in the same order, so results are bit-identical to a single-threaded run. Workers compile their own
 * copy of an elementwise kernel from its bytes, which are placed in the heap once per kernel.
 */
import { CTL } from './control.js';
import type { ElementwiseKernel } from './elementwise.js';
import type { ElementwiseLookup, WorkerPool } from './pool.js';
import type { ReduceKind } from './reduce.js';
import type { WasmRuntime } from './runtime.js';

/** Below this many elements the pool's wake-up costs more than it saves. */
export const PARALLEL_MIN_ELEMENTS = 1 << 16;
/** Runs per job: small enough for a descheduled thread to hold up little, large enough to claim cheaply. */
const TASKS_PER_JOB = 16;

/** Shortest run of a row split into vectors (4 KiB of output). */
const VECTORS_PER_RUN = 256;

const REDUCE_OPS: readonly ReduceKind[] = ['sum', 'max', 'min'];

/**
 * Writes the split of `units` into runs of at least `minPer` and returns the task count. Runs of vectors are
 * kept many cache lines long, so no two threads share a line they write.
 */
function split(ctl: Int32Array, byRows: boolean, units: number, minPer: number): number {
  const per = Math.max(minPer, Math.ceil(units / TASKS_PER_JOB));
  ctl[CTL.SPLIT_ROWS] = byRows ? 1 : 0;
  ctl[CTL.SPLIT_PER] = per;
  ctl[CTL.SPLIT_UNITS] = units;
  return Math.ceil(units / per);
}

/** Places each elementwise kernel's bytes in the heap once, for workers to compile from. */
export class KernelBytes {
  private readonly at = new Map<number, number>();

  constructor(private readonly rt: WasmRuntime) {}

  /** The byte address of the kernel's module bytes, or undefined at the heap's ceiling (or without a heap). */
  address(kernel: ElementwiseKernel): number | undefined {
    let addr = this.at.get(kernel.id);
    if (addr === undefined) {
      addr = this.rt.heap?.allocBytes(kernel.bytes.length);
      if (addr === undefined) return undefined;
      new Uint8Array(this.rt.memory.buffer, addr, kernel.bytes.length).set(kernel.bytes);
      this.at.set(kernel.id, addr);
    }
    return addr;
  }
}

/** Runs kernel(...args) as a pool job over `units` rows (byRows) or vectors; false if it could not. */
export function elementwiseJob(
  rt: WasmRuntime,
  pool: WorkerPool,
  maxWorkers: number,
  code: KernelBytes,
  kernel: ElementwiseKernel,
  args: readonly number[],
  byRows: boolean,
  units: number,
  lookup: ElementwiseLookup,
): boolean {
  const addr = code.address(kernel);
  if (addr === undefined || CTL.TASK_START + args.length > CTL.A_TABLE) return false;
  const ctl = rt.ctl;
  const tasks = split(ctl, byRows, units, byRows ? 1 : VECTORS_PER_RUN);
  if (tasks < 2) return false;
  ctl[CTL.KIND] = 2;
  ctl[CTL.EW_ID] = kernel.id;
  ctl[CTL.EW_CODE] = addr;
  ctl[CTL.EW_CODE_LEN] = kernel.bytes.length;
  ctl[CTL.EW_NARGS] = args.length;
  for (let i = 0; i < args.length; i++) ctl[CTL.TASK_START + i] = args[i] as number;
  pool.run(tasks, maxWorkers, lookup);
  return true;
}

/**
 * A row reduction (reduce.ts: each output folds one contiguous run) as a pool job over output rows; false if
 * too small. Column reductions stay on one thread: they stream the input at memory speed already, and runs
 * of columns per thread only trade sequential reads for strided ones.
 */
export function reduceRowsJob(
  rt: WasmRuntime,
  pool: WorkerPool,
  maxWorkers: number,
  op: ReduceKind,
  src: number,
  R: number,
  C: number,
  rowBytes: number,
  dst: number,
): boolean {
  const ctl = rt.ctl;
  const tasks = split(ctl, true, R, 1);
  if (tasks < 2) return false;
  ctl[CTL.KIND] = 3;
  ctl[CTL.R_OP] = REDUCE_OPS.indexOf(op);
  ctl[CTL.R_SRC] = src;
  ctl[CTL.R_ROW] = rowBytes;
  ctl[CTL.R_COLS] = C;
  ctl[CTL.R_DST] = dst;
  pool.run(tasks, maxWorkers);
  return true;
}
