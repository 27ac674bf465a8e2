/** Name maps (timm ↔ Hugging Face), checkpoint validation on load, and file round trips. */

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import {
  fromHuggingFace,
  isHuggingFaceNaming,
  toFloat32,
  toHuggingFace,
  ViT,
  vitConfig,
} from '../src/index.js';
import { loadViT, readSafetensorsFile, writeSafetensorsFile } from '../src/node.js';
import { expectClose, get, loadFixture } from './helpers/fixtures.js';

const weights = await loadFixture('tiny_vit.safetensors');
const io = await loadFixture('tiny_io.safetensors');
await setBackend('cpu');

describe('Hugging Face names', () => {
  it('map to and from timm names, splitting and fusing qkv', () => {
    const hf = toHuggingFace(weights);
    expect(isHuggingFaceNaming(hf.keys())).toBe(true);
    expect(isHuggingFaceNaming(weights.keys())).toBe(false);
    expect(hf.get('vit.encoder.layer.0.attention.attention.query.weight')!.shape).toEqual([64, 64]);
    expect(hf.get('vit.encoder.layer.3.intermediate.dense.weight')!.shape).toEqual([256, 64]);
    expect(hf.get('vit.embeddings.patch_embeddings.projection.weight')!.shape).toEqual([64, 1, 4, 4]);
    expect(hf.get('classifier.bias')!.shape).toEqual([10]);
    expect(hf.size).toBe(weights.size + 4 * 4); // each fused qkv weight and bias becomes three tensors
    // The key rows of the fused qkv are rows 64..127.
    const qkv = get(weights, 'blocks.1.attn.qkv.weight').data;
    expect(Array.from(hf.get('vit.encoder.layer.1.attention.attention.key.weight')!.data)).toEqual(
      Array.from(qkv.subarray(64 * 64, 128 * 64)),
    );
    const back = fromHuggingFace(hf);
    expect(back.ignored).toEqual([]);
    expect([...back.tensors.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [k, v] of weights)
      expect(Array.from(back.tensors.get(k)!.data), k).toEqual(Array.from(v.data));
  });

  it('load into the model unchanged (ViTModel names without the vit. prefix too) and give the same logits', async () => {
    for (const prefix of ['vit.', '']) {
      const hf = toHuggingFace(weights, prefix);
      hf.set(`${prefix}pooler.dense.weight`, { shape: [64, 64], data: new Float32Array(64 * 64) });
      const model = ViT.fromNamedArrays(vitConfig('tiny'), hf);
      const x = tensor(get(io, 'input').data, { shape: [4, 1, 28, 28] });
      const logits = model.forward(x);
      expectClose(
        await logits.data(),
        get(io, 'logits').data,
        1e-4,
        1e-3,
        `logits (${prefix || 'no prefix'})`,
      );
      for (const t of [x, logits]) t.dispose();
      model.dispose();
    }
  });

  it('refuse unknown names and incomplete qkv', () => {
    const hf = toHuggingFace(weights);
    hf.set('vit.encoder.layer.0.attention.attention.sideways.weight', {
      shape: [1],
      data: new Float32Array(1),
    });
    expect(() => fromHuggingFace(hf)).toThrow(
      /unknown parameter 'vit.encoder.layer.0.attention.attention.sideways.weight'/,
    );
    const partial = toHuggingFace(weights);
    partial.delete('vit.encoder.layer.2.attention.attention.value.bias');
    expect(() => fromHuggingFace(partial)).toThrow(/blocks.2.attn.qkv.bias needs query, key and value/);
  });
});

describe('loading checkpoints into a config', () => {
  it('names missing, unexpected and mis-shaped parameters', () => {
    const missing = new Map(weights);
    missing.delete('blocks.3.mlp.fc2.bias');
    expect(() => ViT.fromNamedArrays(vitConfig('tiny'), missing)).toThrow(
      /no 'blocks.3.mlp.fc2.bias' \(shape \[64\]\)/,
    );
    const extra = new Map(weights);
    extra.set('blocks.4.norm1.weight', { shape: [64], data: new Float32Array(64) });
    expect(() => ViT.fromNamedArrays(vitConfig('tiny'), extra)).toThrow(
      /parameters this config does not: blocks.4.norm1.weight/,
    );
    expect(() => ViT.fromNamedArrays(vitConfig('tiny', { mlpDim: 128 }), weights)).toThrow(
      /'blocks.0.mlp.fc1.weight' has shape \[256, 64\], config needs \[128, 64\]/,
    );
  });

  it('can replace the head for another class count', () => {
    const model = ViT.fromNamedArrays(vitConfig('tiny', { numClasses: 5 }), weights, {
      ignoreHead: true,
      seed: 1,
    });
    expect(model.param('head.weight').shape).toEqual([5, 64]);
    expect(Array.from(model.param('blocks.0.norm1.weight').dataSyncCpu())).toEqual(
      Array.from(get(weights, 'blocks.0.norm1.weight').data),
    );
    model.dispose();
  });
});

describe('safetensors files', () => {
  it('round-trip a model through writeSafetensorsFile atomically (no temp files left)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'norga-vit-st-'));
    try {
      const model = ViT.fromNamedArrays(vitConfig('tiny'), weights);
      const path = join(dir, 'm.safetensors');
      const named = await model.toNamedArrays();
      await writeSafetensorsFile(path, named, { config: JSON.stringify(model.config) });
      expect(await readdir(dir)).toEqual(['m.safetensors']);
      const f = await readSafetensorsFile(path);
      expect(JSON.parse(f.metadata.config!)).toEqual(model.config);
      for (const [k, v] of weights)
        expect(Array.from(toFloat32(f.tensors.get(k)!)), k).toEqual(Array.from(v.data));
      // loadViT takes the config from the metadata; an imageSize override resamples the position embedding.
      const again = await loadViT(path);
      expect(again.config).toEqual(model.config);
      expect(Array.from(again.param('head.bias').dataSyncCpu())).toEqual(
        Array.from(get(weights, 'head.bias').data),
      );
      const bigger = await loadViT(path, { overrides: { imageSize: 40 } });
      expect(bigger.param('pos_embed').shape).toEqual([1, 101, 64]);
      expectClose(
        bigger.param('pos_embed').dataSyncCpu(),
        get(io, 'pos_embed_10x10').data,
        1e-6,
        1e-4,
        'pos_embed',
      );
      for (const m of [model, again, bigger]) m.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
