#!/usr/bin/python3
"""Golden fixtures for @norga/autograd, computed by PyTorch.

Regenerate (from packages/autograd; needs Debian's python3-torch and python3-numpy):

    /usr/bin/python3 scripts/golden.py

writes
    test/fixtures/golden-grads.json  gradients of every differentiable op, composite and loss
    test/fixtures/golden-optim.json  a small MLP trained 20 steps with each optimiser / scheduler / clipping

Deterministic (fixed seeds; inputs rounded to 3 decimals, so they are exact in float32 and the JSON decimal
is the number torch saw).

golden-grads.json: {"cases": [{"name", "inputs": [tensor], "upstream": tensor, "out": tensor, "grads": [tensor|null]}]}
  tensor = {"shape", "dtype": "float32"|"int32", "data": [...]}. A case's function is looked up by name in
  test/golden-grads.test.ts (the TS twin of CASES below). out and grads are computed in float64 from the float32
  inputs; upstream is dL/d(out), so grads = vjp(upstream).

golden-optim.json: {"model": {"sizes", "params": {name: tensor}}, "data": {"x", "y"}, "runs": [{"name", "config",
  "steps": [{"loss", "lr", "params": {name: data}}]}]} — float32 training exactly as torch.optim runs it.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'test', 'fixtures')


def rnd(seed, *shape, lo=-1.0, hi=1.0):
    r = np.random.RandomState(seed)
    return np.round(r.uniform(lo, hi, size=shape), 3)


def off_zero(seed, *shape):
    r = np.random.RandomState(seed)
    mag = np.round(r.uniform(0.5, 1.5, size=shape), 3)
    sign = np.where(r.uniform(-1, 1, size=shape) < 0, -1.0, 1.0)
    return mag * sign


def idx(values, shape=None):
    a = np.asarray(values, dtype=np.int64)
    return ('int', a.reshape(shape) if shape else a)


def enc(a, dtype='float32'):
    a = np.asarray(a)
    flat = a.reshape(-1).tolist()
    if dtype == 'float32':
        flat = [float(np.float32(v)) for v in flat]
    return {'shape': list(a.shape), 'dtype': dtype, 'data': flat}


# name -> (function over torch tensors, inputs). An input is a float array (differentiable) or idx(...) (int).
CASES = {
    'neg': (lambda x: -x, [rnd(1, 3, 4)]),
    'exp': (torch.exp, [rnd(2, 3, 4)]),
    'log': (torch.log, [rnd(3, 3, 4, lo=0.5, hi=2)]),
    'sqrt': (torch.sqrt, [rnd(4, 3, 4, lo=0.5, hi=2)]),
    'reciprocal': (torch.reciprocal, [off_zero(5, 3, 4)]),
    'sin': (torch.sin, [rnd(6, 5, lo=-3, hi=3)]),
    'cos': (torch.cos, [rnd(7, 5, lo=-3, hi=3)]),
    'tanh': (torch.tanh, [rnd(8, 5, lo=-2, hi=2)]),
    'erf': (torch.erf, [rnd(9, 5, lo=-2, hi=2)]),
    'abs': (torch.abs, [np.array([-1.5, 0.0, 2.0, -0.25])]),
    'add': (torch.add, [rnd(11, 2, 3, 4), rnd(12, 3, 1)]),
    'sub': (torch.sub, [rnd(13, 3, 1), rnd(14, 2, 1, 4)]),
    'mul': (torch.mul, [rnd(15, 2, 3, 4), rnd(16, 4)]),
    'div': (torch.div, [rnd(17, 2, 3), off_zero(18, 2, 1)]),
    'pow': (torch.pow, [rnd(19, 2, 3, lo=0.5, hi=2), rnd(20, 3, lo=-2, hi=2)]),
    'pow zero base': (torch.pow, [np.array([0.0, 0.0, 2.0]), np.array([0.0, 2.0, 3.0])]),
    'maximum ties': (torch.maximum, [np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.0]]), np.array([1.0, 0.5, 4.0])]),
    'minimum ties': (torch.minimum, [np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.0]]), np.array([1.0, 0.5, 4.0])]),
    'where': (lambda a, b: torch.where(a > 0, a, b), [rnd(27, 2, 3), rnd(28, 3)]),
    'sum axes': (lambda x: x.sum(dim=(0, 2), keepdim=True), [rnd(31, 2, 3, 4)]),
    'sum all': (lambda x: x.sum(), [rnd(30, 2, 3)]),
    'amax ties': (lambda x: torch.amax(x, dim=1), [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, -1.0, 0.5]])]),
    'amin all ties': (lambda x: torch.amin(x), [np.array([[1.0, 0.0, 0.0], [0.0, 5.0, 6.0]])]),
    'max all': (lambda x: x.max(), [rnd(34, 3, 5)]),
    'mean': (lambda x: x.mean(dim=0), [rnd(36, 4, 3)]),
    'var': (lambda x: x.var(dim=1), [rnd(37, 3, 5)]),
    'logsumexp': (lambda x: torch.logsumexp(x, dim=1), [rnd(38, 3, 5, lo=-3, hi=3)]),
    'matmul 2d': (torch.matmul, [rnd(40, 3, 4), rnd(41, 4, 5)]),
    'matmul batch broadcast': (torch.matmul, [rnd(46, 2, 1, 3, 4), rnd(47, 3, 4, 2)]),
    'matmul vec mat': (torch.matmul, [rnd(48, 4), rnd(49, 4, 5)]),
    'matmul mat vec': (torch.matmul, [rnd(50, 3, 4), rnd(51, 4)]),
    'reshape': (lambda x: x.reshape(3, 2, 2), [rnd(60, 2, 6)]),
    'permute': (lambda x: x.permute(2, 0, 1), [rnd(61, 2, 3, 4)]),
    'expand': (lambda x: x.expand(2, 3, 4), [rnd(62, 3, 1)]),
    'slice step 2': (lambda x: x[1::2], [rnd(64, 6, 2)]),
    'slice step 3': (lambda x: x[:, 0:7:3], [rnd(65, 2, 7)]),
    'pad': (lambda x: F.pad(x, (2, 3, 1, 0), value=0.5), [rnd(70, 2, 3)]),
    'concat': (lambda a, b: torch.cat([a, b, a], dim=1), [rnd(71, 2, 1), rnd(72, 2, 3)]),
    'stack': (lambda a, b: torch.stack([a, b], dim=1), [rnd(75, 2, 3), rnd(76, 2, 3)]),
    'gather': (lambda x, i: torch.gather(x, 1, i), [rnd(78, 2, 4), idx([0, 3, 3, 1, 1, 1], [2, 3])]),
    'indexSelect': (lambda x, i: torch.index_select(x, 0, i), [rnd(79, 4, 3), idx([3, 0, 3])]),
    'scatterAdd': (lambda x, s, i: x.scatter_add(0, i, s), [rnd(81, 3, 2), rnd(82, 4, 2), idx([0, 2, 2, 1, 0, 0, 1, 2], [4, 2])]),
    'softmax': (lambda x: torch.softmax(x, dim=-1), [rnd(90, 3, 5, lo=-2, hi=2)]),
    'logSoftmax': (lambda x: torch.log_softmax(x, dim=1), [rnd(92, 3, 5, lo=-2, hi=2)]),
    'layerNorm': (lambda x, w, b: F.layer_norm(x, (4,), w, b), [rnd(93, 3, 4), rnd(94, 4, lo=0.5, hi=1.5), rnd(95, 4)]),
    'gelu': (F.gelu, [rnd(97, 7, lo=-3, hi=3)]),
    'gelu tanh': (lambda x: F.gelu(x, approximate='tanh'), [rnd(98, 7, lo=-3, hi=3)]),
    'sigmoid': (torch.sigmoid, [rnd(99, 6, lo=-4, hi=4)]),
    'relu': (torch.relu, [np.array([-1.0, 0.0, 0.5, 2.0])]),
    'clamp': (lambda x: torch.clamp(x, -0.5, 0.5), [np.array([-1.0, -0.5, 0.0, 0.25, 0.5, 0.75])]),
    'cast float64 round trip': (lambda x: x * 3, [rnd(135, 2, 3)]),
    'contiguous of transpose': (lambda x: x.t().contiguous() * torch.arange(1.0, 7.0, dtype=torch.float64).reshape(3, 2), [rnd(136, 2, 3)]),
    'fused expression': (lambda a, b: torch.exp(0.5 * a) * torch.tanh(a + b), [rnd(137, 2, 3), rnd(138, 3)]),
    'erfinv': (torch.erfinv, [rnd(139, 9, lo=-0.995, hi=0.995)]),
    'attention': (lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / 2.0, dim=-1) @ v, [rnd(100, 2, 3, 4), rnd(101, 2, 5, 4), rnd(102, 2, 5, 4)]),
    'crossEntropy': (lambda x, t: F.cross_entropy(x, t), [rnd(110, 4, 5, lo=-2, hi=2), idx([0, 4, 2, 2])]),
    'crossEntropy sum': (lambda x, t: F.cross_entropy(x, t, reduction='sum'), [rnd(111, 4, 5, lo=-2, hi=2), idx([1, 0, 3, 3])]),
    'crossEntropy none': (lambda x, t: F.cross_entropy(x, t, reduction='none'), [rnd(112, 4, 5, lo=-2, hi=2), idx([4, 4, 0, 1])]),
    'crossEntropy smoothing': (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), [rnd(113, 4, 5, lo=-2, hi=2), idx([2, 0, 1, 4])]),
    'crossEntropy smoothing sum ignore': (
        lambda x, t: F.cross_entropy(x, t, label_smoothing=0.25, reduction='sum', ignore_index=1),
        [rnd(114, 4, 3, lo=-2, hi=2), idx([0, 1, 2, 1])],
    ),
    'crossEntropy ignore mean': (lambda x, t: F.cross_entropy(x, t, ignore_index=2), [rnd(115, 4, 3, lo=-2, hi=2), idx([0, 2, 1, 2])]),
    'crossEntropy probs': (lambda x, p: F.cross_entropy(x, torch.softmax(p, dim=1).detach()), [rnd(116, 3, 4, lo=-2, hi=2), rnd(117, 3, 4)]),
    'crossEntropy probs smoothing none': (
        lambda x, p: F.cross_entropy(x, torch.softmax(p, dim=1).detach(), label_smoothing=0.2, reduction='none'),
        [rnd(118, 3, 4, lo=-2, hi=2), rnd(119, 3, 4)],
    ),
    'crossEntropy spatial': (lambda x, t: F.cross_entropy(x, t), [rnd(120, 2, 3, 2), idx([0, 2, 1, 1], [2, 2])]),
    'mse mean': (F.mse_loss, [rnd(121, 3, 2), rnd(122, 3, 2)]),
    'mse sum': (lambda a, b: F.mse_loss(a, b, reduction='sum'), [rnd(123, 3, 2), rnd(124, 3, 2)]),
    'mse none': (lambda a, b: F.mse_loss(a, b, reduction='none'), [rnd(125, 3, 2), rnd(126, 3, 2)]),
    'bce mean': (F.binary_cross_entropy_with_logits, [rnd(127, 3, 2, lo=-3, hi=3), rnd(128, 3, 2, lo=0, hi=1)]),
    'bce sum posWeight': (
        lambda x, y, pw: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction='sum'),
        [rnd(129, 3, 2, lo=-3, hi=3), rnd(130, 3, 2, lo=0, hi=1), rnd(131, 2, lo=0.5, hi=2)],
    ),
    'bce none weight': (
        lambda x, y, w: F.binary_cross_entropy_with_logits(x, y, weight=w, reduction='none'),
        [rnd(132, 3, 2, lo=-3, hi=3), rnd(133, 3, 2, lo=0, hi=1), rnd(134, 3, 1, lo=0.5, hi=2)],
    ),
}

# Inputs that are data, not parameters: their gradient is not checked (as a target's).
NO_GRAD = {'crossEntropy probs': [1], 'crossEntropy probs smoothing none': [1], 'mse mean': [], 'bce mean': [1], 'bce sum posWeight': [1, 2], 'bce none weight': [1, 2]}


def grads_fixture():
    cases = []
    for name, (fn, inputs) in CASES.items():
        ts, encoded = [], []
        for k, a in enumerate(inputs):
            if isinstance(a, tuple):
                ts.append(torch.tensor(a[1], dtype=torch.int64))
                encoded.append(enc(a[1], 'int32'))
            else:
                a32 = np.asarray(a, dtype=np.float32).astype(np.float64)
                wants = k not in NO_GRAD.get(name, [])
                ts.append(torch.tensor(a32, dtype=torch.float64, requires_grad=wants))
                encoded.append(enc(a32))
        out = fn(*ts)
        up = torch.tensor(rnd(1000 + len(cases), *out.shape, lo=0.5, hi=1.5) if out.dim() > 0 else np.float64(1.0), dtype=torch.float64)
        up = up.to(torch.float32).to(torch.float64)
        out.backward(up)
        grads = [enc(t.grad.numpy()) if t.dtype == torch.float64 and t.requires_grad else None for t in ts]
        cases.append({
            'name': name,
            'inputs': encoded,
            'upstream': enc(up.numpy()),
            'out': enc(out.detach().numpy()),
            'grads': grads,
        })
    return {'version': 1, 'torch': torch.__version__, 'cases': cases}


# ---- optimiser trajectories ---------------------------------------------------------------------------------

SIZES = [6, 8, 5, 3]  # in, hidden, hidden, classes
BATCH = 10
STEPS = 20

OPTIM_RUNS = [
    ('sgd', {'opt': 'sgd', 'lr': 0.1}),
    ('sgd momentum wd', {'opt': 'sgd', 'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1, 'weight_decay': 0.01}),
    ('sgd nesterov', {'opt': 'sgd', 'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.001}),
    ('adam', {'opt': 'adam', 'lr': 0.01}),
    ('adam wd amsgrad', {'opt': 'adam', 'lr': 0.01, 'betas': [0.8, 0.99], 'weight_decay': 0.05, 'amsgrad': True}),
    ('adamw', {'opt': 'adamw', 'lr': 0.01, 'weight_decay': 0.05}),
    ('adamw step lr', {'opt': 'adamw', 'lr': 0.02, 'sched': ['step', 5, 0.5]}),
    ('adamw cosine', {'opt': 'adamw', 'lr': 0.02, 'sched': ['cosine', 20, 0.001]}),
    ('sgd linear warmup', {'opt': 'sgd', 'lr': 0.2, 'momentum': 0.5, 'sched': ['linear', 0.1, 1.0, 8]}),
    ('adamw clip', {'opt': 'adamw', 'lr': 0.05, 'clip': 0.5}),
    ('adam param groups', {'opt': 'adam', 'lr': 0.01, 'groups': True}),
    ('adamw label smoothing', {'opt': 'adamw', 'lr': 0.01, 'label_smoothing': 0.1}),
]


def mlp_params():
    r = np.random.RandomState(42)
    params = {}
    for i in range(3):
        fan_in, fan_out = SIZES[i], SIZES[i + 1]
        b = 1 / math.sqrt(fan_in)
        params[f'{2 * i}.weight'] = np.round(r.uniform(-b, b, size=(fan_out, fan_in)), 4)
        params[f'{2 * i}.bias'] = np.round(r.uniform(-b, b, size=(fan_out,)), 4)
    return params


def build_model(params):
    model = torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.GELU(), torch.nn.Linear(SIZES[1], SIZES[2]), torch.nn.Tanh(),
        torch.nn.Linear(SIZES[2], SIZES[3]),
    )
    # torch's Sequential numbers every child; ours registers the same names (0, 2, 4 hold the Linear layers).
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.tensor(params[name], dtype=torch.float32))
    return model


def optim_fixture():
    params = mlp_params()
    r = np.random.RandomState(7)
    x = np.round(r.uniform(-1, 1, size=(BATCH, SIZES[0])), 3)
    y = r.randint(0, SIZES[3], size=(BATCH,))
    runs = []
    for name, cfg in OPTIM_RUNS:
        model = build_model(params)
        named = dict(model.named_parameters())
        kw = {'lr': cfg['lr']}
        if cfg['opt'] == 'sgd':
            for k in ('momentum', 'dampening', 'weight_decay', 'nesterov'):
                if k in cfg:
                    kw[k] = cfg[k]
            cls = torch.optim.SGD
        else:
            for k in ('weight_decay', 'amsgrad'):
                if k in cfg:
                    kw[k] = cfg[k]
            if 'betas' in cfg:
                kw['betas'] = tuple(cfg['betas'])
            cls = torch.optim.Adam if cfg['opt'] == 'adam' else torch.optim.AdamW
        if cfg.get('groups'):
            first = [named['0.weight'], named['0.bias']]
            rest = [p for n, p in named.items() if not n.startswith('0.')]
            opt = cls([{'params': first, 'lr': 0.03}, {'params': rest}], **kw)
        else:
            opt = cls(model.parameters(), **kw)
        sched = None
        if 'sched' in cfg:
            kind, *args = cfg['sched']
            if kind == 'step':
                sched = torch.optim.lr_scheduler.StepLR(opt, step_size=args[0], gamma=args[1])
            elif kind == 'cosine':
                sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args[0], eta_min=args[1])
            else:
                sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=args[0], end_factor=args[1], total_iters=args[2])
        xt = torch.tensor(x, dtype=torch.float32)
        yt = torch.tensor(y, dtype=torch.int64)
        steps = []
        for _ in range(STEPS):
            lr = opt.param_groups[0]['lr']
            opt.zero_grad()
            loss = F.cross_entropy(model(xt), yt, label_smoothing=cfg.get('label_smoothing', 0.0))
            loss.backward()
            if 'clip' in cfg:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg['clip'])
            opt.step()
            if sched:
                sched.step()
            steps.append({
                'loss': float(loss.item()),
                'lr': lr,
                'params': {n: [float(v) for v in p.detach().numpy().reshape(-1)] for n, p in model.named_parameters()},
            })
        runs.append({'name': name, 'config': cfg, 'steps': steps})
    return {
        'version': 1,
        'torch': torch.__version__,
        'model': {'sizes': SIZES, 'params': {n: enc(a) for n, a in params.items()}},
        'data': {'x': enc(x), 'y': enc(y, 'int32')},
        'runs': runs,
    }


def write(name, obj):
    path = os.path.join(FIXTURES, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    torch.manual_seed(0)
    os.makedirs(FIXTURES, exist_ok=True)
    write('golden-grads.json', grads_fixture())
    write('golden-optim.json', optim_fixture())
