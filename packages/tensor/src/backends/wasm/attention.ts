/**
 * Fused attention over a batch of heads (the CPU backend's Backend.attention): each task takes a run of heads
 * and, per head, lays kᵀ out in rows, computes S = q @ kᵀ straight into the head's probs, turns each row into
 * softmax(S · scale) in place (row max, shifted scaled exp, row sum, divide) and computes out = probs @ v (the
 * task code is in control.ts, kind 4). A head's scores stay in cache between the five steps, instead of five
 * passes over the whole [heads, Lq, Lk] tensor, and the heads are shared between threads. Results do not depend
 * on the thread count: each head is computed by one task in a fixed order.
 */
import { SCALED_EXP } from '../../ops/attention.js';
import { exprKey } from '../../ops/expr.js';
import { arg } from '../../ops/fluent.js';
import { A_TABLE_CAPACITY, CTL } from './control.js';
import type { ElementwiseCache } from './elementwise.js';
import { DIRECT_MAX_K } from './matmul-direct.js';
import { runJob, type WorkerPool } from './pool.js';
import type { KernelBytes } from './pool-jobs.js';
import type { WasmRuntime } from './runtime.js';

/** One operand over the heads: head h's matrix starts at offsets[h]; (r, c) at + r*rowStride + c*colStride. */
export interface HeadOperand {
  readonly data: Float32Array;
  readonly offsets: readonly number[];
  readonly rowStride: number;
  readonly colStride: number;
}

export interface AttentionArgs {
  readonly q: HeadOperand;
  readonly k: HeadOperand;
  readonly v: HeadOperand;
  /** Contiguous [heads, Lq, Dv] and [heads, Lq, Lk] outputs, from element `outOffset` / `probsOffset`. */
  readonly out: Float32Array;
  readonly outOffset: number;
  readonly probs: Float32Array;
  readonly probsOffset: number;
  readonly Lq: number;
  readonly Lk: number;
  readonly D: number;
  readonly Dv: number;
  readonly scale: number;
}

/** Counters of the WebAssembly tier's fused attention kernel. */
export interface AttentionStats {
  calls: number;
}

/** Tasks per job (runs of heads): enough to balance two or more threads, each a few head-sized products. */
const TASKS = 16;

/**
 * Runs the fused attention; false (nothing written) where it does not apply: operands or outputs outside the
 * heap, shapes below the unpacked kernel's tile (Lq < 6, Lk < 8, Dv < 8) or above its depth (D or Lk > 256),
 * v without unit column stride, a scale that is not positive (the row max must stay the max after scaling).
 */
export function attentionF32(
  rt: WasmRuntime,
  cache: ElementwiseCache,
  bytes: KernelBytes,
  pool: WorkerPool | undefined,
  maxWorkers: number,
  args: AttentionArgs,
  stats: AttentionStats,
): boolean {
  const { q, k, v, Lq, Lk, D, Dv, scale } = args;
  const heads = q.offsets.length;
  const heap = rt.heap;
  if (!heap || heads === 0) return false;
  const { mr, nr } = rt.directShape;
  if (Lq < mr || Lk < nr || Dv < nr || D < 1 || D > DIRECT_MAX_K || Lk > DIRECT_MAX_K) return false;
  if (!(scale > 0) || v.colStride !== 1) return false;
  for (const x of [q, k, v]) if (!heap.owns(x.data) || x.rowStride < 0 || x.colStride < 0) return false;
  if (!heap.owns(args.out) || !heap.owns(args.probs)) return false;
  const shifted = SCALED_EXP(scale, 'float32');
  const divide = arg(0).div(arg(1)).expr;
  const exp = cache.get(exprKey(shifted), shifted, ['row', 'splat']);
  const div = cache.get(exprKey(divide), divide, ['row', 'splat']);
  if (!exp || !div) return false;
  const expAt = bytes.address(exp);
  const divAt = bytes.address(div);
  if (expAt === undefined || divAt === undefined) return false;
  // per head: kᵀ in rows, then the row maxima and sums
  const perHead = (D * Lk + 2 * Lq) * 4;
  const chunk = Math.min(heads, A_TABLE_CAPACITY);
  const scratch = rt.scratch(chunk * perHead);
  if (scratch === undefined) return false;
  const ctl = rt.ctl;
  const lookup = (id: number) => (id === exp.id ? exp : div).fn;
  for (let h0 = 0; h0 < heads; h0 += chunk) {
    const n = Math.min(chunk, heads - h0);
    for (let h = 0; h < n; h++) {
      ctl[CTL.A_TABLE + h] = q.data.byteOffset + (q.offsets[h0 + h] as number) * 4;
      ctl[CTL.B_TABLE + h] = k.data.byteOffset + (k.offsets[h0 + h] as number) * 4;
      ctl[CTL.C_TABLE + h] = v.data.byteOffset + (v.offsets[h0 + h] as number) * 4;
    }
    const per = Math.max(1, Math.ceil(n / TASKS));
    const tasks = Math.ceil(n / per);
    ctl[CTL.KIND] = 4;
    ctl[CTL.AT_Q_SM] = q.rowStride * 4;
    ctl[CTL.AT_Q_SK] = q.colStride * 4;
    ctl[CTL.AT_K_SN] = k.rowStride * 4;
    ctl[CTL.AT_K_SK] = k.colStride * 4;
    ctl[CTL.AT_V_SK] = v.rowStride * 4;
    ctl[CTL.AT_LQ] = Lq;
    ctl[CTL.AT_LK] = Lk;
    ctl[CTL.AT_D] = D;
    ctl[CTL.AT_DV] = Dv;
    ctl[CTL.AT_HEADS] = n;
    ctl[CTL.AT_PER] = per;
    ctl[CTL.AT_P] = args.probs.byteOffset + (args.probsOffset + h0 * Lq * Lk) * 4;
    ctl[CTL.AT_O] = args.out.byteOffset + (args.outOffset + h0 * Lq * Dv) * 4;
    ctl[CTL.AT_SCRATCH] = scratch;
    ctl[CTL.EW_ID] = exp.id;
    ctl[CTL.EW_CODE] = expAt;
    ctl[CTL.EW_CODE_LEN] = exp.bytes.length;
    ctl[CTL.AT_DIV_ID] = div.id;
    ctl[CTL.AT_DIV_CODE] = divAt;
    ctl[CTL.AT_DIV_LEN] = div.bytes.length;
    // the pool wakes only workers that listen; without one the calling thread runs every task
    if (pool !== undefined) pool.run(tasks, maxWorkers, lookup);
    else runJob(ctl, rt.exports, tasks, 0, lookup);
  }
  stats.calls++;
  return true;
}
