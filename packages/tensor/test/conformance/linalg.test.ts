/**
 * eigh and svd beyond their values (those are checked against PyTorch in test/golden/linalg.test.ts): batches
 * give each matrix's own result, strided and transposed views the contiguous input's, empty matrices empty
 * results, autograd sees nothing, and misuse raises typed errors naming the op, shape and dtype.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, on, pseudo } from './helpers.js';

/** Every output of eigh / svd, read back as plain arrays (and disposed). */
async function readAll(
  result: Record<string, T.Tensor>,
): Promise<Record<string, { shape: number[]; data: number[] }>> {
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [k, t] of Object.entries(result)) {
    out[k] = { shape: [...t.shape], data: Array.from(await t.data()) };
    t.dispose();
  }
  return out;
}

/** Asserts `promise` rejects with `cls` and a message containing every fragment. */
async function expectRejects(
  promise: Promise<unknown>,
  cls: abstract new (...args: never[]) => T.TensorError,
  ...fragments: string[]
): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(cls);
  for (const f of fragments) expect((err as Error).message).toContain(f);
}

describe.each(BACKENDS)('eigh and svd on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);
  // A symmetric 5×5 and a 4×6, from fixed pseudo-random values.
  const sym = (seed: number) => {
    const x = pseudo(25, seed);
    return Array.from({ length: 25 }, (_, k) => Math.fround(x[k]! + x[(k % 5) * 5 + Math.floor(k / 5)]!));
  };

  it('decomposes each matrix of a batch [2, 3, n, n] as it would alone', async () => {
    const mats = Array.from({ length: 6 }, (_, i) => sym(i + 1));
    const alone = [];
    for (const m of mats) {
      using a = B.t(m, { shape: [5, 5] });
      alone.push(await readAll({ ...(await T.eigh(a)) }));
    }
    using batch = B.t(mats.flat(), { shape: [2, 3, 5, 5] });
    const got = await readAll({ ...(await T.eigh(batch)) });
    expect(got.eigenvalues!.shape).toEqual([2, 3, 5]);
    expect(got.eigenvectors!.shape).toEqual([2, 3, 5, 5]);
    expect(got.eigenvalues!.data).toEqual(alone.flatMap((r) => r.eigenvalues!.data));
    expect(got.eigenvectors!.data).toEqual(alone.flatMap((r) => r.eigenvectors!.data));

    const rects = [pseudo(24, 7), pseudo(24, 8)];
    const svdAlone = [];
    for (const r of rects) {
      using a = B.t(r, { shape: [4, 6] });
      svdAlone.push(await readAll({ ...(await T.svd(a)) }));
    }
    using rectBatch = B.t(rects.flat(), { shape: [2, 4, 6] });
    const svdGot = await readAll({ ...(await T.svd(rectBatch)) });
    expect([svdGot.U!.shape, svdGot.S!.shape, svdGot.Vh!.shape]).toEqual([
      [2, 4, 4],
      [2, 4],
      [2, 4, 6],
    ]);
    for (const k of ['U', 'S', 'Vh']) expect(svdGot[k]!.data).toEqual(svdAlone.flatMap((r) => r[k]!.data));
  });

  it('reads strided and transposed views as their values', async () => {
    const values = pseudo(24, 3);
    using a = B.t(values, { shape: [4, 6] });
    const want = await readAll({ ...(await T.svd(a)) });
    // The same 4×6 values, every other element of a wider buffer.
    using wide = B.t(
      values.flatMap((v) => [v, 99]),
      { shape: [4, 12] },
    );
    using strided = T.slice(wide, 1, 0, 12, 2);
    expect(await readAll({ ...(await T.svd(strided)) })).toEqual(want);
    // The same values stored transposed and viewed back.
    using stored = B.t(
      T.tidy(() => Array.from(T.transpose(T.tensor(values, { shape: [4, 6] })).dataSyncCpu())),
      {
        shape: [6, 4],
      },
    );
    using transposed = T.transpose(stored);
    expect(transposed.isContiguous).toBe(false);
    expect(await readAll({ ...(await T.svd(transposed)) })).toEqual(want);

    const s = sym(9);
    using m = B.t(s, { shape: [5, 5] });
    using mt = T.transpose(m); // symmetric, so the same values through a transposed layout
    expect(await readAll({ ...(await T.eigh(mt)) })).toEqual(await readAll({ ...(await T.eigh(m)) }));
  });

  it('reads one triangle only, as torch does', async () => {
    const s = sym(4);
    // Junk above the diagonal for 'L', below it for 'U'.
    const lowerOnly = s.map((x, k) => (k % 5 > Math.floor(k / 5) ? 1000 : x));
    const upperOnly = s.map((x, k) => (k % 5 < Math.floor(k / 5) ? -1000 : x));
    using full = B.t(s, { shape: [5, 5] });
    using lower = B.t(lowerOnly, { shape: [5, 5] });
    using upper = B.t(upperOnly, { shape: [5, 5] });
    const want = await readAll({ ...(await T.eigh(full)) });
    expect(await readAll({ ...(await T.eigh(lower)) })).toEqual(want);
    expect(await readAll({ ...(await T.eigh(upper, { uplo: 'U' })) })).toEqual(want);
  });

  it('gives empty results for empty matrices, shaped as torch', async () => {
    using e = B.t([], { shape: [0, 0] });
    const r = await readAll({ ...(await T.eigh(e)) });
    expect([r.eigenvalues!.shape, r.eigenvectors!.shape]).toEqual([[0], [0, 0]]);
    using wide = B.t([], { shape: [0, 3] });
    const s = await readAll({ ...(await T.svd(wide)) });
    expect([s.U!.shape, s.S!.shape, s.Vh!.shape]).toEqual([[0, 0], [0], [0, 3]]);
    using batch = B.t([], { shape: [0, 2, 2] });
    const b = await readAll({ ...(await T.eigh(batch)) });
    expect([b.eigenvalues!.shape, b.eigenvectors!.shape]).toEqual([
      [0, 2],
      [0, 2, 2],
    ]);
  });

  it('gives the zero matrix an orthonormal U, as LAPACK (torch: U = I, Vh = the first rows of I)', async () => {
    using z = B.t([0, 0, 0, 0, 0, 0], { shape: [2, 3] });
    const r = await readAll({ ...(await T.svd(z)) });
    expect(r.S!.data).toEqual([0, 0]);
    expect(r.U!.data).toEqual([1, 0, 0, 1]);
    expect(r.Vh!.data).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('reports no op to autograd: its results are constants, even from a view that needs a copy', async () => {
    const seen: string[] = [];
    const prev = T.setOpRecorder((r) => seen.push(r.op));
    try {
      using a = B.t(sym(2), { shape: [5, 5] });
      using view = T.transpose(a);
      seen.length = 0; // the transpose itself is a recorded view
      const e = await T.eigh(view);
      const s = await T.svd(view);
      for (const t of [e.eigenvalues, e.eigenvectors, s.U, s.S, s.Vh]) t.dispose();
      expect(seen).toEqual([]);
    } finally {
      T.setOpRecorder(prev);
    }
  });

  it('rejects what it cannot decompose, naming the op, shape and dtype', async () => {
    using v = B.t([1, 2, 3]);
    await expectRejects(T.eigh(v), T.ShapeError, 'eigh', '[3]', 'float32');
    await expectRejects(T.svd(v), T.ShapeError, 'svd', '[3]', 'float32');
    using rect = B.t(pseudo(6, 1), { shape: [2, 3] });
    await expectRejects(T.eigh(rect), T.ShapeError, 'eigh', 'square', '[2,3]');
    using ints = B.t([1, 2, 2, 1], { shape: [2, 2], dtype: 'int32' });
    await expectRejects(T.eigh(ints), T.DTypeError, 'eigh', 'int32', '[2,2]');
    await expectRejects(T.svd(ints), T.DTypeError, 'svd', 'int32', '[2,2]');
    using nan = B.t([1, Number.NaN, Number.NaN, 1], { shape: [2, 2] });
    await expectRejects(T.eigh(nan), T.ArgumentError, 'eigh', 'NaN or infinite', '[2,2] float32');
    using inf = B.t([1, Number.POSITIVE_INFINITY], { shape: [1, 2] });
    await expectRejects(T.svd(inf), T.ArgumentError, 'svd', 'NaN or infinite', '[1,2] float32');
    // Only the triangle read counts: a NaN above the diagonal is ignored with uplo 'L', as in torch.
    using upperNan = B.t([1, Number.NaN, 0, 1], { shape: [2, 2] });
    const r = await readAll({ ...(await T.eigh(upperNan)) });
    expect(r.eigenvalues!.data).toEqual([1, 1]);
    using m = B.t([1, 0, 0, 1], { shape: [2, 2] });
    await expectRejects(T.eigh(m, { uplo: 'X' as 'L' }), T.ArgumentError, 'eigh', 'uplo', '"X"');
    await expectRejects(T.eigh([1] as unknown as T.Tensor), T.ArgumentError, 'eigh', 'array');
  });
});
