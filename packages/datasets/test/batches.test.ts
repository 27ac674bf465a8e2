import { describe, expect, test } from 'vitest';
import { allOf, BatchSource, compose, DatasetError, T } from '../src/index.js';
import { syntheticSet } from './helpers/synthetic.js';

const set = syntheticSet([7, 7, 7], [1, 2, 3]); // 21 samples, 6 bytes each

describe('BatchSource', () => {
  test('unshuffled batches: NCHW floats, labels and indices in order, last batch smaller', () => {
    const src = new BatchSource(set, { batchSize: 8, shuffle: false });
    const batches = [...src.rawBatches()];
    expect(src.numBatches).toBe(3);
    expect(batches.map((b) => b.shape)).toEqual([
      [8, 1, 2, 3],
      [8, 1, 2, 3],
      [5, 1, 2, 3],
    ]);
    const b1 = batches[1]!;
    expect([...b1.indices]).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect([...b1.labels]).toEqual([...b1.indices].map((i) => set.labels[i]));
    // Sample 9, pixel 2 = (9 + 2) % 256 = 11 -> 11/255.
    expect(b1.images[1 * 6 + 2]).toBe(Math.fround(11 / 255));
    expect(b1.images[0]).toBe(Math.fround(8 / 255));
  });

  test('dropLast', () => {
    const src = new BatchSource(set, { batchSize: 8, shuffle: false, dropLast: true });
    expect(src.numBatches).toBe(2);
    expect([...src.rawBatches()].map((b) => b.shape[0])).toEqual([8, 8]);
    expect(new BatchSource(set, { batchSize: 21, dropLast: true }).numBatches).toBe(1);
  });

  test('seeded shuffle: a permutation, same per (seed, epoch), different across epochs and seeds', () => {
    const src = new BatchSource(set, { batchSize: 4, seed: 9 });
    const e0 = src.order(0);
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect([...new BatchSource(set, { batchSize: 5, seed: 9 }).order(0)]).toEqual([...e0]);
    expect([...src.order(1)]).not.toEqual([...e0]);
    expect([...new BatchSource(set, { batchSize: 4, seed: 10 }).order(0)]).not.toEqual([...e0]);
    const seen = [...src.rawBatches(0)].flatMap((b) => [...b.indices]);
    expect(seen).toEqual([...e0]);
  });

  test('walks a Subset only', () => {
    const sub = { set, indices: Int32Array.of(20, 3, 5) };
    const src = new BatchSource(sub, { batchSize: 2, shuffle: false });
    expect([...src.rawBatches()].flatMap((b) => [...b.indices])).toEqual([20, 3, 5]);
  });

  test('per-sample augmentation does not depend on the batch size', () => {
    const transform = compose(T.randomCrop(2, 2, 1), T.randomHorizontalFlip());
    const bySample = (batchSize: number) => {
      const out = new Map<number, string>();
      for (const b of new BatchSource(set, { batchSize, seed: 4, transform }).rawBatches(3)) {
        b.indices.forEach((i, k) => {
          out.set(i, b.images.subarray(k * 4, (k + 1) * 4).join(','));
        });
      }
      return out;
    };
    const a = bySample(4);
    expect(a.size).toBe(21);
    expect(bySample(7)).toEqual(a);
  });

  test('transform output shape is the batch shape; mismatched shapes are an error', () => {
    const src = new BatchSource(set, {
      batchSize: 5,
      transform: compose(T.repeatChannels(3), T.resize(4, 6)),
    });
    const b = [...src.rawBatches()][0]!;
    expect(b.shape).toEqual([5, 3, 4, 6]);
    expect(b.images.length).toBe(5 * 3 * 4 * 6);
    let n = 0;
    const bad = new BatchSource(set, {
      batchSize: 5,
      transform: (img) => (n++ === 2 ? { ...img, data: img.data.subarray(0, 3), width: 1, height: 3 } : img),
    });
    expect(() => [...bad.rawBatches()]).toThrow(/every transformed image must have one shape/);
  });

  test('bad batch size', () => {
    expect(() => new BatchSource(allOf(set), { batchSize: 0 })).toThrow(DatasetError);
  });
});
