/**
 * ViT-Ti/16 and ViT-B/16 at full size against PyTorch, with weights from a formula both sides compute
 * (src/weights/formula.ts ≡ formula_init in scripts/make_fixtures.py): only the input and logits are committed.
 */
import { setBackend, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { formulaInput, formulaWeights, ViT, vitConfig } from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';
import { expectClose, get, loadFixture } from './helpers/fixtures.js';

const io = await loadFixture('formula_io.safetensors');

describe('formula weights', () => {
  it('reproduce the fixture input bit for bit', () => {
    expect(Array.from(formulaInput(3 * 224 * 224))).toEqual(Array.from(get(io, 'input').data));
  });
});

describe.each(BACKENDS)('ViT-Ti/16 and ViT-B/16 logits vs PyTorch [%s]', (backend) => {
  for (const name of ['vit_tiny_patch16_224', 'vit_base_patch16_224'] as const) {
    it(name, async () => {
      await setBackend(backend);
      const config = vitConfig(name);
      const model = ViT.fromNamedArrays(config, formulaWeights(config));
      const x = tensor(get(io, 'input').data, { shape: [1, 3, 224, 224] });
      const logits = model.forward(x);
      expect(logits.shape).toEqual([1, 1000]);
      expectClose(await logits.data(), get(io, `${name}.logits`).data, 1e-4, 1e-3, `${name} logits`);
      for (const t of [x, logits]) t.dispose();
      model.dispose();
    });
  }
});
