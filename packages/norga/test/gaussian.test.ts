import { describe, expect, it } from 'vitest';
import {
  COVARIANCE_RIDGE,
  cholesky,
  classStatistics,
  GaussianSampler,
  gaussianFromJson,
  gaussianToJson,
} from '../src/gaussian.js';
import { Rng } from '../src/rng.js';

describe('class statistics', () => {
  it('mean and unbiased covariance plus the ridge, by hand', () => {
    // rows (1, 2), (3, 6), (5, 4): mean (3, 4); centred (-2,-2), (0,2), (2,0)
    // sums: xx = 8, yy = 8, xy = 4; / (n - 1 = 2) -> [[4, 2], [2, 4]]
    const g = classStatistics([1, 2, 3, 6, 5, 4], 3, 2);
    expect(Array.from(g.mean)).toEqual([3, 4]);
    expect(Array.from(g.cov)).toEqual([4 + COVARIANCE_RIDGE, 2, 2, 4 + COVARIANCE_RIDGE]);
    expect(g.count).toBe(3);
  });

  it('the ridge keeps a rank-deficient class usable', () => {
    // Two identical samples: zero covariance; with the ridge it is 1e-4·I and Cholesky succeeds.
    const g = classStatistics([1, 1, 1, 1], 2, 2);
    const l = cholesky(g.cov, 2);
    expect(l[0]).toBeCloseTo(Math.sqrt(1e-4), 12);
    expect(() => cholesky([0, 0, 0, 0], 2)).toThrow(/not positive definite/);
  });

  it('rejects wrong sizes', () => {
    expect(() => classStatistics([1, 2, 3], 2, 2)).toThrow(/not 2×2/);
    expect(() => classStatistics([1, 2], 1, 2)).toThrow(/at least 2 samples/);
  });
});

describe('Cholesky', () => {
  it('L·Lᵀ reproduces a 3×3 matrix', () => {
    const a = [4, 12, -16, 12, 37, -43, -16, -43, 98];
    const l = cholesky(a, 3);
    // The textbook factor: [[2,0,0],[6,1,0],[-8,5,3]].
    expect(Array.from(l)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
  });
});

describe('Gaussian sampling', () => {
  it('reproduces the mean and covariance within sampling error', () => {
    const d = 3;
    const mean = Float64Array.from([1, -2, 0.5]);
    const cov = Float64Array.from([2, 0.6, -0.4, 0.6, 1, 0.3, -0.4, 0.3, 0.5]);
    const n = 100_000;
    const x = new GaussianSampler({ dim: d, mean, cov, count: 0 }).sample(n, new Rng(7));
    const est = classStatistics(x, n, d, 0);
    for (let i = 0; i < d; i++) {
      // The sample mean has standard error sqrt(Σii / n); 5 standard errors fail by chance ~1 in 1.7 million.
      const se = Math.sqrt((cov[i * d + i] as number) / n);
      expect(Math.abs((est.mean[i] as number) - (mean[i] as number))).toBeLessThan(5 * se);
      for (let j = 0; j < d; j++) {
        // Var of a sample covariance entry of a Gaussian: (Σii Σjj + Σij²) / (n - 1).
        const sij = cov[i * d + j] as number;
        const seCov = Math.sqrt(
          ((cov[i * d + i] as number) * (cov[j * d + j] as number) + sij * sij) / (n - 1),
        );
        expect(Math.abs((est.cov[i * d + j] as number) - sij)).toBeLessThan(5 * seCov);
      }
    }
  });

  it('is reproducible from the seed and round-trips through JSON', () => {
    const g = classStatistics([0, 1, 2, 0, 1, 3, 4, 4], 4, 2);
    const again = gaussianFromJson(JSON.parse(JSON.stringify(gaussianToJson(g))));
    const a = new GaussianSampler(g).sample(5, new Rng(3));
    const b = new GaussianSampler(again).sample(5, new Rng(3));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('Rng', () => {
  it('uniforms have mean 1/2 and variance 1/12; state restores the stream', () => {
    const r = new Rng(1);
    const n = 200_000;
    let s = 0;
    let ss = 0;
    let inRange = true;
    for (let k = 0; k < n; k++) {
      const u = r.uniform();
      inRange &&= u >= 0 && u < 1;
      s += u;
      ss += u * u;
    }
    expect(inRange).toBe(true);
    const m = s / n;
    // standard error of the mean sqrt(1/12 / n) ≈ 6.5e-4; 5 of them = 3.2e-3
    expect(Math.abs(m - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(ss / n - m * m - 1 / 12)).toBeLessThan(2e-3);
    const st = r.getState();
    const next = [r.normal(), r.normal(), r.normal()];
    r.setState(st);
    expect([r.normal(), r.normal(), r.normal()]).toEqual(next);
  });

  it('permutation is a permutation', () => {
    const p = Array.from(new Rng(5).permutation(50)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 50 }, (_, k) => k));
  });
});
