#!/usr/bin/python3
"""Golden fixtures for @norga/tensor, computed by PyTorch.

Regenerate (from packages/tensor; needs Debian's python3-torch and python3-numpy, nothing from npm):

    /usr/bin/python3 scripts/golden.py            # writes test/fixtures/golden-ops.json

The output is deterministic (fixed seeds, rounded inputs), so regenerating without changing this script gives
a byte-identical file. test/golden/golden.test.ts replays every case on every backend.

Format (JSON, version 1):
    { "version": 1, "torch": "...", "cases": [case, ...] }
    case   = { "name", "inputs": [tensor, ...], "steps": [{ "op", "args" }, ...], "out": tensor | [tensor, ...],
               "kind": "elementwise" | "reduction" | "exact" }
    tensor = { "shape": [...], "dtype": "float32" | "int32" | "bool", "data": [flat row-major values] }
Each step calls the exported TS function `op` with `args`; inside args, {"t": i} is inputs[i], {"r": j} is the
result of step j, null is `undefined`, and anything else is passed as is. The case's output is the result of the
last step. Non-finite floats are written as the strings "NaN", "Infinity", "-Infinity".

Inputs are drawn from fixed seeds and rounded to 3 decimals, so the JSON decimal and the float32 the test builds
from it are the same number torch saw. Outputs are computed by torch in float64 from those exact float32 inputs
and rounded once to float32 (the correctly rounded float32 answer); the script also checks that torch's own
float32 result agrees with it within the tests' tolerance, so the fixture is "what PyTorch computes" either way.
Integer and bool outputs are exact.
"""

import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'golden-ops.json')

ATOL, RTOL = 1e-6, 1e-3


class T:
    """An input tensor: values in float64 (exactly representable in the declared dtype) plus its dtype."""

    def __init__(self, values, dtype='float32'):
        self.values = np.asarray(values, dtype=np.float64)
        self.dtype = dtype

    def torch(self, float_dtype):
        if self.dtype == 'float32':
            return torch.tensor(self.values, dtype=float_dtype)
        if self.dtype == 'int32':
            return torch.tensor(self.values.astype(np.int64), dtype=torch.int64)
        return torch.tensor(self.values != 0, dtype=torch.bool)


def rng(seed):
    return np.random.RandomState(seed)


def randn(seed, *shape, scale=1.0, shift=0.0):
    return T(np.round(rng(seed).randn(*shape) * scale + shift, 3).astype(np.float32))


def uniform(seed, *shape, low=0.0, high=1.0):
    return T(np.round(rng(seed).uniform(low, high, size=shape), 3).astype(np.float32))


def ints(seed, low, high, *shape):
    return T(rng(seed).randint(low, high, size=shape), 'int32')


def bools(seed, *shape):
    return T(rng(seed).rand(*shape) < 0.5, 'bool')


def floats(values):
    return T(np.asarray(values, dtype=np.float32))


# ---------------------------------------------------------------------------------------------------------------
# Encoding


def enc_float(v):
    v = float(v)
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    # numpy prints the shortest decimal that round-trips the float32; the JSON carries exactly that.
    return float(str(np.float32(v)))


def enc_tensor(values, dtype):
    values = np.asarray(values)
    if dtype == 'float32':
        with np.errstate(over='ignore'):  # float64 results beyond float32's range round to +-inf, as intended
            data = [enc_float(v) for v in values.astype(np.float32).ravel()]
    elif dtype == 'int32':
        data = [int(v) for v in values.ravel()]
    else:
        data = [1 if v else 0 for v in values.ravel()]
    return {'shape': list(values.shape), 'dtype': dtype, 'data': data}


def enc_input(t):
    return enc_tensor(t.values if t.dtype != 'bool' else t.values != 0, t.dtype)


def out_dtype(x):
    if x.dtype in (torch.float32, torch.float64):
        return 'float32'
    if x.dtype == torch.bool:
        return 'bool'
    return 'int32'


def enc_output(x):
    return enc_tensor(x.detach().numpy(), out_dtype(x))


# ---------------------------------------------------------------------------------------------------------------
# Cases

CASES = []


def case(name, inputs, steps, fn, kind=None):
    """inputs: list of T; steps: [(op, args)] for the TS side; fn(*torch_inputs) -> tensor or list of tensors."""
    ref = fn(*[t.torch(torch.float64) for t in inputs])
    f32 = fn(*[t.torch(torch.float32) for t in inputs])
    refs = ref if isinstance(ref, (list, tuple)) else [ref]
    f32s = f32 if isinstance(f32, (list, tuple)) else [f32]
    for r, f in zip(refs, f32s):
        check_agrees(name, r, f)
    if kind is None:
        kind = 'elementwise' if all(r.dtype.is_floating_point for r in refs) else 'exact'
    out = [enc_output(r) for r in refs] if isinstance(ref, (list, tuple)) else enc_output(ref)
    CASES.append({
        'name': name,
        'kind': kind,
        'inputs': [enc_input(t) for t in inputs],
        'steps': [{'op': op, 'args': args} for op, args in steps],
        'out': out,
    })


def check_agrees(name, ref, f32):
    """torch's float32 answer and the rounded float64 answer must agree within the tests' tolerance."""
    if list(ref.shape) != list(f32.shape):
        sys.exit(f'{name}: shapes differ between float64 and float32 runs')
    if not ref.dtype.is_floating_point:
        if not torch.equal(ref, f32):
            sys.exit(f'{name}: integer outputs differ between float64 and float32 runs')
        return
    a = ref.double().to(torch.float32).double()
    b = f32.double()
    both_nan = torch.isnan(a) & torch.isnan(b)
    same_inf = torch.isinf(a) & (a == b)
    close = (a - b).abs() <= ATOL + RTOL * a.abs()
    if not bool((both_nan | same_inf | close).all()):
        sys.exit(f'{name}: float32 and float64 torch results disagree beyond tolerance')


X, R = (lambda i: {'t': i}), (lambda j: {'r': j})


def one(op, *args):
    """A single-step case calling `op(args...)`."""
    return [(op, list(args))]


# Unary elementwise ---------------------------------------------------------------------------------------------

x34 = randn(1, 3, 4)
pos = uniform(2, 3, 5, low=0.05, high=4.0)
unit = uniform(3, 17, low=-0.95, high=0.95)
wide = randn(4, 2, 3, 5, scale=3.0)
odd = randn(5, 1023)

for name, fn, inp in [
    ('neg', torch.neg, x34),
    ('exp', torch.exp, x34),
    ('log', torch.log, pos),
    ('sqrt', torch.sqrt, pos),
    ('reciprocal', torch.reciprocal, pos),
    ('sin', torch.sin, wide),
    ('cos', torch.cos, wide),
    ('tanh', torch.tanh, wide),
    ('erf', torch.erf, wide),
    ('abs', torch.abs, x34),
    ('square', torch.square, x34),
    ('relu', torch.relu, x34),
    ('sigmoid', torch.sigmoid, wide),
]:
    case(f'{name}', [inp], one(name, X(0)), fn)
case('exp/1023', [odd], one('exp', X(0)), torch.exp)
case('tanh/1023', [odd], one('tanh', X(0)), torch.tanh)
case('erf/1023', [odd], one('erf', X(0)), torch.erf)
case('sigmoid/1023', [odd], one('sigmoid', X(0)), torch.sigmoid)
case('gelu/none', [wide], one('gelu', X(0)), lambda x: torch.nn.functional.gelu(x))
case('gelu/none-option', [wide], one('gelu', X(0), {'approximate': 'none'}), lambda x: torch.nn.functional.gelu(x))
case('gelu/tanh', [wide], one('gelu', X(0), {'approximate': 'tanh'}),
     lambda x: torch.nn.functional.gelu(x, approximate='tanh'))
case('gelu/none/1023', [odd], one('gelu', X(0)), lambda x: torch.nn.functional.gelu(x))
case('clamp/both', [wide], one('clamp', X(0), -1.5, 2.0), lambda x: torch.clamp(x, -1.5, 2.0))
case('clamp/min', [wide], one('clamp', X(0), -0.5), lambda x: torch.clamp(x, min=-0.5))
case('clamp/max', [wide], one('clamp', X(0), None, 0.25), lambda x: torch.clamp(x, max=0.25))
case('int32/neg', [ints(6, -50, 50, 3, 4)], one('neg', X(0)), torch.neg)
case('int32/abs', [ints(7, -50, 50, 3, 4)], one('abs', X(0)), torch.abs)
case('int32/square', [ints(8, -50, 50, 3, 4)], one('square', X(0)), torch.square)
case('int32/relu', [ints(9, -50, 50, 3, 4)], one('relu', X(0)), torch.relu)
case('int32/clamp', [ints(10, -50, 50, 3, 4)], one('clamp', X(0), -10, 20), lambda x: torch.clamp(x, -10, 20))
case('bool/logicalNot', [bools(11, 3, 5)], one('logicalNot', X(0)), torch.logical_not)

special = floats([0.0, -0.0, 1.0, -1.0, 100.0, -100.0, float('inf'), float('-inf'), float('nan')])
case('special/exp', [special], one('exp', X(0)), torch.exp)
case('special/log', [special], one('log', X(0)), torch.log)
case('special/sqrt', [special], one('sqrt', X(0)), torch.sqrt)
case('special/reciprocal', [special], one('reciprocal', X(0)), torch.reciprocal)
case('special/tanh', [special], one('tanh', X(0)), torch.tanh)
case('special/sigmoid', [special], one('sigmoid', X(0)), torch.sigmoid)
case('special/erf', [special], one('erf', X(0)), torch.erf)
case('special/relu', [special], one('relu', X(0)), torch.relu)
case('special/abs', [special], one('abs', X(0)), torch.abs)

# Binary elementwise, broadcasting ------------------------------------------------------------------------------

a = randn(20, 2, 3, 4)
b_same = randn(21, 2, 3, 4)
b_row = randn(22, 4)
b_col = randn(23, 3, 1)
b_mid = randn(24, 2, 1, 4)
den = uniform(25, 3, 1, low=0.5, high=2.0)
base = uniform(26, 2, 3, 4, low=0.1, high=3.0)
expo = randn(27, 4)
for name, fn in [('add', torch.add), ('sub', torch.sub), ('mul', torch.mul), ('maximum', torch.maximum),
                 ('minimum', torch.minimum)]:
    case(f'{name}/same', [a, b_same], one(name, X(0), X(1)), fn)
    case(f'{name}/row', [a, b_row], one(name, X(0), X(1)), fn)
    case(f'{name}/col-reversed', [b_col, a], one(name, X(0), X(1)), fn)
    case(f'{name}/both-broadcast', [b_col, b_mid], one(name, X(0), X(1)), fn)
case('div/same', [a, uniform(28, 2, 3, 4, low=0.5, high=2.0)], one('div', X(0), X(1)), torch.div)
case('div/col', [a, den], one('div', X(0), X(1)), torch.div)
case('pow/row', [base, expo], one('pow', X(0), X(1)), torch.pow)
case('pow/scalar2', [a], one('pow', X(0), 2), lambda x: torch.pow(x, 2))
case('pow/scalar-half', [base], one('pow', X(0), 0.5), lambda x: torch.pow(x, 0.5))
case('pow/negative-base', [floats([-2.0, -1.5, -0.5, 0.0, 2.0, -3.0]), floats([2.0, 3.0, 0.5, 0.0, -1.0, -2.0])],
     one('pow', X(0), X(1)), torch.pow)
case('div/by-zero', [floats([1.0, -1.0, 0.0, 2.5]), floats([0.0, 0.0, 0.0, -0.0])], one('div', X(0), X(1)), torch.div)
case('add/scalar', [a], one('add', X(0), 2.5), lambda x: x + 2.5)
case('sub/scalar', [a], one('sub', X(0), 0.75), lambda x: x - 0.75)
case('mul/scalar', [a], one('mul', X(0), -1.5), lambda x: x * -1.5)
case('div/scalar', [a], one('div', X(0), 4), lambda x: x / 4)
case('maximum/scalar', [a], one('maximum', X(0), 0), lambda x: torch.clamp(x, min=0.0))
case('add/1023+scalar-tensor', [odd, floats(0.5)], one('add', X(0), X(1)), torch.add)
ia, ib = ints(30, -1000, 1000, 3, 4), ints(31, -1000, 1000, 4)
for name, fn in [('add', torch.add), ('sub', torch.sub), ('mul', torch.mul), ('maximum', torch.maximum),
                 ('minimum', torch.minimum)]:
    case(f'int32/{name}', [ia, ib], one(name, X(0), X(1)), fn)
case('int32/add-scalar', [ia], one('add', X(0), 7), lambda x: x + 7)
case('int32/mul-scalar', [ia], one('mul', X(0), -3), lambda x: x * -3)
bx, by = bools(32, 3, 4), bools(33, 4)
case('bool/logicalAnd', [bx, by], one('logicalAnd', X(0), X(1)), torch.logical_and)
case('bool/logicalOr', [bx, by], one('logicalOr', X(0), X(1)), torch.logical_or)
case('bool/maximum', [bx, by], one('maximum', X(0), X(1)), torch.maximum)

# Comparisons: inputs with many exact ties so that <=, >= and == matter.
ca = T(np.round(rng(40).randn(3, 5) * 2) / 2, 'float32')
cb = T(np.round(rng(41).randn(5) * 2) / 2, 'float32')
ci, cj = ints(42, -2, 3, 3, 5), ints(43, -2, 3, 5)
for name, fn in [('lt', torch.lt), ('le', torch.le), ('gt', torch.gt), ('ge', torch.ge), ('eq', torch.eq),
                 ('ne', torch.ne)]:
    case(f'{name}/float', [ca, cb], one(name, X(0), X(1)), fn)
    case(f'{name}/int32', [ci, cj], one(name, X(0), X(1)), fn)
    case(f'{name}/scalar', [ca], one(name, X(0), 0.5), lambda x, fn=fn: fn(x, 0.5))
case('eq/bool', [bx, by], one('eq', X(0), X(1)), torch.eq)
case('lt/nan', [special, floats(1.0)], one('lt', X(0), X(1)), torch.lt)
case('ne/nan', [special, special], one('ne', X(0), X(1)), torch.ne)

# where, cast -----------------------------------------------------------------------------------------------------
case('where/same', [bools(50, 3, 4), randn(51, 3, 4), randn(52, 3, 4)], one('where', X(0), X(1), X(2)), torch.where)
case('where/broadcast', [bools(53, 3, 1), randn(54, 4), randn(55, 2, 1, 1)], one('where', X(0), X(1), X(2)),
     torch.where)
case('where/int32', [bools(56, 4), ints(57, -9, 9, 3, 4), ints(58, -9, 9, 3, 1)], one('where', X(0), X(1), X(2)),
     torch.where)
castf = floats([-2.7, -1.5, -0.5, -0.0, 0.0, 0.25, 0.5, 1.5, 2.999, 7.0, -100.9, 100.9])
case('cast/float32-int32', [castf], one('cast', X(0), 'int32'), lambda x: x.to(torch.int32))
case('cast/float32-bool', [castf], one('cast', X(0), 'bool'), lambda x: x.to(torch.bool))
case('cast/int32-float32', [ints(60, -100000, 100000, 7)], one('cast', X(0), 'float32'), lambda x: x.to(torch.float64))
case('cast/int32-bool', [ints(61, -2, 3, 9)], one('cast', X(0), 'bool'), lambda x: x.to(torch.bool))
case('cast/bool-float32', [bools(62, 9)], one('cast', X(0), 'float32'), lambda x: x.to(torch.float64))
case('cast/bool-int32', [bools(63, 9)], one('cast', X(0), 'int32'), lambda x: x.to(torch.int32))

# Reductions ----------------------------------------------------------------------------------------------------

r = randn(70, 2, 3, 5)
rpos = uniform(71, 1023, low=0.0, high=1.0)
rbig = uniform(72, 17, 33, low=-0.5, high=1.5)


def red(name, inputs, steps, fn):
    case(name, inputs, steps, fn, kind='reduction')


for axis in [None, 0, 1, 2, -1, [0, 2], [1, 2], [0, 1, 2]]:
    for keep in [False, True]:
        tag = f'{"all" if axis is None else axis}{"/keep" if keep else ""}'
        dims = None if axis is None else axis
        if axis is None and keep:
            continue
        kw = {} if dims is None else {'dim': dims, 'keepdim': keep}
        red(f'sum/{tag}', [r], one('sum', X(0), dims, keep) if dims is not None else one('sum', X(0)),
            lambda x, kw=kw: torch.sum(x, **kw))
        red(f'mean/{tag}', [r], one('mean', X(0), dims, keep) if dims is not None else one('mean', X(0)),
            lambda x, kw=kw: torch.mean(x, **kw))
        red(f'max/{tag}', [r], one('max', X(0), dims, keep) if dims is not None else one('max', X(0)),
            lambda x, kw=kw: torch.amax(x, **kw) if kw else torch.amax(x, dim=(0, 1, 2)))
        red(f'min/{tag}', [r], one('min', X(0), dims, keep) if dims is not None else one('min', X(0)),
            lambda x, kw=kw: torch.amin(x, **kw) if kw else torch.amin(x, dim=(0, 1, 2)))
        red(f'logsumexp/{tag}', [r], one('logsumexp', X(0), dims, keep) if dims is not None else one('logsumexp', X(0)),
            lambda x, kw=kw: torch.logsumexp(x, **kw) if kw else torch.logsumexp(x, dim=(0, 1, 2)))
        for corr in [0, 1]:
            opts = {'correction': corr, 'keepdim': keep}
            red(f'variance/c{corr}/{tag}', [r], one('variance', X(0), dims, opts),
                lambda x, kw=kw, corr=corr: torch.var(x, unbiased=bool(corr), **kw) if kw
                else torch.var(x, unbiased=bool(corr)))
for axis in [None, 0, 1, -1]:
    for keep in [False, True]:
        if axis is None and keep:
            continue
        tag = f'{"all" if axis is None else axis}{"/keep" if keep else ""}'
        kw = {} if axis is None else {'dim': axis, 'keepdim': keep}
        args = [X(0)] if axis is None else [X(0), axis, keep]
        case(f'argmax/{tag}', [r], one('argmax', *args), lambda x, kw=kw: torch.argmax(x, **kw).to(torch.int32))
        case(f'argmin/{tag}', [r], one('argmin', *args), lambda x, kw=kw: torch.argmin(x, **kw).to(torch.int32))
red('sum/1023', [rpos], one('sum', X(0)), torch.sum)
red('mean/1023', [rpos], one('mean', X(0)), torch.mean)
red('variance/1023', [rpos], one('variance', X(0)), torch.var)
red('logsumexp/1023', [rpos], one('logsumexp', X(0), 0), lambda x: torch.logsumexp(x, 0))
red('sum/17x33/axis0', [rbig], one('sum', X(0), 0), lambda x: torch.sum(x, 0))
red('sum/17x33/axis1', [rbig], one('sum', X(0), 1), lambda x: torch.sum(x, 1))
red('max/17x33/axis0', [rbig], one('max', X(0), 0), lambda x: torch.amax(x, 0))
case('argmax/17x33/axis0', [rbig], one('argmax', X(0), 0), lambda x: torch.argmax(x, 0).to(torch.int32))
case('argmax/1023', [rpos], one('argmax', X(0)), lambda x: torch.argmax(x).to(torch.int32))
ties = floats([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0], [-1.0, -2.0, -2.0, -1.0]])
case('argmax/ties', [ties], one('argmax', X(0), 1), lambda x: torch.argmax(x, 1).to(torch.int32))
case('argmin/ties', [ties], one('argmin', X(0), 1), lambda x: torch.argmin(x, 1).to(torch.int32))
nanrow = floats([[1.0, float('nan'), 3.0], [4.0, 2.0, float('nan')], [0.5, 0.25, 0.125]])
red('max/nan', [nanrow], one('max', X(0), 1), lambda x: torch.amax(x, 1))
red('sum/nan', [nanrow], one('sum', X(0), 1), lambda x: torch.sum(x, 1))
case('argmax/nan', [nanrow], one('argmax', X(0), 1), lambda x: torch.argmax(x, 1).to(torch.int32))
case('argmin/nan', [nanrow], one('argmin', X(0), 1), lambda x: torch.argmin(x, 1).to(torch.int32))
red('logsumexp/large', [floats([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -999.5]])], one('logsumexp', X(0), 1),
    lambda x: torch.logsumexp(x, 1))
case('max/int32', [ints(73, -100, 100, 3, 5)], one('max', X(0), 1), lambda x: torch.amax(x, 1))
case('min/int32/all', [ints(74, -100, 100, 3, 5)], one('min', X(0)), lambda x: torch.amin(x, dim=(0, 1)))
case('sum/int32/axis0', [ints(75, -100, 100, 3, 5)], one('sum', X(0), 0), lambda x: torch.sum(x, 0).to(torch.int32))
case('sum/bool/counts', [bools(76, 4, 6)], one('sum', X(0), -1), lambda x: torch.sum(x, -1).to(torch.int32))
case('argmax/keepdim/int32', [ints(77, -3, 3, 4, 5)], one('argmax', X(0), 1, True),
     lambda x: torch.argmax(x, 1, keepdim=True).to(torch.int32))

# nn composites -------------------------------------------------------------------------------------------------

sx = randn(80, 2, 3, 7, scale=2.0)
for axis in [-1, 0, 1]:
    red(f'softmax/{axis}', [sx], one('softmax', X(0), axis), lambda x, axis=axis: torch.softmax(x, axis))
    red(f'logSoftmax/{axis}', [sx], one('logSoftmax', X(0), axis), lambda x, axis=axis: torch.log_softmax(x, axis))
red('softmax/default', [sx], one('softmax', X(0)), lambda x: torch.softmax(x, -1))
red('softmax/large', [floats([[1000.0, 999.0, 998.0], [-50.0, 50.0, 0.0]])], one('softmax', X(0)),
    lambda x: torch.softmax(x, -1))
red('logSoftmax/large', [floats([[1000.0, 999.0, 998.0], [-50.0, 50.0, 0.0]])], one('logSoftmax', X(0)),
    lambda x: torch.log_softmax(x, -1))
red('softmax/1023', [odd], one('softmax', X(0)), lambda x: torch.softmax(x, -1))
ln_x = randn(81, 2, 3, 8, scale=2.0, shift=0.5)
ln_w, ln_b = randn(82, 8, shift=1.0), randn(83, 8)
red('layerNorm/plain', [ln_x], one('layerNorm', X(0), [8]), lambda x: torch.nn.functional.layer_norm(x, [8]))
red('layerNorm/affine', [ln_x, ln_w, ln_b], one('layerNorm', X(0), [8], X(1), X(2)),
    lambda x, w, b: torch.nn.functional.layer_norm(x, [8], w, b))
red('layerNorm/weight-only', [ln_x, ln_w], one('layerNorm', X(0), [8], X(1)),
    lambda x, w: torch.nn.functional.layer_norm(x, [8], w))
ln_w2, ln_b2 = randn(84, 3, 8, shift=1.0), randn(85, 3, 8)
red('layerNorm/2d-eps', [ln_x, ln_w2, ln_b2], one('layerNorm', X(0), [3, 8], X(1), X(2), 1e-3),
    lambda x, w, b: torch.nn.functional.layer_norm(x, [3, 8], w, b, 1e-3))

# matmul ----------------------------------------------------------------------------------------------------------

for name, sa, sb, seed in [
    ('2d', (3, 5), (5, 4), 90),
    ('1d@2d', (5,), (5, 4), 91),
    ('2d@1d', (3, 5), (5,), 92),
    ('1d@1d', (17,), (17,), 93),
    ('batched', (2, 3, 5), (2, 5, 4), 94),
    ('broadcast-b', (2, 3, 5), (5, 4), 95),
    ('broadcast-a', (3, 5), (2, 5, 4), 96),
    ('broadcast-batch', (2, 1, 3, 5), (1, 3, 5, 2), 97),
    ('1d@batched', (5,), (2, 5, 3), 98),
    ('batched@1d', (2, 3, 5), (5,), 99),
    ('odd-17x33x19', (17, 33), (33, 19), 100),
    ('k1', (4, 1), (1, 3), 101),
]:
    red(f'matmul/{name}', [randn(seed, *sa), randn(seed + 1000, *sb)], one('matmul', X(0), X(1)), torch.matmul)
mt_a, mt_b = randn(102, 5, 3), randn(103, 4, 5)
red('matmul/transposed-both', [mt_a, mt_b], [('transpose', [X(0)]), ('transpose', [X(1)]), ('matmul', [R(0), R(1)])],
    lambda x, y: torch.matmul(x.T, y.T))
red('matmul/int32', [ints(104, -5, 6, 3, 4), ints(105, -5, 6, 4, 2)], one('matmul', X(0), X(1)),
    lambda x, y: torch.matmul(x, y).to(torch.int32))
CASES[-1]['kind'] = 'exact'

# views -----------------------------------------------------------------------------------------------------------

v = randn(110, 2, 3, 4)
case('reshape', [v], one('reshape', X(0), [4, -1]), lambda x: x.reshape(4, -1))
case('permute', [v], one('permute', X(0), [2, 0, 1]), lambda x: x.permute(2, 0, 1))
case('transpose/default', [v], one('transpose', X(0)), lambda x: x.transpose(-2, -1))
case('transpose/0-2', [v], one('transpose', X(0), 0, 2), lambda x: x.transpose(0, 2))
case('expand', [randn(111, 3, 1)], one('expand', X(0), [2, 3, 4]), lambda x: x.expand(2, 3, 4))
case('expand/keep', [randn(112, 1, 4)], one('expand', X(0), [3, -1]), lambda x: x.expand(3, -1))
case('broadcastTo', [randn(113, 4)], one('broadcastTo', X(0), [2, 3, 4]), lambda x: x.broadcast_to((2, 3, 4)))
sl = randn(114, 17, 5)
case('slice/basic', [sl], one('slice', X(0), 0, 2, 9), lambda x: x[2:9])
case('slice/step', [sl], one('slice', X(0), 0, 1, 16, 3), lambda x: x[1:16:3])
case('slice/negative', [sl], one('slice', X(0), 1, -3), lambda x: x[:, -3:])
case('slice/negative-end', [sl], one('slice', X(0), 0, -5, -1, 2), lambda x: x[-5:-1:2])
case('slice/clamped', [sl], one('slice', X(0), 1, 2, 100), lambda x: x[:, 2:100])
case('slice/empty', [sl], one('slice', X(0), 0, 5, 2), lambda x: x[5:2])
case('squeeze/all', [randn(115, 1, 3, 1, 2)], one('squeeze', X(0)), lambda x: x.squeeze())
case('squeeze/axis', [randn(116, 1, 3, 1, 2)], one('squeeze', X(0), 2), lambda x: x.squeeze(2))
case('unsqueeze', [randn(117, 3, 2)], one('unsqueeze', X(0), 1), lambda x: x.unsqueeze(1))
case('unsqueeze/negative', [randn(118, 3, 2)], one('unsqueeze', X(0), -1), lambda x: x.unsqueeze(-1))
case('flatten/all', [v], one('flatten', X(0)), lambda x: x.flatten())
case('flatten/1', [randn(119, 2, 3, 4, 2)], one('flatten', X(0), 1, 2), lambda x: x.flatten(1, 2))
case('contiguous/of-permute', [v], [('permute', [X(0), [1, 2, 0]]), ('contiguous', [R(0)])],
     lambda x: x.permute(1, 2, 0).contiguous())
case('reshape/of-transpose', [v], [('transpose', [X(0), 0, 2]), ('reshape', [R(0), [-1]])],
     lambda x: x.transpose(0, 2).reshape(-1))

# joining, indexing -----------------------------------------------------------------------------------------------

c1, c2, c3 = randn(120, 2, 3), randn(121, 2, 1), randn(122, 2, 4)
case('concat/axis1', [c1, c2, c3], one('concat', [X(0), X(1), X(2)], 1), lambda a, b, c: torch.cat([a, b, c], 1))
case('concat/axis0', [c1, randn(123, 4, 3)], one('concat', [X(0), X(1)]), lambda a, b: torch.cat([a, b], 0))
case('concat/negative', [c1, c3], one('concat', [X(0), X(1)], -1), lambda a, b: torch.cat([a, b], -1))
case('concat/int32', [ints(124, 0, 9, 2, 2), ints(125, 0, 9, 1, 2)], one('concat', [X(0), X(1)]),
     lambda a, b: torch.cat([a, b], 0).to(torch.int32))
case('stack/axis0', [c1, randn(126, 2, 3)], one('stack', [X(0), X(1)]), lambda a, b: torch.stack([a, b], 0))
case('stack/axis2', [c1, randn(126, 2, 3), randn(127, 2, 3)], one('stack', [X(0), X(1), X(2)], 2),
     lambda a, b, c: torch.stack([a, b, c], 2))
case('stack/negative', [c1, randn(126, 2, 3)], one('stack', [X(0), X(1)], -1), lambda a, b: torch.stack([a, b], -1))
sp = randn(128, 7, 3)
case('split/size', [sp], one('split', X(0), 3), lambda x: list(torch.split(x, 3)))
case('split/sections', [sp], one('split', X(0), [1, 2, 4]), lambda x: list(torch.split(x, [1, 2, 4])))
case('split/axis1', [sp], one('split', X(0), 2, 1), lambda x: list(torch.split(x, 2, 1)))
pd = randn(129, 2, 3)
case('pad/both', [pd], one('pad', X(0), [[1, 0], [2, 3]]), lambda x: torch.nn.functional.pad(x, (2, 3, 1, 0)))
case('pad/value', [pd], one('pad', X(0), [[0, 2], [0, 0]], -7.5),
     lambda x: torch.nn.functional.pad(x, (0, 0, 0, 2), value=-7.5))
case('pad/int32', [ints(130, 0, 9, 2, 2)], one('pad', X(0), [[1, 1], [1, 1]], 5),
     lambda x: torch.nn.functional.pad(x, (1, 1, 1, 1), value=5).to(torch.int32))
gx = randn(131, 3, 5)
case('gather/axis1', [gx, ints(132, 0, 5, 3, 4)], one('gather', X(0), 1, X(1)), lambda x, i: torch.gather(x, 1, i))
case('gather/axis0', [gx, ints(133, 0, 3, 2, 5)], one('gather', X(0), 0, X(1)), lambda x, i: torch.gather(x, 0, i))
case('gather/negative-axis', [gx, ints(134, 0, 5, 3, 2)], one('gather', X(0), -1, X(1)),
     lambda x, i: torch.gather(x, -1, i))
case('gather/3d', [randn(135, 2, 3, 4), ints(136, 0, 3, 2, 2, 4)], one('gather', X(0), 1, X(1)),
     lambda x, i: torch.gather(x, 1, i))
case('indexSelect/axis0', [gx, ints(137, 0, 3, 5)], one('indexSelect', X(0), 0, X(1)),
     lambda x, i: torch.index_select(x, 0, i))
case('indexSelect/axis1', [gx, ints(138, 0, 5, 7)], one('indexSelect', X(0), 1, X(1)),
     lambda x, i: torch.index_select(x, 1, i))
case('indexSelect/int32', [ints(139, -9, 9, 4, 3), ints(140, 0, 4, 6)], one('indexSelect', X(0), 0, X(1)),
     lambda x, i: torch.index_select(x, 0, i).to(torch.int32))
case('take/1d-index', [gx, ints(141, 0, 15, 6)], one('take', X(0), X(1)), torch.take)
case('take/2d-index', [gx, ints(142, 0, 15, 2, 3)], one('take', X(0), X(1)), torch.take)
sa_x, sa_src = randn(143, 3, 5), randn(144, 3, 4)
sa_idx = T(np.array([[0, 0, 4, 0], [1, 2, 1, 1], [3, 3, 3, 3]]), 'int32')  # duplicates on purpose
case('scatterAdd/axis1-duplicates', [sa_x, sa_idx, sa_src], one('scatterAdd', X(0), 1, X(1), X(2)),
     lambda x, i, s: torch.scatter_add(x, 1, i, s))
case('scatterAdd/axis0-duplicates', [sa_x, T(np.array([[0, 2, 2, 1, 0], [0, 0, 2, 1, 1]]), 'int32'), randn(145, 2, 5)],
     one('scatterAdd', X(0), 0, X(1), X(2)), lambda x, i, s: torch.scatter_add(x, 0, i, s))
case('scatterAdd/small-src', [sa_x, T(np.array([[4, 4], [0, 4]]), 'int32'), randn(146, 2, 2)],
     one('scatterAdd', X(0), 1, X(1), X(2)), lambda x, i, s: torch.scatter_add(x, 1, i, s))
case('scatterAdd/int32', [ints(147, 0, 5, 2, 4), T(np.array([[1, 1, 0], [3, 3, 3]]), 'int32'),
                          ints(148, -5, 5, 2, 3)],
     one('scatterAdd', X(0), 1, X(1), X(2)), lambda x, i, s: torch.scatter_add(x, 1, i, s).to(torch.int32))
oh = T(np.array([0, 3, 1, 3, 4, 0]), 'int32')
case('oneHot/default', [oh], one('oneHot', X(0), 5),
     lambda i: torch.nn.functional.one_hot(i, 5).to(torch.int32))
case('oneHot/float32', [oh], one('oneHot', X(0), 6, 'float32'),
     lambda i: torch.nn.functional.one_hot(i, 6).to(torch.float64))
case('oneHot/2d', [T(np.array([[0, 2], [1, 1]]), 'int32')], one('oneHot', X(0), 3),
     lambda i: torch.nn.functional.one_hot(i, 3).to(torch.int32))

# creation --------------------------------------------------------------------------------------------------------

case('eye/3', [], one('eye', 3), lambda: torch.eye(3, dtype=torch.float64))
case('eye/2x4', [], one('eye', 2, 4), lambda: torch.eye(2, 4, dtype=torch.float64))
case('eye/4x2', [], one('eye', 4, 2), lambda: torch.eye(4, 2, dtype=torch.float64))
case('linspace/0-1-5', [], one('linspace', 0, 1, 5), lambda: torch.linspace(0, 1, 5, dtype=torch.float64))
case('linspace/neg-17', [], one('linspace', -3, 2.5, 17), lambda: torch.linspace(-3, 2.5, 17, dtype=torch.float64))
case('linspace/one', [], one('linspace', 2, 7, 1), lambda: torch.linspace(2, 7, 1, dtype=torch.float64))
# Integral arguments give integers (torch: int64, here int32), a fractional one gives float32, as in torch.
case('arange/end', [], one('arange', 5), lambda: torch.arange(5).to(torch.int32))
case('arange/start-end', [], one('arange', 2, 9), lambda: torch.arange(2, 9).to(torch.int32))
case('arange/step', [], one('arange', 1, 2, 0.25), lambda: torch.arange(1, 2, 0.25, dtype=torch.float64))
case('arange/negative-step', [], one('arange', 5, -4, -3), lambda: torch.arange(5, -4, -3).to(torch.int32))
case('arange/fractional-start', [], one('arange', -1.5, 2), lambda: torch.arange(-1.5, 2, dtype=torch.float64))
case('zeros', [], one('zeros', [2, 3]), lambda: torch.zeros(2, 3, dtype=torch.float64))
case('ones', [], one('ones', [3, 1]), lambda: torch.ones(3, 1, dtype=torch.float64))
case('full', [], one('full', [2, 2], 1.25), lambda: torch.full((2, 2), 1.25, dtype=torch.float64))

# composites (chains of ops) --------------------------------------------------------------------------------------

q, k, vv = randn(150, 2, 4, 8), randn(151, 2, 5, 8), randn(152, 2, 5, 8)
red('chain/attention', [q, k, vv],
    [('transpose', [X(1)]), ('matmul', [X(0), R(0)]), ('mul', [R(1), 1 / math.sqrt(8)]), ('softmax', [R(2)]),
     ('matmul', [R(3), X(2)])],
    lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8), -1) @ v)
mx, mw, mb = randn(153, 3, 6), randn(154, 6, 5, scale=0.5), randn(155, 5)
red('chain/mlp', [mx, mw, mb], [('matmul', [X(0), X(1)]), ('add', [R(0), X(2)]), ('gelu', [R(1)]),
                                ('sum', [R(2), -1])],
    lambda x, w, b: torch.nn.functional.gelu(x @ w + b).sum(-1))
lg, lb = randn(156, 4, 6), T(np.array([2, 0, 5, 1]), 'int32')
red('chain/cross-entropy', [lg, lb],
    [('logSoftmax', [X(0), -1]), ('unsqueeze', [X(1), 1]), ('gather', [R(0), 1, R(1)]), ('mean', [R(2)]),
     ('neg', [R(3)])],
    lambda x, y: torch.nn.functional.cross_entropy(x, y.long()))
red('chain/standardise', [ln_x],
    [('mean', [X(0), -1, True]), ('sub', [X(0), R(0)]), ('variance', [X(0), -1, {'correction': 0, 'keepdim': True}]),
     ('add', [R(2), 1e-5]), ('sqrt', [R(3)]), ('div', [R(1), R(4)])],
    lambda x: (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-5))


def main():
    names = [c['name'] for c in CASES]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit(f'duplicate case names: {sorted(dup)}')
    doc = {'version': 1, 'torch': torch.__version__.split('+')[0], 'cases': CASES}
    text = json.dumps(doc, separators=(',', ':'), allow_nan=False)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        f.write(text)
        f.write('\n')
    print(f'wrote {len(CASES)} cases, {len(text)} bytes to {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
