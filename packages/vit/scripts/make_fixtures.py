#!/usr/bin/python3
"""Golden fixtures for @norga/vit, made with PyTorch 1.13 (Debian python3-torch; timm is not needed).

The ViT below is written with timm's parameter names and timm's forward (pre-norm blocks, fused qkv, exact
GELU, class-token pooling, LayerNorm eps 1e-6), plus prefix keys/values per layer and a score function applied
to the prefix columns before one joint softmax. Run from the repository root:

    /usr/bin/python3 packages/vit/scripts/make_fixtures.py

Writes packages/vit/test/fixtures/*.safetensors (with a small safetensors writer of its own, so the TypeScript
reader is checked against an independent writer) and formula.json. Everything is seeded; reruns are identical.
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')


# ----------------------------------------------------------------------------------------------- safetensors
def save_safetensors(path, tensors, metadata=None):
    """Minimal writer following the format: u64 LE header size, JSON header, raw little-endian F32 data."""
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype('<f4'))
        data = arr.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    js = json.dumps(header, separators=(',', ':')).encode()
    js += b' ' * (-len(js) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------- the model
def identity_score(s):
    return s


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, prefix=None, score=identity_score, keep_probs=None):
        B, N, C = x.shape
        H, hd = self.heads, C // self.heads
        qkv = self.qkv(x).reshape(B, N, 3, H, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        lp = 0
        if prefix is not None:
            pk, pv = prefix
            lp = pk.shape[1]
            pk = pk.expand(B, -1, -1).reshape(B, lp, H, hd).permute(0, 2, 1, 3)
            pv = pv.expand(B, -1, -1).reshape(B, lp, H, hd).permute(0, 2, 1, 3)
            k = torch.cat([pk, k], dim=2)
            v = torch.cat([pv, v], dim=2)
        s = (q * self.scale) @ k.transpose(-2, -1)
        if lp > 0:
            s = torch.cat([score(s[..., :lp]), s[..., lp:]], dim=-1)
        p = s.softmax(dim=-1)
        if keep_probs is not None:
            keep_probs.append(p)
        x = (p @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, mlp)

    def forward(self, x, prefix=None, score=identity_score, keep_probs=None):
        x = x + self.attn(self.norm1(x), prefix, score, keep_probs)
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(chans, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ViT(nn.Module):
    def __init__(self, image, patch, chans, dim, depth, heads, mlp, classes, eps=1e-6):
        super().__init__()
        n = (image // patch) ** 2
        self.patch_embed = PatchEmbed(patch, chans, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, mlp, eps) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=eps)
        self.head = nn.Linear(dim, classes)

    def features(self, x, prefixes=None, score=identity_score, keep_probs=None):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for i, blk in enumerate(self.blocks):
            p = prefixes.get(i) if prefixes else None
            x = blk(x, p, score, keep_probs if i == 0 else None)
        return self.norm(x)[:, 0]

    def forward(self, x, prefixes=None, score=identity_score, keep_probs=None):
        return self.head(self.features(x, prefixes, score, keep_probs))


TINY = dict(image=28, patch=4, chans=1, dim=64, depth=4, heads=4, mlp=256, classes=10)
TI16 = dict(image=224, patch=16, chans=3, dim=192, depth=12, heads=3, mlp=768, classes=1000)
B16 = dict(image=224, patch=16, chans=3, dim=768, depth=12, heads=12, mlp=3072, classes=1000)


def randomise(model, gen):
    """Weights far from their init values (LayerNorm gains too), so every gradient path is exercised."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name == 'norm.weight':
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif p.dim() >= 2 and name not in ('cls_token', 'pos_embed'):
                fan_in = int(np.prod(p.shape[1:]))
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))


# ----------------------------------------------------------------------------------------------- formula weights
def formula_values(index, count):
    """Uniform in [-1, 1): an integer hash of (parameter index, element index), exact in float64 and in JS
    (Math.imul / >>> 0), so both sides get bit-identical weights. Mirrors src/testing/formula.ts."""
    i = np.arange(count, dtype=np.uint64)
    m = np.uint64(0xFFFFFFFF)
    h = (i * np.uint64(2654435761) + np.uint64((index + 1) * 2246822519 % 2**32)) & m
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(2246822507)) & m
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(3266489909)) & m
    h ^= h >> np.uint64(16)
    return (h.astype(np.float64) / 2**32) * 2 - 1


def formula_init(model):
    """Parameter k (in state-dict order): LayerNorm gains 1 + 0.1 u, matrices u * sqrt(3 / fan_in) (variance
    1 / fan_in), every other tensor (biases, cls_token, pos_embed) 0.02 u."""
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            u = formula_values(k, p.numel())
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name == 'norm.weight':
                v = 1 + 0.1 * u
            elif p.dim() >= 2 and name not in ('cls_token', 'pos_embed'):
                v = u * math.sqrt(3 / int(np.prod(p.shape[1:])))
            else:
                v = 0.02 * u
            p.copy_(torch.from_numpy(v.astype(np.float32)).reshape(p.shape))


def formula_input(count):
    return torch.from_numpy(formula_values(1000003, count).astype(np.float32))


# ----------------------------------------------------------------------------------------------- fixtures
def tiny_fixtures():
    gen = torch.Generator().manual_seed(20260601)
    model = ViT(**TINY)
    randomise(model, gen)
    names = [n for n, _ in model.named_parameters()]
    save_safetensors(os.path.join(OUT, 'tiny_vit.safetensors'), dict(model.named_parameters()),
                     {'format': 'pt', 'config': 'tiny', 'source': 'packages/vit/scripts/make_fixtures.py'})

    B = 4
    x = torch.randn(B, 1, 28, 28, generator=gen)
    labels = torch.tensor([3, 0, 9, 3])
    io = {'input': x, 'labels': labels.float()}

    # Plain forward and backward: logits, pre-logits feature, loss, every parameter gradient.
    model.zero_grad()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    io['logits'] = logits
    io['loss'] = loss.reshape(1)
    with torch.no_grad():
        io['features'] = model.features(x)
    for n, p in model.named_parameters():
        io['grad.' + n] = p.grad.clone()

    # Prefixes on layers 0 and 2 (Lp = 5; layer 0 shared by the batch, layer 2 per sample), frozen backbone:
    # gradients reach only the prefixes.
    lp, D = 5, TINY['dim']
    prefixes = {
        0: (torch.randn(1, lp, D, generator=gen).requires_grad_(), torch.randn(1, lp, D, generator=gen).requires_grad_()),
        2: (torch.randn(B, lp, D, generator=gen).requires_grad_(), torch.randn(B, lp, D, generator=gen).requires_grad_()),
    }
    for i, (pk, pv) in prefixes.items():
        io[f'prefix.{i}.key'] = pk
        io[f'prefix.{i}.value'] = pv
    for p in model.parameters():
        p.requires_grad_(False)

    def run_case(tag, score):
        probs = []
        out = model(x, prefixes, score, probs)
        loss = F.cross_entropy(out, labels)
        grads = torch.autograd.grad(loss, [t for pair in prefixes.values() for t in pair])
        io[f'{tag}.logits'] = out
        io[f'{tag}.loss'] = loss.reshape(1)
        io[f'{tag}.probs0'] = probs[0]
        with torch.no_grad():
            io[f'{tag}.features'] = model.features(x, prefixes, score)
        for (i, _), gk, gv in zip(prefixes.items(), grads[0::2], grads[1::2]):
            io[f'{tag}.grad.prefix.{i}.key'] = gk
            io[f'{tag}.grad.prefix.{i}.value'] = gv

    run_case('prefix_identity', identity_score)
    # A NoRGa-shaped score, s + alpha * tanh(tau * s) with alpha = 0.5, tau = 2, to check the hook is honoured.
    run_case('prefix_tanh', lambda s: s + 0.5 * torch.tanh(2 * s))

    # Standalone attention: MSA(q, [p_k; k], [p_v; v]) written out independently of the module above.
    attn = model.blocks[0].attn
    xa = torch.randn(2, 50, D, generator=gen)
    pk = torch.randn(2, lp, D, generator=gen)
    pv = torch.randn(2, lp, D, generator=gen)
    with torch.no_grad():
        out = attn(xa, (pk, pv))
        H, hd = attn.heads, D // attn.heads
        q, k, v = attn.qkv(xa).split(D, dim=-1)
        kk = torch.cat([pk, k], dim=1)
        vv = torch.cat([pv, v], dim=1)
        heads = lambda t: t.reshape(2, t.shape[1], H, hd).transpose(1, 2)
        ref = F.softmax(heads(q) @ heads(kk).transpose(-2, -1) / math.sqrt(hd), dim=-1) @ heads(vv)
        ref = attn.proj(ref.transpose(1, 2).reshape(2, 50, D))
        assert torch.allclose(out, ref, atol=1e-6), 'prefix attention disagrees with the explicit MSA'
    io['msa.x'] = xa
    io['msa.prefix_key'] = pk
    io['msa.prefix_value'] = pv
    io['msa.out'] = out

    # Position embedding resampled from the 7x7 grid to 10x10 (40x40 images), as timm does it.
    with torch.no_grad():
        pe = model.pos_embed
        grid = pe[:, 1:].reshape(1, 7, 7, D).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(10, 10), mode='bicubic', align_corners=False)
        io['pos_embed_10x10'] = torch.cat([pe[:, :1], grid.permute(0, 2, 3, 1).reshape(1, 100, D)], dim=1)
        # And the model on 40x40 inputs with that embedding.
        x40 = torch.randn(2, 1, 40, 40, generator=gen)
        m40 = ViT(**{**TINY, 'image': 40})
        sd = dict(model.state_dict())
        sd['pos_embed'] = io['pos_embed_10x10']
        m40.load_state_dict(sd)
        io['input40'] = x40
        io['logits40'] = m40(x40)

    save_safetensors(os.path.join(OUT, 'tiny_io.safetensors'), {k: v.detach() for k, v in io.items()},
                     {'parameters': json.dumps(names)})


def formula_fixtures():
    x = formula_input(3 * 224 * 224).reshape(1, 3, 224, 224)
    io = {'input': x}
    for tag, cfg in (('vit_tiny_patch16_224', TI16), ('vit_base_patch16_224', B16)):
        model = ViT(**cfg)
        formula_init(model)
        with torch.no_grad():
            io[tag + '.logits'] = model(x)
    save_safetensors(os.path.join(OUT, 'formula_io.safetensors'), io)


if __name__ == '__main__':
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    tiny_fixtures()
    formula_fixtures()
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))
