/**
 * The rate as a number: ordinary least squares of log10 D on log10 n over every (n, replication) point, so the
 * slope estimates the exponent r in D ≈ C·n^r. The 95 % interval is slope ± t_{0.975, m−2}·SE with the usual
 * OLS standard error; replications at one n are independent draws, which is what that interval assumes
 * (their spread in log D is roughly constant across n, so equal weights are fair).
 */

export interface SlopeFit {
  slope: number;
  intercept: number;
  se: number;
  ci95: [number, number];
  /** Points used (finite, positive D). */
  points: number;
}

/**
 * Student's t quantile at 0.975 by the Cornish–Fisher expansion around the normal quantile (Abramowitz & Stegun
 * 26.7.5); within 0.2 % of the exact value for 3 or more degrees of freedom, exact enough for an interval.
 */
export function tQuantile975(df: number): number {
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}

/** Least-squares slope of log10 D against log10 n, with its standard error and 95 % interval (points with D ≤ 0 or not finite dropped). */
export function logLogSlope(ns: readonly number[], ds: readonly number[]): SlopeFit {
  const xs: number[] = [];
  const ys: number[] = [];
  ns.forEach((n, k) => {
    const d = ds[k] as number;
    if (n > 0 && d > 0 && Number.isFinite(d)) {
      xs.push(Math.log10(n));
      ys.push(Math.log10(d));
    }
  });
  const m = xs.length;
  if (m < 3 || new Set(xs).size < 2)
    return {
      slope: Number.NaN,
      intercept: Number.NaN,
      se: Number.NaN,
      ci95: [Number.NaN, Number.NaN],
      points: m,
    };
  const mx = xs.reduce((a, b) => a + b, 0) / m;
  const my = ys.reduce((a, b) => a + b, 0) / m;
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < m; k++) {
    sxx += ((xs[k] as number) - mx) ** 2;
    sxy += ((xs[k] as number) - mx) * ((ys[k] as number) - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let k = 0; k < m; k++) rss += ((ys[k] as number) - intercept - slope * (xs[k] as number)) ** 2;
  const se = Math.sqrt(rss / (m - 2) / sxx);
  const half = tQuantile975(m - 2) * se;
  return { slope, intercept, se, ci95: [slope - half, slope + half], points: m };
}
