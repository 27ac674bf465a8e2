import { afterAll, describe, expect, it } from 'vitest';
import { CTL } from '../../src/backends/wasm/control.js';
import { detectFeatures } from '../../src/backends/wasm/features.js';
import { WasmTier } from '../../src/backends/wasm/tier.js';
import { expectClose, randomArray, reference, type Strided } from './matmul-helpers.js';

const features = detectFeatures();
const single = new WasmTier(features, { threads: 1 });
const multi = new WasmTier(features, { threads: 3, parallelMinFlops: 0 });
afterAll(() => {
  single.dispose();
  multi.dispose();
});

const SIZES = [1, 3, 17, 129];

describe('wasm tier: features', () => {
  it('has SIMD on Node 20', () => {
    expect(features.simd).toBe(true);
    expect(features.sharedMemory).toBe(true);
  });
});

describe('wasm matmulF32 against the naive reference', () => {
  for (const M of SIZES) {
    for (const N of SIZES) {
      for (const K of SIZES) {
        it(`contiguous ${M}x${K} @ ${K}x${N}`, () => {
          const a = randomArray(M * K, M * 131 + K);
          const b = randomArray(K * N, N * 7 + K * 3);
          const out = new Float32Array(M * N).fill(Number.NaN);
          const ok = single.matmulF32({
            a: { data: a, offsets: [0], rowStride: K, colStride: 1 },
            b: { data: b, offsets: [0], rowStride: N, colStride: 1 },
            out: { data: out, offsets: [0], rowStride: N, colStride: 1 },
            M,
            N,
            K,
          });
          expect(ok).toBe(true);
          expectClose(
            out,
            0,
            N,
            reference({ data: a, off: 0, rs: K, cs: 1 }, { data: b, off: 0, rs: N, cs: 1 }, M, N, K),
            M,
            N,
            K,
          );
        });
      }
    }
  }

  it('transposed operands, offsets and a strided output (aᵀ @ bᵀ into a wider buffer)', () => {
    const M = 37;
    const N = 29;
    const K = 300; // more than one K block
    // a stored as [K, M] (so a[m, k] = at[k, m]) after 5 junk floats; b stored as [N, K]
    const at = randomArray(5 + K * M, 1);
    const bt = randomArray(N * K, 2);
    const ld = N + 3;
    const out = new Float32Array(2 + M * ld).fill(-7);
    single.matmulF32({
      a: { data: at, offsets: [5], rowStride: 1, colStride: M },
      b: { data: bt, offsets: [0], rowStride: 1, colStride: K },
      out: { data: out, offsets: [2], rowStride: ld, colStride: 1 },
      M,
      N,
      K,
    });
    expectClose(
      out,
      2,
      ld,
      reference({ data: at, off: 5, rs: 1, cs: M }, { data: bt, off: 0, rs: 1, cs: K }, M, N, K),
      M,
      N,
      K,
    );
    // padding columns and the leading floats are untouched
    expect(out[0]).toBe(-7);
    expect(out[2 + N]).toBe(-7);
    expect(out[2 + ld - 1]).toBe(-7);
  });

  it('sparse views (columns of a wide matrix) take the JS packing path', () => {
    const [M, N, K] = [17, 13, 5];
    const wide = randomArray(M * 1000, 11);
    const b = randomArray(K * N * 3, 12);
    const out = new Float32Array(M * N);
    single.matmulF32({
      a: { data: wide, offsets: [7], rowStride: 1000, colStride: 1 },
      b: { data: b, offsets: [1], rowStride: 3 * N, colStride: 3 },
      out: { data: out, offsets: [0], rowStride: N, colStride: 1 },
      M,
      N,
      K,
    });
    expectClose(
      out,
      0,
      N,
      reference({ data: wide, off: 7, rs: 1000, cs: 1 }, { data: b, off: 1, rs: 3 * N, cs: 3 }, M, N, K),
      M,
      N,
      K,
    );
  });

  it('column-major output (out colStride != 1)', () => {
    const [M, N, K] = [17, 3, 129];
    const a = randomArray(M * K, 3);
    const b = randomArray(K * N, 4);
    const out = new Float32Array(M * N);
    single.matmulF32({
      a: { data: a, offsets: [0], rowStride: K, colStride: 1 },
      b: { data: b, offsets: [0], rowStride: N, colStride: 1 },
      out: { data: out, offsets: [0], rowStride: 1, colStride: M },
      M,
      N,
      K,
    });
    const ref = reference({ data: a, off: 0, rs: K, cs: 1 }, { data: b, off: 0, rs: N, cs: 1 }, M, N, K);
    const rowMajor = new Float32Array(M * N);
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) rowMajor[m * N + n] = out[n * M + m] as number;
    expectClose(rowMajor, 0, N, ref, M, N, K);
  });

  it('batches, a broadcast weight (folded into rows) and a broadcast left operand', () => {
    const [B, M, N, K] = [3, 17, 33, 65];
    const x = randomArray(B * M * K, 5);
    const w = randomArray(K * N, 6);
    const out = new Float32Array(B * M * N);
    single.matmulF32({
      a: { data: x, offsets: [0, M * K, 2 * M * K], rowStride: K, colStride: 1 },
      b: { data: w, offsets: [0, 0, 0], rowStride: N, colStride: 1 },
      out: { data: out, offsets: [0, M * N, 2 * M * N], rowStride: N, colStride: 1 },
      M,
      N,
      K,
    });
    for (let i = 0; i < B; i++) {
      const ref = reference(
        { data: x, off: i * M * K, rs: K, cs: 1 },
        { data: w, off: 0, rs: N, cs: 1 },
        M,
        N,
        K,
      );
      expectClose(out, i * M * N, N, ref, M, N, K);
    }
    // a shared, b per batch (transposed per entry)
    const bs = randomArray(B * N * K, 7);
    const a1 = randomArray(M * K, 8);
    const out2 = new Float32Array(B * M * N);
    single.matmulF32({
      a: { data: a1, offsets: [0, 0, 0], rowStride: K, colStride: 1 },
      b: { data: bs, offsets: [0, N * K, 2 * N * K], rowStride: 1, colStride: K },
      out: { data: out2, offsets: [0, M * N, 2 * M * N], rowStride: N, colStride: 1 },
      M,
      N,
      K,
    });
    for (let i = 0; i < B; i++) {
      const ref = reference(
        { data: a1, off: 0, rs: K, cs: 1 },
        { data: bs, off: i * N * K, rs: 1, cs: K },
        M,
        N,
        K,
      );
      expectClose(out2, i * M * N, N, ref, M, N, K);
    }
  });

  it('K = 0 gives zeros; M = 0 writes nothing', () => {
    const out = new Float32Array(6).fill(3);
    const empty = new Float32Array(0);
    single.matmulF32({
      a: { data: empty, offsets: [0], rowStride: 0, colStride: 1 },
      b: { data: empty, offsets: [0], rowStride: 3, colStride: 1 },
      out: { data: out, offsets: [0], rowStride: 3, colStride: 1 },
      M: 2,
      N: 3,
      K: 0,
    });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    const out2 = new Float32Array(2).fill(3);
    single.matmulF32({
      a: { data: empty, offsets: [0], rowStride: 4, colStride: 1 },
      b: { data: new Float32Array(8), offsets: [0], rowStride: 2, colStride: 1 },
      out: { data: out2, offsets: [0], rowStride: 2, colStride: 1 },
      M: 0,
      N: 2,
      K: 4,
    });
    expect(Array.from(out2)).toEqual([3, 3]);
  });
});

describe('wasm matmulF32 with workers', () => {
  it('is bit-identical for 1, 2 and 3 threads, and actually runs in parallel', async () => {
    expect(await multi.warmUp()).toBe(true);
    const [B, M, N, K] = [2, 301, 257, 515];
    const a = randomArray(B * M * K, 9);
    const b = randomArray(B * K * N, 10);
    const run = (tier: WasmTier): Float32Array => {
      const out = new Float32Array(B * M * N);
      tier.matmulF32({
        a: { data: a, offsets: [0, M * K], rowStride: K, colStride: 1 },
        b: { data: b, offsets: [0, K * N], rowStride: N, colStride: 1 },
        out: { data: out, offsets: [0, M * N], rowStride: N, colStride: 1 },
        M,
        N,
        K,
      });
      return out;
    };
    const one = run(single);
    const before = multi.matmulStats.parallelCalls;
    multi.setThreads(3);
    const three = run(multi);
    multi.setThreads(2);
    const two = run(multi);
    expect(multi.matmulStats.parallelCalls - before).toBe(2);
    expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    // workers really take tasks (on a loaded machine the caller may win a few rounds alone)
    for (let i = 0; i < 20 && multi.matmulStats.workerTasks === 0; i++) run(multi);
    expect(multi.matmulStats.workerTasks).toBeGreaterThan(0);
    const ref = reference(
      { data: a, off: M * K, rs: K, cs: 1 },
      { data: b, off: K * N, rs: N, cs: 1 },
      M,
      N,
      K,
    );
    expectClose(three, M * N, N, ref, M, N, K);
  });

  it('more threads grow the pool without restarting its workers; a disposed tier starts a fresh pool', async () => {
    const tier = new WasmTier(features, { threads: 2, parallelMinFlops: 0 });
    try {
      expect(await tier.warmUp()).toBe(true);
      const ready = (w: number) => Atomics.load(tier.runtime.ctl, CTL.READY + w);
      expect(ready(0)).toBe(1);
      tier.setThreads(3);
      const warm = tier.warmUp(); // grows the pool now, synchronously
      // worker 0 kept listening: terminating it could kill it in the middle of a claimed task
      expect(ready(0)).toBe(1);
      expect(await warm).toBe(true);
      const [M, N, K] = [67, 45, 33];
      const a = randomArray(M * K, 31);
      const b = randomArray(K * N, 32);
      const run = (t: WasmTier): Float32Array => {
        const out = new Float32Array(M * N);
        t.matmulF32({
          a: { data: a, offsets: [0], rowStride: K, colStride: 1 },
          b: { data: b, offsets: [0], rowStride: N, colStride: 1 },
          out: { data: out, offsets: [0], rowStride: N, colStride: 1 },
          M,
          N,
          K,
        });
        return out;
      };
      const want = run(single);
      expect(Buffer.from(run(tier).buffer).equals(Buffer.from(want.buffer))).toBe(true);
      tier.dispose();
      expect(await tier.warmUp()).toBe(true);
      expect(Buffer.from(run(tier).buffer).equals(Buffer.from(want.buffer))).toBe(true);
    } finally {
      tier.dispose();
    }
  });

  it('many batch entries (attention-like): one task per entry packs its own B, bit-identical across threads', () => {
    const [B, M, N, K] = [37, 50, 29, 16];
    const q = randomArray(B * M * K, 21);
    const kt = randomArray(B * N * K, 22);
    const run = (tier: WasmTier): Float32Array => {
      const out = new Float32Array(B * M * N);
      tier.matmulF32({
        a: { data: q, offsets: Array.from({ length: B }, (_, i) => i * M * K), rowStride: K, colStride: 1 },
        // k stored [N, K] per entry and used transposed
        b: { data: kt, offsets: Array.from({ length: B }, (_, i) => i * N * K), rowStride: 1, colStride: K },
        out: {
          data: out,
          offsets: Array.from({ length: B }, (_, i) => i * M * N),
          rowStride: N,
          colStride: 1,
        },
        M,
        N,
        K,
      });
      return out;
    };
    const one = run(single);
    multi.setThreads(3);
    const three = run(multi);
    expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    for (const i of [0, 17, 36]) {
      const ref = reference(
        { data: q, off: i * M * K, rs: K, cs: 1 },
        { data: kt, off: i * N * K, rs: 1, cs: K },
        M,
        N,
        K,
      );
      expectClose(three, i * M * N, N, ref, M, N, K);
    }
  });

  /** One product on 1, 3 and 2 threads: the same bits each time, and within tolerance of the naive reference. */
  function expectThreadsAgree(M: number, N: number, K: number, a: Strided, b: Strided): void {
    const run = (tier: WasmTier): Float32Array => {
      const out = new Float32Array(M * N).fill(Number.NaN);
      tier.matmulF32({
        a: { data: a.data, offsets: [a.off], rowStride: a.rs, colStride: a.cs },
        b: { data: b.data, offsets: [b.off], rowStride: b.rs, colStride: b.cs },
        out: { data: out, offsets: [0], rowStride: N, colStride: 1 },
        M,
        N,
        K,
      });
      return out;
    };
    const one = run(single);
    multi.setThreads(3);
    const three = run(multi);
    multi.setThreads(2);
    const two = run(multi);
    expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expectClose(one, 0, N, reference(a, b, M, N, K), M, N, K);
  }

  it('a short, wide product (a weight gradient xᵀ @ g) split by column panels: bit-identical across threads', () => {
    const [M, N, K] = [41, 301, 700];
    // x[K, M] after 3 junk floats, used transposed
    const x = { data: randomArray(K * M + 3, 41), off: 3, rs: 1, cs: M };
    expectThreadsAgree(M, N, K, x, { data: randomArray(K * N, 42), off: 0, rs: N, cs: 1 });
  });

  it('a transposed B with more rows than columns (x @ Wᵀ at batch 1, K > 256) split by column panels: bit-identical across threads', () => {
    const [M, N, K] = [150, 100, 700];
    // W[N, K] after 2 junk floats, used transposed
    const w = { data: randomArray(N * K + 2, 44), off: 2, rs: 1, cs: K };
    expectThreadsAgree(M, N, K, { data: randomArray(M * K, 43), off: 0, rs: K, cs: 1 }, w);
  });

  it('survives many back-to-back small parallel jobs of changing shapes, each bit-identical to 1 thread', async () => {
    multi.setThreads(3);
    expect(await multi.warmUp()).toBe(true);
    const before = multi.matmulStats.workerTasks;
    // 300 jobs, and more (up to 5,000) until a worker has taken a task: on a loaded machine the workers can be
    // descheduled through a whole burst of small jobs, which the calling thread then runs alone
    for (let j = 0; j < 300 || (multi.matmulStats.workerTasks === before && j < 5000); j++) {
      const M = 1 + ((j * 37) % 70);
      const N = 1 + ((j * 53) % 41);
      const K = 1 + ((j * 29) % 90);
      const B = 1 + (j % 3);
      const a = randomArray(B * (M * K + 5), j + 100);
      const b = randomArray(K * N, j + 200);
      const args = (out: Float32Array) => ({
        a: {
          data: a,
          offsets: Array.from({ length: B }, (_, i) => i * (M * K + 5)),
          rowStride: K,
          colStride: 1,
        },
        // b broadcast to every batch entry but given per entry (not folded: a has a gap between entries)
        b: { data: b, offsets: Array.from({ length: B }, () => 0), rowStride: N, colStride: 1 },
        out: {
          data: out,
          offsets: Array.from({ length: B }, (_, i) => i * M * N),
          rowStride: N,
          colStride: 1,
        },
        M,
        N,
        K,
      });
      const o1 = new Float32Array(B * M * N);
      const o3 = new Float32Array(B * M * N);
      single.matmulF32(args(o1));
      multi.matmulF32(args(o3));
      if (!Buffer.from(o1.buffer).equals(Buffer.from(o3.buffer)))
        throw new Error(`job ${j} (${B}x${M}x${K}x${N}) differs`);
    }
    expect(multi.matmulStats.workerTasks).toBeGreaterThan(before);
  });

  it('counts the bytes it copies in and out', () => {
    const s = single.matmulStats;
    expect(s.calls).toBeGreaterThan(60);
    expect(s.bytesOut).toBeGreaterThan(0);
    expect(s.bytesIn).toBeGreaterThan(0);
  });
});
