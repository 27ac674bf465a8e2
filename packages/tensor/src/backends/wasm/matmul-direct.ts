/**
 * The unpacked matmul driver: products with K up to DIRECT_MAX_K run gemmDirect (gemm-direct.ts) on the
 * operands where they lie, no panels and no padded C. Operands in the wasm heap are read in place and the
 * result is written straight into a heap-resident output; anything else is staged with one memcpy (and C copied
 * out once). Only a B without unit column stride (a transposed weight, attention's kᵀ) is copied, into rows,
 * by the tasks themselves where each batch entry is one task. Tasks are whole batch entries, several per task
 * when they are small, or row chunks of one entry, cut by the sizes alone: each element of C is computed by
 * one task in a fixed order, so results are bit-identical for any number of threads.
 */
import { CTL, GUIDED_CAPACITY, MAX_TASKS } from './control.js';
import type { MatmulArgs } from './matmul.js';
import {
  align16,
  countMatmul,
  type MatmulStats,
  type MatOperand,
  spanOf,
  stageSpan,
} from './matmul-operands.js';
import { unpackC } from './pack.js';
import { runJob, type WorkerPool } from './pool.js';
import type { WasmRuntime } from './runtime.js';

/**
 * A big entry is cut into about this many chunks: each row chunk streams all of B once (each column chunk all
 * of A), so fewer, larger chunks keep that traffic down while still sharing the work between threads.
 */
const CHUNKS = 8;
/** Column chunks only where A (which every column chunk streams) fits in L2: 256 KiB. */
const COL_CHUNK_MAX_A = 1 << 16;
/** Above this K the packed path wins: its K blocking keeps a panel of B in L1 while A streams past. */
export const DIRECT_MAX_K = 256;
/** Work per task (~40 µs) at least: enough tasks to balance two or more threads, few enough to claim cheaply. */
const TASK_FLOPS = 1 << 20;

/** Where an operand's entries are for the kernel: in place in the heap, or staged at a scratch address. */
interface Placed {
  readonly inHeap: boolean;
  readonly span: { lo: number; hi: number } | undefined;
}

function place(
  rt: WasmRuntime,
  op: MatOperand,
  entries: number,
  rows: number,
  cols: number,
): Placed | undefined {
  if (op.rowStride < 0 || op.colStride < 0) return undefined;
  if (rt.heap?.owns(op.data) === true) return { inHeap: true, span: spanOf(op, entries, rows, cols) };
  const span = stageSpan(op, entries, rows, cols);
  return span && { inHeap: false, span };
}

/** Whether two heap-resident float ranges share bytes. */
function overlap(
  x: MatOperand,
  xs: { lo: number; hi: number },
  y: MatOperand,
  ys: { lo: number; hi: number },
) {
  const x0 = x.data.byteOffset + xs.lo * 4;
  const y0 = y.data.byteOffset + ys.lo * 4;
  return x.data.buffer === y.data.buffer && x0 < y0 + (ys.hi - ys.lo) * 4 && y0 < x0 + (xs.hi - xs.lo) * 4;
}

/**
 * out = a @ b by gemmDirect, after batch folding (matmul.ts); undefined when this path does not apply (then
 * nothing was written), else as matmulF32.
 */
export function matmulDirect(
  rt: WasmRuntime,
  pool: WorkerPool | undefined,
  maxWorkers: number,
  args: MatmulArgs,
  share: { readonly shareA: boolean; readonly shareB: boolean },
  stats: MatmulStats,
  parallelMinFlops: number,
): boolean | undefined {
  const { a, b, out, M, N, K } = args;
  const { mr, nr } = rt.directShape;
  if (M < mr || N < nr || K > DIRECT_MAX_K || out.colStride !== 1 || out.rowStride < 0) return undefined;
  const batch = out.offsets.length;
  const aEntries = share.shareA ? 1 : batch;
  const bEntries = share.shareB ? 1 : batch;
  const pa = place(rt, a, aEntries, M, K);
  const pb = place(rt, b, bEntries, K, N);
  if (!pa?.span || !pb?.span) return undefined;
  // C goes straight into a heap-resident output unless it shares memory with an operand
  let inPlace = rt.heap?.owns(out.data) === true;
  if (inPlace) {
    const so = spanOf(out, batch, M, N);
    inPlace = !(pa.inHeap && overlap(a, pa.span, out, so)) && !(pb.inHeap && overlap(b, pb.span, out, so));
  }

  // tasks: chunks of each entry when an entry is big, else runs of whole entries. A single product whose B must
  // be laid out (x @ Wᵀ at batch 1) and whose A is small is cut by columns, so each task lays out only its own
  // columns of B; otherwise by rows (each chunk streams all of B once, and a shared B is laid out here first).
  const entryFlops = 2 * M * N * K;
  const packB = b.colStride !== 1;
  const big = entryFlops >= 2 * TASK_FLOPS;
  const byCols = big && packB && batch === 1 && M * K <= COL_CHUNK_MAX_A;
  const [extent, unit, other] = byCols ? [N, nr, M] : [M, mr, N];
  const starts = [0];
  let perTask = 1;
  if (big) {
    const maxChunks = Math.min(GUIDED_CAPACITY, Math.floor(MAX_TASKS / batch));
    const size =
      Math.ceil(Math.max(extent / CHUNKS, TASK_FLOPS / (2 * other * K), extent / maxChunks, unit) / unit) *
      unit;
    // every chunk keeps at least a tile's width (the kernel's last tile overlaps within its chunk)
    for (let x = size; extent - x >= unit; x += size) starts.push(x);
  } else perTask = Math.max(1, Math.floor(TASK_FLOPS / entryFlops));
  const chunks = starts.length;
  const tasks = chunks > 1 ? batch * chunks : Math.ceil(batch / perTask);
  const tasksPackB = packB && (byCols || (chunks === 1 && !share.shareB));
  const bpEntry = align16(K * N);
  const stageAFloats = pa.inHeap ? 0 : align16(pa.span.hi - pa.span.lo);
  const stageBFloats = pb.inHeap ? 0 : align16(pb.span.hi - pb.span.lo);
  const bpFloats = packB ? bEntries * bpEntry : 0;
  const cpFloats = inPlace ? 0 : batch * M * N;
  const base = rt.scratch((stageAFloats + stageBFloats + bpFloats + cpFloats) * 4);
  if (base === undefined) return false;
  const sa = base;
  const sb = sa + stageAFloats * 4;
  const bp = sb + stageBFloats * 4;
  const cp = bp + bpFloats * 4;
  const mem = rt.f32;
  if (!pa.inHeap) mem.set(a.data.subarray(pa.span.lo, pa.span.hi), sa / 4);
  if (!pb.inHeap) mem.set(b.data.subarray(pb.span.lo, pb.span.hi), sb / 4);
  // byte address of element 0 of an entry at `offset`
  const aAt = pa.inHeap ? a.data.byteOffset : sa - pa.span.lo * 4;
  const bAt = pb.inHeap ? b.data.byteOffset : sb - pb.span.lo * 4;
  const ctl = rt.ctl;
  const kx = rt.exports;
  for (let e = 0; e < batch; e++) {
    ctl[CTL.A_TABLE + e] = aAt + (a.offsets[e] as number) * 4;
    ctl[CTL.C_TABLE + e] = inPlace
      ? out.data.byteOffset + (out.offsets[e] as number) * 4
      : cp + e * M * N * 4;
    ctl[CTL.B_TABLE + e] =
      packB && !tasksPackB ? bp + (share.shareB ? 0 : e) * bpEntry * 4 : bAt + (b.offsets[e] as number) * 4;
  }
  if (packB && !tasksPackB) {
    for (let e = 0; e < bEntries; e++)
      kx.packBRows(
        bAt + (b.offsets[e] as number) * 4,
        b.rowStride * 4,
        b.colStride * 4,
        K,
        N,
        bp + e * bpEntry * 4,
        N * 4,
      );
  }
  for (let i = 0; i < chunks; i++) ctl[CTL.TASK_START + i] = starts[i] as number;
  ctl[CTL.TASK_START + chunks] = extent;
  ctl[CTL.D_COL_CHUNKS] = byCols ? 1 : 0;
  ctl[CTL.KIND] = 1;
  ctl[CTL.D_ASM] = a.rowStride * 4;
  ctl[CTL.D_ASK] = a.colStride * 4;
  ctl[CTL.D_BSK] = packB ? N * 4 : b.rowStride * 4;
  ctl[CTL.D_CSM] = inPlace ? out.rowStride * 4 : N * 4;
  ctl[CTL.D_M] = M;
  ctl[CTL.D_N] = N;
  ctl[CTL.D_K] = K;
  ctl[CTL.D_BATCH] = batch;
  ctl[CTL.D_PER_TASK] = perTask;
  ctl[CTL.D_CHUNKS] = chunks;
  ctl[CTL.D_PACK_B] = tasksPackB ? 1 : 0;
  ctl[CTL.D_PK] = b.rowStride * 4;
  ctl[CTL.D_PN] = b.colStride * 4;
  ctl[CTL.BP] = bp;
  ctl[CTL.BP_BATCH_BYTES] = bpEntry * 4;

  const flops = entryFlops * batch;
  const parallel = pool !== undefined && maxWorkers > 0 && flops >= parallelMinFlops && tasks > 1;
  const mine = parallel ? pool.run(tasks, maxWorkers) : runJob(ctl, kx, tasks, 0);

  if (!inPlace) {
    const c = rt.f32;
    for (let e = 0; e < batch; e++)
      unpackC(c, cp / 4 + e * M * N, N, M, N, out.data, out.offsets[e] as number, out.rowStride, 1);
  }
  countMatmul(stats, {
    direct: true,
    parallel,
    tasks,
    mine,
    bytesIn: (stageAFloats + stageBFloats + bpFloats) * 4,
    bytesOut: inPlace ? 0 : batch * M * N * 4,
  });
  return true;
}
