/**
 * The pool on a real device: a working set that keeps changing size cannot grow it past its budget, and
 * trimPool() hands every free buffer back.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { gpu, HAS_WEBGPU } from './gpu.js';

const MiB = 2 ** 20;

describe.runIf(HAS_WEBGPU)('webgpu pool bound', () => {
  it('60 tensors of 2 MiB in new sizes, one alive at a time, leave at most 64 MiB pooled; trimPool frees it', async () => {
    T.trimPool();
    const before = gpu().memory().buffersCreated;
    for (let i = 0; i < 60; i++) {
      // 2 MiB plus a step that lands each in its own bucket (buckets are 1/8 of a power of two apart).
      const t = T.zeros([(2 * MiB) / 4 + i * 65536], { backend: 'webgpu' });
      t.dispose();
    }
    await gpu().flush();
    expect(gpu().memory().buffersCreated - before).toBeGreaterThanOrEqual(10);
    expect(T.memory().bytesPooled).toBeLessThanOrEqual(64 * MiB);
    expect(T.memory().bytesPooled).toBeGreaterThan(0);
    expect(T.trimPool()).toBeGreaterThan(0);
    expect(T.memory().bytesPooled).toBe(0);
  });
});
