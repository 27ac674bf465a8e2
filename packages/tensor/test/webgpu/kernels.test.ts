/**
 * The WebGPU kernel families beyond matmul, each against the CPU backend: both reduction variants over
 * assorted axes and layouts, Philox random bit-identical to the CPU for uniforms (including the carry into the
 * high counter word), scatterAdd with many duplicate indices (atomics), gather from GPU-computed indices,
 * and an expression fused into one kernel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chooseReduceVariant, pinReduceVariant } from '../../src/backends/webgpu/kernels/reduce.js';
import * as T from '../../src/index.js';
import { expectSameAsCpu, gpu, HAS_WEBGPU, values } from './gpu.js';

const seq = (b: string, shape: number[], seed: number) =>
  T.tensor(
    values(
      shape.reduce((p, d) => p * d, 1),
      seed,
      -2,
      2,
    ),
    { shape, backend: b },
  );

describe.runIf(HAS_WEBGPU)('webgpu reductions', () => {
  afterEach(() => {
    pinReduceVariant(undefined);
  });
  const cases: [string, (b: string) => T.Tensor][] = [
    ['sum of a long contiguous row', (b) => T.sum(seq(b, [3, 4099], 1), 1)],
    ['sum over axis 0 (strided run)', (b) => T.sum(seq(b, [300, 7], 2), 0)],
    [
      'sum over axes [0, 2] of a permuted view',
      (b) => T.sum(T.permute(seq(b, [5, 6, 70], 3), [2, 0, 1]), [0, 2]),
    ],
    ['sum of everything', (b) => T.sum(seq(b, [33, 65], 4))],
    ['max over the last axis', (b) => T.max(seq(b, [9, 130], 5), -1)],
    ['min over axis 1 of a stepped slice', (b) => T.min(T.slice(seq(b, [4, 200], 6), 1, 3, 200, 2), 1)],
    ['argmax over a row', (b) => T.argmax(seq(b, [6, 513], 7), 1)],
    ['argmin of everything', (b) => T.argmin(seq(b, [17, 19], 8))],
    ['int32 sum', (b) => T.sum(T.cast(T.mul(seq(b, [5, 300], 9), 100), 'int32'), 1)],
    ['bool count', (b) => T.sum(T.gt(seq(b, [4, 257], 10), 0), 1)],
    ['softmax rows', (b) => T.softmax(seq(b, [8, 197], 11), -1)],
    // Long runs into few outputs: split over several workgroups, then the partials reduced (two passes).
    ['sum of 3 rows of 70001 (two passes)', (b) => T.sum(seq(b, [3, 70001], 14), 1)],
    ['max of everything, 120000 elements (two passes)', (b) => T.max(seq(b, [300, 400], 15))],
    ['min over axis 0 of a transposed [50000, 2]', (b) => T.min(T.transpose(seq(b, [2, 50000], 16)), 0)],
    ['int32 sum of 65536 (two passes)', (b) => T.sum(T.cast(T.mul(seq(b, [65536], 17), 50), 'int32'))],
    ['bool count of 40000 (two passes)', (b) => T.sum(T.gt(seq(b, [40000], 18), 0))],
    ['argmax of a long row (one pass)', (b) => T.argmax(seq(b, [2, 30000], 19), 1)],
  ];
  describe.each(['serial', 'workgroup'] as const)('%s', (variant) => {
    it.each(cases)('%s', async (what, build) => {
      pinReduceVariant(variant);
      await expectSameAsCpu(build, `${variant}: ${what}`, 1e-5, 1e-4);
    });
  });

  it('auto: workgroup trees for long contiguous runs on GPUs; serial on CPU adapters once there are 64 outputs', () => {
    expect(chooseReduceVariant(192, 394, 1)).toBe('workgroup');
    expect(chooseReduceVariant(192, 394, 1, true)).toBe('serial');
    expect(chooseReduceVariant(197, 1182, 1, true)).toBe('serial');
    expect(chooseReduceVariant(100000, 1, 1, true)).toBe('workgroup');
    expect(chooseReduceVariant(20, 10, 7)).toBe('serial');
  });
});

describe.runIf(HAS_WEBGPU)('webgpu random', () => {
  it('uniforms are bit-identical to the CPU generator for the same seed', async () => {
    for (const n of [1, 3, 4, 5, 1023, 10007]) {
      T.manualSeed(42);
      const c = T.rand([n]);
      T.manualSeed(42);
      const g = T.rand([n], { backend: 'webgpu' });
      expect(Array.from(await g.data()), `n=${n}`).toEqual(Array.from(await c.data()));
      c.dispose();
      g.dispose();
    }
  });

  it('the block counter carries into its high word exactly as on the CPU', async () => {
    const n = 64;
    const counter = 2 ** 32 - 5; // blocks cross 2^32 inside the draw
    const want = new Float32Array(n);
    T.fillRandom('uniform', [7, 9], counter, want);
    const out = T.zeros([n], { backend: 'webgpu' });
    gpu().random('uniform', [7, 9], counter, out);
    expect(Array.from(await out.data())).toEqual(Array.from(want));
    out.dispose();
  });

  it('normals match the CPU within float32 rounding of log and cos', async () => {
    T.manualSeed(5);
    const c = T.randn([4001]);
    T.manualSeed(5);
    const g = T.randn([4001], { backend: 'webgpu' });
    const want = await c.data();
    const got = await g.data();
    let worst = 0;
    for (let i = 0; i < want.length; i++)
      worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
    expect(worst).toBeLessThan(2e-5);
    c.dispose();
    g.dispose();
  });
});

describe.runIf(HAS_WEBGPU)('webgpu indexing', () => {
  it('scatterAdd sums thousands of float32 adds into a few slots (compare-exchange atomics)', async () => {
    const n = 6000;
    const idx = Array.from({ length: n }, (_, i) => (i * 7) % 3);
    await expectSameAsCpu(
      (b) =>
        T.scatterAdd(
          T.zeros([3, 2], { backend: b }),
          0,
          T.tensor(
            idx.flatMap((v) => [v, 2 - v]),
            { shape: [n, 2], dtype: 'int32', backend: b },
          ),
          T.tensor(values(2 * n, 3, 0, 1), { shape: [n, 2], backend: b }),
        ),
      'float32 duplicates',
      1e-3,
      1e-5,
    );
  });

  it('scatterAdd on int32 is exact under duplicates', async () => {
    await expectSameAsCpu(
      (b) =>
        T.scatterAdd(
          T.zeros([4], { backend: b, dtype: 'int32' }),
          0,
          T.tensor(
            Array.from({ length: 999 }, (_, i) => i % 4),
            { dtype: 'int32', backend: b },
          ),
          T.arange(0, 999, 1, { dtype: 'int32', backend: b }),
        ),
      'int32 duplicates',
      0,
      0,
    );
  });

  it('gather with indices computed on the GPU (argmax), and a GPU-side out-of-range index raises at the read', async () => {
    await expectSameAsCpu((b) => {
      const x = seq(b, [5, 9], 12);
      return T.gather(x, 1, T.argmax(x, 1, true));
    }, 'gather by argmax');
    const scope = new T.Scope();
    const bad = scope.run(() => {
      const x = seq('webgpu', [5, 9], 12);
      // argmax + 9 is always out of range for size 9, and the backend cannot see it without a read.
      return T.gather(x, 1, T.add(T.argmax(x, 1, true), 9));
    });
    await expect(bad.data()).rejects.toThrow(T.IndexError);
    // A negative index made on the GPU (argmax - 1 at rows whose max is first) raises too, as on the CPU
    const neg = scope.run(() => {
      const x = T.tensor([3, 2, 1, 9, 5, 4], { shape: [2, 3], backend: 'webgpu' });
      return T.gather(x, 1, T.sub(T.argmax(x, 1, true), 1));
    });
    await expect(neg.data()).rejects.toThrow(
      /gather: index -1 is out of range for axis 1 of size 3 .*\(found on the GPU/,
    );
    scope.dispose();
    // The error is reported once; later reads work.
    const ok = T.ones([2], { backend: 'webgpu' });
    expect(Array.from(await ok.data())).toEqual([1, 1]);
    ok.dispose();
  });
});

describe.runIf(HAS_WEBGPU)('webgpu fused expressions', () => {
  it('a gelu-like expression tree runs as one kernel and matches the CPU', async () => {
    const { input, constant, un, bin } = T.expr;
    const x = input(0);
    const e = bin(
      'mul',
      bin('mul', x, constant(0.5, 'float32')),
      bin('add', constant(1, 'float32'), un('erf', bin('mul', x, constant(Math.SQRT1_2, 'float32')))),
    );
    const before = gpu().recorder.stats.dispatches;
    await expectSameAsCpu((b) => T.fused(e, [seq(b, [3, 1000], 13)]), 'fused gelu', 1e-6, 1e-5);
    // seq + fused on the GPU: one upload and exactly one dispatch for the whole tree.
    expect(gpu().recorder.stats.dispatches - before).toBe(1);
  });
});

describe.runIf(HAS_WEBGPU)('webgpu index range checks (for ops such as oneHot)', () => {
  it('rejects host-made indices at once, GPU-made ones at the next read, with the position', async () => {
    const host = T.tensor([0, 2, 5, 1], { dtype: 'int32', backend: 'webgpu' });
    expect(() => gpu().checkIndexRange('oneHot', host, 0, 3)).toThrow(
      /oneHot: index 5 \(at flat position 2\) is out of range \[0, 3\)/,
    );
    gpu().checkIndexRange('oneHot', host, 0, 6); // all inside: no throw, no dispatch
    const made = T.sub(host, 1); // [-1, 1, 4, 0], computed on the GPU: contents unknown to the host
    gpu().checkIndexRange('oneHot', made, 0, 5);
    const probe = T.ones([1], { backend: 'webgpu' });
    await expect(probe.data()).rejects.toThrow(
      /oneHot: index -1 \(at flat position 0\) is out of range \[0, 5\)/,
    );
    expect(Array.from(await probe.data())).toEqual([1]); // reported once
    for (const t of [host, made, probe]) t.dispose();
  });
});

describe.runIf(HAS_WEBGPU)('webgpu binding limits', () => {
  it('a fused expression over more buffers than the adapter binds is a clear BackendError', () => {
    const { input, bin } = T.expr;
    const n = gpu().device.limits.maxStorageBuffersPerShaderStage; // n inputs + the output = n + 1 buffers
    let e = input(0);
    for (let i = 1; i < n; i++) e = bin('add', e, input(i));
    const scope = new T.Scope();
    const err = (() => {
      try {
        scope.run(() =>
          T.fused(
            e,
            Array.from({ length: n }, () => T.ones([4], { backend: 'webgpu' })),
          ),
        );
      } catch (x) {
        return x;
      }
    })();
    scope.dispose();
    expect(err).toBeInstanceOf(T.BackendError);
    expect((err as Error).message).toMatch(/at most \d+/);
  });
});

describe.runIf(HAS_WEBGPU)('webgpu two-pass reductions', () => {
  it('a long run into few outputs takes two dispatches (partials, then their reduction); a short one takes one', async () => {
    const long = T.tensor(values(3 * 70001, 20), { shape: [3, 70001], backend: 'webgpu' });
    const short = T.tensor(values(3 * 1000, 21), { shape: [3, 1000], backend: 'webgpu' });
    const stats = gpu().recorder.stats;
    let d0 = stats.dispatches;
    const a = T.sum(long, 1);
    expect(stats.dispatches - d0).toBe(2);
    d0 = stats.dispatches;
    const b = T.sum(short, 1);
    expect(stats.dispatches - d0).toBe(1);
    const la = Array.from(await long.data());
    const want = [0, 1, 2].map((r) => la.slice(r * 70001, (r + 1) * 70001).reduce((s, v) => s + v, 0));
    const got = Array.from(await a.data());
    for (const [i, g] of got.entries())
      expect(Math.abs(g - want[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(want[i]!)));
    for (const t of [long, short, a, b]) t.dispose();
  });
});
