/**
 * Emits the unpacked f32 matrix-multiply kernel for small and skinny products (attention's 50×16 heads, linear
 * layers with K ≤ a few hundred): C = A @ B read straight from the operands, no panels, no padded C.
 *
 *   A: any strides (each element is broadcast from its own address, so transposed views cost nothing);
 *   B: rows at any stride, unit column stride (NR columns of a row are NR/4 vector loads);
 *   C: rows at any stride, unit column stride, written in place.
 *
 * The register tile is MR × NR. Edges need no padding and no masked stores: the last row tile starts at M - MR
 * and the last column tile at N - NR, so they overlap the tiles before them and rewrite a few elements with the
 * same bits (every element is summed over k = 0..K-1 in order, starting from zero, whichever tile computes it).
 * That needs M >= MR and N >= NR, which the driver checks. K is not blocked: the caller keeps K small enough
 * for an MR × K strip of A and a K × NR strip of B to stay in L1/L2.
 */
import { Code, type FuncDef, Simd, ValType } from './builder.js';

export interface DirectShape {
  readonly mr: number;
  /** A multiple of 4. */
  readonly nr: number;
  readonly fma: boolean;
}

/** 6 rows × 8 columns: 12 accumulators + 2 B vectors + 1 broadcast = 15 of x64's 16 vector registers. */
export const DEFAULT_DIRECT: Omit<DirectShape, 'fma'> = { mr: 6, nr: 8 };

/** gemmDirect(a, aSM, aSK, b, bSK, c, cSM, M, N, K): byte addresses and strides; M >= MR, N >= NR, K >= 1. */
export function emitGemmDirect(shape: DirectShape, name = 'gemmDirect'): FuncDef {
  const { mr, nr, fma } = shape;
  if (nr % 4 !== 0) throw new Error(`gemmDirect: nr must be a multiple of 4, got ${nr}`);
  const nv = nr / 4;
  const I = ValType.i32;
  const params = [I, I, I, I, I, I, I, I, I, I];
  const c = new Code(params);
  const [a, aSM, aSK, b, bSK, cp, cSM, M, N, K] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const m0 = c.local(I);
  const n0 = c.local(I);
  const mt = c.local(I);
  const nt = c.local(I);
  const k = c.local(I);
  const kOff = c.local(I);
  const bPtr = c.local(I);
  const cPtr = c.local(I);
  const rows: number[] = [];
  for (let r = 0; r < mr; r++) rows.push(c.local(I));
  const acc: number[] = [];
  for (let i = 0; i < mr * nv; i++) acc.push(c.local(ValType.v128));
  const bv: number[] = [];
  for (let v = 0; v < nv; v++) bv.push(c.local(ValType.v128));
  const av = c.local(ValType.v128);
  const accAt = (r: number, v: number): number => acc[r * nv + v] as number;

  const madd = (r: number, v: number): void => {
    if (fma)
      c.get(av)
        .get(bv[v] as number)
        .get(accAt(r, v))
        .simd(Simd.f32x4RelaxedMadd);
    else
      c.get(accAt(r, v))
        .get(av)
        .get(bv[v] as number)
        .simd(Simd.f32x4Mul)
        .simd(Simd.f32x4Add);
    c.set(accAt(r, v));
  };
  // one k step: B's row at bPtr (then bPtr moves one row on), A's column at row pointer + kOff + `aOffset`
  const step = (aOffset: number): void => {
    for (let v = 0; v < nv; v++)
      c.get(bPtr)
        .v128Load(v * 16)
        .set(bv[v] as number);
    c.get(bPtr).get(bSK).i32Add().set(bPtr);
    for (let r = 0; r < mr; r++) {
      c.get(rows[r] as number)
        .get(kOff)
        .i32Add()
        .load32Splat(aOffset)
        .set(av);
      for (let v = 0; v < nv; v++) madd(r, v);
    }
  };
  // x = min(x0, limit) for the overlapping last tile
  const clamp = (x0: number, limit: () => void, into: number): void => {
    c.get(x0);
    limit();
    c.get(x0);
    limit();
    c.i32LtS().select().set(into);
  };

  c.i32Const(0).set(m0);
  c.loop(() => {
    clamp(m0, () => c.get(M).i32Const(mr).i32Sub(), mt);
    c.get(a)
      .get(mt)
      .get(aSM)
      .i32Mul()
      .i32Add()
      .set(rows[0] as number);
    for (let r = 1; r < mr; r++)
      c.get(rows[r - 1] as number)
        .get(aSM)
        .i32Add()
        .set(rows[r] as number);
    c.i32Const(0).set(n0);
    c.loop(() => {
      clamp(n0, () => c.get(N).i32Const(nr).i32Sub(), nt);
      c.get(b).get(nt).i32Const(4).i32Mul().i32Add().set(bPtr);
      for (const x of acc) c.v128Zero().set(x);
      c.i32Const(0).set(kOff);
      c.get(K).set(k);
      // A contiguous along k (the usual case): four steps per row-pointer update, offsets as immediates
      c.get(aSK).i32Const(4).i32Eq();
      c.if(() => {
        c.block(() => {
          c.loop(() => {
            c.get(k).i32Const(4).i32LtS().brIf(1);
            for (let u = 0; u < 4; u++) step(u * 4);
            c.get(kOff).i32Const(16).i32Add().set(kOff);
            c.get(k).i32Const(4).i32Sub().set(k);
            c.br(0);
          });
        });
      });
      c.block(() => {
        c.loop(() => {
          c.get(k).i32Eqz().brIf(1);
          step(0);
          c.get(kOff).get(aSK).i32Add().set(kOff);
          c.get(k).i32Const(1).i32Sub().set(k);
          c.br(0);
        });
      });
      c.get(cp).get(mt).get(cSM).i32Mul().i32Add().get(nt).i32Const(4).i32Mul().i32Add().set(cPtr);
      for (let r = 0; r < mr; r++) {
        for (let v = 0; v < nv; v++)
          c.get(cPtr)
            .get(accAt(r, v))
            .v128Store(v * 16);
        if (r < mr - 1) c.get(cPtr).get(cSM).i32Add().set(cPtr);
      }
      c.get(n0).i32Const(nr).i32Add().tee(n0).get(N).i32LtS().brIf(0);
    });
    c.get(m0).i32Const(mr).i32Add().tee(m0).get(M).i32LtS().brIf(0);
  });
  return { name, params, results: [], code: c };
}
