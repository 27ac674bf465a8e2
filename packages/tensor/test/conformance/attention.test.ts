/**
 * attention(q, k, v, scale) on every backend against a float64 reference: heads as strided views of one qkv
 * buffer (as a ViT makes them), shapes small enough for the composite and large enough for the CPU's fused
 * WebAssembly kernel, a given and the default scale, float64 where available, and the errors.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, expectClose, expectError, on, pseudo } from './helpers.js';

/** softmax(q kᵀ · scale) v per head, in doubles; q, k, v as [heads][rows][cols]. */
function reference(q: number[][][], k: number[][][], v: number[][][], scale: number): number[] {
  const out: number[] = [];
  q.forEach((qh, h) => {
    const kh = k[h]!;
    const vh = v[h]!;
    for (const row of qh) {
      const s = kh.map((kr) => scale * row.reduce((acc, x, d) => acc + x * kr[d]!, 0));
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < vh[0]!.length; c++)
        out.push(e.reduce((acc, p, j) => acc + (p / z) * vh[j]![c]!, 0));
    }
  });
  return out;
}

/** Values [B, L, 3, H, D] of a qkv buffer, and its q, k, v heads [B·H][L][D] for the reference. */
function qkvValues(B: number, L: number, H: number, D: number, seed: number) {
  const vals = pseudo(B * L * 3 * H * D, seed, -2, 2);
  const heads = (which: number) =>
    Array.from({ length: B * H }, (_, bh) => {
      const [b, h] = [Math.floor(bh / H), bh % H];
      return Array.from({ length: L }, (_, l) =>
        Array.from({ length: D }, (_, d) => vals[(((b * L + l) * 3 + which) * H + h) * D + d]!),
      );
    });
  return { vals, q: heads(0), k: heads(1), v: heads(2) };
}

describe.each(BACKENDS)('attention on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('strided heads of one qkv buffer, every size path, given and default scale, float dtypes', async () => {
    for (const dtype of B.floatDTypes) {
      const [atol, rtol] = dtype === 'float64' ? [1e-12, 1e-10] : [2e-6, 1e-4];
      // [batch, tokens, heads, head dim]: tiny (composite everywhere), ViT-like (fused on the CPU's wasm tier),
      // odd sizes (row tails), a head dim above the fused kernel's tile
      for (const [b, l, h, d] of [
        [1, 3, 2, 4],
        [2, 50, 4, 16],
        [1, 37, 3, 24],
        [2, 9, 2, 8],
      ] as const) {
        const { vals, q, k, v } = qkvValues(b, l, h, d, b * 100 + l);
        for (const scale of [undefined, 0.7]) {
          const got = await ev(() => {
            const qkv = B.t(vals, { shape: [b, l, 3, h, d], dtype });
            const [tq, tk, tv] = [0, 1, 2].map((i) =>
              T.squeeze(T.slice(qkv, 2, i, i + 1), 2).permute([0, 2, 1, 3]),
            );
            return T.attention(tq!, tk!, tv!, scale);
          });
          expect(got.shape).toEqual([b, h, l, d]);
          expectClose(got.data, reference(q, k, v, scale ?? 1 / Math.sqrt(d)), atol, rtol);
        }
      }
    }
  });

  it('different key and value lengths and widths: q [2, 5, 8], k [2, 11, 8], v [2, 11, 3]', async () => {
    const [q, k, v] = [
      [2, 5, 8],
      [2, 11, 8],
      [2, 11, 3],
    ].map((s, i) =>
      pseudo(
        s.reduce((p, x) => p * x, 1),
        7 + i,
        -1,
        1,
      ),
    );
    const nest = (x: number[], r: number, c: number) =>
      Array.from({ length: 2 }, (_, h) =>
        Array.from({ length: r }, (_, i) => x.slice((h * r + i) * c, (h * r + i + 1) * c)),
      );
    const got = await ev(() =>
      T.attention(
        B.t(q!, { shape: [2, 5, 8] }),
        B.t(k!, { shape: [2, 11, 8] }),
        B.t(v!, { shape: [2, 11, 3] }),
        2,
      ),
    );
    expect(got.shape).toEqual([2, 5, 3]);
    expectClose(got.data, reference(nest(q!, 5, 8), nest(k!, 11, 8), nest(v!, 11, 3), 2), 2e-6, 1e-4);
  });

  it('errors name the op, the shapes and the dtypes', () => {
    const t = (s: number[], dtype: T.DType = 'float32') =>
      B.t(
        pseudo(s.reduce((p, x) => p * x, 1)).map((x) => (dtype === 'int32' ? Math.round(x) : x)),
        {
          shape: s,
          dtype,
        },
      );
    expectError(
      () => T.attention(t([2, 3, 4]), t([3, 4]), t([2, 3, 4])),
      T.ShapeError,
      'attention',
      'same rank',
    );
    expectError(
      () => T.attention(t([2, 3, 4]), t([1, 3, 4]), t([2, 3, 4])),
      T.ShapeError,
      'batch dims differ',
    );
    expectError(
      () => T.attention(t([2, 3, 4]), t([2, 3, 5]), t([2, 3, 4])),
      T.ShapeError,
      'same last dim',
      '[2,3,5]',
    );
    expectError(() => T.attention(t([2, 3, 4]), t([2, 3, 4]), t([2, 6, 4])), T.ShapeError, 'number of keys');
    expectError(
      () => T.attention(t([2, 3, 4]), t([2, 3, 4]), t([2, 3, 4]), Number.NaN),
      T.ShapeError,
      'scale',
    );
    expectError(
      () => T.attention(t([3, 4], 'int32'), t([3, 4], 'int32'), t([3, 4], 'int32')),
      T.DTypeError,
      'attention',
    );
    if (B.has('float64'))
      expectError(
        () => T.attention(t([3, 4]), t([3, 4], 'float64'), t([3, 4])),
        T.DTypeError,
        'float32',
        'float64',
      );
  });
});
