/**
 * Joining and indexing on every backend: concat, stack, split, pad, gather, take, indexSelect, scatterAdd,
 * oneHot. Inputs and indices as non-contiguous views, every dtype, zero-size parts, and the errors, including
 * out-of-range indices (which must never be silently clamped or wrapped).
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, evAll, expectClose, expectError, on, pseudo } from './helpers.js';

const ALL_DTYPES = ['float32', 'float64', 'int32', 'bool'] as const;

/**
 * An out-of-range index must raise an IndexError: synchronously, or (on asynchronous backends, which cannot
 * look at index values without a sync) at the latest when the result is read. Never a silent wrong answer.
 */
async function expectIndexError(fn: () => T.Tensor, ...patterns: string[]): Promise<void> {
  const scope = new T.Scope();
  let err: unknown;
  try {
    const out = scope.run(fn);
    await out.data();
  } catch (e) {
    err = e;
  } finally {
    scope.dispose();
  }
  expect(err, 'expected an IndexError').toBeInstanceOf(T.IndexError);
  for (const p of patterns) expect((err as Error).message).toContain(p);
}

describe.each(BACKENDS)('joining and indexing on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);
  const dtypes = ALL_DTYPES.filter((d) => B.has(d));

  it('concat along every axis, negative axes, zero-size parts, non-contiguous parts, every dtype', async () => {
    for (const dtype of dtypes) {
      const r = await ev(() =>
        T.concat([B.seq([2, 3], dtype), B.seq([2, 1], dtype, 1, 10), B.seq([2, 0], dtype)], -1),
      );
      const want = dtype === 'bool' ? [1, 0, 1, 1, 0, 1, 0, 0] : [0, 1, 2, 10, 3, 4, 5, 11];
      expect(r, dtype).toEqual({ shape: [2, 4], dtype, data: want });
    }
    const r0 = await ev(() => T.concat([B.seq([1, 3]), T.transpose(B.seq([3, 2], 'float32', 1, 10))]));
    expect(r0).toEqual({ shape: [3, 3], dtype: 'float32', data: [0, 1, 2, 10, 12, 14, 11, 13, 15] });
    const stepped = await ev(() => T.concat([T.slice(B.seq([7]), 0, 0, 7, 3), T.expand(B.t([9]), [2])]));
    expect(stepped.data).toEqual([0, 3, 6, 9, 9]);
    const one = await ev(() => T.concat([B.seq([3])]));
    expect(one.data).toEqual([0, 1, 2]);
    const big = await ev(() => T.concat([B.seq([1023]), B.seq([17], 'float32', 1, 5000)]));
    expect(big.data.length).toBe(1040);
    expect(big.data[1022]).toBe(1022);
    expect(big.data[1023]).toBe(5000);
    expectError(() => T.concat([B.seq([2, 3]), B.seq([3, 3])], 1), T.ShapeError, 'concat', '[2,3]', '[3,3]');
    expectError(() => T.concat([B.seq([2, 3]), B.seq([2, 3, 1])]), T.ShapeError, 'concat');
    expectError(
      () => T.concat([B.seq([2]), B.seq([2], 'int32')]),
      T.DTypeError,
      'concat',
      'float32',
      'int32',
    );
    expectError(() => T.concat([]), T.ShapeError, 'concat');
    expectError(() => T.concat([B.t(1), B.t(2)]), T.ShapeError, 'concat', 'zero-dimensional');
    expectError(() => T.concat([B.seq([2, 3])], 2), T.IndexError, 'concat', 'axis 2');
  });

  it('stack along new axes, including negative and last', async () => {
    const mk = () => [B.seq([2, 3]), B.seq([2, 3], 'float32', 1, 100)];
    const s0 = await ev(() => T.stack(mk()));
    expect(s0.shape).toEqual([2, 2, 3]);
    expect(s0.data).toEqual([0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104, 105]);
    const s2 = await ev(() => T.stack(mk(), -1));
    expect(s2.shape).toEqual([2, 3, 2]);
    expect(s2.data).toEqual([0, 100, 1, 101, 2, 102, 3, 103, 4, 104, 5, 105]);
    const s1 = await ev(() => T.stack(mk(), 1));
    expect(s1.shape).toEqual([2, 2, 3]);
    expect(s1.data).toEqual([0, 1, 2, 100, 101, 102, 3, 4, 5, 103, 104, 105]);
    const scalars = await ev(() => T.stack([B.t(1), B.t(2), B.t(3)]));
    expect(scalars).toEqual({ shape: [3], dtype: 'float32', data: [1, 2, 3] });
    expectError(() => T.stack([B.seq([2, 3]), B.seq([3, 2])]), T.ShapeError, 'stack', '[2,3]', '[3,2]');
    expectError(() => T.stack(mk(), 3), T.IndexError, 'stack', 'axis 3');
    expectError(() => T.stack([]), T.ShapeError, 'stack');
  });

  it('split by chunk size and by sections (torch.split), outputs are views', async () => {
    const parts = await evAll(() => T.split(B.seq([7, 2]), 3));
    expect(parts.map((p) => p.shape)).toEqual([
      [3, 2],
      [3, 2],
      [1, 2],
    ]);
    expect(parts.map((p) => p.data)).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
      [12, 13],
    ]);
    const secs = await evAll(() => T.split(B.seq([2, 5]), [2, 0, 3], -1));
    expect(secs.map((p) => p.shape)).toEqual([
      [2, 2],
      [2, 0],
      [2, 3],
    ]);
    expect(secs.map((p) => p.data)).toEqual([[0, 1, 5, 6], [], [2, 3, 4, 7, 8, 9]]);
    const x = B.seq([6]);
    const views = T.split(x, 4);
    expect(views.every((v) => v.storage === x.storage)).toBe(true);
    for (const v of views) v.dispose();
    x.dispose();
    expectError(() => T.split(B.seq([5]), [2, 2]), T.ShapeError, 'split', '[2,2]', '5');
    expectError(() => T.split(B.seq([5]), 0), T.ShapeError, 'split');
    expectError(() => T.split(B.seq([5]), 2, 1), T.IndexError, 'split', 'axis 1');
  });

  it('pad with [before, after] per axis, a value, every dtype, strided input', async () => {
    for (const dtype of dtypes) {
      const r = await ev(() =>
        T.pad(
          B.seq([2, 2], dtype, 1, 1),
          [
            [1, 0],
            [0, 2],
          ],
          0,
        ),
      );
      const v = dtype === 'bool' ? [0, 1, 0, 1] : [1, 2, 3, 4];
      expect(r, dtype).toEqual({
        shape: [3, 4],
        dtype,
        data: [0, 0, 0, 0, v[0], v[1], 0, 0, v[2], v[3], 0, 0],
      });
    }
    const t = await ev(() =>
      T.pad(
        T.transpose(B.seq([2, 3])),
        [
          [0, 0],
          [1, 1],
        ],
        -1.5,
      ),
    );
    expect(t).toEqual({
      shape: [3, 4],
      dtype: 'float32',
      data: [-1.5, 0, 3, -1.5, -1.5, 1, 4, -1.5, -1.5, 2, 5, -1.5],
    });
    const e = await ev(() => T.pad(B.t([], { shape: [0] }), [[2, 1]], 7));
    expect(e.data).toEqual([7, 7, 7]);
    expectError(() => T.pad(B.seq([2, 2]), [[1, 1]]), T.ShapeError, 'pad', '[2,2]');
    // Negative widths crop (torch's F.pad); removing more than the axis holds is the error.
    expectError(() => T.pad(B.seq([2]), [[-2, -1]]), T.ShapeError, 'pad', 'remove more');
    expectError(() => T.pad(B.seq([2], 'int32'), [[1, 0]], 0.5), T.DTypeError, 'pad');
  });

  it('gather along each axis, strided x and strided index, every dtype', async () => {
    for (const dtype of dtypes) {
      const r = await ev(() =>
        T.gather(B.seq([3, 4], dtype), 1, B.t([3, 0, 0, 1, 2, 2], { shape: [3, 2], dtype: 'int32' })),
      );
      const want = dtype === 'bool' ? [0, 1, 1, 0, 1, 1] : [3, 0, 4, 5, 10, 10];
      expect(r, dtype).toEqual({ shape: [3, 2], dtype, data: want });
    }
    expect(T.takeAlongAxis).toBe(T.gather);
    const g0 = await ev(() =>
      T.gather(B.seq([3, 4]), 0, B.t([2, 1, 0, 2], { shape: [1, 4], dtype: 'int32' })),
    );
    expect(g0).toEqual({ shape: [1, 4], dtype: 'float32', data: [8, 5, 2, 11] });
    const tv = await ev(() =>
      T.gather(
        T.transpose(B.seq([4, 3])),
        -1,
        T.expand(B.t([1, 3], { shape: [1, 2], dtype: 'int32' }), [3, 2]),
      ),
    );
    // transpose(seq[4,3]) is [[0,3,6,9],[1,4,7,10],[2,5,8,11]]
    expect(tv.data).toEqual([3, 9, 4, 10, 5, 11]);
    const fromExpanded = await ev(() =>
      T.gather(
        T.expand(B.t([10, 20, 30], { shape: [1, 3] }), [4, 3]),
        1,
        B.t([2, 0, 1, 1], { shape: [4, 1], dtype: 'int32' }),
      ),
    );
    expect(fromExpanded.data).toEqual([30, 10, 20, 20]);
    const si = await ev(() =>
      T.gather(
        B.seq([2, 5]),
        1,
        T.slice(B.t([4, 9, 0, 9, 2, 9, 1, 9], { shape: [2, 4], dtype: 'int32' }), 1, 0, 4, 2),
      ),
    );
    expect(si.data).toEqual([4, 0, 7, 6]);
    await expectIndexError(
      () => T.gather(B.seq([3, 4]), 1, B.t([0, 4], { shape: [1, 2], dtype: 'int32' })),
      'gather',
      '4',
    );
    // Negative indices raise, as in PyTorch (NumPy would count them from the end).
    for (const bad of [-1, -5]) {
      await expectIndexError(
        () => T.gather(B.seq([3, 4]), 1, B.t([0, bad], { shape: [1, 2], dtype: 'int32' })),
        'gather',
        `index ${bad} is out of range for axis 1 of size 4`,
      );
    }
    expectError(
      () => T.gather(B.seq([3, 4]), 1, B.t([0, 1], { shape: [1, 2] })),
      T.DTypeError,
      'gather',
      'int32',
      'float32',
    );
    expectError(
      () => T.gather(B.seq([3, 4]), 1, B.t([0, 1], { dtype: 'int32' })),
      T.ShapeError,
      'gather',
      '[2]',
      '[3,4]',
    );
    expectError(
      () => T.gather(B.seq([3, 4]), 2, B.t([0], { shape: [1, 1], dtype: 'int32' })),
      T.IndexError,
      'gather',
      'axis 2',
    );
  });

  it('indexSelect and take, with repeated and strided indices; out-of-range indices raise', async () => {
    const r = await ev(() => T.indexSelect(B.seq([3, 4]), 0, B.t([2, 0, 2], { dtype: 'int32' })));
    expect(r).toEqual({ shape: [3, 4], dtype: 'float32', data: [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11] });
    const c = await ev(() =>
      T.indexSelect(
        T.transpose(B.seq([4, 3])),
        1,
        T.slice(B.t([3, 7, 1, 7], { dtype: 'int32' }), 0, 0, 4, 2),
      ),
    );
    expect(c).toEqual({ shape: [3, 2], dtype: 'float32', data: [9, 3, 10, 4, 11, 5] });
    const none = await ev(() => T.indexSelect(B.seq([3, 4]), 1, B.t([], { dtype: 'int32' })));
    expect(none.shape).toEqual([3, 0]);
    const tk = await ev(() =>
      T.take(T.transpose(B.seq([2, 3])), B.t([5, 0, 1, 1], { shape: [2, 2], dtype: 'int32' })),
    );
    // transpose(seq[2,3]) flattened is [0,3,1,4,2,5]
    expect(tk).toEqual({ shape: [2, 2], dtype: 'float32', data: [5, 0, 3, 3] });
    for (const dtype of dtypes) {
      const ti = await ev(() => T.take(B.seq([5], dtype, 1, 3), B.t([4, 0], { dtype: 'int32' })));
      expect(ti.dtype).toBe(dtype);
      expect(ti.data, dtype).toEqual(dtype === 'bool' ? [0, 0] : [7, 3]);
    }
    await expectIndexError(
      () => T.indexSelect(B.seq([3, 4]), 0, B.t([3], { dtype: 'int32' })),
      'indexSelect',
      '3',
    );
    await expectIndexError(() => T.take(B.seq([2, 3]), B.t([6], { dtype: 'int32' })), '6');
    // indexSelect raises for a negative index as torch.index_select; take counts from the end as torch.take
    await expectIndexError(
      () => T.indexSelect(B.seq([3, 4]), 1, B.t([0, -1], { dtype: 'int32' })),
      'indexSelect',
      'index -1 is out of range for axis 1 of size 4',
    );
    const back = await ev(() => T.take(B.seq([2, 3]), B.t([-1, -6, 2], { dtype: 'int32' })));
    expect(back.data).toEqual([5, 0, 2]);
    await expectIndexError(() => T.take(B.seq([2, 3]), B.t([-7], { dtype: 'int32' })), 'take', '-7');
    expectError(
      () => T.indexSelect(B.seq([3, 4]), 0, B.t([[0]], { dtype: 'int32' })),
      T.ShapeError,
      'indexSelect',
      '[1,1]',
    );
    expectError(() => T.indexSelect(B.seq([3, 4]), 0, B.t([0])), T.DTypeError, 'indexSelect', 'int32');
  });

  it('scatterAdd accumulates duplicates, leaves x untouched, takes strided operands', async () => {
    const x = B.seq([3, 5]);
    try {
      const r = await ev(() =>
        T.scatterAdd(
          x,
          1,
          B.t([0, 0, 4, 0, 1, 2, 1, 1, 3, 3, 3, 3], { shape: [3, 4], dtype: 'int32' }),
          B.t(
            pseudo(12, 1).map(() => 1),
            { shape: [3, 4] },
          ),
        ),
      );
      expect(r).toEqual({
        shape: [3, 5],
        dtype: 'float32',
        data: [3, 1, 2, 3, 5, 5, 9, 8, 8, 9, 10, 11, 12, 17, 14],
      });
      expect(Array.from(await x.data())).toEqual([...Array(15).keys()]);
      const a0 = await ev(() =>
        T.scatterAdd(
          x,
          0,
          B.t([2, 2, 0, 0, 0], { shape: [1, 5], dtype: 'int32' }),
          T.transpose(B.seq([5, 2], 'float32', 10)),
        ),
      );
      // src = transpose(seq[5,2]*10) = [[0,20,40,60,80],[10,30,50,70,90]]; index uses only src row 0.
      expect(a0.data).toEqual([0, 1, 42, 63, 84, 5, 6, 7, 8, 9, 10, 31, 12, 13, 14]);
      expectError(
        () => T.scatterAdd(B.t([true, false]), 0, B.t([0, 0], { dtype: 'int32' }), B.t([true, true])),
        T.DTypeError,
        'scatterAdd',
        'bool',
      );
      if (B.has('float64')) {
        const f = await ev(() =>
          T.scatterAdd(
            B.t([1, 2], { dtype: 'float64' }),
            0,
            B.t([0, 0, 1], { dtype: 'int32' }),
            B.t([0.1, 0.2, 0.3], { dtype: 'float64' }),
          ),
        );
        expect(f.dtype).toBe('float64');
        expectClose(f.data, [1 + 0.1 + 0.2, 2.3], 1e-15, 1e-15);
      }
      const empty = await ev(() => T.scatterAdd(B.t([1, 2]), 0, B.t([], { dtype: 'int32' }), B.t([])));
      expect(empty.data).toEqual([1, 2]);
      const i = await ev(() =>
        T.scatterAdd(
          B.t([0, 0, 0], { dtype: 'int32' }),
          0,
          B.t([1, 1, 1, 2], { dtype: 'int32' }),
          B.t([1, 2, 3, 4], { dtype: 'int32' }),
        ),
      );
      expect(i).toEqual({ shape: [3], dtype: 'int32', data: [0, 6, 4] });
      await expectIndexError(
        () => T.scatterAdd(x, 1, B.t([5], { shape: [1, 1], dtype: 'int32' }), B.t([1], { shape: [1, 1] })),
        'scatterAdd',
        '5',
      );
      await expectIndexError(
        () => T.scatterAdd(x, 0, B.t([-4], { shape: [1, 1], dtype: 'int32' }), B.t([1], { shape: [1, 1] })),
        'scatterAdd',
        '-4',
      );
      await expectIndexError(
        () => T.scatterAdd(x, 0, B.t([-1], { shape: [1, 1], dtype: 'int32' }), B.t([100], { shape: [1, 1] })),
        'scatterAdd',
        'index -1 is out of range for axis 0 of size 3',
      );
      expectError(
        () =>
          T.scatterAdd(
            x,
            1,
            B.t([0], { shape: [1, 1], dtype: 'int32' }),
            B.t([1], { shape: [1, 1], dtype: 'int32' }),
          ),
        T.DTypeError,
        'scatterAdd',
        'float32',
        'int32',
      );
      expectError(
        () => T.scatterAdd(x, 1, B.t([0, 0], { shape: [1, 2], dtype: 'int32' }), B.t([1], { shape: [1, 1] })),
        T.ShapeError,
        'scatterAdd',
        '[1,2]',
        '[1,1]',
      );
    } finally {
      x.dispose();
    }
  });

  it('oneHot: int32 by default, other dtypes on request, any index shape', async () => {
    const r = await ev(() => T.oneHot(B.t([0, 2, 1, 2], { dtype: 'int32' }), 3));
    expect(r).toEqual({ shape: [4, 3], dtype: 'int32', data: [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1] });
    const f = await ev(() => T.oneHot(B.t([[1], [0]], { dtype: 'int32' }), 2, 'float32'));
    expect(f).toEqual({ shape: [2, 1, 2], dtype: 'float32', data: [0, 1, 1, 0] });
    const s = await ev(() => T.oneHot(T.slice(B.t([1, 9, 0], { dtype: 'int32' }), 0, 0, 3, 2), 2, 'bool'));
    expect(s).toEqual({ shape: [2, 2], dtype: 'bool', data: [0, 1, 1, 0] });
    expectError(() => T.oneHot(B.t([0, 1]), 3), T.DTypeError, 'oneHot', 'int32');
    expectError(() => T.oneHot(B.t([0], { dtype: 'int32' }), 0), T.ShapeError, 'oneHot');
  });

  // Every backend checks: the CPU at once, WebGPU at once for host-written indices, else at the next read.
  it('oneHot: out-of-range indices raise', async () => {
    await expectIndexError(() => T.oneHot(B.t([0, 3], { dtype: 'int32' }), 3), 'oneHot', '3');
    await expectIndexError(() => T.oneHot(B.t([-1], { dtype: 'int32' }), 3), 'oneHot', '-1');
  });

  it('use after dispose is an error for every op here', () => {
    const d = B.seq([2, 2]);
    d.dispose();
    const idx = () => B.t([0, 1], { shape: [1, 2], dtype: 'int32' });
    expectError(() => T.concat([B.seq([2, 2]), d]), T.DisposedError, 'concat');
    expectError(() => T.stack([d, d]), T.DisposedError, 'stack');
    expectError(() => T.split(d, 1), T.DisposedError, 'split');
    expectError(
      () =>
        T.pad(d, [
          [1, 1],
          [1, 1],
        ]),
      T.DisposedError,
      'pad',
    );
    expectError(() => T.gather(d, 1, idx()), T.DisposedError, 'gather');
    expectError(() => T.indexSelect(d, 0, B.t([0], { dtype: 'int32' })), T.DisposedError, 'indexSelect');
    expectError(() => T.take(d, B.t([0], { dtype: 'int32' })), T.DisposedError, 'take');
    expectError(() => T.scatterAdd(d, 1, idx(), B.seq([1, 2])), T.DisposedError, 'scatterAdd');
    const di = B.t([0], { dtype: 'int32' });
    di.dispose();
    expectError(() => T.oneHot(di, 2), T.DisposedError, 'oneHot');
  });
});
