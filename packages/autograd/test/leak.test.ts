/**
 * 200 training steps of an MLP keep the live tensor count, bytes and graph nodes flat, on every backend:
 * the graph, saved tensors, intermediate gradients and replaced optimiser state are all freed each step.
 */
import * as T from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import {
  AdamW,
  CosineAnnealingLR,
  clipGradNorm_,
  crossEntropy,
  GELU,
  LayerNorm,
  Linear,
  liveNodeCount,
  Sequential,
} from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';

describe.each(BACKENDS)('training memory on $name', ({ name: backend }) => {
  it('200 steps of an MLP stay flat', async () => {
    T.manualSeed(0);
    const o = { backend };
    const model = new Sequential(
      new Linear(16, 32, o),
      new GELU(),
      new LayerNorm(32, o),
      new Linear(32, 4, o),
    );
    const opt = new AdamW(model.parameters(), { lr: 1e-2 });
    const sched = new CosineAnnealingLR(opt, 200);
    const x = T.randn([8, 16], o);
    const y = T.randint(0, 4, [8], o);
    const counts: { tensors: number; bytes: number; nodes: number }[] = [];
    let first = 0;
    let last = 0;
    for (let step = 0; step < 200; step++) {
      opt.zeroGrad();
      const loss = T.tidy(() => crossEntropy(model.forward(x), y));
      loss.backward();
      clipGradNorm_(model.parameters(), 1)?.dispose();
      opt.step();
      sched.step();
      if (step === 0) first = await loss.item();
      if (step === 199) last = await loss.item();
      loss.dispose();
      const m = T.memory();
      counts.push({ tensors: m.tensors, bytes: m.bytesInUse, nodes: liveNodeCount() });
    }
    // After the first step creates the optimiser state and gradients, nothing grows.
    expect(counts[199]).toEqual(counts[1]);
    expect(new Set(counts.slice(1).map((c) => JSON.stringify(c))).size).toBe(1);
    expect(last).toBeLessThan(first * 0.5);
    opt.dispose();
    if (backend === 'webgpu') expect(T.memory().bytesPooled).toBeGreaterThan(0);
    // Module.dispose trims the WebGPU pool: the free buffers of 200 steps go back to the device.
    model.dispose();
    expect(T.memory().bytesPooled).toBe(0);
    x.dispose();
    y.dispose();
  });
});
