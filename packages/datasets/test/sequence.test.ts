import { describe, expect, test } from 'vitest';
import { BatchSource, compose, type Dataset, datasetIncrementalSplit, T, tasksUpTo } from '../src/index.js';
import { syntheticSet } from './helpers/synthetic.js';

const gray: Dataset = {
  name: 'gray',
  train: syntheticSet([4, 4, 4], [1, 2, 2]),
  test: syntheticSet([2, 2, 2], [1, 2, 2]),
  source: 'mem',
};
const rgb: Dataset = {
  name: 'rgb',
  train: syntheticSet([3, 3], [3, 4, 4]),
  test: syntheticSet([1, 1], [3, 4, 4]),
  source: 'mem',
};

describe('datasetIncrementalSplit', () => {
  test('one task per data set, class ids in consecutive blocks', () => {
    const seq = datasetIncrementalSplit([gray, rgb]);
    expect(seq.tasks.map((t) => t.classes)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect([...seq.taskOfClass]).toEqual([0, 0, 0, 1, 1]);
    expect(seq.classNames).toEqual(['gray/class0', 'gray/class1', 'gray/class2', 'rgb/class0', 'rgb/class1']);
    expect(seq.tasks[1]!.train.set).toBe(rgb.train);
    expect(seq.tasks[1]!.train.labelOffset).toBe(3);
    expect(seq.tasks[1]!.test.indices.length).toBe(2);
  });

  test('the loader adds the offset; a transform brings both to one shape', () => {
    const seq = datasetIncrementalSplit([gray, rgb]);
    const transform = compose(T.repeatChannels(3), T.resize(4));
    const labels = (t: number) =>
      [...new BatchSource(seq.tasks[t]!.train, { batchSize: 100, transform }).rawBatches()].flatMap((b) => {
        expect(b.shape.slice(1)).toEqual([3, 4, 4]);
        return [...b.labels];
      });
    expect(labels(0).sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(labels(1).sort()).toEqual([3, 3, 3, 4, 4, 4]);
  });

  test('validation hold-out per data set, disjoint and offset', () => {
    const seq = datasetIncrementalSplit([gray, rgb], { validationFraction: 0.25, seed: 3 });
    const t0 = seq.tasks[0]!;
    expect(t0.validation!.indices.length).toBe(3);
    expect(t0.train.indices.length).toBe(9);
    for (const i of t0.validation!.indices) expect([...t0.train.indices]).not.toContain(i);
    expect(seq.tasks[1]!.validation!.labelOffset).toBe(3);
  });

  test('tasksUpTo refuses a union across data sets but works within one', () => {
    const seq = datasetIncrementalSplit([gray, rgb]);
    expect(() => tasksUpTo(seq, 1, 'test')).toThrow(/come from different data sets/);
    expect(tasksUpTo(seq, 0, 'test').indices.length).toBe(6);
  });
});
