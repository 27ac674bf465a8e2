/**
 * float32 sum / max / min reductions in WebAssembly, with the JS tier's values: every output is folded in a
 * double with the same NaN rule (acc = v when v beats acc or v is NaN) and rounded to float32 once. max, min
 * and column sums keep the JS tier's order and are bit-identical; a row sum adds four interleaved partial
 * sums, which in doubles gives the same float32 result but for a double sum within 1e-16 of a rounding
 * boundary (the tests check identity on their data). Two layouts:
 *   rows: each output reduces a contiguous run (softmax and layer-norm statistics over the last axis);
 *   cols: outputs are contiguous and each reduces a strided column (bias gradients: sums over batch rows),
 *         walking memory row by row with the running values in a double array, instead of column by column
 *         (sums four columns per step, each column still in its rows' order).
 */
import { Code, type FuncDef, Simd, ValType } from './builder.js';

export type ReduceKind = 'sum' | 'max' | 'min';

export const REDUCE_INITIAL: Record<ReduceKind, number> = {
  sum: 0,
  max: Number.NEGATIVE_INFINITY,
  min: Number.POSITIVE_INFINITY,
};

/** Leaves fold(acc, v) on the stack, given locals acc and v (f64). */
function fold(c: Code, op: ReduceKind, acc: number, v: number): void {
  if (op === 'sum') {
    c.get(acc).get(v).f64Add();
    return;
  }
  // select(v, acc, v beats acc || v != v)
  c.get(v).get(acc);
  c.get(v).get(acc);
  BEATS[op](c);
  c.get(v).get(v).f64Ne().i32Or();
  c.select();
}

/** v > acc for max, v < acc for min: a mapped type over the kinds, so a new kind must say how it compares. */
export const BEATS: { readonly [K in Exclude<ReduceKind, 'sum'>]: (c: Code) => void } = {
  max: (c) => c.f64Gt(),
  min: (c) => c.f64Lt(),
};

/** SIMD opcodes only these kernels use (after the 0xfd prefix), with their lane immediates. */
const F32X4_NE = 0x42;
const F32X4_PMIN = 0xea;
const F32X4_PMAX = 0xeb;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F64X2_ADD = 0xf0;
const F64X2_EXTRACT_LANE = 0x21;
const I8X16_SHUFFLE = 0x0d;
const V128_ANY_TRUE = 0x53;
/** The lane-wise extreme of each kind (pmax/pmin keep the accumulator on ties, as the JS fold keeps the first). */
const PICK: { readonly [K in Exclude<ReduceKind, 'sum'>]: number } = { max: F32X4_PMAX, min: F32X4_PMIN };

/** An opcode followed by its immediate bytes (lane indices). */
function simdWith(c: Code, opcode: number, ...immediates: number[]): void {
  c.simd(opcode);
  (c.bytes as number[]).push(...immediates);
}

/**
 * rows(src, R, C, rowBytes, dst): dst[r] = fold over src[r*row .. + C) (C >= 1, R >= 1), four lanes at a time.
 * sum: two f64x2 accumulators (elements 4i, 4i+1 and 4i+2, 4i+3), then the lanes and the tail in a double;
 *   a different order than the JS tier's, but in doubles, so the float32 results agree (tested) unless a
 *   double sum lands within 1e-16 of a float32 rounding boundary.
 * max/min: pmax/pmin per lane (they keep the accumulator on ties, as the JS fold keeps the first), lanes
 *   merged in order, any NaN making the result NaN; a zero result is replaced by the row's first zero, so
 *   the sign of a zero extreme is the JS tier's too.
 */
export function emitReduceRows(op: ReduceKind): FuncDef {
  const I = ValType.i32;
  const params = [I, I, I, I, I];
  const c = new Code(params);
  const [src, R, C, row, dst] = [0, 1, 2, 3, 4];
  const r = c.local(I);
  const p = c.local(I);
  const n = c.local(I);
  const acc = c.local(ValType.f64);
  const v = c.local(ValType.f64);
  const va = c.local(ValType.v128);
  const vb = c.local(ValType.v128);
  const vx = c.local(ValType.v128);
  const nan = c.local(ValType.v128);
  c.loop(() => {
    c.get(src).get(r).get(row).i32Mul().i32Add().set(p);
    c.get(C).i32Const(2).i32ShrU().set(n);
    if (op === 'sum') {
      c.v128Zero().set(va);
      c.v128Zero().set(vb);
      c.get(n).if(() => {
        c.loop(() => {
          c.get(p).v128Load().set(vx);
          c.get(va).get(vx);
          c.simd(F64X2_PROMOTE_LOW_F32X4);
          c.simd(F64X2_ADD);
          c.set(va);
          c.get(vb).get(vx).get(vx);
          simdWith(c, I8X16_SHUFFLE, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
          c.simd(F64X2_PROMOTE_LOW_F32X4);
          c.simd(F64X2_ADD);
          c.set(vb);
          c.get(p).i32Const(16).i32Add().set(p);
          c.get(n).i32Const(1).i32Sub().tee(n).brIf(0);
        });
      });
      c.get(va);
      simdWith(c, F64X2_EXTRACT_LANE, 0);
      c.get(va);
      simdWith(c, F64X2_EXTRACT_LANE, 1);
      c.f64Add();
      c.get(vb);
      simdWith(c, F64X2_EXTRACT_LANE, 0);
      c.get(vb);
      simdWith(c, F64X2_EXTRACT_LANE, 1);
      c.f64Add().f64Add().set(acc);
    } else {
      const pick = PICK[op];
      c.f32x4Const(REDUCE_INITIAL[op]).set(va);
      c.v128Zero().set(nan);
      c.get(n).if(() => {
        c.loop(() => {
          c.get(p).v128Load().set(vx);
          c.get(nan).get(vx).get(vx).simd(F32X4_NE).simd(Simd.v128Or).set(nan);
          c.get(va).get(vx).simd(pick).set(va);
          c.get(p).i32Const(16).i32Add().set(p);
          c.get(n).i32Const(1).i32Sub().tee(n).brIf(0);
        });
      });
      // lanes in order, each replacing the running value only when it beats it (the first wins ties)
      c.get(va).f32x4ExtractLane(0).f64PromoteF32().set(acc);
      for (let lane = 1; lane < 4; lane++) {
        c.get(va).f32x4ExtractLane(lane).f64PromoteF32().set(v);
        fold(c, op, acc, v);
        c.set(acc);
      }
      // any NaN lane makes the result NaN
      c.get(nan).simd(V128_ANY_TRUE);
      c.if(() => {
        c.f64Const(Number.NaN).set(acc);
      });
    }
    // the tail, one element at a time
    c.get(C).i32Const(3).i32And().set(n);
    c.get(n).if(() => {
      c.loop(() => {
        c.get(p).f32Load().f64PromoteF32().set(v);
        fold(c, op, acc, v);
        c.set(acc);
        c.get(p).i32Const(4).i32Add().set(p);
        c.get(n).i32Const(1).i32Sub().tee(n).brIf(0);
      });
    });
    if (op !== 'sum') {
      // a zero extreme takes the sign of the row's first zero, as the sequential fold does
      c.get(acc).f64Const(0).f64Ne().i32Eqz();
      c.if(() => {
        c.get(src).get(r).get(row).i32Mul().i32Add().set(p);
        c.block(() => {
          c.loop(() => {
            c.get(p).f32Load().f64PromoteF32().tee(v).f64Const(0).f64Ne().i32Eqz();
            c.if(() => {
              c.get(v).set(acc);
              c.br(2);
            });
            c.get(p).i32Const(4).i32Add().set(p);
            c.br(0);
          });
        });
      });
    }
    c.get(dst).get(r).i32Const(4).i32Mul().i32Add().get(acc).f32DemoteF64().f32Store();
    c.get(r).i32Const(1).i32Add().tee(r).get(R).i32LtS().brIf(0);
  });
  return { name: `rows_${op}`, params, results: [], code: c };
}

/** cols(src, R, C, rowBytes, dst, accBytes): dst[c] = fold over r of src[r*row + c]; acc: C doubles of scratch. */
export function emitReduceCols(op: ReduceKind): FuncDef {
  const I = ValType.i32;
  const params = [I, I, I, I, I, I];
  const c = new Code(params);
  const [src, R, C, row, dst, accp] = [0, 1, 2, 3, 4, 5];
  const r = c.local(I);
  const j = c.local(I);
  const p = c.local(I);
  const q = c.local(I);
  const acc = c.local(ValType.f64);
  const v = c.local(ValType.f64);
  const vx = c.local(ValType.v128);
  // acc[:] = initial
  c.get(accp).set(q);
  c.get(C).set(j);
  c.loop(() => {
    c.get(q).f64Const(REDUCE_INITIAL[op]).f64Store();
    c.get(q).i32Const(8).i32Add().set(q);
    c.get(j).i32Const(1).i32Sub().tee(j).brIf(0);
  });
  c.loop(() => {
    c.get(src).get(r).get(row).i32Mul().i32Add().set(p);
    c.get(accp).set(q);
    c.get(C).set(j);
    if (op === 'sum') {
      // four columns at a time: each column still adds its rows in order, so values stay identical
      c.get(C).i32Const(2).i32ShrU().set(j);
      c.get(j).if(() => {
        c.loop(() => {
          c.get(p).v128Load().set(vx);
          c.get(q).get(q).v128Load().get(vx).simd(F64X2_PROMOTE_LOW_F32X4).simd(F64X2_ADD).v128Store();
          c.get(q).get(q).v128Load(16).get(vx).get(vx);
          simdWith(c, I8X16_SHUFFLE, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
          c.simd(F64X2_PROMOTE_LOW_F32X4).simd(F64X2_ADD).v128Store(16);
          c.get(p).i32Const(16).i32Add().set(p);
          c.get(q).i32Const(32).i32Add().set(q);
          c.get(j).i32Const(1).i32Sub().tee(j).brIf(0);
        });
      });
      c.get(C).i32Const(3).i32And().set(j);
    }
    c.get(j).if(() => {
      c.loop(() => {
        c.get(q).f64Load().set(acc);
        c.get(p).f32Load().f64PromoteF32().set(v);
        c.get(q);
        fold(c, op, acc, v);
        c.f64Store();
        c.get(p).i32Const(4).i32Add().set(p);
        c.get(q).i32Const(8).i32Add().set(q);
        c.get(j).i32Const(1).i32Sub().tee(j).brIf(0);
      });
    });
    c.get(r).i32Const(1).i32Add().tee(r).get(R).i32LtS().brIf(0);
  });
  // dst[c] = f32(acc[c])
  c.get(accp).set(q);
  c.get(dst).set(p);
  c.get(C).set(j);
  c.loop(() => {
    c.get(p).get(q).f64Load().f32DemoteF64().f32Store();
    c.get(p).i32Const(4).i32Add().set(p);
    c.get(q).i32Const(8).i32Add().set(q);
    c.get(j).i32Const(1).i32Sub().tee(j).brIf(0);
  });
  return { name: `cols_${op}`, params, results: [], code: c };
}
