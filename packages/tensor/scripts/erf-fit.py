"""Fits the polynomials of the WebAssembly tier's float32 erf (src/backends/wasm/simd-math.ts, emitErf).

erf(x) = x * P(x^2) for |x| <= 1 and 1 - small for 1 < |x| < 3.93 by Q(|x| - 2.465) (below 3.93 erf rounds to 1 in
float32). Both by least squares at Chebyshev nodes of the interval, then checked in float32 Horner evaluation
against math.erf over a dense grid; prints the coefficients (lowest degree first) and the worst error in ulp.
Run with Debian's python3 (numpy): /usr/bin/python3 packages/tensor/scripts/erf-fit.py
"""
import math

import numpy as np

erf = np.vectorize(math.erf)
P = np.polynomial.polynomial


def fit(f, lo, hi, deg, var):
    k = np.arange(4000)
    xs = np.cos(np.pi * (k + 0.5) / 4000) * (hi - lo) / 2 + (hi + lo) / 2
    return P.polyfit(var(xs), f(xs), deg)


def horner32(c, t):
    t = t.astype(np.float32)
    r = np.float32(c[-1])
    for a in c[-2::-1]:
        r = (r * t + np.float32(a)).astype(np.float32)
    return r


def ulps(y, x):
    ref = erf(x)
    return np.max(np.abs(y - ref) / np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64))


SPLIT, TOP, MID = 1.0, 3.93, 2.465
small = fit(lambda x: erf(x) / x, 1e-9, SPLIT, 6, lambda x: x * x)
large = fit(erf, SPLIT, TOP, 12, lambda x: x - MID)
xa = np.linspace(1e-6, SPLIT, 100001)
xb = np.linspace(SPLIT, TOP, 100001)
print('small (x * P(x^2), |x| <= 1):', ', '.join(f'{c:.9e}' for c in small))
print('  worst', round(ulps((xa.astype(np.float32) * horner32(small, xa * xa)).astype(np.float32), xa), 2), 'ulp')
print(f'large (Q(|x| - {MID}), 1 < |x| < {TOP}):', ', '.join(f'{c:.9e}' for c in large))
print('  worst', round(ulps(horner32(large, xb - MID), xb), 2), 'ulp')
