/**
 * The oracle-TII and task-IL metrics on a hand-built case: a fake learner whose "features" are the task id it was
 * given and whose classifier answers from that id alone, so every number below can be worked out by hand.
 */
import type { ImageSet } from '@norga/datasets';
import { describe, expect, it } from 'vitest';
import type { TrueTaskEvaluator } from '../src/continual-learner.js';
import type { BenchmarkData } from '../src/data.js';
import { trueTaskMetrics } from '../src/method-run.js';

// Two tasks: classes {0, 1} and {2, 3}; four test images per task with labels 0,0,1,1 and 2,2,3,3.
const labels = Uint8Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
const test = { labels, length: 8, classNames: ['0', '1', '2', '3'] } as unknown as ImageSet;
const data = {
  name: 'hand-built',
  train: test,
  test,
  tasks: [
    { index: 0, classes: [0, 1], train: new Int32Array(), test: Int32Array.from([0, 1, 2, 3]) },
    { index: 1, classes: [2, 3], train: new Int32Array(), test: Int32Array.from([4, 5, 6, 7]) },
  ],
  taskOfClass: Int32Array.from([0, 0, 1, 1]),
  numClasses: 4,
} as BenchmarkData;

/**
 * With task id t, an image "looks like" class 2t (the task's first class) except images 2 and 6, which look like
 * class 3 whatever the task: the over-all-classes argmax then says 3, the within-task argmax the task's nearest
 * class (1 for image 2, of task 0; 3 for image 6).
 */
const fake: TrueTaskEvaluator = {
  async features(_set, indices, taskIds) {
    return Float32Array.from(indices, (i, k) => (i === 2 || i === 6 ? 100 : (taskIds[k] as number)));
  },
  async classify(feats, classes) {
    return Int32Array.from(feats, (f) => {
      const want = f === 100 ? 3 : 2 * f;
      if (classes.includes(want)) return want;
      return classes.reduce((a, c) => (Math.abs(c - want) < Math.abs(a - want) ? c : a));
    });
  },
};

describe('true-task metrics', () => {
  it('oracle-TII FAA and task-IL FAA by hand', async () => {
    const m = await trueTaskMetrics(data, fake);
    // Oracle (argmax over 0..3): task 0 predicts 0, 0, 3, 0 vs 0, 0, 1, 1 → 2/4; task 1: 2, 2, 3, 2 vs 2, 2, 3, 3 → 3/4.
    // Task-IL: task 0 predicts 0, 0, 1, 0 → 3/4; task 1: 2, 2, 3, 2 → 3/4.
    expect(m.oracleFaa).toBeCloseTo((0.5 + 0.75) / 2, 12);
    expect(m.taskIlFaa).toBeCloseTo((0.75 + 0.75) / 2, 12);
  });

  it('uses the true task, whatever a task-identity stage would have said', async () => {
    const seen: Int32Array[] = [];
    await trueTaskMetrics(data, {
      features: async (set, indices, taskIds) => {
        seen.push(Int32Array.from(taskIds));
        return fake.features(set, indices, taskIds);
      },
      classify: fake.classify,
    });
    expect(Array.from(seen[0] as Int32Array)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });
});
