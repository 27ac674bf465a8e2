import { describe, expect, it } from 'vitest';
import { pairedComparisons, pairedStat, pairedTableMarkdown, studentTwoSidedP } from '../src/paired.js';
import type { MethodRun } from '../src/results.js';

function run(method: string, seed: number, faa: number, oracleFaa: number): MethodRun {
  return {
    method,
    seed,
    acc: [],
    metrics: { faa, caa: faa + 0.1, ffm: Number.NaN, oracleFaa, taskIlFaa: 0.99 },
    tii: [],
    prefixMass: [],
    gate: {},
    wallSeconds: 1,
  };
}

describe('paired statistics', () => {
  it('mean, sd and t of per-seed differences, by hand', () => {
    // diffs 1, 2, 3, 6: mean 3, sd = sqrt((4 + 1 + 0 + 9) / 3) = sqrt(14/3), t = 3 / (sd / 2)
    const s = pairedStat([1, 2, 3, 6]);
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(s.t).toBeCloseTo(3 / (Math.sqrt(14 / 3) / 2), 12);
    expect(s.df).toBe(3);
  });

  it("two-sided p from Student's t matches the tables", () => {
    // Critical values: t(0.975, 4) = 2.776445, t(0.995, 2) = 9.924843, t(0.975, 1) = 12.7062; t = 0 gives p = 1.
    expect(studentTwoSidedP(2.776445, 4)).toBeCloseTo(0.05, 5);
    expect(studentTwoSidedP(-9.924843, 2)).toBeCloseTo(0.01, 5);
    expect(studentTwoSidedP(12.7062, 1)).toBeCloseTo(0.05, 4);
    expect(studentTwoSidedP(0, 7)).toBeCloseTo(1, 12);
    // df = 30: t = 2.042272 is the 97.5 % point.
    expect(studentTwoSidedP(2.042272, 30)).toBeCloseTo(0.05, 5);
  });

  it('one seed gives a difference but no sd, t or p', () => {
    const s = pairedStat([0.5]);
    expect(s.mean).toBe(0.5);
    expect(s.sd).toBeNaN();
    expect(s.t).toBeNaN();
    expect(s.p).toBeNaN();
  });

  it('pairs each method with the baseline seed by seed, in points; undefined metrics are null', () => {
    const runs = [
      run('prefix-tuning', 2, 0.5, 0.7),
      run('prefix-tuning', 1, 0.6, 0.8),
      run('norga-tanh', 1, 0.62, 0.83),
      run('norga-tanh', 2, 0.53, 0.71),
      run('norga-tanh', 3, 0.9, 0.9), // no baseline for seed 3: left out
    ];
    const [c] = pairedComparisons(runs);
    expect(c?.method).toBe('norga-tanh');
    expect(c?.seeds).toEqual([1, 2]);
    expect(c?.metrics.faa?.diffs[0]).toBeCloseTo(2, 10);
    expect(c?.metrics.faa?.diffs[1]).toBeCloseTo(3, 10);
    expect(c?.metrics.oracleFaa?.diffs[0]).toBeCloseTo(3, 10);
    expect(c?.metrics.oracleFaa?.diffs[1]).toBeCloseTo(1, 10);
    expect(c?.metrics.ffm).toBeNull();
    const table = pairedTableMarkdown(pairedComparisons(runs));
    // FAA: mean 2.5, sd 0.71, t = 2.5 / (0.7071 / √2) = 5.00, p(df 1) = 0.126
    expect(table).toContain('| norga-tanh | 2 | +2.50 ± 0.71 (t=5.00, p=0.126; 2/2 > 0) |');
  });

  it('writes a p below 0.001 as p<0.001', () => {
    // FAA differences 10.0, 10.1, 9.9, 10.0 points: t = 10 / (0.0816 / 2) ≈ 245, p(df 3) far below 0.001
    const faas = [0.1, 0.101, 0.099, 0.1];
    const runs = faas.flatMap((d, i) => [
      run('prefix-tuning', i + 1, 0.5, 0.5),
      run('norga-tanh', i + 1, 0.5 + d, 0.5),
    ]);
    const table = pairedTableMarkdown(pairedComparisons(runs));
    expect(table).toContain('+10.00 ± 0.08 (t=244.95, p<0.001; 4/4 > 0)');
  });

  it('no baseline, no comparison', () => {
    expect(pairedComparisons([run('norga-tanh', 1, 0.5, 0.5)])).toEqual([]);
  });
});
