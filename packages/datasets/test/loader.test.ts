import { memory } from '@norga/tensor';
import { describe, expect, test } from 'vitest';
import { classIncrementalSplit, compose, DataLoader, T } from '../src/index.js';
import { syntheticSet } from './helpers/synthetic.js';

const train = syntheticSet([6, 6, 6, 6], [1, 2, 2]);
const data = { train, test: syntheticSet([2, 2, 2, 2], [1, 2, 2]) };

describe('DataLoader (tensors)', () => {
  test('batches are float32 [B, C, H, W] and int32 [B] on the cpu backend, equal to the raw batches', async () => {
    const task = classIncrementalSplit(data, { tasks: 2, seed: 1 }).tasks[1]!;
    const loader = new DataLoader(task.train, { batchSize: 5, seed: 3, backend: 'cpu' });
    const raw = [...loader.rawBatches(2)];
    const before = memory().tensors;
    let k = 0;
    for (const b of loader.batches(2)) {
      const r = raw[k++]!;
      expect(b.images.shape).toEqual([...r.shape]);
      expect(b.images.dtype).toBe('float32');
      expect(b.labels.shape).toEqual([r.labels.length]);
      expect(b.labels.dtype).toBe('int32');
      expect([...(await b.images.data())]).toEqual([...r.images]);
      expect([...(await b.labels.data())]).toEqual([...r.labels]);
      expect([...b.indices]).toEqual([...r.indices]);
      for (const l of r.labels) expect(task.classes).toContain(l);
      b.images.dispose();
      b.labels.dispose();
    }
    expect(k).toBe(3); // 12 samples, batches of 5, last of 2
    expect(memory().tensors).toBe(before);
  });

  test('iterating the loader is epoch 0; transforms and dropLast apply', async () => {
    const loader = new DataLoader(train, {
      batchSize: 4,
      dropLast: true,
      seed: 8,
      transform: compose(T.repeatChannels(3), T.normalize([0.5], [0.5])),
    });
    const shapes: number[][] = [];
    for (const b of loader) {
      shapes.push(b.images.shape as number[]);
      const v = await b.images.data();
      for (const x of v) expect(x >= -1 && x <= 1).toBe(true);
      b.images.dispose();
      b.labels.dispose();
    }
    expect(shapes).toEqual(new Array(6).fill([4, 3, 2, 2]));
  });
});
