/**
 * Elementwise kernels and reductions split over the worker pool (pool-jobs.ts): bit-identical to one thread
 * for every input mode (full rows, per-row splat, strided), for row splits and for vector splits of one row,
 * with outputs written in place in the heap or staged; reductions over rows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { EwOperand } from '../../src/backends/wasm/elementwise-run.js';
import { detectFeatures } from '../../src/backends/wasm/features.js';
import { WasmTier } from '../../src/backends/wasm/tier.js';
import { bin, constant, type Expr, exprKey, input, un } from '../../src/ops/expr.js';
import { randomArray } from './matmul-helpers.js';

const features = detectFeatures();
const one = new WasmTier(features, { threads: 1 });
const three = new WasmTier(features, { threads: 3, parallelMinElements: 0 });
afterAll(() => {
  one.dispose();
  three.dispose();
});

/** A copy of `src` in the tier's heap, or a plain copy when `heap` is false. */
function place(tier: WasmTier, src: Float32Array, heap: boolean): Float32Array {
  const h = heap ? tier.runtime.heap?.allocF32(src.length) : new Float32Array(src.length);
  if (!h) throw new Error('no heap');
  h.set(src);
  return h;
}

const SENTINEL = 7.25;

const same = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

// gelu-like: x * 0.5 * (1 + erf(x * s)) + y (y: full, per-row, or strided by case)
const expr: Expr = bin(
  'add',
  bin(
    'mul',
    bin('mul', constant(0.5, 'float32'), input(0)),
    bin('add', constant(1, 'float32'), un('erf', input(0))),
  ),
  input(1),
);

describe('wasm pool jobs', () => {
  it('elementwise: row and vector splits, all input modes, in place and staged: same bits as one thread, rows written exactly', async () => {
    expect(await three.warmUp()).toBe(true);
    const [R, C] = [37, 103];
    const x = randomArray(R * C * 2, 1);
    const y = randomArray(R * C * 2, 2);
    const cases: { name: string; shape: number[]; xs: number[]; ys: number[]; outCols: number }[] = [
      { name: 'rows, full operands', shape: [R, C], xs: [C, 1], ys: [C, 1], outCols: C },
      { name: 'rows, per-row splat', shape: [R, C], xs: [C, 1], ys: [1, 0], outCols: C },
      { name: 'rows, strided (transposed)', shape: [R, C], xs: [C, 1], ys: [1, R], outCols: C },
      {
        name: 'rows into a wider buffer (gaps between rows)',
        shape: [R, C],
        xs: [C, 1],
        ys: [C, 1],
        outCols: C + 5,
      },
      {
        name: 'rows of 4k floats (row split, in place)',
        shape: [R, 128],
        xs: [128, 1],
        ys: [128, 1],
        outCols: 128,
      },
      { name: 'one long row (vector split)', shape: [R * C], xs: [1], ys: [1], outCols: R * C },
      { name: 'one long row, scalar operand', shape: [R * C], xs: [1], ys: [0], outCols: R * C },
    ];
    for (const c of cases) {
      for (const heap of [true, false]) {
        const size = c.shape.reduce((p, d) => p * d, 1);
        const outStrides = c.shape.length === 2 ? [c.outCols, 1] : [1];
        const run = (tier: WasmTier): Float32Array => {
          const ins: EwOperand[] = [
            { data: place(tier, x, heap), offset: 1, strides: c.xs },
            { data: place(tier, y, heap), offset: 2, strides: c.ys },
          ];
          // every element the result does not cover (gaps between rows, 8 floats past the end) holds a sentinel
          const cols = c.shape[c.shape.length - 1] as number;
          const span = c.shape.length === 2 ? (R - 1) * c.outCols + cols : size;
          const out = place(tier, new Float32Array(span + 8).fill(SENTINEL), heap);
          expect(
            tier.elementwiseF32(
              exprKey(expr),
              expr,
              ins,
              { data: out, offset: 0, strides: outStrides },
              c.shape,
            ),
          ).toBe(true);
          const o = out.slice();
          const covered = (i: number) => i < span && (c.shape.length === 1 || i % c.outCols < cols);
          expect(
            o.every((v, i) => covered(i) || v === SENTINEL),
            `${c.name}: writes past its rows`,
          ).toBe(true);
          return o.filter((_, i) => covered(i));
        };
        const before = three.elementwiseStats.parallelCalls;
        const want = run(one);
        const got = run(three);
        expect(same(got, want), `${c.name}${heap ? '' : ' (staged)'}`).toBe(true);
        // every case splits (rows of any length are written exactly, so rows can go to different threads)
        expect(three.elementwiseStats.parallelCalls - before).toBe(1);
        expect(want.some((v) => Number.isNaN(v) || v === SENTINEL)).toBe(false);
      }
    }
  });

  it('reductions over rows (split) and over columns (not): same bits as one thread', () => {
    const [R, C] = [301, 67];
    const x = randomArray(R * C + 5, 3);
    for (const op of ['sum', 'max', 'min'] as const) {
      for (const layout of ['rows', 'cols'] as const) {
        for (const heap of [true, false]) {
          const n = layout === 'rows' ? R : C;
          const run = (tier: WasmTier): Float32Array => {
            const out = new Float32Array(n + 2).fill(Number.NaN);
            expect(tier.reduceF32(op, layout, place(tier, x, heap), 5, C, R, C, out, 1)).toBe(true);
            return out;
          };
          const before = three.reduceStats.parallelCalls;
          const want = run(one);
          const got = run(three);
          expect(same(got, want), `${op} ${layout}`).toBe(true);
          // column reductions stay on one thread (they stream at memory speed already)
          expect(three.reduceStats.parallelCalls - before).toBe(layout === 'rows' ? 1 : 0);
          expect(Number.isNaN(want[0] as number) && Number.isNaN(want[n + 1] as number)).toBe(true);
          expect(want.slice(1, n + 1).some(Number.isNaN)).toBe(false);
        }
      }
    }
  });
});
