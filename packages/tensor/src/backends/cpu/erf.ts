/**
 * erf(x) to about 1e-15 absolute, for kernels (JavaScript's Math has none).
 * |x| < 2.5: the Maclaurin series 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), summed until terms vanish.
 * |x| >= 2.5: 1 - erfc(x), with erfc from its continued fraction (modified Lentz), which converges fast there.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf(x) for a JS number, to about 1e-15 absolute; NaN for NaN, ±1 beyond |x| = 6. */
export function erf(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  if (a >= 6) return x > 0 ? 1 : -1;
  if (a < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  // erfc(a) = exp(-a²)/√π · 1/(a + 1/2/(a + 1/(a + 3/2/(a + 2/(a + ...))))), Lentz's method.
  const tiny = 1e-300;
  let f = a;
  let c = a;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = a + an * d;
    d = d === 0 ? tiny : d;
    c = a + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / (f * Math.sqrt(Math.PI));
  return x > 0 ? 1 - erfc : erfc - 1;
}
