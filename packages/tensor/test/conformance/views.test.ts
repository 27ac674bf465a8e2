/**
 * Views on every backend: reshape (view when strides allow, copy otherwise), permute/transpose, expand and
 * broadcastTo (stride 0), slice with steps and Python bounds, squeeze/unsqueeze, flatten, contiguous; storage
 * sharing is checked through `.storage` identity, never by mutation. Views of views feed kernels correctly.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, expectError, on } from './helpers.js';

/** Python slice semantics for a positive step, as a reference. */
function pySlice(n: number, start: number, end: number | undefined, step: number): number[] {
  const norm = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = norm(start);
  const e = end === undefined ? n : norm(end);
  const out: number[] = [];
  for (let i = s; i < e; i += step) out.push(i);
  return out;
}

describe.each(BACKENDS)('views on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('reshape is a view of contiguous input (same storage), -1 inferred', async () => {
    const a = B.seq([2, 3, 4]);
    try {
      const r = T.reshape(a, [4, -1]);
      try {
        expect(r.storage).toBe(a.storage);
        expect(r.shape).toEqual([4, 6]);
        expect(Array.from(await r.data())).toEqual([...Array(24).keys()]);
      } finally {
        r.dispose();
      }
      // Splitting and merging dims of a permuted tensor where strides allow it is still a view.
      const p = T.permute(a, [1, 0, 2]); // [3,2,4], last axis contiguous
      const v = T.reshape(p, [3, 2, 2, 2]);
      expect(v.storage).toBe(a.storage);
      expect(v.isContiguous).toBe(false);
      const vr = await ev(() => T.contiguous(v));
      expect(vr.data.slice(0, 8)).toEqual([0, 1, 2, 3, 12, 13, 14, 15]);
      p.dispose();
      v.dispose();
    } finally {
      a.dispose();
    }
  });

  it('reshape copies when strides forbid a view, with the right values', async () => {
    const a = B.seq([3, 4]);
    const t = T.transpose(a); // [4,3]
    try {
      expect(t.storage).toBe(a.storage);
      const r = T.reshape(t, [12]);
      try {
        expect(r.storage).not.toBe(a.storage);
        expect(r.isContiguous).toBe(true);
        expect(Array.from(await r.data())).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
      } finally {
        r.dispose();
      }
      // A column slice flattened must copy too (rows are not adjacent in memory).
      const s = T.slice(a, 1, 0, 2); // [3,2], strides [4,1]
      const f = T.flatten(s);
      expect(f.storage).not.toBe(a.storage);
      expect(Array.from(await f.data())).toEqual([0, 1, 4, 5, 8, 9]);
      // ...but every other column of a width-4 row is one uniform stride 2: a view.
      const s2 = T.slice(a, 1, 0, 4, 2);
      const f2 = T.flatten(s2);
      expect(f2.storage).toBe(a.storage);
      expect(f2.strides).toEqual([2]);
      expect(Array.from(await f2.data())).toEqual([0, 2, 4, 6, 8, 10]);
      for (const x of [s, f, s2, f2]) x.dispose();
    } finally {
      t.dispose();
      a.dispose();
    }
  });

  it('permute, transpose, T: strides are permuted and values read by index', async () => {
    const a = B.seq([2, 3, 4]);
    try {
      const p = T.permute(a, [2, 0, 1]);
      expect(p.shape).toEqual([4, 2, 3]);
      expect(p.strides).toEqual([1, 12, 4]);
      expect(p.storage).toBe(a.storage);
      const pr = await ev(() => T.contiguous(p));
      const want: number[] = [];
      for (let k = 0; k < 4; k++)
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(i * 12 + j * 4 + k);
      expect(pr.data).toEqual(want);
      const n = T.permute(a, [-1, -3, -2]);
      expect(n.shape).toEqual([4, 2, 3]);
      expect(n.strides).toEqual(p.strides);
      p.dispose();
      n.dispose();
      const t = await ev(() => T.transpose(a, 0, 2));
      expect(t.shape).toEqual([4, 3, 2]);
      expect(t.data.slice(0, 6)).toEqual([0, 12, 4, 16, 8, 20]);
      const d = await ev(() => T.transpose(a));
      expect(d.shape).toEqual([2, 4, 3]);
      expect(d.data.slice(0, 6)).toEqual([0, 4, 8, 1, 5, 9]);
      const big = await ev(() => a.T);
      expect(big.shape).toEqual([4, 3, 2]);
      expect(big.data).toEqual(t.data);
    } finally {
      a.dispose();
    }
  });

  it('expand / broadcastTo use stride 0 and share storage; -1 keeps a dim; new leading dims', async () => {
    const a = B.t([1, 2, 3], { shape: [3, 1] });
    try {
      const e = T.expand(a, [2, 3, 4]);
      expect(e.storage).toBe(a.storage);
      expect(e.strides[0]).toBe(0);
      expect(e.strides[2]).toBe(0);
      const r = await ev(() => T.contiguous(e));
      expect(r.data).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
      e.dispose();
      const k = await ev(() => T.broadcastTo(a, [-1, 2]));
      expect(k).toEqual({ shape: [3, 2], dtype: 'float32', data: [1, 1, 2, 2, 3, 3] });
      const m = await ev(() => a.expand([3, 0]));
      expect(m.shape).toEqual([3, 0]);
      expectError(() => T.expand(a, [4, 2]), T.ShapeError, 'expand', '[3,1]', '[4,2]');
      expectError(() => T.expand(a, [2]), T.ShapeError, 'expand', '[3,1]');
    } finally {
      a.dispose();
    }
  });

  it('slice follows Python rules for negative, clamped and empty bounds, with steps', async () => {
    const n = 17;
    const a = B.seq([n, 2]);
    try {
      const cases: [number, number | undefined, number][] = [
        [0, undefined, 1],
        [2, 9, 1],
        [1, 16, 3],
        [-5, -1, 2],
        [-100, 100, 4],
        [5, 2, 1],
        [16, undefined, 5],
        [17, undefined, 1],
        [0, 0, 1],
        [-1, undefined, 1],
        [3, -3, 7],
      ];
      for (const [s, e, st] of cases) {
        const r = await ev(() => T.slice(a, 0, s, e, st));
        const rows = pySlice(n, s, e, st);
        expect(r.shape, `[${s}:${e}:${st}]`).toEqual([rows.length, 2]);
        expect(r.data, `[${s}:${e}:${st}]`).toEqual(rows.flatMap((i) => [2 * i, 2 * i + 1]));
      }
      const last = await ev(() => T.slice(a, -1, 1));
      expect(last).toEqual({
        shape: [n, 1],
        dtype: 'float32',
        data: [...Array(n).keys()].map((i) => 2 * i + 1),
      });
      // Slice of a slice of a transpose: offsets and strides compose.
      const nested = await ev(() => T.slice(T.slice(T.transpose(a), 1, 2, 15, 2), 1, 1, undefined, 3));
      expect(nested).toEqual({ shape: [2, 2], dtype: 'float32', data: [8, 20, 9, 21] });
      expectError(() => T.slice(a, 0, 0, 5, 0), T.IndexError, 'slice', 'step');
      expectError(() => T.slice(a, 0, 0, 5, -1), T.IndexError, 'slice', 'step');
      expectError(() => T.slice(a, 2, 0), T.IndexError, 'slice', 'axis 2');
    } finally {
      a.dispose();
    }
  });

  it('squeeze, unsqueeze, flatten', async () => {
    const a = B.seq([1, 3, 1, 2]);
    try {
      expect((await ev(() => T.squeeze(a))).shape).toEqual([3, 2]);
      expect((await ev(() => T.squeeze(a, 2))).shape).toEqual([1, 3, 2]);
      expect((await ev(() => T.squeeze(a, [0, 2]))).shape).toEqual([3, 2]);
      expect((await ev(() => T.squeeze(a, 1))).shape).toEqual([1, 3, 1, 2]);
      expect((await ev(() => T.unsqueeze(a, 0))).shape).toEqual([1, 1, 3, 1, 2]);
      expect((await ev(() => T.unsqueeze(a, -1))).shape).toEqual([1, 3, 1, 2, 1]);
      expect((await ev(() => T.unsqueeze(a, 4))).shape).toEqual([1, 3, 1, 2, 1]);
      expect((await ev(() => T.flatten(a))).shape).toEqual([6]);
      expect((await ev(() => T.flatten(a, 1, 2))).shape).toEqual([1, 3, 2]);
      expect((await ev(() => T.flatten(a, -2))).shape).toEqual([1, 3, 2]);
      expect((await ev(() => T.flatten(B.t(5)))).shape).toEqual([1]);
      const s = T.squeeze(a);
      expect(s.storage).toBe(a.storage);
      s.dispose();
      expectError(() => T.unsqueeze(a, 6), T.IndexError, 'unsqueeze', 'axis 6');
      expectError(() => T.flatten(a, 2, 1), T.IndexError, 'flatten');
      expectError(() => T.squeeze(a, 4), T.IndexError, 'squeeze', 'axis 4');
    } finally {
      a.dispose();
    }
  });

  it('contiguous materialises any view; values equal a read by index arithmetic', async () => {
    const a = B.seq([4, 5, 3]);
    try {
      const v = T.tidy(() => T.slice(T.permute(a, [2, 0, 1]), 2, 1, 5, 2)); // [3,4,2]
      const r = await ev(() => T.contiguous(v));
      const want: number[] = [];
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 4; j++) for (const k of [1, 3]) want.push(j * 15 + k * 3 + i);
      expect(r).toEqual({ shape: [3, 4, 2], dtype: 'float32', data: want });
      expect(Array.from(await v.data())).toEqual(want);
      v.dispose();
    } finally {
      a.dispose();
    }
  });

  it('views keep storage alive after the base is disposed; bytes go when the last view goes', async () => {
    const before = T.memory();
    const a = B.seq([1000]);
    const s = T.slice(a, 0, 10, 20);
    a.dispose();
    expect(T.memory().bytesInUse - before.bytesInUse).toBe(4000);
    expect(Array.from(await s.data())).toEqual([...Array(10).keys()].map((i) => i + 10));
    s.dispose();
    expect(T.memory().bytesInUse).toBe(before.bytesInUse);
  });

  it('reshape errors name the op and both shapes', () => {
    const a = B.seq([2, 3]);
    try {
      expectError(() => T.reshape(a, [4, 2]), T.ShapeError, 'reshape', '[2,3]', '[4,2]');
      expectError(() => T.reshape(a, [-1, -1]), T.ShapeError, 'reshape');
      expectError(() => T.reshape(a, [-1, 4]), T.ShapeError, 'reshape', '[2,3]');
      expectError(() => T.permute(a, [0, 0]), T.IndexError, 'permute');
      expectError(() => T.permute(a, [0]), T.IndexError, 'permute');
      expectError(() => T.transpose(a, 0, 2), T.IndexError, 'transpose', 'axis 2');
    } finally {
      a.dispose();
    }
    const d = B.seq([2, 3]);
    d.dispose();
    for (const [op, f] of [
      ['reshape', () => T.reshape(d, [6])],
      ['permute', () => T.permute(d, [1, 0])],
      ['expand', () => T.expand(d, [2, 2, 3])],
      ['slice', () => T.slice(d, 0, 1)],
      ['contiguous', () => T.contiguous(d)],
    ] as const) {
      expectError(f, T.DisposedError, op, 'disposed');
    }
  });
});
