/**
 * Reductions on every backend: sum/max/min/mean/variance/logsumexp over every subset of axes with and without
 * keepdim, every input layout, odd sizes, int32/bool/float64 where accepted, argmax/argmin ties and NaN,
 * zero-size inputs, and the errors.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, expectClose, expectError, indices, mismatches, on, pseudo } from './helpers.js';
import { layouts } from './layouts.js';

type Kind = 'sum' | 'max' | 'min' | 'mean' | 'var0' | 'var1' | 'logsumexp' | 'argmax' | 'argmin';

/** Reference reduction by index arithmetic: groups the elements by their index outside `axes`. */
function reduceRef(values: readonly number[], shape: readonly number[], axes: readonly number[], kind: Kind) {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  let k = 0;
  for (const idx of indices(shape)) {
    let key = 0;
    for (let i = 0; i < shape.length; i++) key = key * outShape[i]! + (axes.includes(i) ? 0 : idx[i]!);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(values[k++]!);
  }
  const n = outShape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let key = 0; key < n; key++) {
    const g = groups.get(key) ?? [];
    const sum = g.reduce((p, v) => p + v, 0);
    const mean = sum / g.length;
    const ss = g.reduce((p, v) => p + (v - mean) ** 2, 0);
    const mx = Math.max(...g);
    switch (kind) {
      case 'sum':
        out.push(sum);
        break;
      case 'max':
        out.push(mx);
        break;
      case 'min':
        out.push(Math.min(...g));
        break;
      case 'mean':
        out.push(mean);
        break;
      case 'var0':
        out.push(ss / g.length);
        break;
      case 'var1':
        out.push(ss / (g.length - 1));
        break;
      case 'logsumexp':
        out.push(mx + Math.log(g.reduce((p, v) => p + Math.exp(v - mx), 0)));
        break;
      case 'argmax':
        out.push(g.indexOf(mx));
        break;
      case 'argmin':
        out.push(g.indexOf(Math.min(...g)));
        break;
    }
  }
  return { outShape, out };
}

function call(kind: Kind, x: T.Tensor, axis: number | number[] | undefined, keepdim: boolean): T.Tensor {
  switch (kind) {
    case 'sum':
      return T.sum(x, axis, keepdim);
    case 'max':
      return T.max(x, axis, keepdim);
    case 'min':
      return T.min(x, axis, keepdim);
    case 'mean':
      return T.mean(x, axis, keepdim);
    case 'var0':
      return T.variance(x, axis, { correction: 0, keepdim });
    case 'var1':
      return T.variance(x, axis, { correction: 1, keepdim });
    case 'logsumexp':
      return T.logsumexp(x, axis as number, keepdim);
    case 'argmax':
      return T.argmax(x, axis as number | undefined, keepdim);
    case 'argmin':
      return T.argmin(x, axis as number | undefined, keepdim);
  }
}

/** Every non-empty subset of the axes of a rank-r tensor, plus undefined (= all). */
function axisSets(rank: number): (number[] | undefined)[] {
  const out: (number[] | undefined)[] = [undefined];
  for (let m = 1; m < 1 << rank; m++) out.push([...Array(rank).keys()].filter((i) => m & (1 << i)));
  return out;
}

describe.each(BACKENDS)('reductions on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);
  const loose = name === 'cpu' ? 1e-6 : 1e-4;

  it.each(['sum', 'max', 'min', 'mean', 'var0', 'var1', 'logsumexp'] as const)(
    '%s over every subset of axes, keepdim or not, every layout, float dtypes',
    async (kind) => {
      for (const dtype of B.floatDTypes) {
        const atol = dtype === 'float64' ? 1e-12 : loose;
        const rtol = dtype === 'float64' ? 1e-10 : 1e-4;
        for (const shape of [
          [2, 3, 5],
          [17, 3],
          [1, 4],
        ]) {
          const vals = pseudo(
            shape.reduce((p, d) => p * d, 1),
            21,
            -2,
            2,
          );
          for (const lay of layouts(name, shape, (i) => vals[i]!, dtype)) {
            for (const axes of axisSets(shape.length)) {
              for (const keepdim of [false, true]) {
                const r = await ev(() => call(kind, lay.make(), axes, keepdim));
                const { outShape, out } = reduceRef(lay.values, shape, axes ?? [...shape.keys()], kind);
                const where = `${kind} ${dtype} ${lay.layout} [${shape}] axes ${axes ?? 'all'} keepdim ${keepdim}`;
                expect(r.shape, where).toEqual(
                  keepdim ? outShape : outShape.filter((_, i) => !(axes ?? [...shape.keys()]).includes(i)),
                );
                expect(r.dtype, where).toBe(dtype);
                expectClose(r.data, out, atol, rtol);
              }
            }
          }
        }
      }
    },
  );

  it('expanded (stride-0) inputs: every row is the same row', async () => {
    const row = [3, -1, 4, 1, -5];
    const e = () => T.expand(B.t(row, { shape: [1, 5] }), [4, 5]);
    expect((await ev(() => T.sum(e(), 0))).data).toEqual(row.map((v) => 4 * v));
    expect((await ev(() => T.sum(e(), 1))).data).toEqual(Array(4).fill(2));
    expect((await ev(() => T.max(e(), 0))).data).toEqual(row);
    expect((await ev(() => T.argmax(e(), 0))).data).toEqual([0, 0, 0, 0, 0]); // all tied: first occurrence
    expect((await ev(() => T.argmin(e(), 1))).data).toEqual([4, 4, 4, 4]);
    expectClose((await ev(() => T.mean(e()))).data, [0.4]);
    expectClose((await ev(() => T.variance(e(), 0))).data, [0, 0, 0, 0, 0]);
    const sm = await ev(() => T.softmax(T.expand(B.t([1, 2, 3], { shape: [3, 1] }), [3, 4]), 1));
    expectClose(sm.data, Array(12).fill(0.25));
    // A scalar expanded to a large shape: sum = value * count.
    expect((await ev(() => T.sum(T.expand(B.t(0.5), [1023, 3])))).data).toEqual([0.5 * 3069]);
  });

  it('negative axes and a number axis mean the same as their positive form', async () => {
    const x = B.t(pseudo(30, 3), { shape: [2, 3, 5] });
    try {
      for (const [a, b] of [
        [-1, 2],
        [-3, 0],
      ] as const) {
        expect((await ev(() => T.sum(x, a))).data).toEqual((await ev(() => T.sum(x, [b]))).data);
        expect((await ev(() => T.max(x, [a, 1]))).data).toEqual((await ev(() => T.max(x, [1, b]))).data);
      }
    } finally {
      x.dispose();
    }
  });

  it('odd sizes: sums of 1, 3, 17, 1023 elements and over a 1023-long axis', async () => {
    for (const n of [1, 3, 17, 1023]) {
      const vals = pseudo(n, n, 0, 1);
      const want = vals.reduce((p, v) => p + v, 0);
      const r = await ev(() => T.sum(B.t(vals)));
      expect(r.shape).toEqual([]);
      expectClose(r.data, [want], loose, 1e-5);
      const m = await ev(() => T.max(B.t(vals)));
      expect(m.data).toEqual([Math.max(...vals)]);
      const a = await ev(() => T.argmin(B.t(vals)));
      expect(a.data).toEqual([vals.indexOf(Math.min(...vals))]);
    }
    const cols = pseudo(3 * 1023, 4, 0, 1);
    const r = await ev(() => T.sum(B.t(cols, { shape: [1023, 3] }), 0));
    expectClose(
      r.data,
      [0, 1, 2].map((j) => cols.filter((_, i) => i % 3 === j).reduce((p, v) => p + v, 0)),
      1e-4,
      1e-5,
    );
  });

  it('large reductions (workgroup-sized and beyond): exact integer-valued sums, first-occurrence argmax', async () => {
    // Small integers keep every partial sum exact in float32, so any summation order must give the exact answer.
    const gen = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7 + seed) % 11) - 5);
    for (const [rows, cols] of [
      [5, 70001],
      [70001, 3],
      [1, 300001],
    ] as const) {
      const vals = gen(rows * cols, rows);
      // Plant the maximum twice per row; argmax must report the first.
      for (let r = 0; r < rows; r++) {
        vals[r * cols + Math.floor(cols / 3)] = 50 + (r % 7);
        vals[r * cols + cols - 1] = 50 + (r % 7);
      }
      const x = B.t(vals, { shape: [rows, cols] });
      // Exact comparison that reports a few mismatches instead of diffing 70000-element arrays.
      const same = async (f: () => T.Tensor, want: number[], what: string) =>
        expect(mismatches((await ev(f)).data, want, 0, 0), `${what} [${rows},${cols}]`).toEqual([]);
      try {
        const row = (r: number) => vals.slice(r * cols, (r + 1) * cols);
        const rowSums = [...Array(rows).keys()].map((r) => row(r).reduce((p, v) => p + v, 0));
        await same(() => T.sum(x, 1), rowSums, 'sum axis 1');
        await same(() => T.sum(x), [rowSums.reduce((p, v) => p + v, 0)], 'sum all');
        await same(
          () => T.max(x, 1),
          [...Array(rows).keys()].map((r) => 50 + (r % 7)),
          'max axis 1',
        );
        await same(() => T.argmax(x, 1), Array(rows).fill(Math.floor(cols / 3)), 'argmax axis 1');
        await same(
          () => T.min(x, 1),
          [...Array(rows).keys()].map((r) => row(r).reduce((p, v) => Math.min(p, v), Infinity)),
          'min axis 1',
        );
        const colSums = new Array<number>(cols).fill(0);
        vals.forEach((v, i) => {
          colSums[i % cols]! += v;
        });
        await same(() => T.sum(x, 0), colSums, 'sum axis 0');
        // The same reductions through a transposed view.
        await same(() => T.sum(T.transpose(x), 0), rowSums, 'sum of transpose');
        await same(
          () => T.argmax(T.transpose(x), 0),
          Array(rows).fill(Math.floor(cols / 3)),
          'argmax of transpose',
        );
      } finally {
        x.dispose();
      }
    }
  });

  it('int32: sum/max/min stay int32 (wrapping sum), argmax works; bool sums count trues as int32', async () => {
    const x = [5, -3, 7, 7, 0, -9];
    const int = () => B.t(x, { dtype: 'int32', shape: [2, 3] });
    expect(await ev(() => T.sum(int(), 1))).toEqual({ shape: [2], dtype: 'int32', data: [9, -2] });
    expect(await ev(() => T.max(int(), 0))).toEqual({ shape: [3], dtype: 'int32', data: [7, 0, 7] });
    expect(await ev(() => T.min(int()))).toEqual({ shape: [], dtype: 'int32', data: [-9] });
    expect(await ev(() => T.argmax(int(), 1))).toEqual({ shape: [2], dtype: 'int32', data: [2, 0] });
    expect(await ev(() => T.sum(B.t([2147483647, 1], { dtype: 'int32' })))).toEqual({
      shape: [],
      dtype: 'int32',
      data: [-2147483648],
    });
    const mask = await ev(() => T.sum(B.t([true, false, true, true, false, true], { shape: [2, 3] }), 1));
    expect(mask).toEqual({ shape: [2], dtype: 'int32', data: [2, 2] });
    for (const [op, f] of [
      ['mean', T.mean],
      ['variance', T.variance],
      ['logsumexp', T.logsumexp],
    ] as const) {
      expectError(() => f(int(), 0), T.DTypeError, op === 'variance' ? 'var' : op, 'int32');
    }
    expectError(() => T.argmax(B.t([true, false])), T.DTypeError, 'argmax', 'bool');
    // max/min of a mask are any/all.
    const m = () => B.t([true, false, false, false, true, true], { shape: [2, 3] });
    expect(await ev(() => T.max(m(), 1))).toEqual({ shape: [2], dtype: 'bool', data: [1, 1] });
    expect(await ev(() => T.min(m(), 1))).toEqual({ shape: [2], dtype: 'bool', data: [0, 0] });
    expect(await ev(() => T.max(m(), 0))).toEqual({ shape: [3], dtype: 'bool', data: [1, 1, 1] });
    expect(await ev(() => T.min(m(), 0))).toEqual({ shape: [3], dtype: 'bool', data: [0, 0, 0] });
  });

  it('argmax/argmin: first occurrence of ties, NaN counts as the extreme, keepdim and flat forms', async () => {
    const ties = B.t([1, 3, 3, 2, 5, 5, 5, 5, -1, -2, -2, -1], { shape: [3, 4] });
    const nan = B.t([1, Number.NaN, 3, Number.NaN, 4, 2, 0.5, 0.25, 0.125], { shape: [3, 3] });
    try {
      expect((await ev(() => T.argmax(ties, 1))).data).toEqual([1, 0, 0]);
      expect((await ev(() => T.argmin(ties, 1))).data).toEqual([0, 0, 1]);
      expect((await ev(() => T.argmax(ties, 0))).data).toEqual([1, 1, 1, 1]);
      expect(await ev(() => T.argmax(ties))).toEqual({ shape: [], dtype: 'int32', data: [4] });
      expect(await ev(() => T.argmax(ties, undefined, true))).toEqual({
        shape: [1, 1],
        dtype: 'int32',
        data: [4],
      });
      expect(await ev(() => T.argmin(ties, -1, true))).toEqual({
        shape: [3, 1],
        dtype: 'int32',
        data: [0, 0, 1],
      });
      expect((await ev(() => T.argmax(nan, 1))).data).toEqual([1, 0, 0]);
      expect((await ev(() => T.argmin(nan, 1))).data).toEqual([1, 0, 2]);
      expect((await ev(() => T.argmax(nan))).data).toEqual([1]);
      expect((await ev(() => T.max(nan, 1))).data).toEqual([Number.NaN, Number.NaN, 0.5]);
      expect((await ev(() => T.min(nan, 0))).data).toEqual([Number.NaN, Number.NaN, 0.125]);
      expect((await ev(() => T.argmax(T.transpose(ties), 0))).data).toEqual([1, 0, 0]);
    } finally {
      ties.dispose();
      nan.dispose();
    }
  });

  it('zero-size inputs: sum is 0, mean is NaN, max/min/argmax throw', async () => {
    expect(await ev(() => T.sum(B.t([], { shape: [0] })))).toEqual({
      shape: [],
      dtype: 'float32',
      data: [0],
    });
    expect(await ev(() => T.sum(B.t([], { shape: [2, 0] }), 1))).toEqual({
      shape: [2],
      dtype: 'float32',
      data: [0, 0],
    });
    expect(await ev(() => T.sum(B.t([], { shape: [2, 0] }), 0))).toEqual({
      shape: [0],
      dtype: 'float32',
      data: [],
    });
    expect((await ev(() => T.mean(B.t([], { shape: [0] })))).data).toEqual([Number.NaN]);
    expect(await ev(() => T.max(B.t([], { shape: [0, 3] }), 1))).toEqual({
      shape: [0],
      dtype: 'float32',
      data: [],
    });
    expectError(() => T.max(B.t([], { shape: [2, 0] }), 1), T.ShapeError, 'max', '[2,0]');
    expectError(() => T.min(B.t([], { shape: [0] })), T.ShapeError, 'min', '[0]');
    expectError(() => T.argmax(B.t([], { shape: [0] })), T.ShapeError, 'argmax', '[0]');
  });

  it('logsumexp over an empty axis is -inf (log of an empty sum), as torch', async () => {
    const r = await ev(() => T.logsumexp(B.t([], { shape: [3, 0] }), 1));
    expect(r).toEqual({ shape: [3], dtype: 'float32', data: [-Infinity, -Infinity, -Infinity] });
  });

  it('variance: correction >= N gives inf or NaN as torch; a single element with correction 0 gives 0', async () => {
    expect((await ev(() => T.variance(B.t([3])))).data).toEqual([Number.NaN]);
    expect((await ev(() => T.variance(B.t([3]), undefined, { correction: 0 }))).data).toEqual([0]);
    expect((await ev(() => T.variance(B.t([1, 2]), 0, { correction: 2 }))).data).toEqual([
      Number.POSITIVE_INFINITY,
    ]);
    const v = await ev(() => T.variance(B.t([1, 2, 3, 4]), 0, { keepdim: true }));
    expect(v.shape).toEqual([1]);
    expectClose(v.data, [5 / 3]);
    const method = await ev(() => B.t([1, 2, 3, 4]).var(undefined, { correction: 0 }));
    expectClose(method.data, [1.25]);
  });

  it('logsumexp: stable for large values, -inf rows give -inf, +inf gives +inf', async () => {
    const r = await ev(() =>
      T.logsumexp(
        B.t(
          [
            1000,
            1000,
            -1000,
            -1000,
            Number.NEGATIVE_INFINITY,
            Number.NEGATIVE_INFINITY,
            Number.POSITIVE_INFINITY,
            0,
          ],
          { shape: [4, 2] },
        ),
        1,
      ),
    );
    expectClose(
      r.data,
      [1000 + Math.log(2), -1000 + Math.log(2), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
      1e-3,
      1e-6,
    );
  });

  it('errors: bad and repeated axes, disposed input', () => {
    const mk = () => B.t(pseudo(6), { shape: [2, 3] });
    expectError(() => T.sum(mk(), 2), T.IndexError, 'sum', 'axis 2', 'rank 2');
    expectError(() => T.max(mk(), -3), T.IndexError, 'max', 'axis -3');
    expectError(() => T.mean(mk(), [0, 0]), T.IndexError, 'repeated axis');
    expectError(() => T.sum(mk(), [1, -1]), T.IndexError, 'repeated axis');
    expectError(() => T.argmax(mk(), 5), T.IndexError, 'argmax', 'axis 5');
    expectError(() => T.variance(mk(), 1.5), T.IndexError, 'axis 1.5');
    expectError(() => T.logsumexp(mk(), 3), T.IndexError, 'logsumexp: axis 3');
    const d = mk();
    d.dispose();
    for (const [op, f] of [
      ['sum', T.sum],
      ['max', T.max],
      ['min', T.min],
      ['argmax', T.argmax],
      ['argmin', T.argmin],
    ] as const) {
      expectError(() => f(d), T.DisposedError, op, 'disposed');
    }
    expectError(() => T.mean(d), T.DisposedError, 'disposed');
  });
});
