/**
 * softmax, logSoftmax and layerNorm on every backend: every axis, every input layout, odd row lengths,
 * extreme values, float64 where available, and the errors.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, expectClose, expectError, indices, on, pseudo } from './helpers.js';
import { layouts } from './layouts.js';

/** Applies f to every 1-D fibre of `values` (shape `shape`) along `axis`. */
function alongAxis(
  values: readonly number[],
  shape: readonly number[],
  axis: number,
  f: (row: number[]) => number[],
): number[] {
  const out = new Array<number>(values.length);
  const stride = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const n = shape[axis]!;
  const outer = shape.map((d, i) => (i === axis ? 1 : d));
  for (const idx of indices(outer)) {
    let base = 0;
    for (let i = 0; i < shape.length; i++) base = base * shape[i]! + idx[i]!;
    const pos = Array.from({ length: n }, (_, k) => base + k * stride);
    const res = f(pos.map((p) => values[p]!));
    pos.forEach((p, k) => {
      out[p] = res[k]!;
    });
  }
  return out;
}

const softmaxRef = (row: number[]) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((p, v) => p + v, 0);
  return e.map((v) => v / s);
};
const logSoftmaxRef = (row: number[]) => {
  const m = Math.max(...row);
  const l = Math.log(row.reduce((p, v) => p + Math.exp(v - m), 0));
  return row.map((v) => v - m - l);
};

describe.each(BACKENDS)('nn composites on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('softmax and logSoftmax along every axis, every layout, float dtypes', async () => {
    for (const dtype of B.floatDTypes) {
      const [atol, rtol] = dtype === 'float64' ? [1e-12, 1e-10] : [1e-6, 1e-4];
      for (const shape of [[3, 17], [2, 3, 5], [1023], [4, 1]]) {
        const vals = pseudo(
          shape.reduce((p, d) => p * d, 1),
          31,
          -6,
          6,
        );
        for (const lay of layouts(name, shape, (i) => vals[i]!, dtype)) {
          for (let axis = -shape.length; axis < shape.length; axis++) {
            const ax = axis < 0 ? axis + shape.length : axis;
            const s = await ev(() => T.softmax(lay.make(), axis));
            expect(s.shape).toEqual(shape);
            expectClose(s.data, alongAxis(lay.values, shape, ax, softmaxRef), atol, rtol);
            const l = await ev(() => T.logSoftmax(lay.make(), axis));
            expectClose(l.data, alongAxis(lay.values, shape, ax, logSoftmaxRef), atol * 10, rtol);
          }
        }
      }
    }
  });

  it('softmax is stable for large magnitudes and default axis is -1; rows sum to 1', async () => {
    const s = await ev(() =>
      T.softmax(
        B.t([
          [1000, 999, 998],
          [-1000, -1000, -1000],
          [-50, 50, 0],
        ]),
      ),
    );
    expectClose(s.data, [...softmaxRef([1000, 999, 998]), 1 / 3, 1 / 3, 1 / 3, ...softmaxRef([-50, 50, 0])]);
    const l = await ev(() => T.logSoftmax(B.t([[1000, 999, 998]])));
    expectClose(l.data, logSoftmaxRef([1000, 999, 998]));
    const m = await ev(() =>
      B.t([
        [1, 2],
        [3, 5],
      ]).softmax(),
    );
    expectClose(m.data, [...softmaxRef([1, 2]), ...softmaxRef([3, 5])]);
    const rows = await ev(() => T.sum(T.softmax(B.t(pseudo(17 * 33, 2, -9, 9), { shape: [17, 33] }), 0), 0));
    expectClose(rows.data, Array(33).fill(1), 1e-6, 1e-5);
  });

  it('layerNorm over trailing dims, with and without affine parameters, every layout', async () => {
    for (const dtype of B.floatDTypes) {
      const [atol, rtol] = dtype === 'float64' ? [1e-10, 1e-8] : [1e-5, 1e-3];
      const shape = [3, 2, 8];
      const vals = pseudo(48, 41, -3, 5);
      const w = pseudo(16, 42, 0.5, 1.5);
      const b = pseudo(16, 43, -1, 1);
      for (const lay of layouts(name, shape, (i) => vals[i]!, dtype)) {
        for (const norm of [[8], [2, 8]]) {
          const k = norm.reduce((p, d) => p * d, 1);
          const want = vals.map((_, i) => {
            const start = Math.floor(i / k) * k;
            const grp = vals.slice(start, start + k);
            const mu = grp.reduce((p, v) => p + v, 0) / k;
            const v = grp.reduce((p, x) => p + (x - mu) ** 2, 0) / k;
            return (vals[i]! - mu) / Math.sqrt(v + 1e-5);
          });
          const plain = await ev(() => T.layerNorm(lay.make(), norm));
          expect(plain.shape).toEqual(shape);
          expectClose(plain.data, want, atol, rtol);
          const wa = w.slice(0, k);
          const ba = b.slice(0, k);
          const affine = await ev(() =>
            T.layerNorm(lay.make(), norm, B.t(wa, { shape: norm, dtype }), B.t(ba, { shape: norm, dtype })),
          );
          expectClose(
            affine.data,
            want.map((v, i) => v * wa[i % k]! + ba[i % k]!),
            atol,
            rtol,
          );
        }
      }
    }
    // eps matters for a constant row: (x - mu) / sqrt(0 + eps) = 0, never NaN.
    const c = await ev(() => T.layerNorm(B.t([[2, 2, 2, 2]]), [4], undefined, undefined, 1e-3));
    expect(c.data).toEqual([0, 0, 0, 0]);
  });

  it('zero-size inputs: softmax over an empty axis is empty, over a non-empty one of an empty tensor too', async () => {
    expect(await ev(() => T.softmax(B.t([], { shape: [3, 0] }), 1))).toEqual({
      shape: [3, 0],
      dtype: 'float32',
      data: [],
    });
    expect(await ev(() => T.logSoftmax(B.t([], { shape: [3, 0] }), 1))).toEqual({
      shape: [3, 0],
      dtype: 'float32',
      data: [],
    });
    expect(await ev(() => T.softmax(B.t([], { shape: [0, 3] }), 1))).toEqual({
      shape: [0, 3],
      dtype: 'float32',
      data: [],
    });
    expect(await ev(() => T.layerNorm(B.t([], { shape: [0, 4] }), [4]))).toEqual({
      shape: [0, 4],
      dtype: 'float32',
      data: [],
    });
  });

  it('errors: wrong normalizedShape, wrong weight shape, int input, bad axis', () => {
    const x = () => B.t(pseudo(24), { shape: [2, 3, 4] });
    expectError(() => T.layerNorm(x(), [3]), T.ShapeError, 'layerNorm', '[3]', '[2,3,4]');
    expectError(() => T.layerNorm(x(), []), T.ShapeError, 'layerNorm');
    expectError(() => T.layerNorm(x(), [4], B.t(pseudo(3))), T.ShapeError, 'layerNorm', 'weight', '[3]');
    expectError(
      () => T.layerNorm(x(), [4], undefined, B.t(pseudo(5))),
      T.ShapeError,
      'layerNorm',
      'bias',
      '[5]',
    );
    expectError(() => T.layerNorm(B.t([1, 2], { dtype: 'int32' }), [2]), T.DTypeError, 'layerNorm', 'int32');
    expectError(
      () => T.layerNorm(x(), [4], B.t([1, 1, 1, 1], { dtype: 'int32' })),
      T.DTypeError,
      'layerNorm',
      'weight',
      'int32',
    );
    expectError(() => T.softmax(x(), 3), T.IndexError, 'softmax', 'axis 3');
    expectError(() => T.logSoftmax(x(), -4), T.IndexError, 'logSoftmax', 'axis -4');
    expectError(() => T.softmax(B.t([1, 2], { dtype: 'int32' })), T.DTypeError, 'softmax', 'int32');
    const d = x();
    d.dispose();
    expectError(() => T.softmax(d), T.DisposedError, 'softmax');
    expectError(() => T.layerNorm(d, [4]), T.DisposedError, 'layerNorm');
  });
});
