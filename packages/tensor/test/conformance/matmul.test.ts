/**
 * matmul on every backend: NumPy/PyTorch rules (1-D promotion, batched, broadcast batch dims), transposed,
 * sliced and expanded operands, odd sizes (0, 1, 3, 17, 1023 on the inner or outer dims), int32 and float64
 * where the backend has them, and errors naming both shapes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpuTier, setCpuTier } from '../../src/backends/wasm/backend.js';
import { getWasmTier } from '../../src/backends/wasm/tier.js';
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

/**
 * The CPU backend has two tiers for float32 matmul: the JS kernel (the reference) and WebAssembly SIMD for
 * products of at least WASM_MATMUL_MIN_MACS multiply-adds. Both must pass the same cases, and the WebAssembly
 * result must not depend on the thread count.
 */
describe('matmul on both CPU tiers', () => {
  checkLeaks();
  const B = on('cpu');
  const forcedJs = process.env.NORGA_CPU_TIER === 'js';
  afterAll(() => setCpuTier('wasm'));

  const cases: [number[], number[]][] = [
    [
      [17, 33],
      [33, 19],
    ],
    [
      [64, 64],
      [64, 64],
    ],
    [
      [65, 130],
      [130, 67],
    ],
    [
      [3, 1023],
      [1023, 2],
    ],
    [
      [2, 5],
      [5, 1023],
    ],
    [
      [1, 4096],
      [4096, 1],
    ],
    [
      [3, 17, 33],
      [33, 19],
    ],
    [
      [2, 1, 17, 33],
      [1, 3, 33, 19],
    ],
    [[1023], [1023, 5]],
  ];

  // With NORGA_CPU_TIER=js the wasm tier is off by request: its cases are skipped (reported as skipped).
  const tiers = forcedJs ? (['js'] as const) : (['js', 'wasm'] as const);
  it.each(tiers)('%s tier: odd shapes, batches, transposed and sliced operands', async (tier) => {
    setCpuTier(tier);
    expect(cpuTier()).toBe(tier);
    const calls0 = getWasmTier()?.matmulStats.calls ?? 0;
    for (const [sa, sb] of cases) {
      const a = pseudo(
        sa.reduce((p, d) => p * d, 1),
        sa.length + sa[0]!,
        -1,
        1,
      );
      const b = pseudo(
        sb.reduce((p, d) => p * d, 1),
        sb.length + sb[0]!,
        -1,
        1,
      );
      const want = matmulRef(a, sa, b, sb);
      const r = await ev(() => T.matmul(B.t(a, { shape: sa }), B.t(b, { shape: sb })));
      expect(r.shape, `[${sa}] @ [${sb}] (${tier})`).toEqual(want.shape);
      expectClose(r.data, want.data, 1e-4, 1e-4);
    }
    // a^T (a transposed view) @ a stepped slice of a wider buffer, big enough for the wasm tier.
    const [m, k, n] = [37, 45, 29];
    const at = pseudo(k * m, 77, -1, 1); // stored [k, m]
    const wide = pseudo(k * 2 * n, 78, -1, 1); // stored [k, 2n], every other column used
    const aVals = [...Array(m).keys()].flatMap((i) => [...Array(k).keys()].map((p) => at[p * m + i]!));
    const bVals = [...Array(k).keys()].flatMap((p) =>
      [...Array(n).keys()].map((j) => wide[p * 2 * n + 2 * j + 1]!),
    );
    const r = await ev(() =>
      T.matmul(
        T.transpose(B.t(at, { shape: [k, m] })),
        T.slice(B.t(wide, { shape: [k, 2 * n] }), 1, 1, 2 * n, 2),
      ),
    );
    expectClose(r.data, matmulRef(aVals, [m, k], bVals, [k, n]).data, 1e-4, 1e-4);
    const calls = (getWasmTier()?.matmulStats.calls ?? 0) - calls0;
    if (tier === 'wasm') expect(calls, 'the wasm kernel ran').toBeGreaterThan(0);
    else expect(calls, 'the js tier stays off wasm').toBe(0);
  });

  it.skipIf(forcedJs)('wasm tier results do not depend on the thread count', async () => {
    const tierObj = getWasmTier();
    if (!tierObj) throw new Error('WebAssembly SIMD should be available on Node 20');
    setCpuTier('wasm');
    const threads = tierObj.threads;
    const a = pseudo(160 * 170, 91, -1, 1);
    const b = pseudo(170 * 150, 92, -1, 1);
    try {
      const results: number[][] = [];
      for (const t of [1, 2, 3]) {
        tierObj.setThreads(t);
        results.push(
          (await ev(() => T.matmul(B.t(a, { shape: [160, 170] }), B.t(b, { shape: [170, 150] })))).data,
        );
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      expectClose(results[0]!, matmulRef(a, [160, 170], b, [170, 150]).data, 1e-4, 1e-4);
    } finally {
      tierObj.setThreads(threads);
    }
  });
});
