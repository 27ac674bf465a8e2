/**
 * matmul on every backend: NumPy/PyTorch rules (1-D promotion, batched, broadcast batch dims), transposed,
 * sliced and expanded operands, odd sizes (0, 1, 3, 17, 1023 on the inner or outer dims), int32 and float64
 * where the backend has them, and errors naming both shapes.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, expectClose, expectError, indices, on, pseudo } from './helpers.js';
import { layouts } from './layouts.js';
import { broadcastIndex, broadcastRef } from './reference.js';

/** Reference matmul over row-major values, with NumPy's rules. */
function matmulRef(
  a: number[],
  sa: number[],
  b: number[],
  sb: number[],
): { shape: number[]; data: number[] } {
  const a2 = sa.length === 1 ? [1, sa[0]!] : sa;
  const b2 = sb.length === 1 ? [sb[0]!, 1] : sb;
  const [m, k] = a2.slice(-2) as [number, number];
  const n = b2[b2.length - 1]!;
  const ba = a2.slice(0, -2);
  const bb = b2.slice(0, -2);
  const batch = broadcastRef(ba, bb)!;
  const data: number[] = [];
  const bIdx = [...indices(batch)];
  for (const bi of bIdx) {
    const oa = (ba.length ? broadcastIndex(bi, ba) : 0) * m * k;
    const ob = (bb.length ? broadcastIndex(bi, bb) : 0) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[oa + i * k + p]! * b[ob + p * n + j]!;
        data.push(s);
      }
  }
  const shape = [...batch, ...(sa.length > 1 ? [m] : []), ...(sb.length > 1 ? [n] : [])];
  return { shape, data };
}

describe.each(BACKENDS)('matmul on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('shapes: 1-D promotion, batched, broadcast batch dims', async () => {
    const cases: [number[], number[]][] = [
      [
        [3, 5],
        [5, 4],
      ],
      [[5], [5, 4]],
      [[3, 5], [5]],
      [[5], [5]],
      [
        [2, 3, 5],
        [2, 5, 4],
      ],
      [
        [2, 3, 5],
        [5, 4],
      ],
      [
        [3, 5],
        [2, 5, 4],
      ],
      [
        [2, 1, 3, 5],
        [1, 3, 5, 2],
      ],
      [[5], [2, 5, 3]],
      [[2, 3, 5], [5]],
      [
        [1, 1],
        [1, 1],
      ],
      [
        [4, 1],
        [1, 3],
      ],
    ];
    for (const [sa, sb] of cases) {
      const a = pseudo(
        sa.reduce((p, d) => p * d, 1),
        1,
      );
      const b = pseudo(
        sb.reduce((p, d) => p * d, 1),
        2,
      );
      const want = matmulRef(a, sa, b, sb);
      const r = await ev(() => T.matmul(B.t(a, { shape: sa }), B.t(b, { shape: sb })));
      expect(r.shape, `[${sa}] @ [${sb}]`).toEqual(want.shape);
      expectClose(r.data, want.data);
    }
  });

  it('odd sizes on every dim, including 0, 1, 17 and 1023', async () => {
    const dims: [number, number, number][] = [
      [0, 3, 4],
      [3, 0, 4],
      [3, 4, 0],
      [1, 1, 1],
      [1, 1023, 1],
      [17, 17, 17],
      [3, 1023, 2],
      [1023, 3, 1],
      [2, 5, 1023],
      [33, 65, 17],
    ];
    for (const [m, k, n] of dims) {
      const a = pseudo(m * k, m + k, -1, 1);
      const b = pseudo(k * n, k + n, -1, 1);
      const want = matmulRef(a, [m, k], b, [k, n]);
      const r = await ev(() => T.matmul(B.t(a, { shape: [m, k] }), B.t(b, { shape: [k, n] })));
      expect(r.shape).toEqual([m, n]);
      expectClose(r.data, want.data, 1e-5, 1e-4);
    }
  });

  it('every layout of each operand: transposed, stepped slices, expanded', async () => {
    const [m, k, n] = [4, 17, 3];
    const las = layouts(name, [m, k], (i) => pseudo(m * k, 9)[i]!);
    const lbs = layouts(name, [k, n], (i) => pseudo(k * n, 10)[i]!);
    for (const la of las)
      for (const lb of lbs) {
        const want = matmulRef(la.values, [m, k], lb.values, [k, n]);
        const r = await ev(() => T.matmul(la.make(), lb.make()));
        expect(r.shape).toEqual([m, n]);
        expectClose(r.data, want.data, 1e-5, 1e-4);
      }
    // a^T @ b^T with both operands transposed views of batched tensors, and a stride-0 batch.
    const a = pseudo(2 * 5 * 3, 11);
    const b = pseudo(4 * 5, 12);
    const want = matmulRef(
      [0, 1].flatMap((bt) => [0, 1, 2].flatMap((i) => [0, 1, 2, 3, 4].map((p) => a[bt * 15 + p * 3 + i]!))),
      [2, 3, 5],
      [0, 1, 2, 3, 4].flatMap((p) => [0, 1, 2, 3].map((j) => b[j * 5 + p]!)),
      [5, 4],
    );
    const r = await ev(() =>
      T.matmul(
        T.transpose(B.t(a, { shape: [2, 5, 3] })),
        T.expand(T.transpose(B.t(b, { shape: [4, 5] })), [2, 5, 4]),
      ),
    );
    expect(r.shape).toEqual([2, 3, 4]);
    expectClose(r.data, want.data);
  });

  it('dtypes: int32 exact, float64 where the backend has it; bool rejected', async () => {
    const a = [1, -2, 3, 4, 5, -6];
    const b = [7, 8, -9, 10, 11, 12];
    const want = matmulRef(a, [2, 3], b, [3, 2]).data;
    const ri = await ev(() =>
      T.matmul(B.t(a, { shape: [2, 3], dtype: 'int32' }), B.t(b, { shape: [3, 2], dtype: 'int32' })),
    );
    expect(ri).toEqual({ shape: [2, 2], dtype: 'int32', data: want });
    if (B.has('float64')) {
      const x = pseudo(17 * 9, 3).map((v) => v + 1e-9);
      const y = pseudo(9 * 5, 4).map((v) => v - 1e-9);
      const r = await ev(() =>
        T.matmul(B.t(x, { shape: [17, 9], dtype: 'float64' }), B.t(y, { shape: [9, 5], dtype: 'float64' })),
      );
      expect(r.dtype).toBe('float64');
      expectClose(r.data, matmulRef(x, [17, 9], y, [9, 5]).data, 1e-13, 1e-12);
    }
    expectError(
      () => T.matmul(B.t([true], { shape: [1, 1] }), B.t([true], { shape: [1, 1] })),
      T.DTypeError,
      'matmul',
      'bool',
    );
  });

  it('errors name the op and both shapes', () => {
    expectError(
      () => T.matmul(B.seq([2, 3]), B.seq([4, 5])),
      T.ShapeError,
      'matmul: inner dimensions differ: [2,3] @ [4,5]',
    );
    expectError(() => T.matmul(B.seq([3]), B.seq([4])), T.ShapeError, 'matmul', '[3]', '[4]');
    expectError(() => T.matmul(B.seq([2, 2, 3]), B.seq([3, 3, 4])), T.ShapeError, 'matmul');
    expectError(() => T.matmul(B.t(1), B.seq([1])), T.ShapeError, 'matmul', '[]');
    expectError(
      () => T.matmul(B.seq([2, 3]), B.seq([3, 2], 'int32')),
      T.DTypeError,
      'matmul',
      'float32',
      'int32',
    );
    const d = B.seq([2, 2]);
    d.dispose();
    expectError(() => T.matmul(d, B.seq([2, 2])), T.DisposedError, 'matmul', 'disposed');
  });
});
