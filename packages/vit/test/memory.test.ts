/** Leak checks: inference returns to its starting tensor count; a training loop stays flat. */
import { liveNodeCount } from '@norga/autograd';
import { keep, memory, randint, randn, setBackend, type Tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { ViT, vitConfig } from '../src/index.js';
import { createTrainStep, inference } from '../src/train/index.js';

describe('memory', () => {
  it('forward with prefixes and attention probs frees everything it does not return', async () => {
    await setBackend('cpu');
    const model = ViT.create(vitConfig('tiny', { depth: 2 }), { seed: 0 });
    const x = randn([2, 1, 28, 28]);
    const prefixes = new Map([[0, { key: randn([1, 3, 64]), value: randn([1, 3, 64]) }]]);
    const before = memory();
    for (let i = 0; i < 3; i++) {
      // The hook sees every layer in order, with L prefix columns where the layer has a prefix; the tensors it
      // is handed are the forward's, freed with it (only the kept second handles stay).
      const seen: [number, number[]][] = [];
      const probs: Tensor[] = [];
      const logits = model.forward(x, {
        prefixes,
        onAttentionProbs: (p, layer) => {
          seen.push([layer, [...p.shape]]);
          probs.push(keep(p.share()));
        },
      });
      expect(seen).toEqual([
        [0, [2, 4, 50, 53]],
        [1, [2, 4, 50, 50]],
      ]);
      // Each query's probabilities over prefix and token columns sum to 1.
      for (const p of probs) {
        const sums = p.sum(-1);
        const rows = await sums.data();
        sums.dispose();
        for (const r of rows) expect(Math.abs((r as number) - 1)).toBeLessThan(1e-5);
      }
      for (const p of [logits, ...probs]) p.dispose();
      const f = inference(() => model.features(x));
      f.dispose();
    }
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().bytesInUse).toBe(before.bytesInUse);
    expect(liveNodeCount()).toBe(0);
    model.dispose();
  });

  it('training steps leave the tensor count and bytes flat', async () => {
    await setBackend('cpu');
    const model = ViT.create(vitConfig('tiny', { depth: 1 }), { seed: 0 });
    const step = createTrainStep(model, { lr: 1e-3 });
    const x = randn([8, 1, 28, 28]);
    const y = randint(0, 10, [8]);
    const first = await step(x, y); // creates the optimiser state and the gradients
    const after1 = memory();
    let last = first;
    for (let i = 0; i < 5; i++) last = await step(x, y);
    expect(memory().tensors).toBe(after1.tensors);
    expect(memory().bytesInUse).toBe(after1.bytesInUse);
    // And it learns: the loss on one repeated batch goes down.
    expect(last.loss).toBeLessThan(first.loss);
    step.dispose();
    model.dispose();
    for (const t of [x, y]) t.dispose();
  });
});
