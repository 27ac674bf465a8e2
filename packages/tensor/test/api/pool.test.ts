/**
 * The WebGPU buffer pool's bounds, on a fake device that counts buffers (the real device's tests are in
 * test/webgpu/pool-bound.test.ts): per-class caps, a byte budget of max(floor, peak in use), oldest out first.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/backends/webgpu/pool.js';

function fakeDevice() {
  const live = new Set<{ size: number }>();
  const device = {
    createBuffer({ size }: { size: number }) {
      const b = { size, usage: 1, destroy: () => live.delete(b) };
      live.add(b);
      return b;
    },
  };
  return { device: device as unknown as GPUDevice, live };
}

const KiB = 1024;

describe('BufferPool bounds', () => {
  it('holds no more free bytes than max(floor, bytes in use), dropping the least recently freed', () => {
    const { device, live } = fakeDevice();
    const pool = new BufferPool(device, { floorBytes: 64 * KiB });
    // One buffer of 4-17 KiB at a time, in ever new sizes: unbounded, the pool would keep all fifty (500 KiB).
    for (let step = 0; step < 50; step++) {
      const a = pool.acquire(4 * KiB + 256 * step, 1, 't');
      pool.release(a);
    }
    expect(pool.pooledBytes).toBeLessThanOrEqual(64 * KiB);
    expect(live.size).toBeLessThanOrEqual(5);
    // The newest survive: the last size is reused without a new buffer.
    const created = pool.created;
    pool.acquire(4 * KiB + 256 * 49, 1, 't');
    expect(pool.created).toBe(created);
  });
  it('may keep as much spare as is in use, and trim() gives it all back', () => {
    const { device, live } = fakeDevice();
    const pool = new BufferPool(device, { floorBytes: 0 });
    const weights = pool.acquire(1024 * KiB, 1, 'weights');
    const step = () => {
      const bufs = Array.from({ length: 4 }, (_, i) => pool.acquire(64 * KiB * (i + 1), 1, 't'));
      for (const b of bufs) pool.release(b);
    };
    step();
    const created = pool.created;
    step();
    expect(pool.created).toBe(created); // the second step reused all four: 640 KiB spare < 1 MiB in use
    pool.release(weights);
    // Nothing in use and no floor: even the weights' buffer is destroyed as it comes back.
    expect(pool.pooledBytes).toBe(0);
    expect(live.size).toBe(0);
    expect(pool.trim()).toBe(0);
  });
  it('trim() destroys every free buffer and returns the bytes', () => {
    const { device, live } = fakeDevice();
    const pool = new BufferPool(device);
    for (const b of [pool.acquire(4 * KiB, 1, 'a'), pool.acquire(8 * KiB, 1, 'b')]) pool.release(b);
    expect(pool.trim()).toBe(12 * KiB);
    expect(pool.pooledBytes).toBe(0);
    expect(live.size).toBe(0);
  });
});
