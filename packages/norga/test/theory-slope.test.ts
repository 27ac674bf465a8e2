/** The rate estimate: OLS on log–log points and its 95 % interval. */
import { describe, expect, it } from 'vitest';
import { sampleSizes } from '../src/theory/experiment.js';
import { logLogSlope, tQuantile975 } from '../src/theory/slope.js';

describe('log–log slope', () => {
  it('recovers an exact power law with a zero-width interval', () => {
    const ns = [100, 1000, 10000, 100000];
    const fit = logLogSlope(
      ns,
      ns.map((n) => 3 * n ** -0.5),
    );
    expect(fit.slope).toBeCloseTo(-0.5, 12);
    expect(10 ** fit.intercept).toBeCloseTo(3, 10);
    expect(fit.ci95[1] - fit.ci95[0]).toBeLessThan(1e-10);
  });

  it('gives the textbook interval for noisy points', () => {
    // y = −x + e with e = ±0.1 alternating at x = 0..3: slope −1, SE = sqrt(rss/(m−2)/sxx).
    const xs = [0, 1, 2, 3];
    const es = [0.1, -0.1, 0.1, -0.1];
    const fit = logLogSlope(
      xs.map((x) => 10 ** x),
      xs.map((x, k) => 10 ** (-x + (es[k] as number))),
    );
    // By hand: centred x = (−1.5, −0.5, 0.5, 1.5), sxx = 5; Σ x·e = −0.2, so the error adds slope −0.04;
    // residuals (0.04, −0.12, 0.12, −0.04), rss = 0.032.
    expect(fit.slope).toBeCloseTo(-1.04, 12);
    expect(fit.se).toBeCloseTo(Math.sqrt(0.032 / 2 / 5), 12);
    expect(fit.ci95[1] - fit.slope).toBeCloseTo(tQuantile975(2) * fit.se, 12);
    expect(fit.points).toBe(4);
  });

  it('skips non-positive values and reports too few points as NaN', () => {
    expect(logLogSlope([10, 100, 1000], [1, 0, 0.1]).points).toBe(2);
    expect(Number.isNaN(logLogSlope([10, 100, 1000], [1, 0, 0.1]).slope)).toBe(true);
  });

  it('t quantiles match the tables', () => {
    expect(tQuantile975(5)).toBeCloseTo(2.5706, 2);
    expect(tQuantile975(10)).toBeCloseTo(2.2281, 3);
    expect(tQuantile975(30)).toBeCloseTo(2.0423, 3);
  });

  it('sample sizes are log-spaced integers', () => {
    expect(sampleSizes(100, 10000, 2)).toEqual([100, 316, 1000, 3162, 10000]);
    expect(sampleSizes(100, 1000, 1)).toEqual([100, 1000]);
  });
});
