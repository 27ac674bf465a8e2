/**
 * The control block: Int32 slots at the start of the shared memory through which the calling thread hands a
 * job to the workers. A job is published as a generation: the caller writes its parameters, then LIMIT
 * (generation and task count), then NEXT (generation and task index 0). Any thread claims a task by a
 * compare-and-swap on NEXT that only succeeds while the generation it read the parameters under is current
 * and the task is unclaimed, so a worker that wakes late can never run a task with another job's parameters,
 * and the caller only waits for tasks actually claimed, never for a sleeping worker. Who runs a task varies;
 * what a task computes does not.
 */
export const CTL = {
  /** generation << 16 | next unclaimed task index. */
  NEXT: 0,
  /** Tasks of the current generation completed. */
  DONE: 1,
  /** The current pool's epoch: a worker exits once it differs from the epoch it was started under. */
  EPOCH: 2,
  /**
   * The job's kind: 0 packed gemm (slots 9-32), 1 unpacked gemm (40-52), 2 elementwise (54-60, arguments from
   * TASK_START), 3 row reduction (33-38); kinds 2 and 3 cut units (rows, or vectors of one row) into runs (56-58);
   * 4 attention (AT_* slots, heads' q/k/v addresses in the A/B/C tables).
   */
  KIND: 3,
  /** generation << 16 | number of tasks. */
  LIMIT: 4,
  /** Packed gemm: 1 when guided task t covers column panels TASK_START + t .. (all rows), packing its B panels. */
  BY_COLS: 5,
  // gemm parameters
  TASKS_PER_BATCH: 9,
  PANELS_PER_TASK: 10,
  M_PANELS: 11,
  N_PANELS: 12,
  K: 13,
  KC: 14,
  MR: 15,
  LDC_BYTES: 16,
  AP: 17,
  AP_BATCH_BYTES: 18,
  BP: 19,
  BP_BATCH_BYTES: 20,
  CP: 21,
  CP_BATCH_BYTES: 22,
  /** 1 when tasks pack their own rows of A (from staged sources), 0 when A is already packed. */
  A_PACK: 23,
  /** Byte strides of the staged A (row, k) and the number of full MR-row panels. */
  A_SM: 24,
  A_SK: 25,
  A_FULL: 26,
  /** 1 when each task packs its batch entry's B (one task per entry), 0 when B is already packed. */
  B_PACK: 27,
  /** Byte strides of the staged B (k, column), full NR-column panels, and the columns of the ragged one. */
  B_SK: 28,
  B_SN: 29,
  B_FULL: 30,
  B_TAIL: 31,
  /** 1 when task t covers panels [TASK_START + t, TASK_START + t + 1) (one batch entry, shrinking tasks). */
  GUIDED: 32,
  /** Row reduction: op (0 sum, 1 max, 2 min), source, row bytes, columns (the run per output), outputs. */
  R_OP: 33,
  R_SRC: 34,
  R_ROW: 35,
  R_COLS: 37,
  R_DST: 38,
  // unpacked gemm parameters: byte strides of A (row, k), B (k) and C (row); sizes; how tasks cut the work
  D_ASM: 40,
  D_ASK: 41,
  D_BSK: 42,
  D_CSM: 43,
  D_M: 44,
  D_N: 45,
  D_K: 46,
  /** Batch entries, entries per task, and row chunks per entry (chunk c covers rows TASK_START + c ..). */
  D_BATCH: 47,
  D_PER_TASK: 48,
  D_CHUNKS: 49,
  /** 1 when each task first copies its entries' B (at B_TABLE, strides D_PK/D_PN) to BP + entry * BP_BATCH_BYTES. */
  D_PACK_B: 50,
  D_PK: 51,
  D_PN: 52,
  /** 1 when the chunks at TASK_START cut columns (each task then lays out only its columns of B), 0 rows. */
  D_COL_CHUNKS: 53,
  /** Elementwise: kernel id, argument count, and where its module's bytes lie (a worker compiles its own). */
  EW_ID: 54,
  EW_NARGS: 55,
  /** Kinds 2 and 3: 1 when units are rows (else vectors of one row), units per task, units. */
  SPLIT_ROWS: 56,
  SPLIT_PER: 57,
  SPLIT_UNITS: 58,
  EW_CODE: 59,
  EW_CODE_LEN: 60,
  // attention (kind 4), in the unpacked gemm's slots: byte strides of q (row, col), k (row, col) and v (row);
  // sizes; heads and heads per task; where probs, out and per-head scratch start; the two elementwise kernels
  // (shifted scaled exp at EW_ID / EW_CODE / EW_CODE_LEN, divide at AT_DIV_*)
  AT_Q_SM: 40,
  AT_Q_SK: 41,
  AT_K_SN: 42,
  AT_K_SK: 43,
  AT_V_SK: 44,
  AT_LQ: 45,
  AT_LK: 46,
  AT_D: 47,
  AT_DV: 48,
  AT_HEADS: 49,
  AT_PER: 50,
  AT_P: 51,
  AT_O: 52,
  AT_SCRATCH: 53,
  AT_DIV_ID: 61,
  AT_DIV_CODE: 62,
  AT_DIV_LEN: 63,
  /** Per worker w: READY + w is 1 once the worker listens. */
  READY: 64,
  /** Guided schedules: first panel of each task, then the panel count. */
  TASK_START: 128,
  /** Per batch entry b: A_TABLE + b is the byte address of its A, B_TABLE + b that of its B, C_TABLE + b its C. */
  A_TABLE: 1024,
  B_TABLE: 5120,
  C_TABLE: 9216,
  /** Slots in the block: it fills the first 64 KiB page. */
  SIZE: 16384,
} as const;

/** Tasks a guided schedule may have. */
export const GUIDED_CAPACITY = CTL.A_TABLE - CTL.TASK_START - 1;

/** Batch entries whose sources fit in the tables; beyond that the calling thread packs first. */
export const A_TABLE_CAPACITY = CTL.B_TABLE - CTL.A_TABLE;
export const B_TABLE_CAPACITY = CTL.C_TABLE - CTL.B_TABLE;

export const MAX_WORKERS = 63;
/**
 * Task indices and counts use the low 16 bits of NEXT and LIMIT, the generation the high 16 (so a worker
 * stalled between reading and claiming would need 65536 jobs to pass before it could be fooled).
 */
export const TASK_BITS = 16;
export const MAX_TASKS = (1 << TASK_BITS) - 1;

/** Bytes reserved at the start of memory before scratch space (one 64 KiB page keeps scratch page-aligned). */
export const SCRATCH_BASE = 65536;

type ReduceFn = (...args: number[]) => void;

/** The numbers 0 .. N-1, as a union type. */
type Below<N extends number, T extends number[] = []> = T['length'] extends N
  ? T[number]
  : Below<N, [...T, T['length']]>;
/**
 * The block's parameter slots as numbered properties, so runGemmTasks can destructure them by slot number
 * (`const { 13: K } = slot`): keyed loads, as cheap as `ctl[13]`, where destructuring an array of them would
 * allocate and iterate.
 */
type ParameterSlots = { readonly [K in Below<64>]: number };

/** The kernels a task calls (the module's exports, on the calling thread or in a worker). */
export interface TaskKernels {
  rows_sum: ReduceFn;
  rows_max: ReduceFn;
  rows_min: ReduceFn;
  gemm(ap: number, bp: number, cp: number, ldc: number, mp: number, np: number, k: number, kc: number): void;
  packA(src: number, sM: number, sK: number, panels: number, k: number, dst: number): void;
  packB(src: number, sK: number, sN: number, panels: number, k: number, dst: number): void;
  packBTail(src: number, sK: number, sN: number, cols: number, k: number, dst: number): void;
  gemmDirect(
    a: number,
    aSM: number,
    aSK: number,
    b: number,
    bSK: number,
    c: number,
    cSM: number,
    M: number,
    N: number,
    K: number,
  ): void;
  packBRows(src: number, sK: number, sN: number, K: number, N: number, dst: number, dR: number): void;
}

/**
 * Claims and runs tasks of the current generation until none are left; returns the NEXT word it found
 * exhausted (a worker sleeps until NEXT changes from it) and counts the tasks it ran in `ran[0]`. Runs on the
 * calling thread and, as source text, in every worker, so it must not refer to anything outside itself (the
 * slot numbers are CTL's, written out). A task's parameters stay valid from its claim until it counts itself
 * done: the caller publishes nothing new before every claimed task is done.
 */
export function runGemmTasks(
  ctl: Int32Array,
  kx: TaskKernels,
  ran: Int32Array,
  ew: (id: number, code: number, length: number) => (...args: number[]) => void,
): number {
  const slot = ctl as unknown as ParameterSlots;
  for (;;) {
    const word = Atomics.load(ctl, 0);
    const limit = Atomics.load(ctl, 4);
    const gen = word >>> 16;
    const t = word & 0xffff;
    // a limit from another generation means a job is being published: look again
    if (limit >>> 16 !== gen) continue;
    const tasks = limit & 0xffff;
    if (t >= tasks) return word;
    if (Atomics.compareExchange(ctl, 0, word, word + 1) !== word) continue;
    ran[0] = (ran[0] as number) + 1;
    const kind = ctl[3] as number;
    if (kind === 2 || kind === 3) {
      // units [u0, u1): rows, or vectors of a single row (elementwise only)
      const byRows = ctl[56] === 1;
      const u0 = t * (ctl[57] as number);
      const u1 = Math.min(ctl[58] as number, u0 + (ctl[57] as number));
      if (kind === 2) {
        const n = ctl[55] as number;
        const args: number[] = [];
        for (let i = 0; i < n; i++) args.push(ctl[128 + i] as number);
        // ew(out, rows, vecs, outRow, then per input: pointer, row bytes, column bytes; then lastLanes)
        if (byRows) {
          args[0] = (args[0] as number) + u0 * (args[3] as number);
          args[1] = u1 - u0;
          for (let i = 4; i < n - 1; i += 3) args[i] = (args[i] as number) + u0 * (args[i + 1] as number);
        } else {
          args[0] = (args[0] as number) + u0 * 16;
          args[2] = u1 - u0;
          for (let i = 4; i < n - 1; i += 3) args[i] = (args[i] as number) + u0 * 4 * (args[i + 2] as number);
          // only the run that ends the row ends on its partial vector
          if (u1 < (ctl[58] as number)) args[n - 1] = 4;
        }
        ew(ctl[54] as number, ctl[59] as number, ctl[60] as number)(...args);
      } else {
        const op = ['sum', 'max', 'min'][ctl[33] as number] as 'sum' | 'max' | 'min';
        const row = ctl[35] as number;
        kx[`rows_${op}`](
          (ctl[34] as number) + u0 * row,
          u1 - u0,
          ctl[37] as number,
          row,
          (ctl[38] as number) + u0 * 4,
        );
      }
      if (Atomics.add(ctl, 1, 1) + 1 === tasks) Atomics.notify(ctl, 1);
      continue;
    }
    if (kind === 4) {
      // attention, heads [h0, h1): per head kᵀ laid out in rows, S = q @ kᵀ into probs, the row softmax of
      // S · scale in place (max, shifted scaled exp, sum, divide), out = probs @ v
      // AT_Q_SM .. AT_V_SK, then AT_LQ .. AT_SCRATCH
      const { 40: qSM, 41: qSK, 42: kSN, 43: kSK, 44: vSK } = slot;
      const { 45: Lq, 46: Lk, 47: D, 48: Dv, 49: heads, 50: perTask } = slot;
      const { 51: probs, 52: outs, 53: scratch } = slot;
      const h0 = t * perTask;
      const h1 = Math.min(heads, h0 + perTask);
      const exp = ew(ctl[54] as number, ctl[59] as number, ctl[60] as number);
      const div = ew(ctl[61] as number, ctl[62] as number, ctl[63] as number);
      const per = (D * Lk + 2 * Lq) * 4;
      const lanes = Lk % 4 || 4;
      for (let h = h0; h < h1; h++) {
        const kT = scratch + h * per;
        const m = kT + D * Lk * 4;
        const sums = m + Lq * 4;
        const p = probs + h * Lq * Lk * 4;
        kx.packBRows(ctl[5120 + h] as number, kSK, kSN, D, Lk, kT, Lk * 4);
        kx.gemmDirect(ctl[1024 + h] as number, qSM, qSK, kT, Lk * 4, p, Lk * 4, Lq, Lk, D);
        kx.rows_max(p, Lq, Lk, Lk * 4, m);
        exp(p, Lq, Math.ceil(Lk / 4), Lk * 4, p, Lk * 4, 4, m, 4, 0, lanes);
        kx.rows_sum(p, Lq, Lk, Lk * 4, sums);
        div(p, Lq, Math.ceil(Lk / 4), Lk * 4, p, Lk * 4, 4, sums, 4, 0, lanes);
        const o = outs + h * Lq * Dv * 4;
        kx.gemmDirect(p, Lk * 4, 4, ctl[9216 + h] as number, vSK, o, Dv * 4, Lq, Dv, Lk);
      }
      if (Atomics.add(ctl, 1, 1) + 1 === tasks) Atomics.notify(ctl, 1);
      continue;
    }
    if (kind === 1) {
      // unpacked: entries [e0, e1) whole, or one chunk (rows or columns, at TASK_START) of one entry
      // D_ASM .. D_CHUNKS, then D_PACK_B .. D_COL_CHUNKS
      const { 40: aSM, 41: aSK, 42: bSK0, 43: cSM, 44: M, 45: N, 46: K, 47: entries } = slot;
      const { 48: perTask, 49: chunks, 50: copyB, 51: copySK, 52: copySN, 53: colChunks } = slot;
      const byCols = colChunks === 1;
      const e0 = chunks > 1 ? Math.floor(t / chunks) : t * perTask;
      const e1 = chunks > 1 ? e0 + 1 : Math.min(e0 + perTask, entries);
      const x0 = chunks > 1 ? (ctl[128 + (t % chunks)] as number) : 0;
      const x1 = chunks > 1 ? (ctl[129 + (t % chunks)] as number) : byCols ? N : M;
      const r0 = byCols ? 0 : x0;
      const r1 = byCols ? M : x1;
      const n0 = byCols ? x0 : 0;
      const n1 = byCols ? x1 : N;
      for (let e = e0; e < e1; e++) {
        let b = ctl[5120 + e] as number;
        let bSK = bSK0;
        if (copyB === 1) {
          // this task alone reads these columns of the entry's B: it lays them out with unit column stride
          const dst = (ctl[19] as number) + e * (ctl[20] as number) + n0 * 4;
          kx.packBRows(b + n0 * copySN, copySK, copySN, K, n1 - n0, dst, N * 4);
          b = dst;
          bSK = N * 4;
        } else b += n0 * 4;
        kx.gemmDirect(
          (ctl[1024 + e] as number) + r0 * aSM,
          aSM,
          aSK,
          b,
          bSK,
          (ctl[9216 + e] as number) + r0 * cSM + n0 * 4,
          cSM,
          r1 - r0,
          n1 - n0,
          K,
        );
      }
      if (Atomics.add(ctl, 1, 1) + 1 === tasks) Atomics.notify(ctl, 1);
      continue;
    }
    // the packed gemm's slots, TASKS_PER_BATCH .. GUIDED
    const { 9: perBatch, 10: panelsPerTask, 11: mPanels, 12: nPanels, 13: K, 14: KC, 15: mr } = slot;
    const { 16: ldcBytes, 17: ap0, 18: apBatch, 19: bp0, 20: bpBatch, 21: cp0, 22: cpBatch } = slot;
    const { 23: aPack, 24: sM, 25: sK, 26: fullA, 27: bPack, 28: sKb, 29: sNb, 30: fullB, 31: tailB } = slot;
    const { 32: guidedWord } = slot;
    const packOwnA = aPack === 1;
    const packOwnB = bPack === 1;
    const guided = guidedWord === 1;
    const b = guided ? 0 : Math.floor(t / perBatch);
    const aSrc = ctl[1024 + b] as number;
    const bSrc = ctl[5120 + b] as number;
    if (ctl[5] === 1) {
      // column panels [j0, j1) of the one product: pack them (the ragged last one too), then all rows
      const j0 = ctl[128 + t] as number;
      const j1 = ctl[129 + t] as number;
      const nr = ldcBytes / 4 / nPanels;
      const bp = bp0 + j0 * nr * K * 4;
      const fEnd = Math.min(j1, fullB);
      if (fEnd > j0) kx.packB(bSrc + j0 * nr * sNb, sKb, sNb, fEnd - j0, K, bp);
      if (j1 > fullB && tailB > 0)
        kx.packBTail(bSrc + fullB * nr * sNb, sKb, sNb, tailB, K, bp0 + fullB * nr * K * 4);
      kx.gemm(ap0, bp, cp0 + j0 * nr * 4, ldcBytes, mPanels, j1 - j0, K, KC);
      if (Atomics.add(ctl, 1, 1) + 1 === tasks) Atomics.notify(ctl, 1);
      continue;
    }
    const p0 = guided ? (ctl[128 + t] as number) : (t - b * perBatch) * panelsPerTask;
    const mp = guided ? (ctl[129 + t] as number) - p0 : Math.min(panelsPerTask, mPanels - p0);
    const ap = ap0 + b * apBatch + p0 * mr * K * 4;
    const bp = bp0 + b * bpBatch;
    const cp = cp0 + b * cpBatch + p0 * mr * ldcBytes;
    // each task packs the panels of A it alone reads (the ragged last panel was packed by the caller)
    const fullEnd = Math.min(p0 + mp, fullA);
    if (packOwnA && fullEnd > p0) kx.packA(aSrc + p0 * mr * sM, sM, sK, fullEnd - p0, K, ap);
    // a task that is its batch entry's only task packs that entry's B (nr = ldc / nPanels)
    if (packOwnB) {
      const nr = ldcBytes / 4 / nPanels;
      kx.packB(bSrc, sKb, sNb, fullB, K, bp);
      if (tailB > 0) kx.packBTail(bSrc + fullB * nr * sNb, sKb, sNb, tailB, K, bp + fullB * nr * K * 4);
    }
    kx.gemm(ap, bp, cp, ldcBytes, mp, nPanels, K, KC);
    if (Atomics.add(ctl, 1, 1) + 1 === tasks) Atomics.notify(ctl, 1);
  }
}
