#!/usr/bin/python3
"""Golden fixtures for eigh and svd (src/ops/linalg.ts), computed by PyTorch's torch.linalg.

Regenerate (from packages/tensor; needs Debian's python3-torch and python3-numpy, nothing from npm):

    /usr/bin/python3 test/golden/linalg.py        # writes test/fixtures/golden-linalg.json

Deterministic (fixed seeds), so rerunning it unchanged rewrites the same bytes. test/golden/linalg.test.ts
replays every case on every backend.

Format (JSON, version 1):
    { "version": 1, "torch": "...", "cases": [case, ...] }
    case = { "name", "op": "eigh" | "svd", "uplo": "L" | "U" (eigh), "shape": [m, n], "input": [row-major],
             eigh: "eigenvalues": [...], "eigenvectors": [row-major n×n] | null,
             svd:  "S": [...], "U": [row-major m×k] | null, "Vh": [row-major k×n] | null }
Vectors are left out (null) for the 64×64 cases to keep the file small; the test checks those by reconstruction
and orthonormality, which with the eigenvalues (singular values) pin the decomposition down.

Inputs are rounded to 3 decimals where that keeps their structure (not the covariance, whose rank it would
raise, nor the ill-conditioned matrix), then to float32, and written as their shortest decimal (so Math.fround of the parsed number is the
float32 torch saw). Outputs are computed by torch in float64 from those exact inputs and written rounded to
float32; the script also checks that torch's own float32 result agrees within the tests' tolerance, so the
fixture is "what PyTorch computes" either way. Eigenvectors and singular vectors are as torch returns them: the
test compares them up to sign, and only where the eigenvalue (singular value) is well separated from the others.
"""

import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'golden-linalg.json')


def f32(a):
    """Rounds to float32, returned as float64 (the exact values the test builds)."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def f32_3(a):
    """Rounded to 3 decimals, then to float32: short in the JSON, and exactly what the test builds."""
    return f32(np.round(a, 3))


def short(values):
    """Shortest decimals that round back to the same float32 values."""
    return [float(repr(np.float32(v))) for v in np.asarray(values, dtype=np.float64).ravel()]


def spd(seed, n, ridge):
    x = np.random.RandomState(seed).randn(n, n)
    return f32_3(x @ x.T / n + ridge * np.eye(n))


def ill_conditioned(seed, n, cond):
    q, _ = np.linalg.qr(np.random.RandomState(seed).randn(n, n))
    return f32(q @ np.diag(np.logspace(0, -np.log10(cond), n)) @ q.T)


def symmetric(seed, n):
    x = np.random.RandomState(seed).randn(n, n)
    return f32_3((x + x.T) / 2)


def randn(seed, m, n):
    return f32_3(np.random.RandomState(seed).randn(m, n))


def check_close(name, got, want, scale, tol):
    err = np.max(np.abs(got - want)) if want.size else 0.0
    assert err <= tol * max(scale, 1e-30), f'{name}: torch float32 differs from float64 by {err} (scale {scale})'


def eigh_case(name, a, uplo='L', vectors=True):
    a64 = torch.tensor(a, dtype=torch.float64)
    w, v = torch.linalg.eigh(a64, UPLO=uplo)
    w32 = torch.linalg.eigh(a64.float(), UPLO=uplo).eigenvalues.double()
    check_close(name, w32.numpy(), w.numpy(), np.abs(w.numpy()).max(initial=0), 1e-5)
    return {
        'name': name,
        'op': 'eigh',
        'uplo': uplo,
        'shape': list(a.shape),
        'input': short(a),
        'eigenvalues': short(w.numpy()),
        'eigenvectors': short(v.numpy()) if vectors else None,
    }


def svd_case(name, a, vectors=True):
    a64 = torch.tensor(a, dtype=torch.float64)
    u, s, vh = torch.linalg.svd(a64, full_matrices=False)
    s32 = torch.linalg.svd(a64.float(), full_matrices=False).S.double()
    check_close(name, s32.numpy(), s.numpy(), s.numpy().max(initial=0), 1e-5)
    return {
        'name': name,
        'op': 'svd',
        'shape': list(a.shape),
        'input': short(a),
        'S': short(s.numpy()),
        'U': short(u.numpy()) if vectors else None,
        'Vh': short(vh.numpy()) if vectors else None,
    }


def main():
    x = randn(7, 10, 32)  # 10 samples of 32 features
    cov = f32(x.T @ x)  # uncentered covariance, rank 10 of 32
    nonsym = randn(11, 4, 4)
    cases = [
        eigh_case('1x1', f32([[2.5]])),
        eigh_case('2x2 repeated eigenvalue', f32([[3, 0], [0, 3]])),
        eigh_case('2x2', f32([[2, 1], [1, 2]])),
        eigh_case('5x5 indefinite', symmetric(3, 5)),
        eigh_case('8x8 SPD', spd(1, 8, 0.1)),
        eigh_case('64x64 SPD', spd(2, 64, 0.1), vectors=False),
        eigh_case('32x32 rank-10 covariance', cov),
        eigh_case('8x8 ill-conditioned (cond 1e6)', ill_conditioned(5, 8, 1e6)),
        eigh_case('4x4 non-symmetric, lower triangle', nonsym, 'L'),
        eigh_case('4x4 non-symmetric, upper triangle', nonsym, 'U'),
        svd_case('1x1', f32([[-2.5]])),
        svd_case('1x5', randn(12, 1, 5)),
        svd_case('2x3 zeros', f32(np.zeros((2, 3)))),
        svd_case('6x4', randn(13, 6, 4)),
        svd_case('4x6', randn(14, 4, 6)),
        svd_case('10x32 features', x),
        svd_case('32x10 features transposed', f32(x.T)),
        svd_case('32x32 rank-10 covariance', cov),
        svd_case('8x8 ill-conditioned (cond 1e6)', ill_conditioned(5, 8, 1e6)),
        svd_case('64x64 random', randn(15, 64, 64), vectors=False),
    ]
    with open(OUT, 'w') as f:
        json.dump({'version': 1, 'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
