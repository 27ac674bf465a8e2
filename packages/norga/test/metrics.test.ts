import { describe, expect, it } from 'vitest';
import {
  accuracy,
  continualMetrics,
  cumulativeAverageAccuracy,
  emptyAccuracyMatrix,
  finalAverageAccuracy,
  finalForgettingMeasure,
  meanStd,
  taskIdentityAccuracy,
} from '../src/metrics.js';

const N = Number.NaN;

describe('continual-learning metrics on hand-computed matrices', () => {
  // a[i][t]: row = task tested, column = after training task t.
  const a = [
    [0.9, 0.8, 0.7],
    [N, 0.6, 0.5],
    [N, N, 1.0],
  ];

  it('FAA is the mean of the last column', () => {
    expect(finalAverageAccuracy(a)).toBeCloseTo((0.7 + 0.5 + 1.0) / 3, 12);
  });

  it('CAA averages the per-step averages over seen tasks', () => {
    // step 1: 0.9; step 2: (0.8 + 0.6) / 2 = 0.7; step 3: 2.2 / 3.
    expect(cumulativeAverageAccuracy(a)).toBeCloseTo((0.9 + 0.7 + 2.2 / 3) / 3, 12);
  });

  it('FFM uses the best earlier accuracy, not the diagonal', () => {
    // task 1: max(0.9, 0.8) - 0.7 = 0.2; task 2: 0.6 - 0.5 = 0.1.
    expect(finalForgettingMeasure(a)).toBeCloseTo(0.15, 12);
    // Task 1 improved after task 2 (backward transfer) and then fell: the drop counts from the peak 0.9.
    const b = [
      [0.5, 0.9, 0.6],
      [N, 0.4, 0.4],
      [N, N, 0.8],
    ];
    expect(finalForgettingMeasure(b)).toBeCloseTo((0.3 + 0) / 2, 12);
  });

  it('negative forgetting (improvement) is kept, not clipped', () => {
    const c = [
      [0.5, 0.7],
      [N, 0.9],
    ];
    expect(finalForgettingMeasure(c)).toBeCloseTo(-0.2, 12);
  });

  it('metrics of a partially trained run use only the first T columns', () => {
    const m = continualMetrics(a, 2);
    expect(m.faa).toBeCloseTo(0.7, 12);
    expect(m.caa).toBeCloseTo((0.9 + 0.7) / 2, 12);
    expect(m.ffm).toBeCloseTo(0.1, 12);
  });

  it('one task: FFM is NaN (nothing to forget), FAA = CAA = a[0][0]', () => {
    const m = continualMetrics([[0.42]]);
    expect(m.faa).toBe(0.42);
    expect(m.caa).toBe(0.42);
    expect(Number.isNaN(m.ffm)).toBe(true);
  });

  it('a missing entry is an error naming it', () => {
    const bad = emptyAccuracyMatrix(2);
    (bad[0] as number[])[0] = 1;
    expect(() => finalAverageAccuracy(bad)).toThrow(/a\[0\]\[1\]/);
  });
});

describe('accuracy, TII accuracy, mean ± std', () => {
  it('accuracy counts equal labels', () => {
    expect(accuracy([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
    expect(() => accuracy([1], [1, 2])).toThrow(/1 predictions for 2 labels/);
  });

  it('TII accuracy compares tasks, not classes', () => {
    const taskOfClass = [0, 0, 1, 1, 2, 2];
    // class 1 predicted for class 0: right task; class 2 for class 1: wrong task; class 5 for 4: right task.
    expect(taskIdentityAccuracy([1, 2, 5, 3], [0, 1, 4, 3], taskOfClass)).toBe(0.75);
  });

  it('meanStd is the sample standard deviation', () => {
    const m = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(m.mean).toBe(5);
    // sum of squares 32, n - 1 = 7
    expect(m.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(meanStd([3])).toEqual({ mean: 3, std: 0, n: 1 });
  });
});
