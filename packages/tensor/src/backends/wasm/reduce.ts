/**
 * float32 sum / max / min reductions in WebAssembly, bit-identical to the JS tier: every output is folded in
 * the same order (sequentially along the reduced elements) in a double, with the same NaN rule
 * (acc = v when v beats acc or v is NaN), and rounded to float32 once. Two layouts:
 *   rows: each output reduces a contiguous run (softmax and layer-norm statistics over the last axis);
 *   cols: outputs are contiguous and each reduces a strided column (bias gradients: sums over batch rows),
 *         walking memory row by row with the running values in a double array, instead of column by column.
 */
import { Code, type FuncDef, ValType } from './builder.js';

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
  // select(v, acc, v > acc || v != v)
  c.get(v).get(acc);
  c.get(v).get(acc);
  if (op === 'max') c.f64Gt();
  else c.f64Lt();
  c.get(v).get(v).f64Ne().i32Or();
  c.select();
}

/** rows(src, R, C, rowBytes, dst): dst[r] = fold over src[r*row .. + C) (C >= 1, R >= 1). */
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
  c.loop(() => {
    c.get(src).get(r).get(row).i32Mul().i32Add().set(p);
    c.f64Const(REDUCE_INITIAL[op]).set(acc);
    c.get(C).set(n);
    c.loop(() => {
      c.get(p).f32Load().f64PromoteF32().set(v);
      fold(c, op, acc, v);
      c.set(acc);
      c.get(p).i32Const(4).i32Add().set(p);
      c.get(n).i32Const(1).i32Sub().tee(n).brIf(0);
    });
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
