#!/usr/bin/python3
"""Golden fixtures for @norga/vit's prompt tuning, made with PyTorch 1.13 (Debian python3-torch).

The tiny ViT and its weights are make_fixtures.py's (same seed, so tiny_vit.safetensors holds them). Prompts are
written here the way the methods' own code writes them, not through the prefix path the TypeScript uses:
  shallow (L2P, VPT-shallow): tokens [cls, prompt, patches] after the position embedding, through every block;
  deep (VPT-NSP's vit_builder.Block): block i runs attention on norm1([x; P_i]) and keeps the first N outputs.
Readouts: the class token, or the mean of the prompt tokens' outputs after the final norm (L2P head_type='prompt').
Run from the repository root:

    /usr/bin/python3 packages/vit/scripts/make_prompt_fixtures.py

Writes packages/vit/test/fixtures/tiny_prompt.safetensors. Everything is seeded; reruns are identical.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import OUT, TINY, ViT, randomise, save_safetensors  # noqa: E402


def prompted_tokens(model, x, prompt=None, deep=None, keep_queries=None):
    """All tokens after the final norm, with a shallow prompt and/or deep prompts {layer: [B or 1, L, D]}."""
    B = x.shape[0]
    h = model.patch_embed(x)
    h = torch.cat([model.cls_token.expand(B, -1, -1), h], dim=1) + model.pos_embed
    if prompt is not None:
        h = torch.cat([h[:, :1], prompt.expand(B, -1, -1), h[:, 1:]], dim=1)
    for i, blk in enumerate(model.blocks):
        if deep is not None and i in deep:
            n = h.shape[1]
            seq = torch.cat([h, deep[i].expand(B, -1, -1)], dim=1)
            normed = blk.norm1(seq)
            if keep_queries is not None:
                # q_h (scaled) @ W_k,h for the sequence's own tokens: [B, H, N, D]
                H, D = blk.attn.heads, normed.shape[-1]
                hd = D // H
                q = F.linear(normed[:, :n], blk.attn.qkv.weight[:D], blk.attn.qkv.bias[:D]) * hd ** -0.5
                q = q.reshape(B, n, H, hd).permute(0, 2, 1, 3)
                wk = blk.attn.qkv.weight[D:2 * D].reshape(H, hd, D)
                keep_queries[i] = torch.einsum('bhnj,hjd->bhnd', q, wk)
            h = h + blk.attn(normed)[:, :n]
            h = h + blk.mlp(blk.norm2(h))
        else:
            h = blk(h)
    return model.norm(h)


def main():
    gen = torch.Generator().manual_seed(20260601)
    model = ViT(**TINY)
    randomise(model, gen)
    x = torch.randn(4, 1, 28, 28, generator=gen)  # tiny_io's input
    labels = torch.tensor([3, 0, 9, 3])
    for p in model.parameters():
        p.requires_grad_(False)

    g = torch.Generator().manual_seed(20261205)
    io = {'input': x, 'labels': labels.float()}

    # 1. a shallow prompt shared by the batch, class-token readout
    p1 = torch.rand(1, 3, 64, generator=g).mul(2).sub(1).requires_grad_()
    logits = model.head(prompted_tokens(model, x, prompt=p1)[:, 0])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    io.update({'shallow.prompt': p1, 'shallow.logits': logits, 'shallow.loss': loss.reshape(1),
               'shallow.grad': p1.grad})

    # 2. a prompt per sample, read out as the mean of the prompt tokens' outputs (L2P)
    p2 = torch.rand(4, 5, 64, generator=g).requires_grad_()
    feats = prompted_tokens(model, x, prompt=p2)[:, 1:1 + 5].mean(1)
    logits = model.head(feats)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    io.update({'mean.prompt': p2, 'mean.features': feats, 'mean.logits': logits, 'mean.loss': loss.reshape(1),
               'mean.grad': p2.grad})

    # 3. deep prompts on layers 1 and 3 (VPT-NSP's block), class-token readout, and the queries of layer 1 (sample 0)
    deep = {i: torch.rand(1, 4, 64, generator=g).mul(2).sub(1).requires_grad_() for i in (1, 3)}
    queries = {}
    logits = model.head(prompted_tokens(model, x, deep=deep, keep_queries=queries)[:, 0])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    io.update({'deep.logits': logits, 'deep.loss': loss.reshape(1), 'deep.queries.1': queries[1][:1]})
    for i, p in deep.items():
        io[f'deep.prompt.{i}'] = p
        io[f'deep.grad.{i}'] = p.grad

    save_safetensors(os.path.join(OUT, 'tiny_prompt.safetensors'), {k: v.detach() for k, v in io.items()},
                     {'source': 'packages/vit/scripts/make_prompt_fixtures.py'})


if __name__ == '__main__':
    main()
