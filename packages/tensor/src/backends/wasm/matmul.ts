/**
 * The matmul driver: packs strided operands into scratch memory, runs the gemm tasks (on the calling thread or
 * the pool) and copies C out. Copies are bounded by the operands: packed A and B in, M*N floats out, per batch
 * entry, and each operand shared by every batch entry (a broadcast weight) is packed once.
 */
import { A_TABLE_CAPACITY, B_TABLE_CAPACITY, CTL, GUIDED_CAPACITY, MAX_TASKS } from './control.js';
import { matmulDirect } from './matmul-direct.js';
import {
  align16,
  allEqual,
  countMatmul,
  type MatmulStats,
  type MatOperand,
  stageSpan,
  uniformStep,
} from './matmul-operands.js';
import { packLastPanel, packPanels, unpackC } from './pack.js';
import { runJob, type WorkerPool } from './pool.js';
import type { WasmRuntime } from './runtime.js';

export type { MatmulStats, MatOperand } from './matmul-operands.js';

export interface MatmulArgs {
  /** [batch][M, K] */
  readonly a: MatOperand;
  /** [batch][K, N] */
  readonly b: MatOperand;
  /** [batch][M, N], written. */
  readonly out: MatOperand;
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

/** K block: a KC x NR panel of B (12 KiB) stays in L1 while A panels stream past. */
const KC = 256;
/** At most this many MR-row panels per task (128 rows: a 128 KiB block of A stays in L2). */
const MAX_PANELS_PER_TASK = 32;
/** Batch entries per job (8 tasks each at most): task counts stay below MAX_TASKS. */
const BATCH_CHUNK = 4096;
/** Below this many flops the pool's wake-up costs more than it saves. */
export const PARALLEL_MIN_FLOPS = 1 << 22;

/**
 * Computes out = a @ b for every batch entry. Returns false when the scratch memory would exceed the 2 GiB
 * ceiling, so the caller can fall back to the JS tier, which rewrites the whole output (a batch run in chunks
 * may already have written its first chunks).
 */
export function matmulF32(
  rt: WasmRuntime,
  pool: WorkerPool | undefined,
  maxWorkers: number,
  args: MatmulArgs,
  stats: MatmulStats,
  parallelMinFlops = PARALLEL_MIN_FLOPS,
): boolean {
  const { a, b, out, N, K } = args;
  let M = args.M;
  let batch = out.offsets.length;
  if (a.offsets.length !== batch || b.offsets.length !== batch) {
    throw new Error(
      `wasm matmul: batch sizes differ (a ${a.offsets.length}, b ${b.offsets.length}, out ${batch})`,
    );
  }
  if (M === 0 || N === 0 || batch === 0) return true;
  if (batch > BATCH_CHUNK) {
    // keeps task counts and the A source table within the control block
    for (let i0 = 0; i0 < batch; i0 += BATCH_CHUNK) {
      const part = (op: MatOperand): MatOperand => ({
        ...op,
        offsets: Array.from(op.offsets).slice(i0, i0 + BATCH_CHUNK),
      });
      if (
        !matmulF32(
          rt,
          pool,
          maxWorkers,
          { ...args, a: part(a), b: part(b), out: part(out) },
          stats,
          parallelMinFlops,
        )
      )
        return false;
    }
    return true;
  }
  if (K === 0) {
    for (let i = 0; i < batch; i++) {
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++)
          out.data[(out.offsets[i] as number) + m * out.rowStride + n * out.colStride] = 0;
    }
    return true;
  }
  let aOffsets = a.offsets;
  let bOffsets = b.offsets;
  let outOffsets = out.offsets;
  let shareA = allEqual(a.offsets);
  const shareB = allEqual(b.offsets);
  // x[batch, M, K] @ w[K, N] with rows of consecutive entries adjacent: one matmul with batch*M rows
  if (
    batch > 1 &&
    shareB &&
    uniformStep(a.offsets, M * a.rowStride) &&
    uniformStep(out.offsets, M * out.rowStride)
  ) {
    M *= batch;
    batch = 1;
    aOffsets = [a.offsets[0] as number];
    bOffsets = [b.offsets[0] as number];
    outOffsets = [out.offsets[0] as number];
    shareA = true;
  }
  const direct = matmulDirect(
    rt,
    pool,
    maxWorkers,
    {
      a: { ...a, offsets: aOffsets },
      b: { ...b, offsets: bOffsets },
      out: { ...out, offsets: outOffsets },
      M,
      N,
      K,
    },
    { shareA, shareB },
    stats,
    parallelMinFlops,
  );
  if (direct !== undefined) return direct;

  const { mr, nr } = rt.gemmShape;
  const mPanels = Math.ceil(M / mr);
  const nPanels = Math.ceil(N / nr);
  const ldc = nPanels * nr;
  const apBatch = align16(mPanels * mr * K);
  const bpBatch = align16(nPanels * nr * K);
  const cpBatch = align16(mPanels * mr * ldc);
  const apFloats = (shareA ? 1 : batch) * apBatch;
  const bpFloats = (shareB ? 1 : batch) * bpBatch;

  const aEntries = shareA ? 1 : batch;
  const bEntries = shareB ? 1 : batch;
  const spanA = stageSpan({ ...a, offsets: aOffsets }, aEntries, M, K);
  const spanB = stageSpan(b, bEntries, K, N);
  // operands already in the wasm heap are packed from where they are
  const aInHeap = spanA !== undefined && rt.heap?.owns(a.data) === true;
  const bInHeap = spanB !== undefined && rt.heap?.owns(b.data) === true;
  const stageAFloats = spanA && !aInHeap ? align16(spanA.hi - spanA.lo) : 0;
  const stageBFloats = spanB && !bInHeap ? align16(spanB.hi - spanB.lo) : 0;
  const total = (stageAFloats + stageBFloats + apFloats + bpFloats + batch * cpBatch) * 4;
  const base = rt.scratch(total);
  if (base === undefined) return false;
  const sa = aInHeap && spanA ? a.data.byteOffset + spanA.lo * 4 : base;
  const sb = bInHeap && spanB ? b.data.byteOffset + spanB.lo * 4 : base + stageAFloats * 4;
  const ap = base + (stageAFloats + stageBFloats) * 4;
  const bp = ap + apFloats * 4;
  const cp = bp + bpFloats * 4;
  const mem = rt.f32;
  const kx = rt.exports;
  if (spanA && !aInHeap) mem.set(a.data.subarray(spanA.lo, spanA.hi), sa / 4);
  if (spanB && !bInHeap) mem.set(b.data.subarray(spanB.lo, spanB.hi), sb / 4);
  const fullA = Math.floor(M / mr);
  const fullB = Math.floor(N / nr);
  // A: tasks pack their own full panels in parallel when each batch entry has its own A (and sources fit the
  // table); otherwise, and for every ragged last panel, the calling thread packs here.
  const ctl = rt.ctl;
  // One product with fewer rows than columns (a weight gradient xᵀ @ g), or a transposed B with up to twice
  // as many rows as columns (x @ Wᵀ at batch 1, whose B packs by a slow strided gather): tasks take runs of
  // column panels, each packing its own panels of B, so B is packed in parallel and no thread streams all of
  // it; A, which every task reads whole, is packed here. (ViT-Ti/16's fc2 at batch 1, 197×768 @ 768×192:
  // 1.44 -> 1.22 ms.)
  const byCols =
    batch === 1 &&
    spanA !== undefined &&
    spanB !== undefined &&
    (M < N || (b.colStride !== 1 && M < 2 * N)) &&
    nPanels > 1 &&
    nPanels <= GUIDED_CAPACITY;
  const tasksPackA =
    !byCols && spanA !== undefined && (!shareA || batch === 1) && aEntries <= A_TABLE_CAPACITY;
  for (let i = 0; i < aEntries; i++) {
    const dst = ap / 4 + i * apBatch;
    if (!spanA) {
      packPanels(a.data, aOffsets[i] as number, a.rowStride, a.colStride, M, K, mr, mem, dst);
      continue;
    }
    const src = sa / 4 + (aOffsets[i] as number) - spanA.lo;
    if (tasksPackA) ctl[CTL.A_TABLE + i] = src * 4;
    else kx.packA(src * 4, a.rowStride * 4, a.colStride * 4, fullA, K, dst * 4);
    packLastPanel(mem, src, a.rowStride, a.colStride, M, K, mr, fullA, dst);
  }
  ctl[CTL.A_PACK] = tasksPackA ? 1 : 0;
  ctl[CTL.A_SM] = a.rowStride * 4;
  ctl[CTL.A_SK] = a.colStride * 4;
  ctl[CTL.A_FULL] = fullA;
  // B: with many batch entries each entry is one task, and that task packs its own B (in parallel)
  const manyEntries = batch >= 8 && mPanels <= 2 * MAX_PANELS_PER_TASK;
  const tasksPackB = manyEntries && spanB !== undefined && !shareB && bEntries <= B_TABLE_CAPACITY;
  for (let i = 0; i < bEntries; i++) {
    const dst = bp / 4 + i * bpBatch;
    if (!spanB) {
      packPanels(b.data, b.offsets[i] as number, b.colStride, b.rowStride, N, K, nr, mem, dst);
      continue;
    }
    const src = sb / 4 + (b.offsets[i] as number) - spanB.lo;
    if (tasksPackB || byCols) {
      ctl[CTL.B_TABLE + i] = src * 4;
      continue;
    }
    kx.packB(src * 4, b.rowStride * 4, b.colStride * 4, fullB, K, dst * 4);
    packLastPanel(mem, src, b.colStride, b.rowStride, N, K, nr, fullB, dst);
  }
  ctl[CTL.B_PACK] = tasksPackB ? 1 : 0;
  ctl[CTL.B_SK] = b.rowStride * 4;
  ctl[CTL.B_SN] = b.colStride * 4;
  ctl[CTL.B_FULL] = fullB;
  ctl[CTL.B_TAIL] = N - fullB * nr;

  // fixed task shapes (a function of the sizes only), so the split never depends on the thread count
  const panelsPerTask = Math.max(
    Math.min(MAX_PANELS_PER_TASK, Math.ceil(mPanels / 8)),
    Math.ceil((mPanels * batch) / MAX_TASKS),
    1,
  );
  let perBatch = Math.ceil(mPanels / panelsPerTask);
  // One product: tasks shrink towards the end (a quarter of what is left, 2 to 32 panels), so a thread that
  // is descheduled holding the last task delays the others little. Results do not depend on the split.
  const starts: number[] = [];
  const panels = byCols ? nPanels : mPanels;
  if (batch === 1 && !manyEntries) {
    for (let p = 0; p < panels; p += Math.min(MAX_PANELS_PER_TASK, Math.max(2, Math.ceil((panels - p) / 4))))
      starts.push(p);
  }
  const guided = starts.length > 0 && starts.length <= GUIDED_CAPACITY;
  if (guided) {
    perBatch = starts.length;
    starts.forEach((p, i) => {
      ctl[CTL.TASK_START + i] = p;
    });
    ctl[CTL.TASK_START + starts.length] = panels;
  }
  ctl[CTL.KIND] = 0;
  ctl[CTL.BY_COLS] = guided && byCols ? 1 : 0;
  ctl[CTL.GUIDED] = guided ? 1 : 0;
  ctl[CTL.TASKS_PER_BATCH] = perBatch;
  ctl[CTL.PANELS_PER_TASK] = panelsPerTask;
  ctl[CTL.M_PANELS] = mPanels;
  ctl[CTL.N_PANELS] = nPanels;
  ctl[CTL.K] = K;
  ctl[CTL.KC] = KC;
  ctl[CTL.MR] = mr;
  ctl[CTL.LDC_BYTES] = ldc * 4;
  ctl[CTL.AP] = ap;
  ctl[CTL.AP_BATCH_BYTES] = shareA ? 0 : apBatch * 4;
  ctl[CTL.BP] = bp;
  ctl[CTL.BP_BATCH_BYTES] = shareB ? 0 : bpBatch * 4;
  ctl[CTL.CP] = cp;
  ctl[CTL.CP_BATCH_BYTES] = cpBatch * 4;
  const flops = 2 * M * N * K * batch;
  const parallel = pool !== undefined && maxWorkers > 0 && flops >= parallelMinFlops && perBatch * batch > 1;
  const tasks = perBatch * batch;
  const mine = parallel ? pool.run(tasks, maxWorkers) : runJob(ctl, rt.exports, tasks, 0);

  const c = rt.f32;
  for (let i = 0; i < batch; i++) {
    unpackC(
      c,
      cp / 4 + i * cpBatch,
      ldc,
      M,
      N,
      out.data,
      outOffsets[i] as number,
      out.rowStride,
      out.colStride,
    );
  }
  countMatmul(stats, {
    direct: false,
    parallel,
    tasks,
    mine,
    bytesIn: (stageAFloats + stageBFloats + apFloats + bpFloats) * 4,
    bytesOut: M * N * batch * 4,
  });
  return true;
}
