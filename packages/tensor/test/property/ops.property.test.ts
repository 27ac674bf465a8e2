/**
 * Property tests (fast-check) for kernels over random shapes and random views, on the CPU backend:
 * reductions, broadcasting arithmetic, reshape of views (view or copy, same values), matmul batching, and
 * round trips (concat/split, pad/slice, gather/take with identity indices).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { indices } from '../conformance/helpers.js';
import { broadcastIndex, broadcastRef } from '../conformance/reference.js';

const RUNS = { numRuns: 120, seed: 424242 };

let start = T.memory();
beforeEach(() => {
  start = T.memory();
});
afterEach(() => {
  expect(T.memory().tensors, 'tensors leaked by a property').toBe(start.tensors);
  expect(T.memory().bytesInUse, 'bytes leaked by a property').toBe(start.bytesInUse);
});

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const dimArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);
const shapeArb = (min = 0, max = 4) => fc.array(dimArb, { minLength: min, maxLength: max });
/** Small integers as values, so float32 sums are exact and comparisons can be exact. */
const valuesFor = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 17) - 8);

/** A tensor with logical shape `shape` and values `vals`, stored permuted by `perm` (a non-contiguous view). */
function permutedView(vals: number[], shape: number[], perm: number[]): T.Tensor {
  const stored = perm.map((d) => shape[d]!);
  const inv = new Array<number>(perm.length);
  perm.forEach((d, k) => {
    inv[d] = k;
  });
  // stored[k] is logical axis perm[k]: fill the stored buffer by reading logical values.
  const buf: number[] = [];
  const lstr = shape.map((_, i) => size(shape.slice(i + 1)));
  for (const sidx of indices(stored)) {
    let flat = 0;
    sidx.forEach((v, k) => {
      flat += v * lstr[perm[k]!]!;
    });
    buf.push(vals[flat]!);
  }
  return T.tidy(() => T.permute(T.tensor(buf, { shape: stored }), inv));
}

const withPerm = (shape: fc.Arbitrary<number[]>) =>
  shape.chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }),
    ),
  );

function read(t: T.Tensor): number[] {
  try {
    return Array.from(t.dataSyncCpu());
  } finally {
    t.dispose();
  }
}

describe('kernel properties (fast-check, cpu)', () => {
  it('sum/max/min over any axes of any view equal the reference', () => {
    fc.assert(
      fc.property(
        withPerm(shapeArb(1, 4)).chain(([s, p]) =>
          fc.tuple(
            fc.constant(s),
            fc.constant(p),
            fc.subarray([...s.keys()], { minLength: 1 }),
            fc.boolean(),
            fc.nat(),
          ),
        ),
        ([shape, perm, axes, keepdim, seed]) => {
          const vals = valuesFor(size(shape), seed);
          const x = permutedView(vals, shape, perm);
          try {
            const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
            const groups = new Map<number, number[]>();
            let k = 0;
            for (const idx of indices(shape)) {
              const key = idx.reduce((p, v, i) => p * outShape[i]! + (axes.includes(i) ? 0 : v), 0);
              groups.set(key, [...(groups.get(key) ?? []), vals[k++]!]);
            }
            const keys = [...Array(size(outShape)).keys()];
            const want = keys.map((key) => (groups.get(key) ?? []).reduce((p, v) => p + v, 0));
            const s = T.sum(x, axes, keepdim);
            expect([...s.shape]).toEqual(keepdim ? outShape : shape.filter((_, i) => !axes.includes(i)));
            expect(read(s)).toEqual(want);
            if (axes.every((a) => shape[a]! > 0)) {
              expect(read(T.max(x, axes, keepdim))).toEqual(keys.map((key) => Math.max(...groups.get(key)!)));
              expect(read(T.min(x, axes, keepdim))).toEqual(keys.map((key) => Math.min(...groups.get(key)!)));
            }
          } finally {
            x.dispose();
          }
        },
      ),
      RUNS,
    );
  });

  it('broadcasting arithmetic on permuted views equals index arithmetic', () => {
    const pair = fc.tuple(shapeArb(0, 4), shapeArb(0, 4), fc.nat()).map(([a, b, k]) => {
      // Make b broadcast-compatible with a most of the time.
      const bb = b.map((d, i) => {
        const ai = a[a.length - b.length + i];
        return ai === undefined ? d : (k + i) % 3 === 0 ? 1 : ai;
      });
      return [a, bb] as const;
    });
    fc.assert(
      fc.property(
        pair.chain(([a, b]) =>
          fc.tuple(
            fc.constant(a),
            fc.constant(b),
            fc.shuffledSubarray([...a.keys()], { minLength: a.length, maxLength: a.length }),
            fc.shuffledSubarray([...b.keys()], { minLength: b.length, maxLength: b.length }),
          ),
        ),
        ([sa, sb, pa, pb]) => {
          const out = broadcastRef(sa, sb);
          const va = valuesFor(size(sa), 1);
          const vb = valuesFor(size(sb), 2);
          const x = permutedView(va, sa, pa);
          const y = permutedView(vb, sb, pb);
          try {
            if (!out) {
              expect(() => T.mul(x, y)).toThrow(T.ShapeError);
              return;
            }
            const want = [...indices(out)].map(
              (idx) => va[broadcastIndex(idx, sa)]! * vb[broadcastIndex(idx, sb)]!,
            );
            const r = T.mul(x, y);
            expect([...r.shape]).toEqual(out);
            expect(read(r)).toEqual(want);
          } finally {
            x.dispose();
            y.dispose();
          }
        },
      ),
      RUNS,
    );
  });

  it('reshape of any view equals reshape of its contiguous copy; a shared storage means a true view', () => {
    fc.assert(
      fc.property(
        withPerm(shapeArb(1, 4)).chain(([s, p]) => {
          const n = size(s);
          const divisors = n === 0 ? [0] : [...Array(n + 1).keys()].filter((d) => d >= 1 && n % d === 0);
          return fc.tuple(fc.constant(s), fc.constant(p), fc.constantFrom(...divisors), fc.boolean());
        }),
        ([shape, perm, d, flat]) => {
          const n = size(shape);
          const vals = valuesFor(n, 3);
          const x = permutedView(vals, shape, perm);
          try {
            const target = flat ? [-1] : n === 0 ? [0, ...shape.slice(1)] : [d, n / d];
            const r = T.reshape(x, target);
            const viaCopy = T.tidy(() => T.reshape(T.contiguous(x), target));
            expect([...r.shape]).toEqual([...viaCopy.shape]);
            const shared = r.storage === x.storage;
            expect(read(r)).toEqual(read(viaCopy));
            // A contiguous source always gives a view.
            if (x.isContiguous && x.offset === 0) expect(shared).toBe(true);
          } finally {
            x.dispose();
          }
        },
      ),
      RUNS,
    );
  });

  it('matmul with random batch broadcasting equals the reference', () => {
    const batchPair = fc.tuple(shapeArb(0, 2), shapeArb(0, 2)).map(([a, b]) => {
      const bb = b.map((dd, i) => {
        const ai = a[a.length - b.length + i];
        return ai === undefined || dd === 1 ? dd : ai;
      });
      return [a, bb] as const;
    });
    fc.assert(
      fc.property(batchPair, dimArb, dimArb, dimArb, fc.boolean(), ([ba, bb], m, k, n, transB) => {
        const sa = [...ba, m, k];
        const sb = [...bb, k, n];
        const batch = broadcastRef(ba, bb)!;
        const va = valuesFor(size(sa), 5);
        const vb = valuesFor(size(sb), 6);
        const r = T.tidy(() => {
          const a = T.tensor(va, { shape: sa });
          const b = transB
            ? permutedView(vb, sb, [...bb.keys(), bb.length + 1, bb.length])
            : T.tensor(vb, { shape: sb });
          return T.matmul(a, b);
        });
        const want: number[] = [];
        for (const bi of indices(batch)) {
          const oa = (ba.length ? broadcastIndex(bi, ba) : 0) * m * k;
          const ob = (bb.length ? broadcastIndex(bi, bb) : 0) * k * n;
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) s += va[oa + i * k + p]! * vb[ob + p * n + j]!;
              want.push(s);
            }
        }
        expect([...r.shape]).toEqual([...batch, m, n]);
        expect(read(r)).toEqual(want);
      }),
      RUNS,
    );
  });

  it('split(concat(parts)) gives the parts back; slice(pad(x)) gives x back', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 3).chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.integer({ min: 0, max: s.length - 1 }),
            fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
            fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
              minLength: s.length,
              maxLength: s.length,
            }),
          ),
        ),
        ([shape, axis, sizes, pads]) => {
          const parts = sizes.map((len, i) => {
            const s = [...shape];
            s[axis] = len;
            return valuesFor(size(s), 10 + i);
          });
          const back = T.tidy(() => {
            const ts = sizes.map((len, i) => {
              const s = [...shape];
              s[axis] = len;
              return T.tensor(parts[i]!, { shape: s });
            });
            return T.split(T.concat(ts, axis), sizes, axis);
          });
          expect(back.map((b) => b.shape[axis])).toEqual(sizes);
          expect(back.map(read)).toEqual(parts);

          const vals = valuesFor(size(shape), 20);
          const round = T.tidy(() => {
            let p = T.pad(T.tensor(vals, { shape }), pads as [number, number][], 99);
            for (let d = 0; d < shape.length; d++) p = T.slice(p, d, pads[d]![0], pads[d]![0] + shape[d]!);
            return p;
          });
          expect([...round.shape]).toEqual(shape);
          expect(read(round)).toEqual(vals);
        },
      ),
      RUNS,
    );
  });

  it('gather with identity indices and take of arange are identities on any view', () => {
    fc.assert(
      fc.property(
        withPerm(shapeArb(1, 3)).chain(([s, p]) =>
          fc.tuple(fc.constant(s), fc.constant(p), fc.integer({ min: 0, max: s.length - 1 })),
        ),
        ([shape, perm, axis]) => {
          const vals = valuesFor(size(shape), 30);
          const x = permutedView(vals, shape, perm);
          try {
            const g = T.tidy(() => {
              const idx = T.reshape(
                T.arange(0, shape[axis]!, 1, { dtype: 'int32' }),
                shape.map((d, i) => (i === axis ? d : 1)),
              );
              return T.gather(x, axis, T.expand(idx, shape));
            });
            expect(read(g)).toEqual(vals);
            const t = T.tidy(() => T.take(x, T.arange(0, size(shape), 1, { dtype: 'int32' })));
            expect(read(t)).toEqual(vals);
          } finally {
            x.dispose();
          }
        },
      ),
      RUNS,
    );
  });
});
