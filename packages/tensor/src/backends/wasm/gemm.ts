/**
 * Emits the f32 matrix-multiply kernel: C[MR-row panels, NR-column panels] = packed A @ packed B.
 *
 * Layouts (all in the wasm memory, built by pack.ts):
 *   packed A: for each MR-row panel, for each k, MR floats (zero padded rows);
 *   packed B: for each NR-column panel, for each k, NR floats (zero padded columns);
 *   C: row-major with a padded row stride `ldc`, so every tile is full and the kernel has no edge cases.
 * Loops follow GotoBLAS: K is cut into KC blocks (so a KC x NR panel of B stays in L1 while MR-row panels of A
 * stream past it), and the MR x NR tile of C lives in registers (MR * NR/4 f32x4 accumulators) across a block.
 * Each element of C is summed in the same order however the rows are split, so results do not depend on the
 * number of threads.
 */
import { Code, type FuncDef, Simd, ValType } from './builder.js';

export interface GemmShape {
  /** Rows of the register tile. */
  readonly mr: number;
  /** Columns of the register tile (a multiple of 4). */
  readonly nr: number;
  /** k steps per unrolled iteration. */
  readonly unroll: number;
  /** Use f32x4.relaxed_madd (fused on x64/arm64) instead of mul then add. */
  readonly fma: boolean;
  /** Broadcast all MR values of A first, then stream B one vector at a time (MR + 1 + MR*NR/4 registers). */
  readonly aFirst?: boolean;
}

export const DEFAULT_GEMM: Omit<GemmShape, 'fma'> = { mr: 4, nr: 12, unroll: 4, aFirst: true };

/**
 * gemm(ap, bp, cp, ldcBytes, mPanels, nPanels, K, KC): byte pointers into memory; mPanels, nPanels >= 1, K >= 1.
 */
export function emitGemm(shape: GemmShape, name = 'gemm'): FuncDef {
  const { mr, nr, unroll, fma } = shape;
  if (nr % 4 !== 0) throw new Error(`gemm: nr must be a multiple of 4, got ${nr}`);
  const nv = nr / 4;
  const I = ValType.i32;
  const params = [I, I, I, I, I, I, I, I];
  const c = new Code(params);
  const [ap, bp, cp, ldc, mP, nP, K, KC] = [0, 1, 2, 3, 4, 5, 6, 7];
  const k0 = c.local(I);
  const kc = c.local(I);
  const jp = c.local(I);
  const ip = c.local(I);
  const aPtr = c.local(I);
  const bPtr = c.local(I);
  const bPanel = c.local(I);
  const cRow = c.local(I);
  const kk = c.local(I);
  const acc: number[] = [];
  for (let i = 0; i < mr * nv; i++) acc.push(c.local(ValType.v128));
  const bvec: number[] = [];
  for (let v = 0; v < nv; v++) bvec.push(c.local(ValType.v128));
  const av = c.local(ValType.v128);
  const aRegs: number[] = [];
  if (shape.aFirst) for (let r = 0; r < mr; r++) aRegs.push(c.local(ValType.v128));
  const accAt = (r: number, v: number): number => acc[r * nv + v] as number;

  // one k step of the tile, reading A and B at constant offsets from aPtr/bPtr
  const madd = (a: number, b: number, r: number, v: number): void => {
    if (fma) c.get(a).get(b).get(accAt(r, v)).simd(Simd.f32x4RelaxedMadd);
    else c.get(accAt(r, v)).get(a).get(b).simd(Simd.f32x4Mul).simd(Simd.f32x4Add);
    c.set(accAt(r, v));
  };
  // at unroll step u: A's row r splat to four lanes, and B's vector v (columns 4v..4v+3), into a local
  const loadA = (u: number, r: number, into: number): void => {
    c.get(aPtr)
      .load32Splat((u * mr + r) * 4)
      .set(into);
  };
  const loadB = (u: number, v: number, into: number): void => {
    c.get(bPtr)
      .v128Load(u * nr * 4 + v * 16)
      .set(into);
  };
  const step = (u: number): void => {
    if (shape.aFirst) {
      for (let r = 0; r < mr; r++) loadA(u, r, aRegs[r] as number);
      for (let v = 0; v < nv; v++) {
        loadB(u, v, bvec[0] as number);
        for (let r = 0; r < mr; r++) madd(aRegs[r] as number, bvec[0] as number, r, v);
      }
      return;
    }
    for (let v = 0; v < nv; v++) loadB(u, v, bvec[v] as number);
    for (let r = 0; r < mr; r++) {
      loadA(u, r, av);
      for (let v = 0; v < nv; v++) madd(av, bvec[v] as number, r, v);
    }
  };
  // local += bytes
  const bump = (local: number, bytes: number): void => {
    c.get(local).i32Const(bytes).i32Add().set(local);
  };
  const advance = (steps: number): void => {
    bump(aPtr, steps * mr * 4);
    bump(bPtr, steps * nr * 4);
    c.get(kk).i32Const(steps).i32Sub().set(kk);
  };
  // dst = base + (panel*K + k0) * panelBytes: depth k0 of a packed panel (panelBytes per depth)
  const panelAt = (dst: number, base: number, panel: number, panelBytes: number): void => {
    c.get(base).get(panel).get(K).i32Mul().get(k0).i32Add().i32Const(panelBytes).i32Mul().i32Add().set(dst);
  };
  // cRow = cp + ip*mr*ldc + jp*nr*4
  const tileStart = (): void => {
    c.get(cp).get(ip).i32Const(mr).i32Mul().get(ldc).i32Mul().i32Add();
    c.get(jp)
      .i32Const(nr * 4)
      .i32Mul()
      .i32Add()
      .set(cRow);
  };

  c.i32Const(0).set(k0);
  c.loop(() => {
    // kc = min(KC, K - k0)
    c.get(KC).get(K).get(k0).i32Sub().tee(kc).get(KC).get(kc).i32LtS().select().set(kc);
    c.i32Const(0).set(jp);
    c.loop(() => {
      panelAt(bPanel, bp, jp, nr * 4);
      c.i32Const(0).set(ip);
      c.loop(() => {
        panelAt(aPtr, ap, ip, mr * 4);
        c.get(bPanel).set(bPtr);
        c.get(kc).set(kk);
        // accumulators start at zero for the first K block, else at the partial sums already in C
        c.get(k0).i32Eqz();
        c.if(
          () => {
            for (const a of acc) c.v128Zero().set(a);
          },
          () => {
            tileStart();
            for (let r = 0; r < mr; r++) {
              for (let v = 0; v < nv; v++)
                c.get(cRow)
                  .v128Load(v * 16)
                  .set(accAt(r, v));
              c.get(cRow).get(ldc).i32Add().set(cRow);
            }
          },
        );
        if (unroll > 1) {
          c.block(() => {
            c.loop(() => {
              c.get(kk).i32Const(unroll).i32LtS().brIf(1);
              for (let u = 0; u < unroll; u++) step(u);
              advance(unroll);
              c.br(0);
            });
          });
        }
        c.block(() => {
          c.loop(() => {
            c.get(kk).i32Eqz().brIf(1);
            step(0);
            advance(1);
            c.br(0);
          });
        });
        tileStart();
        for (let r = 0; r < mr; r++) {
          for (let v = 0; v < nv; v++)
            c.get(cRow)
              .get(accAt(r, v))
              .v128Store(v * 16);
          if (r < mr - 1) c.get(cRow).get(ldc).i32Add().set(cRow);
        }
        c.get(ip).i32Const(1).i32Add().tee(ip).get(mP).i32LtS().brIf(0);
      });
      c.get(jp).i32Const(1).i32Add().tee(jp).get(nP).i32LtS().brIf(0);
    });
    c.get(k0).get(kc).i32Add().tee(k0).get(K).i32LtS().brIf(0);
  });
  return { name, params, results: [], code: c };
}
