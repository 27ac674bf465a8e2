/**
 * The backbones shipped in backbones/ are the files their cards describe (sha256, size) and still reach the
 * card's accuracy: 1,000 images drawn from the data set's test split (a fixed seeded sample; the split's first
 * 1,000 Fashion-MNIST images are a harder slice, 86.9 %) within ±2 points of the full-test figure.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DataLoader, loadDataset, T } from '@norga/datasets';
import { loadViT } from '@norga/vit/node';
import { countCorrect } from '@norga/vit/train';
import { describe, expect, it } from 'vitest';
import { PRETRAIN_STATS, readBackboneCard, shippedBackbone } from '../src/backbone-file.js';
import { Rng } from '../src/rng.js';

describe.each(['fashion-mnist', 'mnist'] as const)('shipped backbone pretrained on %s', (dataset) => {
  const { path, card: cardPath } = shippedBackbone(dataset);
  const card = readBackboneCard(cardPath);

  it('is the file its card describes', () => {
    const bytes = readFileSync(path);
    expect(card.dataset).toBe(dataset);
    expect(bytes.length).toBe(card.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.sha256);
    expect(card.testImages).toBe(dataset === 'fashion-mnist' ? 10000 : 2000);
  });

  it("reaches its card's test accuracy on 1,000 test images (±2 points)", async () => {
    const model = await loadViT(path);
    const { mean, std } = PRETRAIN_STATS[dataset];
    const test = loadDataset(dataset, { seed: 0 }).test;
    const loader = new DataLoader(
      { set: test, indices: new Rng(0).permutation(test.labels.length).subarray(0, 1000) },
      { batchSize: 250, shuffle: false, transform: T.normalize([mean], [std]) },
    );
    let correct = 0;
    for (const b of loader.batches(0)) {
      correct += await countCorrect(model, b.images, b.labels);
      b.images.dispose();
      b.labels.dispose();
    }
    model.dispose();
    expect(Math.abs(correct / 1000 - card.testAccuracy)).toBeLessThanOrEqual(0.02);
  }, 60_000);
});
