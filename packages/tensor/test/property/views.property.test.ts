/**
 * Property tests (fast-check) for the view algebra and broadcasting, on the CPU backend: random shapes and
 * random chains of views, checked against plain index arithmetic. Views never copy where a view exists, and
 * contiguous() of any view equals the values read through (shape, strides, offset).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { broadcastRef } from '../conformance/reference.js';

const RUNS = { numRuns: 150, seed: 20261129 };

let start = T.memory();
beforeEach(() => {
  start = T.memory();
});
afterEach(() => {
  expect(T.memory().tensors, 'tensors leaked by a property').toBe(start.tensors);
  expect(T.memory().bytesInUse, 'bytes leaked by a property').toBe(start.bytesInUse);
});

/** Shapes of rank 0..4 with dims 0..4 (mostly non-zero). */
const shapeArb = (maxRank = 4) =>
  fc.array(
    fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    {
      minLength: 0,
      maxLength: maxRank,
    },
  );
const nonEmptyShapeArb = (maxRank = 4) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: maxRank });

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const seq = (shape: readonly number[]) =>
  T.tensor(
    Array.from({ length: size(shape) }, (_, i) => i),
    { shape },
  );

/**
 * The storage positions a view reads, by plain index arithmetic over (shape, strides, offset). For views of
 * seq() (whose storage holds 0, 1, 2, ... at positions 0, 1, 2, ...) these are exactly the values it shows.
 */
function positionsByStrides(t: T.Tensor): number[] {
  const out: number[] = [];
  const idx = new Array<number>(t.shape.length).fill(0);
  for (let k = 0; k < t.size; k++) {
    let pos = t.offset;
    for (let d = 0; d < idx.length; d++) pos += idx[d]! * t.strides[d]!;
    out.push(pos);
    for (let d = t.shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < t.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Read a tensor's values synchronously and dispose it. */
function values(t: T.Tensor): number[] {
  try {
    return Array.from(t.dataSyncCpu());
  } finally {
    t.dispose();
  }
}

/** A random permutation of 0..n-1. */
const permArb = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

/** One random view step that applies to a tensor of the given shape. */
type Step =
  | { kind: 'permute'; dims: number[] }
  | { kind: 'slice'; axis: number; start: number; end: number; step: number }
  | { kind: 'expand'; shape: number[] }
  | { kind: 'reshape'; shape: number[] }
  | { kind: 'unsqueeze'; axis: number }
  | { kind: 'squeeze' };

function stepArb(shape: readonly number[]): fc.Arbitrary<Step> {
  const options: fc.Arbitrary<Step>[] = [
    fc.constant({ kind: 'unsqueeze' as const, axis: 0 }),
    fc.constant({ kind: 'squeeze' as const }),
  ];
  if (shape.length > 0) {
    options.push(permArb(shape.length).map((dims) => ({ kind: 'permute' as const, dims })));
    options.push(
      fc
        .record({
          axis: fc.integer({ min: 0, max: shape.length - 1 }),
          start: fc.integer({ min: -5, max: 5 }),
          end: fc.integer({ min: -5, max: 6 }),
          step: fc.integer({ min: 1, max: 3 }),
        })
        .map((r) => ({ kind: 'slice' as const, ...r })),
    );
    options.push(
      fc.integer({ min: 0, max: shape.length }).map((axis) => ({ kind: 'unsqueeze' as const, axis })),
    );
    // Expand every size-1 dim to a random size and maybe add a leading dim.
    options.push(
      fc
        .record({
          sizes: fc.array(fc.integer({ min: 1, max: 3 }), {
            minLength: shape.length,
            maxLength: shape.length,
          }),
          lead: fc.integer({ min: 0, max: 2 }),
        })
        .map(({ sizes, lead }) => ({
          kind: 'expand' as const,
          shape: [...(lead > 0 ? [lead] : []), ...shape.map((d, i) => (d === 1 ? sizes[i]! : d))],
        })),
    );
    // Reshape into a random factorisation of the size (merging everything, then splitting).
    const n = size(shape);
    const divisors = [...Array(n + 1).keys()].filter((d) => d >= 1 && n % d === 0);
    if (n > 0)
      options.push(
        fc.constantFrom(...divisors).map((d) => ({ kind: 'reshape' as const, shape: [d, n / d] })),
      );
  }
  return fc.oneof(...options);
}

function applyStep(t: T.Tensor, s: Step): T.Tensor {
  switch (s.kind) {
    case 'permute':
      return T.permute(t, s.dims);
    case 'slice':
      return T.slice(t, s.axis, s.start, s.end, s.step);
    case 'expand':
      return T.expand(t, s.shape);
    case 'reshape':
      return T.reshape(t, s.shape);
    case 'unsqueeze':
      return T.unsqueeze(t, s.axis);
    case 'squeeze':
      return T.squeeze(t);
  }
}

/** The same step on a plain nested-free representation: values (row-major) + shape. */
function refStep(vals: number[], shape: number[], s: Step): { vals: number[]; shape: number[] } {
  const strides = shape.map((_, i) => size(shape.slice(i + 1)));
  const gatherBy = (outShape: number[], src: (idx: number[]) => number) => {
    const out: number[] = [];
    const idx = new Array<number>(outShape.length).fill(0);
    for (let k = 0; k < size(outShape); k++) {
      out.push(vals[src(idx)]!);
      for (let d = outShape.length - 1; d >= 0; d--) {
        if (++idx[d]! < outShape[d]!) break;
        idx[d] = 0;
      }
    }
    return { vals: out, shape: outShape };
  };
  switch (s.kind) {
    case 'permute':
      return gatherBy(
        s.dims.map((d) => shape[d]!),
        (idx) => idx.reduce((p, v, i) => p + v * strides[s.dims[i]!]!, 0),
      );
    case 'slice': {
      const n = shape[s.axis]!;
      const norm = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
      const a = norm(s.start);
      const e = norm(s.end);
      const len = e > a ? Math.ceil((e - a) / s.step) : 0;
      const out = [...shape];
      out[s.axis] = len;
      return gatherBy(out, (idx) =>
        idx.reduce((p, v, i) => p + (i === s.axis ? a + v * s.step : v) * strides[i]!, 0),
      );
    }
    case 'expand': {
      const lead = s.shape.length - shape.length;
      return gatherBy(s.shape, (idx) =>
        shape.reduce((p, d, i) => p + (d === 1 ? 0 : idx[i + lead]!) * strides[i]!, 0),
      );
    }
    case 'reshape':
      return { vals, shape: s.shape };
    case 'unsqueeze': {
      const out = [...shape];
      out.splice(s.axis, 0, 1);
      return { vals, shape: out };
    }
    case 'squeeze':
      return { vals, shape: shape.filter((d) => d !== 1) };
  }
}

/** A random chain of 1-5 view steps starting from a random shape (built step by step so each one applies). */
const chainArb = fc.tuple(shapeArb(3), fc.integer({ min: 1, max: 5 })).chain(([shape, k]) => {
  let arb: fc.Arbitrary<{ shape: number[]; steps: Step[] }> = fc.constant({
    shape: [...shape],
    steps: [] as Step[],
  });
  for (let i = 0; i < k; i++) {
    arb = arb.chain(({ shape: cur, steps }) =>
      stepArb(cur).map((st) => ({
        shape: refStep(new Array(size(cur)).fill(0), cur, st).shape,
        steps: [...steps, st],
      })),
    );
  }
  return arb.map((r) => ({ start: shape, steps: r.steps }));
});

describe('view algebra (fast-check, cpu)', () => {
  it('any chain of views reads the values index arithmetic predicts; contiguous() equals reading by strides', () => {
    fc.assert(
      fc.property(chainArb, ({ start: shape, steps }) => {
        const scope = new T.Scope();
        try {
          const x = scope.track(seq(shape));
          let t = x;
          let ref = { vals: Array.from({ length: size(shape) }, (_, i) => i), shape: [...shape] };
          for (const s of steps) {
            t = scope.run(() => applyStep(t, s));
            ref = refStep(ref.vals, ref.shape, s);
          }
          expect([...t.shape]).toEqual(ref.shape);
          const c = scope.run(() => T.contiguous(t));
          expect(c.storage).not.toBe(t.storage);
          expect(c.isContiguous).toBe(true);
          expect(Array.from(c.dataSyncCpu())).toEqual(ref.vals);
          // Without reshape, every step is a pure view: same storage, and reading by strides gives the values.
          if (steps.every((s) => s.kind !== 'reshape')) expect(t.storage).toBe(x.storage);
          if (t.storage === x.storage) expect(positionsByStrides(t)).toEqual(ref.vals);
        } finally {
          scope.dispose();
        }
      }),
      RUNS,
    );
  });

  it('reshape∘reshape equals a single reshape; reshape of a contiguous tensor is a view', () => {
    fc.assert(
      fc.property(nonEmptyShapeArb(), fc.nat(), fc.nat(), (shape, s1, s2) => {
        const n = size(shape);
        const divisors = [...Array(n + 1).keys()].filter((d) => d >= 1 && n % d === 0);
        const a = divisors[s1 % divisors.length]!;
        const b = divisors[s2 % divisors.length]!;
        const x = seq(shape);
        const r1 = T.reshape(x, [a, n / a]);
        const r2 = T.reshape(r1, [b, -1]);
        const direct = T.reshape(x, [b, n / b]);
        expect(r1.storage).toBe(x.storage);
        expect(r2.storage).toBe(x.storage);
        expect([...r2.shape]).toEqual([...direct.shape]);
        expect(values(r2)).toEqual(values(direct));
        r1.dispose();
        x.dispose();
      }),
      RUNS,
    );
  });

  it('permute by p then by p^-1 is the identity (same strides, no copy); transpose twice too', () => {
    fc.assert(
      fc.property(
        nonEmptyShapeArb().chain((shape) =>
          fc.tuple(fc.constant(shape), permArb(shape.length), fc.nat(), fc.nat()),
        ),
        ([shape, p, i, j]) => {
          const inv = new Array<number>(p.length);
          p.forEach((d, k) => {
            inv[d] = k;
          });
          const x = seq(shape);
          const back = T.tidy(() => T.permute(T.permute(x, p), inv));
          expect([...back.shape]).toEqual(shape);
          expect([...back.strides]).toEqual([...x.strides]);
          expect(back.storage).toBe(x.storage);
          const d0 = i % shape.length;
          const d1 = j % shape.length;
          const tt = T.tidy(() => T.transpose(T.transpose(x, d0, d1), d0, d1));
          expect([...tt.strides]).toEqual([...x.strides]);
          expect(values(tt)).toEqual(values(back));
          x.dispose();
        },
      ),
      RUNS,
    );
  });

  it('slice of a slice equals one direct slice (positive steps compose by multiplication)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 4 }),
        (n, s1, e1, k1, s2, e2, k2) => {
          const x = seq([n]);
          const twice = T.tidy(() => T.slice(T.slice(x, 0, s1, e1, k1), 0, s2, e2, k2));
          // Direct: the first slice covers positions a1 + k1*i, i < len1; the second picks i = s2', s2'+k2, ...
          const a1 = Math.min(s1, n);
          const len1 = Math.max(0, Math.ceil((Math.min(e1, n) - a1) / k1));
          const a2 = Math.min(s2, len1);
          const len2 = Math.max(0, Math.ceil((Math.min(e2, len1) - a2) / k2));
          const direct = T.slice(x, 0, a1 + a2 * k1, a1 + a2 * k1 + len2 * k1 * k2, k1 * k2);
          expect(twice.shape[0]).toBe(len2);
          expect(values(twice)).toEqual(values(direct));
          x.dispose();
        },
      ),
      RUNS,
    );
  });

  it('expand then sum over the expanded axes equals multiplying by the count', () => {
    fc.assert(
      fc.property(
        nonEmptyShapeArb(3),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 2 }),
        (shape, lead) => {
          const x = seq(shape);
          const target = [...lead, ...shape];
          const s = T.tidy(() =>
            T.sum(
              T.expand(x, target),
              lead.map((_, i) => i),
            ),
          );
          const m = T.mul(x, size(lead));
          expect([...s.shape]).toEqual(shape);
          expect(values(s)).toEqual(values(m));
          x.dispose();
        },
      ),
      RUNS,
    );
  });

  it('broadcastShapes is commutative, agrees with a reference, and add() follows it', () => {
    const pairArb = fc.tuple(shapeArb(4), shapeArb(4)).map(([a, b]) => {
      // Bias towards compatible pairs: replace some dims of b with 1 or with a's dim.
      const bb = b.map((d, i) => (i % 2 === 0 ? 1 : (a[a.length - b.length + i] ?? d)));
      return [a, bb] as const;
    });
    fc.assert(
      fc.property(fc.oneof(pairArb, fc.tuple(shapeArb(4), shapeArb(4))), ([a, b]) => {
        const want = broadcastRef(a, b);
        const ab = attempt(() => T.broadcastShapes('test', a, b));
        const ba = attempt(() => T.broadcastShapes('test', b, a));
        if (want === undefined) {
          expect(ab).toBeInstanceOf(T.ShapeError);
          expect(ba).toBeInstanceOf(T.ShapeError);
          expect(attempt(() => T.tidy(() => T.add(seq(a), seq(b))))).toBeInstanceOf(T.ShapeError);
        } else {
          expect(ab).toEqual(want);
          expect(ba).toEqual(want);
          const sum = T.tidy(() => T.add(seq(a), seq(b)));
          expect([...sum.shape]).toEqual(want);
          sum.dispose();
        }
      }),
      { ...RUNS, numRuns: 300 },
    );
  });

  it('broadcastShapes is associative over three shapes', () => {
    fc.assert(
      fc.property(shapeArb(3), shapeArb(3), shapeArb(3), (a, b, c) => {
        const left = attempt(() => T.broadcastShapes('t', T.broadcastShapes('t', a, b), c));
        const right = attempt(() => T.broadcastShapes('t', a, T.broadcastShapes('t', b, c)));
        const all = attempt(() => T.broadcastShapes('t', a, b, c));
        if (Array.isArray(all)) {
          expect(left).toEqual(all);
          expect(right).toEqual(all);
        } else {
          expect(all).toBeInstanceOf(T.ShapeError);
        }
      }),
      RUNS,
    );
  });
});

function attempt<R>(fn: () => R): R | Error {
  try {
    return fn();
  } catch (e) {
    return e as Error;
  }
}
