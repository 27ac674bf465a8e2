/**
 * The execution machinery of the WebGPU backend: dispatches batched into few submits, pipelines cached by WGSL,
 * buffers returned to the pool only after the submit that used them (and never handed out early, which would
 * let an upload overwrite data a recorded kernel has yet to read), memory() reporting, and a 1,000-iteration
 * matmul + softmax + sum loop that keeps bytes in use, pooled bytes and the number of GPU buffers flat.
 */
import { describe, expect, it } from 'vitest';
import type { GpuStorage } from '../../src/backends/webgpu/storage.js';
import * as T from '../../src/index.js';
import { gpu, HAS_WEBGPU, values } from './gpu.js';

const bufferOf = (t: T.Tensor) => (t.storage.handle as GpuStorage).buffer;

describe.runIf(HAS_WEBGPU)('webgpu execution', () => {
  it('records a synchronous stretch of ops into one submit (more only past the batch size)', async () => {
    const x = T.ones([257], { backend: 'webgpu' });
    await x.data();
    const stats = gpu().recorder.stats;
    const s0 = stats.submits;
    const d0 = stats.dispatches;
    let y = x.share();
    for (let i = 0; i < 10; i++) {
      const next = T.neg(y);
      y.dispose();
      y = next;
    }
    expect(stats.dispatches - d0).toBe(10);
    expect(stats.submits - s0).toBe(0); // nothing submitted yet: still recording
    await Promise.resolve();
    expect(stats.submits - s0).toBe(1); // the stretch went out as one submit
    expect(Array.from(await y.data())[256]).toBe(1);
    y.dispose();
    x.dispose();
  });

  it('caches pipelines by WGSL: the same op on other sizes and offsets compiles nothing new', async () => {
    const a = T.tensor(values(100, 1), { backend: 'webgpu' });
    const warm = T.exp(a);
    await warm.data();
    warm.dispose();
    const before = gpu().recorder.pipelineCount;
    for (const n of [3, 17, 1023]) {
      const t = T.tensor(values(n, 2), { backend: 'webgpu' });
      const e = T.tidy(() => T.exp(T.slice(t, 0, 1)));
      await e.data();
      e.dispose();
      t.dispose();
    }
    expect(gpu().recorder.pipelineCount).toBe(before);
    a.dispose();
  });

  it('hands a freed buffer out again only after the submit that used it', async () => {
    const data = values(4096, 3);
    const t = T.tensor(data, { backend: 'webgpu' });
    const u = T.mul(t, 2); // recorded, not yet submitted: it still has to read t's buffer
    const tBuffer = bufferOf(t);
    t.dispose();
    // Same size: the pool must not return t's buffer while the batch reading it is unsubmitted. If it did,
    // this upload (which runs ahead of the batch) would change what u computes.
    const v = T.tensor(values(4096, 4), { backend: 'webgpu' });
    expect(bufferOf(v)).not.toBe(tBuffer);
    const got = Array.from(await u.data());
    expect(got).toEqual(data.map((x) => Math.fround(x * 2)));
    // After that submit the buffer is back in the pool and is reused.
    const w = T.zeros([4096], { backend: 'webgpu' });
    expect(bufferOf(w)).toBe(tBuffer);
    for (const z of [u, v, w]) z.dispose();
  });

  it('a read whose staging buffer fails to map hands that buffer back to the pool', async () => {
    const t = T.tensor(values(64, 7), { backend: 'webgpu' });
    await gpu().flush();
    const before = gpu().memory().bytesInUse;
    const pool = gpu().pool;
    const acquire = pool.acquire.bind(pool);
    let staging: GPUBuffer | undefined;
    pool.acquire = (bytes, usage, label) => {
      const b = acquire(bytes, usage, label);
      if (label === 'staging') {
        staging = b;
        b.mapAsync = () => Promise.reject(new Error('simulated map failure'));
      }
      return b;
    };
    try {
      await expect(t.data()).rejects.toThrow(/mapping the staging buffer failed after op/);
    } finally {
      pool.acquire = acquire;
      if (staging) delete (staging as { mapAsync?: unknown }).mapAsync;
    }
    expect(gpu().memory().bytesInUse).toBe(before);
    expect(Array.from(await t.data())).toEqual(values(64, 7));
    t.dispose();
  });

  it('names each elementwise dispatch by its outermost op (asynchronous errors report it)', () => {
    const x = T.ones([3], { backend: 'webgpu' });
    const cond = T.lt(x, 2);
    const ops: (() => T.Tensor)[] = [
      () => T.exp(x),
      () => T.add(x, x),
      () => T.cast(x, 'int32'),
      () => T.where(cond, x, x),
    ];
    const names = ops.map((op) => {
      op().dispose();
      return gpu().recorder.lastOp;
    });
    expect(names).toEqual(['elementwise.exp', 'elementwise.add', 'elementwise.cast', 'elementwise.where']);
    x.dispose();
    cond.dispose();
  });

  it('memory() reports the pool: freed buffers move from in-use to pooled', async () => {
    await gpu().flush();
    const m0 = T.memory();
    const g0 = gpu().memory();
    expect(m0.bytesPooled).toBe(g0.bytesPooled);
    const t = T.zeros([1 << 16], { backend: 'webgpu' });
    await t.data();
    expect(T.memory().bytesInUse - m0.bytesInUse).toBe(4 << 16);
    expect(gpu().memory().bytesInUse).toBeGreaterThanOrEqual(g0.bytesInUse);
    t.dispose();
    await gpu().flush();
    expect(T.memory().bytesInUse).toBe(m0.bytesInUse);
    expect(T.memory().bytesPooled).toBeGreaterThanOrEqual(4 << 16);
  });

  it('1,000 iterations of matmul + softmax + sum keep in-use bytes, pooled bytes and buffer count flat', async () => {
    const x = T.tensor(values(32 * 48, 5), { shape: [32, 48], backend: 'webgpu' });
    const w = T.tensor(values(48 * 40, 6), { shape: [48, 40], backend: 'webgpu' });
    let last = 0;
    const step = () => T.tidy(() => T.sum(T.softmax(T.matmul(x, w), -1)));
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = step();
        if (i % 100 === 99) last = await s.item();
        s.dispose();
      }
      await gpu().flush();
    };
    await run(200); // warm up: pipelines compiled, pool grown to its working size
    const snapshot = () => {
      const m = T.memory();
      const g = gpu().memory();
      return {
        tensors: m.tensors,
        bytesInUse: m.bytesInUse,
        bytesPooled: m.bytesPooled,
        gpuInUse: g.bytesInUse,
        buffers: g.buffersCreated,
      };
    };
    const before = snapshot();
    await run(1000);
    expect(snapshot()).toEqual(before);
    expect(last).toBeCloseTo(32, 3); // each softmax row sums to 1
    x.dispose();
    w.dispose();
  });
});
