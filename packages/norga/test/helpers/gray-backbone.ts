/** A backbone file for the CLI tests: small, fast, and refused by nothing but what a test breaks on purpose. */
import { ViT } from '@norga/vit';
import { writeSafetensorsFile } from '@norga/vit/node';

/**
 * A random-weight 28×28 gray ViT saved with its config, the data set it claims to be pretrained on (Fashion-MNIST
 * unless said) and optionally a bad weight in the metadata.
 */
export async function grayBackbone(
  path: string,
  opts: { nan?: boolean; dataset?: string } = {},
): Promise<void> {
  const config = {
    imageSize: 28,
    patchSize: 7,
    inChannels: 1,
    dim: 16,
    depth: 2,
    heads: 2,
    mlpDim: 32,
    numClasses: 0,
    layerNormEps: 1e-6,
  };
  const model = ViT.create(config, { seed: 5 });
  const arrays = Object.fromEntries(await model.toNamedArrays());
  if (opts.nan) {
    const first = Object.values(arrays)[0] as { data: Float32Array };
    first.data[3] = Number.NaN;
  }
  await writeSafetensorsFile(path, arrays, {
    config: JSON.stringify(config),
    dataset: opts.dataset ?? 'fashion-mnist',
  });
  model.dispose();
}
