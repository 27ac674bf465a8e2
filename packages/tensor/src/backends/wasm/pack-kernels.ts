/**
 * Packing in WebAssembly. The operands are first staged into wasm memory with one TypedArray.set (a memcpy,
 * ~0.2 ns per float where a JS element loop costs 1-2 ns), then these kernels lay the full panels out for gemm
 * (pack.ts has the layouts); the ragged last panel is written by the JS packers.
 */
import { Code, type FuncDef, ValType } from './builder.js';

const I = ValType.i32;

/**
 * packA_full(src, sM, sK, panels, K, dst): byte strides; writes `panels` full MR-row panels.
 * Each k of a panel is MR scalar loads (rows apart) and MR stores.
 */
export function emitPackA(mr: number): FuncDef {
  const params = [I, I, I, I, I, I];
  const c = new Code(params);
  const [src, sM, sK, panels, K, dst] = [0, 1, 2, 3, 4, 5];
  const p = c.local(I);
  const k = c.local(I);
  const rowBase = c.local(I);
  const q = c.local(I);
  c.block(() => {
    c.get(panels).i32Eqz().brIf(0);
    c.get(src).set(rowBase);
    c.loop(() => {
      c.get(rowBase).set(q);
      c.get(K).set(k);
      c.loop(() => {
        for (let r = 0; r < mr; r++) {
          c.get(dst);
          c.get(q);
          if (r > 0) c.get(sM).i32Const(r).i32Mul().i32Add();
          c.f32Load().f32Store(r * 4);
        }
        c.get(dst)
          .i32Const(mr * 4)
          .i32Add()
          .set(dst);
        c.get(q).get(sK).i32Add().set(q);
        c.get(k).i32Const(1).i32Sub().tee(k).brIf(0);
      });
      c.get(rowBase).get(sM).i32Const(mr).i32Mul().i32Add().set(rowBase);
      c.get(p).i32Const(1).i32Add().tee(p).get(panels).i32LtS().brIf(0);
    });
  });
  return { name: 'packA', params, results: [], code: c };
}

/**
 * packB_full(src, sK, sN, panels, K, dst): byte strides; writes `panels` full NR-column panels. Where a row of a
 * panel is contiguous (sN == 4) it moves as NR/4 vectors.
 */
export function emitPackB(nr: number): FuncDef {
  const params = [I, I, I, I, I, I];
  const c = new Code(params);
  const [src, sK, sN, panels, K, dst] = [0, 1, 2, 3, 4, 5];
  const p = c.local(I);
  const k = c.local(I);
  const colBase = c.local(I);
  const q = c.local(I);
  const panelLoop = (body: () => void): void => {
    c.get(src).set(colBase);
    c.loop(() => {
      c.get(colBase).set(q);
      c.get(K).set(k);
      c.loop(() => {
        body();
        c.get(dst)
          .i32Const(nr * 4)
          .i32Add()
          .set(dst);
        c.get(q).get(sK).i32Add().set(q);
        c.get(k).i32Const(1).i32Sub().tee(k).brIf(0);
      });
      c.get(colBase).get(sN).i32Const(nr).i32Mul().i32Add().set(colBase);
      c.get(p).i32Const(1).i32Add().tee(p).get(panels).i32LtS().brIf(0);
    });
  };
  c.block(() => {
    c.get(panels).i32Eqz().brIf(0);
    c.get(sN).i32Const(4).i32Eq();
    c.if(
      () =>
        panelLoop(() => {
          for (let v = 0; v < nr / 4; v++)
            c.get(dst)
              .get(q)
              .v128Load(v * 16)
              .v128Store(v * 16);
        }),
      () =>
        panelLoop(() => {
          for (let j = 0; j < nr; j++) {
            c.get(dst).get(q);
            if (j > 0) c.get(sN).i32Const(j).i32Mul().i32Add();
            c.f32Load().f32Store(j * 4);
          }
        }),
    );
  });
  return { name: 'packB', params, results: [], code: c };
}

/**
 * packBTail(src, sK, sN, cols, K, dst): the ragged last NR-column panel (cols < NR), zero padded, so workers
 * can pack a whole B without the JS packers.
 */
export function emitPackBTail(nr: number): FuncDef {
  const params = [I, I, I, I, I, I];
  const c = new Code(params);
  const [src, sK, sN, cols, K, dst] = [0, 1, 2, 3, 4, 5];
  const k = c.local(I);
  const j = c.local(I);
  const q = c.local(I);
  const row = c.local(I);
  c.get(src).set(row);
  c.get(K).set(k);
  c.loop(() => {
    c.i32Const(0).set(j);
    c.get(row).set(q);
    c.loop(() => {
      // dst[j] = j < cols ? src[row + j*sN] : 0 (no load past the last column: it may lie outside memory)
      c.get(j).get(cols).i32LtS();
      c.if(
        () => {
          c.get(dst).get(j).i32Const(4).i32Mul().i32Add().get(q).f32Load().f32Store();
        },
        () => {
          c.get(dst).get(j).i32Const(4).i32Mul().i32Add().f32Const(0).f32Store();
        },
      );
      c.get(q).get(sN).i32Add().set(q);
      c.get(j).i32Const(1).i32Add().tee(j).i32Const(nr).i32LtS().brIf(0);
    });
    c.get(dst)
      .i32Const(nr * 4)
      .i32Add()
      .set(dst);
    c.get(row).get(sK).i32Add().set(row);
    c.get(k).i32Const(1).i32Sub().tee(k).brIf(0);
  });
  return { name: 'packBTail', params, results: [], code: c };
}

/** Rows of B copied per pass of packBRows: one source cache line per column when B is a transpose. */
const ROW_BLOCK = 16;

/**
 * packBRows(src, sK, sN, K, N, dst, dR): dst[k*dR + n*4] = src[k*sK + n*sN] (byte strides; K, N >= 1), the
 * layout gemmDirect reads (unit column stride). B without unit column stride is usually a transpose (sK == 4): a
 * pass copies ROW_BLOCK rows column by column, so each column's source run is one cache line and the ROW_BLOCK
 * destination rows stay in L1.
 */
export function emitPackBRows(): FuncDef {
  const params = [I, I, I, I, I, I, I];
  const c = new Code(params);
  const [src, sK, sN, K, N, dst, rowBytes] = [0, 1, 2, 3, 4, 5, 6];
  const k0 = c.local(I);
  const kb = c.local(I);
  const n = c.local(I);
  const j = c.local(I);
  const p = c.local(I);
  const q = c.local(I);
  c.loop(() => {
    // kb = min(ROW_BLOCK, K - k0)
    c.get(K)
      .get(k0)
      .i32Sub()
      .tee(kb)
      .i32Const(ROW_BLOCK)
      .get(kb)
      .i32Const(ROW_BLOCK)
      .i32LtS()
      .select()
      .set(kb);
    c.i32Const(0).set(n);
    c.loop(() => {
      c.get(src).get(k0).get(sK).i32Mul().i32Add().get(n).get(sN).i32Mul().i32Add().set(p);
      c.get(dst).get(k0).get(rowBytes).i32Mul().i32Add().get(n).i32Const(4).i32Mul().i32Add().set(q);
      c.get(kb).set(j);
      c.loop(() => {
        c.get(q).get(p).f32Load().f32Store();
        c.get(p).get(sK).i32Add().set(p);
        c.get(q).get(rowBytes).i32Add().set(q);
        c.get(j).i32Const(1).i32Sub().tee(j).brIf(0);
      });
      c.get(n).i32Const(1).i32Add().tee(n).get(N).i32LtS().brIf(0);
    });
    c.get(k0).i32Const(ROW_BLOCK).i32Add().tee(k0).get(K).i32LtS().brIf(0);
  });
  return { name: 'packBRows', params, results: [], code: c };
}
