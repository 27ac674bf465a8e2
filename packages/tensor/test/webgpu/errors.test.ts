/**
 * Failures are typed and name what went wrong: no adapter (naming what to install), errors the device reports
 * asynchronously (naming the last op), a lost device, use after dispose. These tests open their own short-lived
 * devices, since a device that reported an error is unusable; they never touch the run's shared device.
 */
import { describe, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { createWebGPUBackend, DeviceLostError, WebGPUError } from '../../src/backends/webgpu/index.js';
import * as T from '../../src/index.js';
import { HAS_WEBGPU } from './gpu.js';

/** Polls until fn stops returning undefined (errors arrive on the device's event loop). */
async function eventually<R>(fn: () => R | undefined, ms = 5000): Promise<R> {
  const end = Date.now() + ms;
  for (;;) {
    const r = fn();
    if (r !== undefined) return r;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('webgpu device acquisition', () => {
  it('without an adapter, says what to install', async () => {
    const noAdapter = { requestAdapter: async () => null };
    const err = await createWebGPUBackend({ gpu: noAdapter }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(T.BackendError);
    expect((err as Error).message).toMatch(/no WebGPU adapter/);
    expect((err as Error).message).toMatch(/lavapipe/);
  });
});

describe.runIf(HAS_WEBGPU)('webgpu asynchronous failures', () => {
  it('an uncaptured device error becomes a WebGPUError naming the last op', async () => {
    const b = (await createWebGPUBackend()) as WebGPUBackend;
    try {
      b.recorder.dispatch('my-broken-op', 'this is not WGSL', new Uint32Array(4), [], [1, 1, 1]);
      b.recorder.submit();
      const err = await eventually(() => thrown(() => b.alloc('float32', 4)));
      expect(err).toBeInstanceOf(WebGPUError);
      expect(err).toBeInstanceOf(T.BackendError);
      expect((err as Error).message).toContain('my-broken-op');
      await expect(b.flush()).rejects.toThrow(WebGPUError);
    } finally {
      b.dispose();
    }
  });

  it('a lost device becomes a DeviceLostError naming the last op; dispose destroys quietly', async () => {
    T.registerBackend('webgpu-lost-test', () => createWebGPUBackend());
    const b = (await T.initBackend('webgpu-lost-test')) as unknown as WebGPUBackend;
    try {
      const x = T.ones([8], { backend: 'webgpu-lost-test' });
      const y = T.exp(x);
      expect(Array.from(await y.data())[0]).toBeCloseTo(Math.E, 5);
      b.device.destroy(); // what a driver reset looks like from here
      // A Scope frees whatever the failing op allocated before it threw.
      const scope = new T.Scope();
      const err = await eventually(() => thrown(() => scope.run(() => T.neg(y))));
      scope.dispose();
      expect(err).toBeInstanceOf(DeviceLostError);
      expect((err as Error).message).toMatch(/device lost/);
      // the last op recorded before the loss was seen: exp, or a neg the loop recorded before that
      expect((err as Error).message).toMatch(/after op 'elementwise\.(exp|neg)'/);
      x.dispose();
      y.dispose();
    } finally {
      T.disposeBackend('webgpu-lost-test');
    }
    expect(b.isDisposed).toBe(true);
    expect(() => b.alloc('float32', 1)).toThrow(/disposed/);
  });

  it('float64 is refused with a DTypeError naming the supported dtypes', () => {
    const err = thrown(() => T.zeros([2], { backend: 'webgpu', dtype: 'float64' }));
    expect(err).toBeInstanceOf(T.DTypeError);
    expect((err as Error).message).toContain('float32, int32, bool');
  });
});
