/**
 * Prompt tuning vs PyTorch (scripts/make_prompt_fixtures.py): shallow prompts (shared and per sample), the
 * prompt-mean readout, deep prompts as VPT-NSP's block writes them, the prompt-queries hook, and the prompt
 * gradients with a frozen backbone, on every backend; plus the errors of a malformed prompt.
 */
import { backward, crossEntropy, gradOf, requiresGrad_ } from '@norga/autograd';
import { keep, setBackend, type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { ViT, vitConfig } from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';
import { expectClose, get, loadFixture } from './helpers/fixtures.js';

const weights = await loadFixture('tiny_vit.safetensors');
const io = await loadFixture('tiny_prompt.safetensors');
const arr = (name: string) => get(io, name);
const t = (name: string) => tensor(arr(name).data, { shape: arr(name).shape });
const labels = () => tensor(Int32Array.from(arr('labels').data), { shape: [4] });
const frozen = () => ViT.fromNamedArrays(vitConfig('tiny'), weights).freezeBackbone(() => false);

describe.each(BACKENDS)('prompt tuning vs PyTorch [%s]', (backend) => {
  it('a shallow prompt shared by the batch: logits, loss and its gradient', async () => {
    await setBackend(backend);
    const model = frozen();
    const prompt = requiresGrad_(t('shallow.prompt'));
    const logits = model.forward(t('input'), { prompt });
    expectClose(await logits.data(), arr('shallow.logits').data, 1e-4, 1e-3, 'logits');
    const loss = crossEntropy(logits, labels());
    expectClose([await loss.item()], arr('shallow.loss').data, 1e-5, 1e-4, 'loss');
    backward(loss);
    expectClose(await gradOf(prompt)!.data(), arr('shallow.grad').data, 1e-5, 1e-3, 'prompt gradient');
    model.dispose();
  });

  it("a prompt per sample read out as the prompt tokens' mean (L2P's head_type='prompt')", async () => {
    await setBackend(backend);
    const model = frozen();
    const prompt = requiresGrad_(t('mean.prompt'));
    const feats = model.features(t('input'), { prompt, readout: 'prompt-mean' });
    expect(feats.shape).toEqual([4, 64]);
    expectClose(await feats.data(), arr('mean.features').data, 1e-4, 1e-3, 'features');
    const loss = crossEntropy(model.head(feats), labels());
    expectClose([await loss.item()], arr('mean.loss').data, 1e-5, 1e-4, 'loss');
    backward(loss);
    expectClose(await gradOf(prompt)!.data(), arr('mean.grad').data, 1e-5, 1e-3, 'prompt gradient');
    model.dispose();
  });

  it('deep prompts on layers 1 and 3: logits, loss, gradients and the prompt-queries hook', async () => {
    await setBackend(backend);
    const model = frozen();
    const deepPrompts = new Map([1, 3].map((i) => [i, requiresGrad_(t(`deep.prompt.${i}`))] as const));
    const seen: number[] = [];
    let queries: Tensor | undefined;
    const logits = model.forward(t('input'), {
      deepPrompts,
      onPromptQueries: (q: Tensor, layer: number) => {
        seen.push(layer);
        expect(q.shape).toEqual([4, 4, 50, 64]);
        if (layer === 1) queries = keep(q.slice(0, 0, 1).contiguous());
      },
    });
    expect(seen).toEqual([1, 3]);
    expectClose(await queries!.data(), arr('deep.queries.1').data, 1e-4, 1e-3, 'queries of layer 1');
    expectClose(await logits.data(), arr('deep.logits').data, 1e-4, 1e-3, 'logits');
    const loss = crossEntropy(logits, labels());
    expectClose([await loss.item()], arr('deep.loss').data, 1e-5, 1e-4, 'loss');
    backward(loss);
    for (const [i, p] of deepPrompts) {
      expectClose(await gradOf(p)!.data(), arr(`deep.grad.${i}`).data, 1e-5, 1e-3, `gradient of prompt ${i}`);
    }
    queries!.dispose();
    model.dispose();
  });
});

describe('prompt errors', () => {
  it('names the shapes of a malformed prompt, a prompt-mean readout without a prompt, and a prefix beside a deep prompt', async () => {
    await setBackend('cpu');
    const model = frozen();
    const x = t('input');
    expect(() =>
      model.forward(x, { prompt: tensor(new Float32Array(3 * 32), { shape: [1, 3, 32] }) }),
    ).toThrow('prompt must be [4 or 1, Lp, 64], got [1, 3, 32] float32');
    expect(() =>
      model.forward(x, { deepPrompts: new Map([[2, tensor(new Float32Array(2 * 8), { shape: [2, 8] })]]) }),
    ).toThrow('deep prompt of layer 2 must be [4 or 1, Lp, 64], got [2, 8] float32');
    expect(() => model.features(x, { readout: 'prompt-mean' })).toThrow(
      "readout 'prompt-mean' needs a shallow prompt",
    );
    const p = tensor(new Float32Array(64), { shape: [1, 1, 64] });
    expect(() =>
      model.forward(x, { deepPrompts: new Map([[0, p]]), prefixes: new Map([[0, { key: p, value: p }]]) }),
    ).toThrow('layer 0 has both a prefix and a deep prompt');
    model.dispose();
  });
});
