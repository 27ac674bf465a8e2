/**
 * The unpacked matmul path (gemm-direct.ts, matmul-direct.ts): operands read where they lie in the wasm heap,
 * C written in place, tasks over batch entries or row chunks. Checked against the naive reference within the
 * f32 bound, and bit-identical for 1, 2 and 3 threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { detectFeatures } from '../../src/backends/wasm/features.js';
import type { MatmulArgs } from '../../src/backends/wasm/matmul.js';
import { DIRECT_MAX_K } from '../../src/backends/wasm/matmul-direct.js';
import { WasmTier } from '../../src/backends/wasm/tier.js';
import { expectClose, randomArray, reference } from './matmul-helpers.js';

const tier = new WasmTier(detectFeatures(), { threads: 3, parallelMinFlops: 0 });
afterAll(() => tier.dispose());
const { mr, nr } = tier.runtime.directShape;

/** A heap-resident copy of `src` (kernels read it in place). */
function inHeap(src: Float32Array): Float32Array {
  const h = tier.runtime.heap?.allocF32(src.length);
  if (!h) throw new Error('no heap');
  h.set(src);
  return h;
}

const range = (n: number, step: number, from = 0): number[] =>
  Array.from({ length: n }, (_, i) => from + i * step);

/** Runs args on 1, 2 and 3 threads into fresh copies of `out` (NaN-filled); checks they agree bit for bit. */
function runAllThreads(args: MatmulArgs, fresh: () => Float32Array): Float32Array {
  const results: Float32Array[] = [];
  for (const threads of [1, 2, 3]) {
    tier.setThreads(threads);
    const out = fresh();
    expect(tier.matmulF32({ ...args, out: { ...args.out, data: out } })).toBe(true);
    results.push(out.slice());
  }
  tier.setThreads(3);
  const [one, ...rest] = results as [Float32Array, ...Float32Array[]];
  for (const r of rest) expect(Buffer.from(r.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  return one;
}

function directCalls(): number {
  return tier.matmulStats.directCalls;
}

describe('wasm unpacked matmul (gemmDirect)', () => {
  it('attention-like heads: q, k, v strided views of one heap qkv buffer, kᵀ packed by the tasks', async () => {
    expect(await tier.warmUp()).toBe(true);
    // qkv[b, n, 3, h, d] (the layout of a fused qkv projection), viewed per (b, h) without copies
    const [B, H, L, D] = [5, 3, 13, 16];
    const qkv = inHeap(randomArray(B * L * 3 * H * D, 1));
    const row = 3 * H * D;
    const offs = (which: number): number[] =>
      range(B * H, 0).map((_, i) => Math.floor(i / H) * L * row + which * H * D + (i % H) * D);
    const before = directCalls();
    // logits = q @ kᵀ: [L, D] @ [D, L], k's transpose has column stride `row`
    const logits = runAllThreads(
      {
        a: { data: qkv, offsets: offs(0), rowStride: row, colStride: 1 },
        b: { data: qkv, offsets: offs(1), rowStride: 1, colStride: row },
        out: { data: new Float32Array(0), offsets: range(B * H, L * L), rowStride: L, colStride: 1 },
        M: L,
        N: L,
        K: D,
      },
      () => inHeap(new Float32Array(B * H * L * L).fill(Number.NaN)),
    );
    // out = probs @ v: [L, L] @ [L, D], v's rows `row` apart
    const probs = inHeap(randomArray(B * H * L * L, 2));
    const out = runAllThreads(
      {
        a: { data: probs, offsets: range(B * H, L * L), rowStride: L, colStride: 1 },
        b: { data: qkv, offsets: offs(2), rowStride: row, colStride: 1 },
        out: { data: new Float32Array(0), offsets: range(B * H, L * D), rowStride: D, colStride: 1 },
        M: L,
        N: D,
        K: L,
      },
      () => inHeap(new Float32Array(B * H * L * D).fill(Number.NaN)),
    );
    expect(directCalls() - before).toBe(6);
    for (const e of [0, 7, B * H - 1]) {
      const o = offs(0)[e] as number;
      const k = offs(1)[e] as number;
      const v = offs(2)[e] as number;
      expectClose(
        logits,
        e * L * L,
        L,
        reference({ data: qkv, off: o, rs: row, cs: 1 }, { data: qkv, off: k, rs: 1, cs: row }, L, L, D),
        L,
        L,
        D,
      );
      expectClose(
        out,
        e * L * D,
        D,
        reference(
          { data: probs, off: e * L * L, rs: L, cs: 1 },
          { data: qkv, off: v, rs: row, cs: 1 },
          L,
          D,
          L,
        ),
        L,
        D,
        L,
      );
    }
  });

  it('odd sizes with transposed A (any strides), in place into a strided heap output, padding untouched', () => {
    for (const [M, N, K] of [
      [mr, nr, 1],
      [mr + 1, nr + 1, 3],
      [13, 17, 17],
      [50, 50, 16],
      [37, 29, DIRECT_MAX_K],
    ] as const) {
      const at = inHeap(randomArray(3 + K * M, M + N));
      const b = inHeap(randomArray(K * N, K));
      const ld = N + 5;
      const before = directCalls();
      const out = runAllThreads(
        {
          a: { data: at, offsets: [3], rowStride: 1, colStride: M },
          b: { data: b, offsets: [0], rowStride: N, colStride: 1 },
          out: { data: new Float32Array(0), offsets: [2], rowStride: ld, colStride: 1 },
          M,
          N,
          K,
        },
        () => inHeap(new Float32Array(2 + M * ld).fill(-7)),
      );
      expect(directCalls() - before).toBe(3);
      expectClose(
        out,
        2,
        ld,
        reference({ data: at, off: 3, rs: 1, cs: M }, { data: b, off: 0, rs: N, cs: 1 }, M, N, K),
        M,
        N,
        K,
      );
      expect(out[0]).toBe(-7);
      for (let m = 0; m < M; m++) for (let n = N; n < ld; n++) expect(out[2 + m * ld + n]).toBe(-7);
    }
  });

  it('a big entry in row chunks: folded batch @ a broadcast transposed weight (packed once by the caller)', () => {
    const [B, L, K, N] = [4, 75, 96, 72];
    const x = inHeap(randomArray(B * L * K, 3));
    const w = inHeap(randomArray(N * K, 4)); // [N, K], used as wᵀ
    const before = { ...tier.matmulStats };
    const out = runAllThreads(
      {
        a: { data: x, offsets: range(B, L * K), rowStride: K, colStride: 1 },
        b: { data: w, offsets: range(B, 0), rowStride: 1, colStride: K },
        out: { data: new Float32Array(0), offsets: range(B, L * N), rowStride: N, colStride: 1 },
        M: L,
        N,
        K,
      },
      () => inHeap(new Float32Array(B * L * N).fill(Number.NaN)),
    );
    // one folded product of B*L rows, cut into several tasks
    expect(tier.matmulStats.directCalls - before.directCalls).toBe(3);
    expect((tier.matmulStats.tasks - before.tasks) / 3).toBeGreaterThan(1);
    expectClose(
      out,
      0,
      N,
      reference({ data: x, off: 0, rs: K, cs: 1 }, { data: w, off: 0, rs: 1, cs: K }, B * L, N, K),
      B * L,
      N,
      K,
    );
  });

  it('one product with a transposed weight, cut by columns: each task lays out its own columns of B', () => {
    const [M, K, N] = [50, 96, 301];
    const x = inHeap(randomArray(M * K, 9));
    const w = inHeap(randomArray(N * K + 1, 10)); // [N, K] after one junk float, used as wᵀ
    const ld = N + 3;
    const before = { ...tier.matmulStats };
    const out = runAllThreads(
      {
        a: { data: x, offsets: [0], rowStride: K, colStride: 1 },
        b: { data: w, offsets: [1], rowStride: 1, colStride: K },
        out: { data: new Float32Array(0), offsets: [0], rowStride: ld, colStride: 1 },
        M,
        N,
        K,
      },
      () => inHeap(new Float32Array(M * ld).fill(-7)),
    );
    expect(tier.matmulStats.directCalls - before.directCalls).toBe(3);
    expect((tier.matmulStats.tasks - before.tasks) / 3).toBeGreaterThan(1);
    expectClose(
      out,
      0,
      ld,
      reference({ data: x, off: 0, rs: K, cs: 1 }, { data: w, off: 1, rs: 1, cs: K }, M, N, K),
      M,
      N,
      K,
    );
    for (let m = 0; m < M; m++) for (let n = N; n < ld; n++) expect(out[m * ld + n]).toBe(-7);
  });

  it('operands outside the heap are staged and C copied out; an output overlapping an input is not clobbered', () => {
    const [B, M, N, K] = [6, 20, 24, 40];
    const a = randomArray(B * M * K, 5);
    const b = randomArray(B * K * N, 6);
    const before = directCalls();
    const out = runAllThreads(
      {
        a: { data: a, offsets: range(B, M * K), rowStride: K, colStride: 1 },
        b: { data: b, offsets: range(B, K * N), rowStride: N, colStride: 1 },
        out: { data: new Float32Array(0), offsets: range(B, M * N), rowStride: N, colStride: 1 },
        M,
        N,
        K,
      },
      () => new Float32Array(B * M * N),
    );
    expect(directCalls() - before).toBe(3);
    expectClose(
      out,
      (B - 1) * M * N,
      N,
      reference(
        { data: a, off: (B - 1) * M * K, rs: K, cs: 1 },
        { data: b, off: (B - 1) * K * N, rs: N, cs: 1 },
        M,
        N,
        K,
      ),
      M,
      N,
      K,
    );
    // x = x @ w in one heap buffer: the result must come from the old x
    const [S, T] = [16, 16];
    const xs = randomArray(S * T, 7);
    const w = inHeap(randomArray(T * T, 8));
    const ref = reference({ data: xs, off: 0, rs: T, cs: 1 }, { data: w, off: 0, rs: T, cs: 1 }, S, T, T);
    const x = inHeap(xs);
    tier.matmulF32({
      a: { data: x, offsets: [0], rowStride: T, colStride: 1 },
      b: { data: w, offsets: [0], rowStride: T, colStride: 1 },
      out: { data: x, offsets: [0], rowStride: T, colStride: 1 },
      M: S,
      N: T,
      K: T,
    });
    expectClose(x, 0, T, ref, S, T, T);
  });

  it('leaves small tiles and long K to the packed path', () => {
    const before = { ...tier.matmulStats };
    for (const [M, N, K] of [
      [mr - 1, 16, 16],
      [16, nr - 1, 16],
      [16, 16, DIRECT_MAX_K + 1],
    ] as const) {
      const a = randomArray(M * K, M);
      const b = randomArray(K * N, N);
      const out = new Float32Array(M * N);
      tier.matmulF32({
        a: { data: a, offsets: [0], rowStride: K, colStride: 1 },
        b: { data: b, offsets: [0], rowStride: N, colStride: 1 },
        out: { data: out, offsets: [0], rowStride: N, colStride: 1 },
        M,
        N,
        K,
      });
      expectClose(
        out,
        0,
        N,
        reference({ data: a, off: 0, rs: K, cs: 1 }, { data: b, off: 0, rs: N, cs: 1 }, M, N, K),
        M,
        N,
        K,
      );
    }
    expect(tier.matmulStats.calls - before.calls).toBe(3);
    expect(tier.matmulStats.directCalls - before.directCalls).toBe(0);
  });
});
