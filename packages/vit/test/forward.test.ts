/** Forward parity with PyTorch (fixtures from scripts/make_fixtures.py), on every backend. */
import { keep, setBackend, type Tensor, tensor, tidy } from '@norga/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { resamplePosEmbed, ViT, vitConfig } from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';
import { expectClose, get, loadFixture } from './helpers/fixtures.js';

const weights = await loadFixture('tiny_vit.safetensors');
const io = await loadFixture('tiny_io.safetensors');
const arr = (name: string) => get(io, name);
const t = (name: string) => tensor(arr(name).data, { shape: arr(name).shape });
const tanhScore = (s: Tensor) => s.add(s.mul(2).tanh().mul(0.5));

describe.each(BACKENDS)('tiny ViT forward vs PyTorch [%s]', (backend) => {
  let model: ViT;
  beforeAll(async () => {
    await setBackend(backend);
    model = ViT.fromNamedArrays(vitConfig('tiny'), weights);
  });

  it('logits and pre-logits features', async () => {
    const x = t('input');
    const logits = model.forward(x);
    expect(logits.shape).toEqual([4, 10]);
    expectClose(await logits.data(), arr('logits').data, 1e-4, 1e-3, 'logits');
    const f = model.features(x);
    expect(f.shape).toEqual([4, 64]);
    expectClose(await f.data(), arr('features').data, 1e-4, 1e-3, 'features');
    for (const v of [x, logits, f]) v.dispose();
  });

  for (const [tag, score] of [
    ['prefix_identity', undefined],
    ['prefix_tanh', tanhScore],
  ] as const) {
    it(`prefixes on layers 0 and 2 (${tag}): logits, features, layer-0 attention probabilities`, async () => {
      const x = t('input');
      const prefixes = new Map([
        [0, { key: t('prefix.0.key'), value: t('prefix.0.value') }],
        [2, { key: t('prefix.2.key'), value: t('prefix.2.value') }],
      ]);
      const probs: Tensor[] = [];
      const logits = model.forward(x, {
        prefixes,
        ...(score === undefined ? {} : { score }),
        // The hook's tensor is the forward's: a second, kept handle outlives it.
        onAttentionProbs: (p, layer) => {
          if (layer === 0) probs.push(keep(p.share()));
        },
      });
      expectClose(await logits.data(), arr(`${tag}.logits`).data, 1e-4, 1e-3, 'logits');
      expect(probs[0]!.shape).toEqual([4, 4, 50, 55]);
      expectClose(await probs[0]!.data(), arr(`${tag}.probs0`).data, 1e-5, 1e-3, 'probs');
      const f = model.features(x, { prefixes, ...(score === undefined ? {} : { score }) });
      expectClose(await f.data(), arr(`${tag}.features`).data, 1e-4, 1e-3, 'features');
      // The uninstructed feature differs: prefixes really change the computation.
      const plain = model.features(x);
      expect(Math.abs((await plain.data())[0]! - (await f.data())[0]!)).toBeGreaterThan(1e-3);
      for (const v of [x, logits, f, plain, ...probs]) v.dispose();
      for (const p of prefixes.values()) for (const v of [p.key, p.value]) v.dispose();
    });
  }

  it('MSA(q, [p_k; k], [p_v; v]) matches the explicit PyTorch formula', async () => {
    const { attention } = await import('../src/index.js');
    const out = tidy(() =>
      attention(t('msa.x'), (n) => model.param(n), 'blocks.0.attn', {
        heads: 4,
        prefix: { key: t('msa.prefix_key'), value: t('msa.prefix_value') },
      }),
    );
    expectClose(await out.data(), arr('msa.out').data, 1e-5, 1e-3, 'attention output');
    out.dispose();
  });

  it('40×40 inputs with the position embedding resampled bicubically, as timm', async () => {
    const pe = resamplePosEmbed(get(weights, 'pos_embed'), [10, 10]);
    expectClose(pe.data, arr('pos_embed_10x10').data, 1e-6, 1e-4, 'resampled pos_embed');
    const m40 = ViT.fromNamedArrays(vitConfig('tiny', { imageSize: 40 }), weights);
    const logits = m40.forward(t('input40'));
    expectClose(await logits.data(), arr('logits40').data, 1e-4, 1e-3, 'logits');
    logits.dispose();
    m40.dispose();
    // The wrong size is refused with the shapes named, not silently mis-embedded.
    expect(() => model.forward(t('input40'))).toThrow(/must be \[B, 1, 28, 28\], got \[2, 1, 40, 40\]/);
  });
});
