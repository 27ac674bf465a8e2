import { describe, expect, test } from 'vitest';
import {
  classCounts,
  classIncrementalSplit,
  DatasetError,
  stratifiedSplit,
  tasksUpTo,
} from '../src/index.js';
import { syntheticSet } from './helpers/synthetic.js';

const K = 12;
const train = syntheticSet(Array.from({ length: K }, (_, c) => 20 + c));
const test_ = syntheticSet(Array.from({ length: K }, () => 5));
const data = { train, test: test_ };

describe('classIncrementalSplit', () => {
  test.each([1, 2, 3, 4, 6, 12])(
    'T=%i: disjoint classes, every class exactly once, samples match classes',
    (T) => {
      const split = classIncrementalSplit(data, { tasks: T, seed: 3 });
      expect(split.tasks).toHaveLength(T);
      const all = split.tasks.flatMap((t) => t.classes);
      expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: K }, (_, i) => i));
      expect(all).toEqual(split.classOrder);
      for (const task of split.tasks) {
        expect(task.classes).toHaveLength(K / T);
        for (const c of task.classes) expect(split.taskOfClass[c]).toBe(task.index);
        const own = new Set(task.classes);
        for (const i of task.train.indices) expect(own.has(train.labels[i]!)).toBe(true);
        for (const i of task.test.indices) expect(own.has(test_.labels[i]!)).toBe(true);
        // Every sample of the task's classes is there, exactly once.
        const expectTrain = task.classes.reduce((n, c) => n + 20 + c, 0);
        expect(task.train.indices.length).toBe(expectTrain);
        expect(new Set(task.train.indices).size).toBe(expectTrain);
        expect(task.test.indices.length).toBe(5 * (K / T));
        expect(task.validation).toBeUndefined();
      }
      const total = split.tasks.reduce((n, t) => n + t.train.indices.length, 0);
      expect(total).toBe(train.count);
    },
  );

  test('same seed, same split; another seed, another order', () => {
    const a = classIncrementalSplit(data, { tasks: 4, seed: 11 });
    const b = classIncrementalSplit(data, { tasks: 4, seed: 11 });
    expect(a.classOrder).toEqual(b.classOrder);
    expect(a.tasks.map((t) => [...t.train.indices])).toEqual(b.tasks.map((t) => [...t.train.indices]));
    const orders = new Set(
      Array.from({ length: 10 }, (_, s) =>
        classIncrementalSplit(data, { tasks: 4, seed: s }).classOrder.join(','),
      ),
    );
    expect(orders.size).toBe(10);
  });

  test('natural and explicit class orders', () => {
    expect(classIncrementalSplit(data, { tasks: 3, classOrder: 'natural' }).tasks[1]!.classes).toEqual([
      4, 5, 6, 7,
    ]);
    const order = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    const split = classIncrementalSplit(data, { tasks: 2, classOrder: order });
    expect(split.tasks[0]!.classes).toEqual([11, 10, 9, 8, 7, 6]);
    expect(() =>
      classIncrementalSplit(data, { tasks: 2, classOrder: [0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11] }),
    ).toThrow(/permutation of 0\.\.11/);
  });

  test('tasks must divide the classes', () => {
    expect(() => classIncrementalSplit(data, { tasks: 5 })).toThrow(
      new DatasetError('cannot split 12 classes into 5 tasks of equal class count'),
    );
    expect(() => classIncrementalSplit(data, { tasks: 0 })).toThrow(DatasetError);
  });

  test('the index views share the one ImageSet (no pixel copies)', () => {
    const split = classIncrementalSplit(data, { tasks: 4, seed: 1, validationFraction: 0.25 });
    for (const t of split.tasks) {
      expect(t.train.set).toBe(train);
      expect(t.validation!.set).toBe(train);
      expect(t.test.set).toBe(test_);
    }
  });

  test('validation hold-out: disjoint from train, stratified, seeded', () => {
    const split = classIncrementalSplit(data, { tasks: 3, seed: 5, validationFraction: 0.25 });
    for (const task of split.tasks) {
      const tr = new Set(task.train.indices);
      const va = task.validation!.indices;
      for (const i of va) expect(tr.has(i)).toBe(false);
      const counts = classCounts(task.validation!);
      const trainCounts = classCounts(task.train);
      for (const c of task.classes) {
        expect(counts[c]).toBe(Math.round((20 + c) * 0.25));
        expect(counts[c]! + trainCounts[c]!).toBe(20 + c);
      }
    }
    const again = classIncrementalSplit(data, { tasks: 3, seed: 5, validationFraction: 0.25 });
    expect([...again.tasks[2]!.validation!.indices]).toEqual([...split.tasks[2]!.validation!.indices]);
  });

  test('train and test must share classes', () => {
    const other = syntheticSet([5, 5]);
    expect(() => classIncrementalSplit({ train, test: other }, { tasks: 2 })).toThrow(/test has 2/);
  });
});

describe('tasksUpTo', () => {
  test('union of the test sets of tasks 0..t', () => {
    const split = classIncrementalSplit(data, { tasks: 4, seed: 2 });
    const seen = tasksUpTo(split, 2, 'test');
    expect(seen.indices.length).toBe(3 * 3 * 5);
    const classes = new Set(split.tasks.slice(0, 3).flatMap((t) => t.classes));
    for (const i of seen.indices) expect(classes.has(test_.labels[i]!)).toBe(true);
    expect([...seen.indices]).toEqual([...seen.indices].sort((a, b) => a - b));
    expect(() => tasksUpTo(split, 1, 'validation')).toThrow(/no 'validation' subsets/);
  });

  test('a task index past the last task (or not a task index) is an error, not the union of all tasks', () => {
    const split = classIncrementalSplit(data, { tasks: 4, seed: 2 });
    expect(tasksUpTo(split, 3, 'test').indices.length).toBe(test_.count);
    for (const t of [4, -1, 1.5])
      expect(() => tasksUpTo(split, t, 'test')).toThrow(/tasksUpTo: task index .* not in \[0, 3\]/);
  });
});

describe('stratifiedSplit', () => {
  test('fractions per class and rejects bad fractions', () => {
    const set = syntheticSet([10, 4]);
    const idx = Int32Array.from({ length: set.count }, (_, i) => i);
    const { kept, held } = stratifiedSplit(set.labels, idx, 0.5, 0);
    expect(held.length + kept.length).toBe(14);
    expect([...held].filter((i) => set.labels[i] === 1)).toHaveLength(2);
    expect(() => stratifiedSplit(set.labels, idx, 1, 0)).toThrow(/\[0, 1\)/);
  });
});
