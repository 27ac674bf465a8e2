/** Loss and every parameter gradient vs PyTorch, plus prefix gradients with a frozen backbone, on every backend. */
import { backward, crossEntropy, gradOf, requiresGrad_ } from '@norga/autograd';
import { setBackend, type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { ViT, vitConfig } from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';
import { expectClose, get, loadFixture } from './helpers/fixtures.js';

const weights = await loadFixture('tiny_vit.safetensors');
const io = await loadFixture('tiny_io.safetensors');
const arr = (name: string) => get(io, name);
const t = (name: string) => tensor(arr(name).data, { shape: arr(name).shape });
const labels = () => tensor(Int32Array.from(arr('labels').data), { shape: [4] });
const tanhScore = (s: Tensor) => s.add(s.mul(2).tanh().mul(0.5));

describe.each(BACKENDS)('tiny ViT gradients vs PyTorch [%s]', (backend) => {
  it('cross-entropy loss and the gradient of all parameters', async () => {
    await setBackend(backend);
    const model = ViT.fromNamedArrays(vitConfig('tiny'), weights);
    const x = t('input');
    const y = labels();
    const loss = crossEntropy(model.forward(x), y);
    expectClose([await loss.item()], arr('loss').data, 1e-5, 1e-4, 'loss');
    backward(loss);
    let checked = 0;
    for (const [name, p] of model.params) {
      const g = gradOf(p);
      expect(g, `gradient of ${name}`).not.toBeNull();
      expectClose(await g!.data(), arr(`grad.${name}`).data, 1e-4, 1e-3, `grad ${name}`);
      checked++;
    }
    expect(checked).toBe(4 * 12 + 8);
    for (const v of [x, y, loss]) v.dispose();
    model.dispose();
  });

  for (const [tag, score] of [
    ['prefix_identity', undefined],
    ['prefix_tanh', tanhScore],
  ] as const) {
    it(`prefix gradients with a frozen backbone (${tag})`, async () => {
      await setBackend(backend);
      const model = ViT.fromNamedArrays(vitConfig('tiny'), weights).freezeBackbone(() => false);
      const prefixes = new Map(
        [0, 2].map((i) => [
          i,
          { key: requiresGrad_(t(`prefix.${i}.key`)), value: requiresGrad_(t(`prefix.${i}.value`)) },
        ]),
      );
      const x = t('input');
      const y = labels();
      const loss = crossEntropy(model.forward(x, { prefixes, ...(score === undefined ? {} : { score }) }), y);
      expectClose([await loss.item()], arr(`${tag}.loss`).data, 1e-5, 1e-4, 'loss');
      backward(loss);
      for (const [i, p] of prefixes) {
        expectClose(
          await gradOf(p.key)!.data(),
          arr(`${tag}.grad.prefix.${i}.key`).data,
          1e-4,
          1e-3,
          `prefix ${i} key grad`,
        );
        expectClose(
          await gradOf(p.value)!.data(),
          arr(`${tag}.grad.prefix.${i}.value`).data,
          1e-4,
          1e-3,
          `prefix ${i} value grad`,
        );
      }
      // Frozen: no backbone parameter received a gradient.
      for (const [name, p] of model.params) expect(gradOf(p), name).toBeNull();
      for (const v of [x, y, loss, ...[...prefixes.values()].flatMap((p) => [p.key, p.value])]) v.dispose();
      model.dispose();
    });
  }
});
