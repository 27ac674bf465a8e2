/**
 * Elementwise ops on every backend: every unary and binary op over odd sizes and every input layout
 * (contiguous, stepped slice, transposed, stride-0 expanded), every dtype each op accepts, broadcasting,
 * scalar operands, comparisons, where, cast, and the errors.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, expectClose, expectError, indices, on, pseudo } from './helpers.js';
import { layouts, rowPeriodic } from './layouts.js';
import {
  BINARY_FLOAT,
  broadcastIndex,
  broadcastRef,
  COMPARE,
  geluRef,
  geluTanhRef,
  UNARY_FLOAT,
} from './reference.js';

const OPS = T as unknown as Record<string, (...args: unknown[]) => T.Tensor>;

/** Logical shapes covering the odd sizes 0, 1, 3, 17, 1023 and rank 2 (for the transposed layout). */
const SHAPES: number[][] = [[0], [1], [3], [17], [1023], [3, 17], [17, 1], [2, 0], [4, 17]];

/** Values in [lo, hi) from a deterministic sequence, periodic along the last axis of `shape` for [4,17]. */
function gen(shape: readonly number[], lo: number, hi: number, seed: number): (i: number) => number {
  const n = shape.reduce((p, d) => p * d, 1);
  const vals = pseudo(Math.max(n, 1), seed, lo, hi);
  return shape.length === 2 && shape[0] === 4 ? rowPeriodic(shape, (j) => vals[j]!) : (i) => vals[i]!;
}

/** float32 tolerance; float64 (CPU) gets a tight one, as gradient checks rely on it. */
const tol = (dtype: T.DType): [number, number] => (dtype === 'float64' ? [1e-12, 1e-9] : [1e-6, 1e-3]);
const round = (dtype: T.DType) => (dtype === 'float32' ? Math.fround : (x: number) => x);

describe.each(BACKENDS)('elementwise on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  describe.each(Object.entries(UNARY_FLOAT))('unary %s', (op, { ref, lo, hi }) => {
    it.each(B.floatDTypes)('%s over odd sizes and every layout', async (dtype) => {
      for (const shape of SHAPES) {
        for (const lay of layouts(name, shape, gen(shape, lo, hi, 7), dtype)) {
          const r = await ev(() => OPS[op]!(lay.make()));
          const where = `${op} ${dtype} ${lay.layout} [${shape}]`;
          expect(r.shape, where).toEqual(shape);
          expect(r.dtype, where).toBe(dtype);
          const [atol, rtol] = tol(dtype);
          expect(
            r.data
              .map((v, i) => [v, ref(round(dtype)(lay.values[i]!))])
              .filter(([g, w]) => !(Math.abs(g! - w!) <= atol + rtol * Math.abs(w!))),
            where,
          ).toEqual([]);
        }
      }
    });
    it('is also a method with the same result', async () => {
      const x = B.t([0.5, 1.5, 2.5]);
      try {
        const f = await ev(() => OPS[op]!(x));
        const m = await ev(() => (x as unknown as Record<string, () => T.Tensor>)[op]!());
        expect(m.data).toEqual(f.data);
      } finally {
        x.dispose();
      }
    });
  });

  it('gelu (exact and tanh) over layouts and float dtypes', async () => {
    for (const dtype of B.floatDTypes) {
      for (const shape of [[0], [17], [3, 17], [4, 17]]) {
        for (const lay of layouts(name, shape, gen(shape, -4, 4, 3), dtype)) {
          const [atol, rtol] = tol(dtype);
          const exact = await ev(() => T.gelu(lay.make()));
          expectClose(exact.data, lay.values.map(geluRef), atol, rtol);
          const approx = await ev(() => T.gelu(lay.make(), { approximate: 'tanh' }));
          expectClose(approx.data, lay.values.map(geluTanhRef), atol, rtol);
        }
      }
    }
  });

  it('clamp with min, max or both; NaN stays NaN; int32 too', async () => {
    const x = [-3, -1, -0.5, 0, 0.5, 1, 3, Number.NaN];
    const both = await ev(() => T.clamp(B.t(x), -1, 1));
    expect(both.data).toEqual([-1, -1, -0.5, 0, 0.5, 1, 1, Number.NaN]);
    expect((await ev(() => T.clamp(B.t(x), 0))).data).toEqual([0, 0, 0, 0, 0.5, 1, 3, Number.NaN]);
    expect((await ev(() => T.clamp(B.t(x), undefined, 0))).data).toEqual([
      -3,
      -1,
      -0.5,
      0,
      0,
      0,
      0,
      Number.NaN,
    ]);
    const i = await ev(() => T.clamp(B.t([-5, 0, 5, 9], { dtype: 'int32' }), -2, 6));
    expect(i).toEqual({ shape: [4], dtype: 'int32', data: [-2, 0, 5, 6] });
  });

  it('relu keeps NaN (as torch.relu) and maps negatives to 0', async () => {
    const r = await ev(() =>
      T.relu(B.t([-2, -0, 0, 3, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY])),
    );
    expect(r.data.map((v) => (Object.is(v, -0) ? 0 : v))).toEqual([
      0,
      0,
      0,
      3,
      Number.NaN,
      0,
      Number.POSITIVE_INFINITY,
    ]);
  });

  it('int32 unary ops: neg, abs, square, relu; float-only ops reject int32 and bool', async () => {
    const x = [-7, -1, 0, 2, 2147483647];
    expect((await ev(() => T.neg(B.t(x, { dtype: 'int32' })))).data).toEqual([7, 1, 0, -2, -2147483647]);
    expect((await ev(() => T.abs(B.t(x, { dtype: 'int32' })))).data).toEqual([7, 1, 0, 2, 2147483647]);
    expect((await ev(() => T.square(B.t([-7, 3, 46341], { dtype: 'int32' })))).data).toEqual([
      49,
      9,
      (46341 * 46341) | 0,
    ]);
    const rel = await ev(() => T.relu(B.t(x, { dtype: 'int32' })));
    expect(rel).toEqual({ shape: [5], dtype: 'int32', data: [0, 0, 0, 2, 2147483647] });
    for (const op of ['exp', 'log', 'sqrt', 'reciprocal', 'sin', 'cos', 'tanh', 'erf', 'sigmoid', 'gelu']) {
      for (const dtype of ['int32', 'bool'] as const) {
        expectError(() => OPS[op]!(B.t([1, 0], { dtype })), T.DTypeError, op, dtype);
      }
    }
    expectError(() => T.neg(B.t([true, false])), T.DTypeError, 'neg', 'bool');
  });

  describe.each(Object.entries(BINARY_FLOAT))('binary %s', (op, { ref, a: [alo, ahi], b: [blo, bhi] }) => {
    it.each(B.floatDTypes)('%s over odd sizes and every layout of each operand', async (dtype) => {
      const [atol, rtol] = tol(dtype);
      for (const shape of SHAPES) {
        const las = layouts(name, shape, gen(shape, alo, ahi, 11), dtype);
        const lbs = layouts(name, shape, gen(shape, blo, bhi, 12), dtype);
        for (const la of las) {
          for (const lb of lbs) {
            const r = await ev(() => OPS[op]!(la.make(), lb.make()));
            const want = la.values.map((x, i) => ref(round(dtype)(x), round(dtype)(lb.values[i]!)));
            expect(r.shape).toEqual(shape);
            expect(r.dtype).toBe(dtype);
            const bad = r.data
              .map((g, i) => [i, g, want[i]!])
              .filter(([, g, w]) => !(Math.abs(g! - w!) <= atol + rtol * Math.abs(w!)));
            expect(bad, `${op} ${dtype} ${la.layout} x ${lb.layout} [${shape}]`).toEqual([]);
          }
        }
      }
    });
  });

  it('broadcasting: every pair of shapes from a list, values by index arithmetic', async () => {
    const shapes = [[], [1], [3], [4, 1], [1, 3], [4, 3], [2, 1, 3], [2, 4, 1], [0], [4, 0], [1, 0]];
    for (const sa of shapes) {
      for (const sb of shapes) {
        const out = broadcastRef(sa, sb);
        const na = sa.reduce((p, d) => p * d, 1);
        const nb = sb.reduce((p, d) => p * d, 1);
        const va = pseudo(na, 5, -2, 2);
        const vb = pseudo(nb, 6, -2, 2);
        if (!out) {
          expectError(
            () => T.add(B.t(va, { shape: sa }), B.t(vb, { shape: sb })),
            T.ShapeError,
            'add',
            `[${sa.join(',')}]`,
            `[${sb.join(',')}]`,
          );
          continue;
        }
        const r = await ev(() => T.sub(B.t(va, { shape: sa }), B.t(vb, { shape: sb })));
        expect(r.shape, `[${sa}] - [${sb}]`).toEqual(out);
        const want = [...indices(out)].map((idx) =>
          Math.fround(va[broadcastIndex(idx, sa)]! - vb[broadcastIndex(idx, sb)]!),
        );
        expect(r.data, `[${sa}] - [${sb}]`).toEqual(want);
      }
    }
  });

  it('rank 6 with permuted, expanded and stepped operands', async () => {
    const shape = [2, 1, 3, 2, 1, 3];
    const n = 36;
    const a = pseudo(n, 61, -2, 2);
    const b = pseudo(6, 62, -2, 2);
    // a stored as its reverse permutation; b is [3, 2] broadcast over everything else, read from a stepped slice.
    const perm = [5, 4, 3, 2, 1, 0];
    const stored = perm.map((d) => shape[d]!);
    const storedVals: number[] = [];
    for (const idx of indices(stored)) {
      const logical = new Array<number>(6);
      idx.forEach((v, k) => {
        logical[perm[k]!] = v;
      });
      storedVals.push(a[logical.reduce((p, v, i) => p * shape[i]! + v, 0)]!);
    }
    const r = await ev(() => {
      const x = T.permute(B.t(storedVals, { shape: stored }), perm);
      // y[p][q] = b[q * 3 + p]: a stepped slice, reshaped to [2,3], transposed to [3,2], then [3,2,1,1].
      const y = T.unsqueeze(
        T.unsqueeze(T.transpose(T.reshape(T.slice(B.t(b.flatMap((v) => [v, 0])), 0, 0, 12, 2), [2, 3])), -1),
        -1,
      );
      return T.add(T.mul(x, y), T.expand(B.t([0.5]), shape));
    });
    expect(r.shape).toEqual(shape);
    const want = [...indices(shape)].map((idx, k) => a[k]! * b[idx[3]! * 3 + idx[2]!]! + 0.5);
    expectClose(r.data, want);
  });

  it('broadcasting works with non-contiguous operands (transposed row against expanded column)', async () => {
    const r = await ev(() => {
      const a = T.transpose(B.t([1, 2, 3, 4, 5, 6], { shape: [2, 3] })); // [3,2]: [[1,4],[2,5],[3,6]]
      const col = T.expand(B.t([10, 20, 30], { shape: [3, 1] }), [3, 1]);
      const row = T.slice(B.t([100, -1, 200, -1]), 0, 0, 4, 2); // [100, 200]
      return T.add(T.add(a, col), row);
    });
    expect(r).toEqual({ shape: [3, 2], dtype: 'float32', data: [111, 214, 122, 225, 133, 236] });
  });

  it('scalar operands take the tensor dtype, on either side', async () => {
    expect((await ev(() => T.add(B.t([1, 2]), 0.5))).data).toEqual([1.5, 2.5]);
    expect((await ev(() => T.sub(3, B.t([1, 2])))).data).toEqual([2, 1]);
    expect((await ev(() => T.div(1, B.t([2, 4])))).data).toEqual([0.5, 0.25]);
    expect((await ev(() => T.pow(B.t([2, 3]), 2))).data).toEqual([4, 9]);
    expect((await ev(() => T.pow(2, B.t([3, -1])))).data).toEqual([8, 0.5]);
    const i = await ev(() => T.mul(B.t([3, -4], { dtype: 'int32' }), 5));
    expect(i).toEqual({ shape: [2], dtype: 'int32', data: [15, -20] });
    expectError(() => T.add(B.t([1, 2], { dtype: 'int32' }), 0.5), T.DTypeError, 'add', '0.5', 'int32');
    expectError(() => T.add(B.t([true]), 2), T.DTypeError, 'add', 'bool');
  });

  it('int32 arithmetic wraps like 32-bit hardware', async () => {
    const a = [2147483647, -2147483648, 65536, -3, 7];
    const b = [1, -1, 65536, 5, -2];
    const int = (x: number[]) => B.t(x, { dtype: 'int32' });
    expect((await ev(() => T.add(int(a), int(b)))).data).toEqual(a.map((x, i) => (x + b[i]!) | 0));
    expect((await ev(() => T.sub(int(a), int(b)))).data).toEqual(a.map((x, i) => (x - b[i]!) | 0));
    expect((await ev(() => T.mul(int(a), int(b)))).data).toEqual(a.map((x, i) => Math.imul(x, b[i]!)));
    expect((await ev(() => T.maximum(int(a), int(b)))).data).toEqual(a.map((x, i) => Math.max(x, b[i]!)));
    expect((await ev(() => T.minimum(int(a), int(b)))).data).toEqual(a.map((x, i) => Math.min(x, b[i]!)));
    for (const op of ['div', 'pow']) expectError(() => OPS[op]!(int(a), int(b)), T.DTypeError, op, 'int32');
  });

  it('maximum/minimum propagate NaN (as torch.maximum)', async () => {
    const a = B.t([Number.NaN, 1, 2]);
    const b = B.t([0, Number.NaN, 1]);
    try {
      expect((await ev(() => T.maximum(a, b))).data).toEqual([Number.NaN, Number.NaN, 2]);
      expect((await ev(() => T.minimum(a, b))).data).toEqual([Number.NaN, Number.NaN, 1]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('comparisons give bool for every dtype, NaN compares false except ne', async () => {
    const fa = [1, 2, 3, Number.NaN, -0, Number.POSITIVE_INFINITY];
    const fb = [2, 2, 1, Number.NaN, 0, Number.POSITIVE_INFINITY];
    const ia = [1, 2, 3, -5, 0, 9];
    const ib = [2, 2, 1, -5, 0, -9];
    for (const [op, cmp] of Object.entries(COMPARE)) {
      for (const dtype of B.floatDTypes) {
        const r = await ev(() => OPS[op]!(B.t(fa, { dtype }), B.t(fb, { dtype })));
        expect(r.dtype).toBe('bool');
        expect(r.data, `${op} ${dtype}`).toEqual(fa.map((x, i) => Number(cmp(x, fb[i]!))));
      }
      const ri = await ev(() => OPS[op]!(B.t(ia, { dtype: 'int32' }), B.t(ib, { dtype: 'int32' })));
      expect(ri.data, `${op} int32`).toEqual(ia.map((x, i) => Number(cmp(x, ib[i]!))));
      const rb = await ev(() => OPS[op]!(B.t([true, true, false, false]), B.t([true, false, true, false])));
      expect(rb.data, `${op} bool`).toEqual([1, 1, 0, 0].map((x, i) => Number(cmp(x, [1, 0, 1, 0][i]!))));
      const rs = await ev(() => OPS[op]!(B.t([1, 2, 3], { shape: [3, 1] }), B.t([2, 2])));
      expect(rs.shape).toEqual([3, 2]);
      expect(rs.data, `${op} broadcast`).toEqual([1, 1, 2, 2, 3, 3].map((x) => Number(cmp(x, 2))));
      const sc = await ev(() => OPS[op]!(B.t([1, 2, 3]), 2));
      expect(sc.data, `${op} scalar`).toEqual([1, 2, 3].map((x) => Number(cmp(x, 2))));
    }
  });

  it('logical ops: bool in, bool out; non-bool inputs count non-zero as true (as torch)', async () => {
    const a = [true, true, false, false];
    const b = [true, false, true, false];
    expect(await ev(() => T.logicalAnd(B.t(a), B.t(b)))).toEqual({
      shape: [4],
      dtype: 'bool',
      data: [1, 0, 0, 0],
    });
    expect(await ev(() => T.logicalOr(B.t(a), B.t(b)))).toEqual({
      shape: [4],
      dtype: 'bool',
      data: [1, 1, 1, 0],
    });
    expect(await ev(() => T.logicalNot(B.t(a)))).toEqual({ shape: [4], dtype: 'bool', data: [0, 0, 1, 1] });
    expect(await ev(() => T.logicalNot(B.t([0, 2.5, -1, Number.NaN])))).toEqual({
      shape: [4],
      dtype: 'bool',
      data: [1, 0, 0, 0],
    });
    const ints = (x: number[]) => B.t(x, { dtype: 'int32' });
    expect(await ev(() => T.logicalAnd(ints([2, 3, 0, 0]), ints([5, 0, 7, 0])))).toEqual({
      shape: [4],
      dtype: 'bool',
      data: [1, 0, 0, 0],
    });
    expect(await ev(() => T.logicalOr(ints([2, 3, 0, 0]), ints([5, 0, 7, 0])))).toEqual({
      shape: [4],
      dtype: 'bool',
      data: [1, 1, 1, 0],
    });
  });

  it('where: all dtypes, broadcasting, number branches, strided condition', async () => {
    for (const dtype of [...B.floatDTypes, 'int32', 'bool'] as const) {
      const r = await ev(() =>
        T.where(
          B.t([true, false, true], { shape: [3, 1] }),
          B.t([1, 0], { dtype }),
          B.t([0, 1, 0, 1, 0, 1], { dtype, shape: [3, 2] }),
        ),
      );
      expect(r).toEqual({ shape: [3, 2], dtype, data: [1, 0, 0, 1, 1, 0] });
    }
    const n = await ev(() => T.where(B.t([true, false, true]), B.t([5, 6, 7]), -1));
    expect(n.data).toEqual([5, -1, 7]);
    const stepped = await ev(() =>
      T.where(
        T.slice(B.t([true, false, false, true, true, false]), 0, 0, 6, 2),
        B.t([1, 2, 3]),
        B.t([-1, -2, -3]),
      ),
    );
    expect(stepped.data).toEqual([1, -2, 3]);
    expectError(
      () => T.where(B.t([1, 0]), B.t([1, 2]), B.t([3, 4])),
      T.DTypeError,
      'where',
      'bool',
      'float32',
    );
    expectError(
      () => T.where(B.t([true, false]), B.t([1, 2]), B.t([3, 4], { dtype: 'int32' })),
      T.DTypeError,
      'where',
      'float32',
      'int32',
    );
    expectError(
      () => T.where(B.t([true, false, true]), B.t([1, 2]), B.t([3, 4])),
      T.ShapeError,
      'where',
      '[3]',
      '[2]',
    );
  });

  it('cast between every pair of dtypes the backend has', async () => {
    const src: Record<string, number[]> = {
      float32: [-2.75, -1, -0.5, 0, 0.5, 1, 2.75, 100.5],
      float64: [-2.75, -1, -0.5, 0, 0.5, 1, 2.75, 100.5],
      int32: [-3, -1, 0, 0, 1, 2, 3, 100],
      bool: [1, 0, 1, 0, 0, 1, 1, 0],
    };
    const dtypes = (['float32', 'float64', 'int32', 'bool'] as const).filter((d) => B.has(d));
    for (const from of dtypes) {
      for (const to of dtypes) {
        const r = await ev(() => T.cast(B.t(src[from]!, { dtype: from }), to));
        const want = src[from]!.map((v) =>
          to === 'bool' ? Number(v !== 0) : to === 'int32' ? Math.trunc(v) | 0 : v,
        );
        expect(r, `${from} -> ${to}`).toEqual({ shape: [8], dtype: to, data: want });
      }
    }
    const strided = await ev(() =>
      T.cast(T.transpose(B.t([1.5, 2.5, 3.5, 4.5], { shape: [2, 2] })), 'int32'),
    );
    expect(strided.data).toEqual([1, 3, 2, 4]);
  });

  it('float64 stays float64 where the backend has it; float32 results are rounded to float32', async () => {
    const third = await ev(() => T.div(B.t([1]), 3));
    expect(third.data[0]).toBe(Math.fround(1 / 3));
    if (B.has('float64')) {
      const d = await ev(() => T.div(B.t([1], { dtype: 'float64' }), 3));
      expect(d).toEqual({ shape: [1], dtype: 'float64', data: [1 / 3] });
    } else {
      expectError(() => B.t([1], { dtype: 'float64' }), T.DTypeError, 'float64');
    }
  });

  it('errors: dtype mismatch, shape mismatch, disposed operand; messages start with the public op name', () => {
    const ops = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'lt', 'le', 'gt', 'ge', 'eq', 'ne'];
    for (const op of ops) {
      const gone = B.t([1, 2, 3]);
      gone.dispose();
      expectError(
        () => OPS[op]!(B.t([1, 2]), B.t([1, 2], { dtype: 'int32' })),
        T.DTypeError,
        `${op}: `,
        'float32 [2]',
        'int32 [2]',
      );
      // Shapes are named in the order the user gave them.
      expectError(() => OPS[op]!(B.t([1, 2, 3]), B.t([1, 2])), T.ShapeError, `${op}: shapes [3] and [2]`);
      expectError(() => OPS[op]!(B.t([1, 2, 3]), gone), T.DisposedError, `${op}: `, 'disposed');
    }
    for (const op of ['logicalAnd', 'logicalOr']) {
      expectError(
        () => OPS[op]!(B.t([true, false, true]), B.t([true, false])),
        T.ShapeError,
        `${op}: shapes [3] and [2]`,
      );
    }
    for (const op of ['square', 'relu', 'sigmoid', 'gelu', 'logicalNot', 'neg', 'abs', 'exp']) {
      const gone = B.t([1, 2, 3]);
      gone.dispose();
      expectError(() => OPS[op]!(gone), T.DisposedError, `${op}: `, 'disposed');
    }
    expectError(() => T.clamp(B.t([1, 2], { dtype: 'int32' }), 0.5), T.DTypeError, 'clamp: ', '0.5', 'int32');
    expectError(() => T.lt(B.t([1, 2], { dtype: 'int32' }), 0.5), T.DTypeError, 'lt: ', '0.5', 'int32');
    const d = B.t([1, 2]);
    d.dispose();
    expectError(() => T.add(d, B.t([1, 2])), T.DisposedError, 'add', 'disposed');
    expectError(() => T.exp(d), T.DisposedError, 'exp');
    expectError(() => T.cast(d, 'int32'), T.DisposedError, 'cast');
    expectError(() => T.where(B.t([true, false]), d, B.t([1, 2])), T.DisposedError, 'where');
    expectError(() => T.add(1 as unknown as T.Tensor, 2), T.DTypeError, 'add');
  });
});
