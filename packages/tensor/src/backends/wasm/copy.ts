/**
 * Strided copies of rows that are contiguous on both sides (a permute made contiguous: attention's head
 * split and merge), in WebAssembly: one call walks three outer dims, where the JS path pays a TypedArray.set
 * per row (~100 ns to set up, most of the cost for rows of 16 floats).
 */
import { Code, type FuncDef, ValType } from './builder.js';
import type { WasmRuntime } from './runtime.js';

const I = ValType.i32;

/**
 * copyRows(src, dst, n0, n1, n2, cols, s0, s1, s2, d0, d1, d2): for every (i0, i1, i2), `cols` floats from
 * src + i0*s0 + i1*s1 + i2*s2 to dst + i0*d0 + i1*d1 + i2*d2 (byte strides; all counts >= 1); four floats per
 * vector, the rest one at a time.
 */
export function emitCopyRows(): FuncDef {
  const params = [I, I, I, I, I, I, I, I, I, I, I, I];
  const c = new Code(params);
  const [src, dst, n0, n1, n2, cols, s0, s1, s2, d0, d1, d2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const i0 = c.local(I);
  const i1 = c.local(I);
  const i2 = c.local(I);
  const p1 = c.local(I);
  const q1 = c.local(I);
  const p2 = c.local(I);
  const q2 = c.local(I);
  const p = c.local(I);
  const q = c.local(I);
  const n = c.local(I);
  const vecs = c.local(I);
  c.get(cols).i32Const(2).i32ShrU().set(vecs);
  c.loop(() => {
    c.get(src).get(i0).get(s0).i32Mul().i32Add().set(p1);
    c.get(dst).get(i0).get(d0).i32Mul().i32Add().set(q1);
    c.i32Const(0).set(i1);
    c.loop(() => {
      c.get(p1).set(p2);
      c.get(q1).set(q2);
      c.i32Const(0).set(i2);
      c.loop(() => {
        c.get(p2).set(p);
        c.get(q2).set(q);
        c.get(vecs).set(n);
        c.block(() => {
          c.loop(() => {
            c.get(n).i32Eqz().brIf(1);
            c.get(q).get(p).v128Load().v128Store();
            c.get(p).i32Const(16).i32Add().set(p);
            c.get(q).i32Const(16).i32Add().set(q);
            c.get(n).i32Const(1).i32Sub().set(n);
            c.br(0);
          });
        });
        c.get(cols).i32Const(3).i32And().set(n);
        c.block(() => {
          c.loop(() => {
            c.get(n).i32Eqz().brIf(1);
            c.get(q).get(p).f32Load().f32Store();
            c.get(p).i32Const(4).i32Add().set(p);
            c.get(q).i32Const(4).i32Add().set(q);
            c.get(n).i32Const(1).i32Sub().set(n);
            c.br(0);
          });
        });
        c.get(p2).get(s2).i32Add().set(p2);
        c.get(q2).get(d2).i32Add().set(q2);
        c.get(i2).i32Const(1).i32Add().tee(i2).get(n2).i32LtS().brIf(0);
      });
      c.get(p1).get(s1).i32Add().set(p1);
      c.get(q1).get(d1).i32Add().set(q1);
      c.get(i1).i32Const(1).i32Add().tee(i1).get(n1).i32LtS().brIf(0);
    });
    c.get(i0).i32Const(1).i32Add().tee(i0).get(n0).i32LtS().brIf(0);
  });
  return { name: 'copyRows', params, results: [], code: c };
}

/**
 * dst[...] = src[...] over `shape` (rank >= 1) with unit stride along the last dim on both sides, both arrays in
 * the wasm heap; false (nothing written) otherwise. Dims before the last three outer ones are walked here.
 */
export function copyRowsF32(
  rt: WasmRuntime,
  src: Float32Array,
  srcOffset: number,
  srcStrides: readonly number[],
  dst: Float32Array,
  dstOffset: number,
  dstStrides: readonly number[],
  shape: readonly number[],
): boolean {
  const heap = rt.heap;
  if (!heap?.owns(src) || !heap.owns(dst)) return false;
  const rank = shape.length;
  // three outer dims for the kernel (leading ones of size 1 where the layout has fewer)
  const lead = Math.max(0, rank - 4);
  const dims = [1, 1, 1, ...shape.slice(lead, rank - 1)].slice(-3);
  const ss = [0, 0, 0, ...srcStrides.slice(lead, rank - 1)].slice(-3);
  const ds = [0, 0, 0, ...dstStrides.slice(lead, rank - 1)].slice(-3);
  const cols = shape[rank - 1] as number;
  let slabs = 1;
  for (let d = 0; d < lead; d++) slabs *= shape[d] as number;
  const idx = new Array<number>(lead).fill(0);
  let s = srcOffset;
  let o = dstOffset;
  for (let k = 0; k < slabs; k++) {
    rt.exports.copyRows(
      src.byteOffset + s * 4,
      dst.byteOffset + o * 4,
      dims[0] as number,
      dims[1] as number,
      dims[2] as number,
      cols,
      (ss[0] as number) * 4,
      (ss[1] as number) * 4,
      (ss[2] as number) * 4,
      (ds[0] as number) * 4,
      (ds[1] as number) * 4,
      (ds[2] as number) * 4,
    );
    for (let d = lead - 1; d >= 0; d--) {
      const n = shape[d] as number;
      if (++(idx[d] as number) < n) {
        s += srcStrides[d] as number;
        o += dstStrides[d] as number;
        break;
      }
      idx[d] = 0;
      s -= (srcStrides[d] as number) * (n - 1);
      o -= (dstStrides[d] as number) * (n - 1);
    }
  }
  return true;
}
