#!/usr/bin/python3
"""What PyTorch gives at the edges of float32 for the ops built on exp and log: values and gradients at ±inf,
±1e4, ±100, ±89 (where exp overflows), ±20 and denormals, computed in float32 on the CPU.

Regenerate (from packages/autograd; needs Debian's python3-torch):

    /usr/bin/python3 scripts/edges.py

writes test/fixtures/edges.json: {"torch": version, "cases": [{"name", "x", "shape", "target"?, "out", "grad"}]}.
Numbers that JSON cannot hold are the strings "nan", "inf" and "-inf". `grad` is d(sum(out · w))/dx with
w = 1 + (i mod 3) / 4 (a non-uniform upstream, so a wrong sign or scale shows), or d(out)/dx for the scalar
losses. test/edges.test.ts runs the same cases on every backend.
"""

import json
import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'edges.json')

INF = math.inf
DENORM = [1e-40, -1e-40, 1e-45, -1e-45]
EDGES = [-INF, -1e4, -100.0, -89.0, -88.0, -20.0, -1.0, -0.0, 0.0, 1.0, 20.0, 88.0, 89.0, 100.0, 1e4, INF] + DENORM

# rows for the softmax family: -inf entries, huge spreads, ties, denormals, an all -1e4 row
ROWS = [
    [0.0, -INF, 1.0, 2.0],
    [1e4, 0.0, -1e4, 1e4],
    [-100.0, 100.0, -100.0, 0.0],
    [1e-40, -1e-40, 0.0, 1e-45],
    [-1e4, -1e4, -1e4, -1e4],
    [89.0, -89.0, 88.0, 0.0],
]


def enc(v):
    v = float(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def weights(n):
    return torch.tensor([1 + (i % 3) / 4 for i in range(n)], dtype=torch.float32)


def case(name, x, f, target=None, scalar=False):
    x = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    out = f(x) if target is None else f(x, target)
    loss = out if scalar else (out * weights(out.numel()).reshape(out.shape)).sum()
    (g,) = torch.autograd.grad(loss, x)
    c = {
        'name': name,
        'shape': list(x.shape),
        'x': [enc(v) for v in x.detach().flatten().tolist()],
        'out': [enc(v) for v in out.detach().flatten().tolist()],
        'grad': [enc(v) for v in g.flatten().tolist()],
    }
    if target is not None:
        c['target'] = [enc(v) for v in target.flatten().tolist()]
        c['targetDtype'] = 'int32' if target.dtype == torch.int64 else 'float32'
    return c


def main():
    cases = [
        case('exp', EDGES, torch.exp),
        case('sigmoid', EDGES, torch.sigmoid),
        case('tanh', EDGES, torch.tanh),
        case('gelu', EDGES, F.gelu),
        case('gelu-tanh', EDGES, lambda x: F.gelu(x, approximate='tanh')),
        case('softplus', EDGES, F.softplus),
        case('softplus-beta2-threshold5', EDGES, lambda x: F.softplus(x, beta=2, threshold=5)),
        case('logSigmoid', EDGES, F.logsigmoid),
        case('log1p', [v for v in EDGES if not v < -1] + [-1.0, -0.5, 1e-8, -1e-8], torch.log1p),
        case('softmax', ROWS, lambda x: torch.softmax(x, -1)),
        case('logSoftmax', ROWS, lambda x: torch.log_softmax(x, -1)),
        case('logsumexp', ROWS, lambda x: torch.logsumexp(x, -1)),
        case('crossEntropy', ROWS, lambda x, t: F.cross_entropy(x, t, reduction='none'),
             target=torch.tensor([2, 1, 1, 0, 3, 0])),
        case('crossEntropy-mean', ROWS, lambda x, t: F.cross_entropy(x, t), target=torch.tensor([2, 1, 1, 0, 3, 0]),
             scalar=True),
    ]
    finite = [v for v in EDGES if math.isfinite(v)]
    n = len(finite)
    for y in (0.0, 0.5, 1.0):
        cases.append(case(f'bceWithLogits-y{y}', finite, lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, reduction='none'), target=torch.full((n,), y)))
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {OUT}: {len(cases)} cases')
    for c in cases:
        print(c['name'], 'out', c['out'][:20])
        print(c['name'], 'grad', c['grad'][:20])


main()
