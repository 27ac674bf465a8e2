/**
 * Creation ops and reads on every backend: tensor/fromArray from nested arrays, typed arrays, numbers and
 * booleans; scalar, zeros, ones, full, *Like, arange, linspace, eye; seeded rand/randn/randint (same seed,
 * same numbers; uniform in [0, 1); randn moments); data/item/toArray and the CPU-only synchronous reads.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, expectClose, expectError, on, take } from './helpers.js';

describe.each(BACKENDS)('creation and reads on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('tensor() infers shape and dtype from nested arrays, numbers and booleans', async () => {
    expect(
      await take(
        B.t([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toEqual({ shape: [2, 3], dtype: 'float32', data: [1, 2, 3, 4, 5, 6] });
    expect(await take(B.t([[[true], [false]]]))).toEqual({ shape: [1, 2, 1], dtype: 'bool', data: [1, 0] });
    expect(await take(B.t(2.5))).toEqual({ shape: [], dtype: 'float32', data: [2.5] });
    expect(await take(B.t(true))).toEqual({ shape: [], dtype: 'bool', data: [1] });
    expect(await take(B.t([]))).toEqual({ shape: [0], dtype: 'float32', data: [] });
    expect(await take(B.t([[], []]))).toEqual({ shape: [2, 0], dtype: 'float32', data: [] });
    // Unlike torch.tensor, an int dtype never truncates a fractional value silently (see storable.test.ts).
    expect(await take(B.t([1, -2], { dtype: 'int32' }))).toEqual({
      shape: [2],
      dtype: 'int32',
      data: [1, -2],
    });
    expect(await take(B.t([0, 2, -1], { dtype: 'bool' }))).toEqual({
      shape: [3],
      dtype: 'bool',
      data: [0, 1, 1],
    });
    expect(await take(T.fromArray([1, 2], { backend: name }))).toEqual({
      shape: [2],
      dtype: 'float32',
      data: [1, 2],
    });
    expect(await take(T.scalar(3, { backend: name, dtype: 'int32' }))).toEqual({
      shape: [],
      dtype: 'int32',
      data: [3],
    });
  });

  it('tensor() from typed arrays keeps their dtype; shape option reshapes', async () => {
    expect(await take(B.t(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] }))).toEqual({
      shape: [2, 2],
      dtype: 'int32',
      data: [1, 2, 3, 4],
    });
    expect(await take(B.t(new Uint8Array([1, 0, 1])))).toEqual({
      shape: [3],
      dtype: 'bool',
      data: [1, 0, 1],
    });
    expect(await take(B.t(new Float32Array([0.5, 1.5])))).toEqual({
      shape: [2],
      dtype: 'float32',
      data: [0.5, 1.5],
    });
    if (B.has('float64')) {
      const f = await take(B.t(new Float64Array([0.1, 1 / 3])));
      expect(f).toEqual({ shape: [2], dtype: 'float64', data: [0.1, 1 / 3] });
    }
    const src = new Float32Array([1, 2, 3]);
    const t = B.t(src);
    src[0] = 99; // the tensor holds its own copy
    expect((await take(t)).data).toEqual([1, 2, 3]);
    expect(await take(B.t(new Float32Array([1, 2]), { dtype: 'int32' }))).toEqual({
      shape: [2],
      dtype: 'int32',
      data: [1, 2],
    });
  });

  it('tensor() errors: ragged arrays, shape/size mismatch, bad shapes, unknown dtype', () => {
    expectError(() => B.t([[1, 2], [3]]), T.ShapeError, 'tensor', 'ragged');
    expectError(() => B.t([[1, 2], 3] as unknown as number[][]), T.ShapeError, 'tensor');
    expectError(() => B.t([1, 2, 3], { shape: [2, 2] }), T.ShapeError, 'tensor', '3', '[2,2]');
    expectError(() => B.t(new Float32Array(4), { shape: [2, 3] }), T.ShapeError, 'tensor', '[2,3]');
    expectError(() => T.zeros([2, -1], { backend: name }), T.ShapeError, 'invalid shape [2,-1]');
    expectError(() => T.full([1.5], 0, { backend: name }), T.ShapeError, '[1.5]');
    expect(() => B.t([1], { dtype: 'float16' as T.DType })).toThrow(/float16/);
  });

  it('zeros, ones, full and the *Like forms', async () => {
    expect(await take(T.zeros([2, 3], { backend: name }))).toEqual({
      shape: [2, 3],
      dtype: 'float32',
      data: [0, 0, 0, 0, 0, 0],
    });
    expect(await take(T.ones([3], { backend: name, dtype: 'int32' }))).toEqual({
      shape: [3],
      dtype: 'int32',
      data: [1, 1, 1],
    });
    expect(await take(T.full([2, 2], -1.25, { backend: name }))).toEqual({
      shape: [2, 2],
      dtype: 'float32',
      data: [-1.25, -1.25, -1.25, -1.25],
    });
    expect(await take(T.full([1023], 7, { backend: name, dtype: 'int32' }))).toEqual({
      shape: [1023],
      dtype: 'int32',
      data: Array(1023).fill(7),
    });
    expect(await take(T.full([0, 4], 1, { backend: name }))).toEqual({
      shape: [0, 4],
      dtype: 'float32',
      data: [],
    });
    expect(await take(T.full([], 3, { backend: name }))).toEqual({ shape: [], dtype: 'float32', data: [3] });
    expect(await take(T.full([2], 1, { backend: name, dtype: 'bool' }))).toEqual({
      shape: [2],
      dtype: 'bool',
      data: [1, 1],
    });
    const like = B.t([[1, 2, 3]], { dtype: 'int32' });
    try {
      expect(await take(T.zerosLike(like))).toEqual({ shape: [1, 3], dtype: 'int32', data: [0, 0, 0] });
      expect(await take(T.onesLike(like))).toEqual({ shape: [1, 3], dtype: 'int32', data: [1, 1, 1] });
      expect(await take(T.fullLike(like, 4))).toEqual({ shape: [1, 3], dtype: 'int32', data: [4, 4, 4] });
      expect(await take(T.fullLike(like, 0.5, { dtype: 'float32' }))).toEqual({
        shape: [1, 3],
        dtype: 'float32',
        data: [0.5, 0.5, 0.5],
      });
      const z = T.zerosLike(like);
      expect(z.backend.name).toBe(name);
      z.dispose();
    } finally {
      like.dispose();
    }
  });

  it('arange: int32 for integral arguments, float32 otherwise, negative steps, empty ranges', async () => {
    expect(await take(T.arange(5, undefined, undefined, { backend: name }))).toEqual({
      shape: [5],
      dtype: 'int32',
      data: [0, 1, 2, 3, 4],
    });
    expect(await take(T.arange(2, 9, 3, { backend: name }))).toEqual({
      shape: [3],
      dtype: 'int32',
      data: [2, 5, 8],
    });
    expect(await take(T.arange(5, -4, -3, { backend: name }))).toEqual({
      shape: [3],
      dtype: 'int32',
      data: [5, 2, -1],
    });
    expect(await take(T.arange(0, 1, 0.25, { backend: name }))).toEqual({
      shape: [4],
      dtype: 'float32',
      data: [0, 0.25, 0.5, 0.75],
    });
    expect(await take(T.arange(0, 3, 1, { backend: name, dtype: 'float32' }))).toEqual({
      shape: [3],
      dtype: 'float32',
      data: [0, 1, 2],
    });
    expect(await take(T.arange(4, 2, 1, { backend: name }))).toEqual({
      shape: [0],
      dtype: 'int32',
      data: [],
    });
    expect((await take(T.arange(0, 1023, 1, { backend: name }))).data[1022]).toBe(1022);
    expectError(() => T.arange(0, 5, 0, { backend: name }), T.ShapeError, 'arange', 'step');
  });

  it('linspace and eye', async () => {
    expect(await take(T.linspace(0, 1, 5, { backend: name }))).toEqual({
      shape: [5],
      dtype: 'float32',
      data: [0, 0.25, 0.5, 0.75, 1],
    });
    expect(await take(T.linspace(2, 7, 1, { backend: name }))).toEqual({
      shape: [1],
      dtype: 'float32',
      data: [2],
    });
    expect(await take(T.linspace(2, 7, 0, { backend: name }))).toEqual({
      shape: [0],
      dtype: 'float32',
      data: [],
    });
    const l = await take(T.linspace(-1, 1, 17, { backend: name }));
    expect(l.data[0]).toBe(-1);
    expect(l.data[16]).toBe(1);
    expect(l.data[8]).toBe(0);
    expectError(() => T.linspace(0, 1, -1, { backend: name }), T.ShapeError, 'linspace');
    expect(await take(T.eye(3, undefined, { backend: name }))).toEqual({
      shape: [3, 3],
      dtype: 'float32',
      data: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    });
    expect(await take(T.eye(2, 3, { backend: name, dtype: 'int32' }))).toEqual({
      shape: [2, 3],
      dtype: 'int32',
      data: [1, 0, 0, 0, 1, 0],
    });
    expect(await take(T.eye(0, undefined, { backend: name }))).toEqual({
      shape: [0, 0],
      dtype: 'float32',
      data: [],
    });
    expectError(() => T.eye(-1, undefined, { backend: name }), T.ShapeError, 'eye', '[-1,-1]');
    expectError(() => T.eye(2, 1.5, { backend: name }), T.ShapeError, 'eye', '[2,1.5]');
  });

  it('rand/randn/randint: same seed gives the same numbers, another seed different ones', async () => {
    T.manualSeed(1234);
    const a = await take(T.rand([1023], { backend: name }));
    const an = await take(T.randn([17], { backend: name }));
    const ai = await take(T.randint(-3, 5, [3, 17], { backend: name }));
    T.manualSeed(1234);
    const b = await take(T.rand([1023], { backend: name }));
    const bn = await take(T.randn([17], { backend: name }));
    const bi = await take(T.randint(-3, 5, [3, 17], { backend: name }));
    expect(b).toEqual(a);
    expect(bn).toEqual(an);
    expect(bi).toEqual(ai);
    expect(ai.dtype).toBe('int32');
    expect(ai.data.every((v) => Number.isInteger(v) && v >= -3 && v < 5)).toBe(true);
    expect(new Set(ai.data).size).toBe(8);
    T.manualSeed(1235);
    const c = await take(T.rand([1023], { backend: name }));
    expect(c.data.filter((v, i) => v === a.data[i]).length).toBeLessThan(5);
    // Successive draws without reseeding differ.
    const d = await take(T.rand([1023], { backend: name }));
    expect(d.data.filter((v, i) => v === c.data[i]).length).toBeLessThan(5);
  });

  it('rand is uniform on [0, 1); randn over 1e5 samples has mean ~0, std ~1', async () => {
    T.manualSeed(7);
    const u = await take(T.rand([100000], { backend: name }));
    expect(u.data.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = u.data.reduce((p, v) => p + v, 0) / u.data.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005); // std of the mean is 0.29/316 ~ 0.0009
    const buckets = new Array(10).fill(0);
    for (const v of u.data) buckets[Math.floor(v * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 10000)).toBeLessThan(500); // ~5 sigma
    const z = await take(T.randn([100000], { backend: name }));
    const zm = z.data.reduce((p, v) => p + v, 0) / z.data.length;
    const zs = Math.sqrt(z.data.reduce((p, v) => p + (v - zm) ** 2, 0) / (z.data.length - 1));
    expect(Math.abs(zm)).toBeLessThan(0.015); // std of the mean ~0.0032
    expect(Math.abs(zs - 1)).toBeLessThan(0.015);
    expect(z.data.every(Number.isFinite)).toBe(true);
    const within1 = z.data.filter((v) => Math.abs(v) < 1).length / z.data.length;
    expect(Math.abs(within1 - 0.6827)).toBeLessThan(0.01);
    const r64 = B.has('float64') ? await take(T.randn([4], { backend: name, dtype: 'float64' })) : undefined;
    if (r64) expect(r64.dtype).toBe('float64');
    expectError(() => T.rand([2], { backend: name, dtype: 'int32' }), T.DTypeError, 'rand', 'int32');
    expectError(() => T.randint(3, 3, [2], { backend: name }), T.ShapeError, 'randint');
  });

  it('Philox4x32-10 matches the Random123 known-answer vector for key 0, counter 0', () => {
    const out = new Uint32Array(4);
    T.philox4x32(0, 0, 0, 0, out);
    expect(Array.from(out)).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });

  it('reads: data (contiguous copy of any view), item, toArray (nested, booleans for bool)', async () => {
    const x = B.t([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    try {
      const tr = T.transpose(x);
      expect(Array.from(await tr.data())).toEqual([1, 4, 2, 5, 3, 6]);
      expect(await tr.toArray()).toEqual([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      tr.dispose();
      const d = await x.data();
      expect(d).toBeInstanceOf(Float32Array);
      d[0] = 100; // a copy: the tensor is unchanged
      expect(Array.from(await x.data())).toEqual([1, 2, 3, 4, 5, 6]);
      const one = T.tidy(() => T.slice(T.slice(x, 0, 1, 2), 1, 2, 3));
      expect(await one.item()).toBe(6);
      one.dispose();
      expect(await x.toArray()).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      await expect(x.item()).rejects.toThrow(/item.*\[2,3\]/);
      await expect(x.item()).rejects.toBeInstanceOf(T.ShapeError);
      const b = B.t([[true, false]]);
      expect(await b.toArray()).toEqual([[true, false]]);
      expect(await b.data()).toBeInstanceOf(Uint8Array);
      b.dispose();
      const s = B.t(5, { dtype: 'int32' });
      expect(await s.toArray()).toBe(5);
      expect(await s.item()).toBe(5);
      expect(await s.data()).toBeInstanceOf(Int32Array);
      s.dispose();
      const e = B.t([], { shape: [2, 0] });
      expect(await e.toArray()).toEqual([[], []]);
      e.dispose();
    } finally {
      x.dispose();
    }
  });

  it('synchronous reads exist on the CPU backend only, and say so', async () => {
    const x = B.t([
      [1, 2],
      [3, 4],
    ]);
    try {
      const tr = T.transpose(x);
      if (name === 'cpu') {
        expect(Array.from(tr.dataSyncCpu())).toEqual([1, 3, 2, 4]);
        expectError(() => tr.itemSyncCpu(), T.ShapeError, 'itemSyncCpu', '[2,2]');
        expect(tr.toArraySyncCpu()).toEqual([
          [1, 3],
          [2, 4],
        ]);
        const s = T.slice(tr, 0, 1, 2, 1);
        expect(Array.from(s.dataSyncCpu())).toEqual([2, 4]);
        s.dispose();
      } else {
        expectError(() => tr.dataSyncCpu(), T.BackendError, 'dataSyncCpu', name);
      }
      tr.dispose();
    } finally {
      x.dispose();
    }
  });

  it('reads of a disposed tensor are errors', async () => {
    const x = B.t([1, 2]);
    x.dispose();
    await expect(x.data()).rejects.toBeInstanceOf(T.DisposedError);
    await expect(x.item()).rejects.toBeInstanceOf(T.DisposedError);
    await expect(x.toArray()).rejects.toBeInstanceOf(T.DisposedError);
    expect(() => x.dataSyncCpu()).toThrow(T.DisposedError);
  });

  it('creation on an unknown backend is a BackendError naming it', () => {
    expectError(() => T.zeros([2], { backend: 'nope' }), T.BackendError, 'nope');
  });
});

/** Counter-based generation: every backend draws the same numbers as the CPU for the same seed. */
const others = BACKENDS.filter((b) => b.name !== 'cpu');
describe.skipIf(others.length === 0)('random numbers agree across backends', () => {
  checkLeaks();
  it.each(others.length ? others : [{ name: 'none' }])('$name draws what cpu draws', async ({ name }) => {
    const draw = async (backend: string) => {
      T.manualSeed(99);
      const u = await take(T.rand([1023], { backend }));
      const n = await take(T.randn([1023], { backend }));
      const i = await take(T.randint(-50, 50, [17, 3], { backend }));
      return { u, n, i };
    };
    const cpu = await draw('cpu');
    const other = await draw(name);
    expect(other.u).toEqual(cpu.u);
    expect(other.i).toEqual(cpu.i);
    expect(other.n.shape).toEqual(cpu.n.shape);
    expectClose(other.n.data, cpu.n.data, 1e-4, 1e-4);
  });
});
