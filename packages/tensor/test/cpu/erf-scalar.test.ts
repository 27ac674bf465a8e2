/**
 * erfScalar, the float64 kernels' erf exported for code outside the package (autograd's truncNormal_ takes Φ
 * from it): against CPython's math.erf (the C library's), on both sides of the series/continued-fraction switch
 * at |x| = 2.5, and its edges.
 */
import { describe, expect, it } from 'vitest';
import { erfScalar } from '../../src/index.js';

// python3 -c "import math; print(repr(math.erf(x)))"
const CPYTHON: [number, number][] = [
  [0, 0],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [-1.5, -0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [4.5, 0.9999999998033839],
];

describe('erfScalar', () => {
  it.each(CPYTHON)('erf(%s) matches math.erf to 1e-15', (x, want) => {
    expect(Math.abs(erfScalar(x) - want)).toBeLessThanOrEqual(1e-15);
  });

  it('is odd, saturates at ±1 from |x| = 6, and passes NaN through', () => {
    expect(erfScalar(-0.5)).toBe(-erfScalar(0.5));
    expect(erfScalar(7)).toBe(1);
    expect(erfScalar(-Infinity)).toBe(-1);
    expect(erfScalar(Number.NaN)).toBeNaN();
  });
});
