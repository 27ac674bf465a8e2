/**
 * A frozen backbone from a safetensors checkpoint already in memory (fetched by a page, or read from a file by
 * backbone-file.ts): the ViT config from the file's metadata over a @norga/vit preset, and the normalisation of
 * the data set it says it was pretrained on. No file system, so browsers get it too.
 */
import { type SafetensorsFile, toFloat32, ViT, type ViTConfigName, vitConfig } from '@norga/vit';
import type { Preprocess } from './benchmark-data.js';
import { VitBackbone } from './vit-backbone.js';

/** Normalisation constants of the pretraining sets (as @norga/vit's pretrain command uses them). */
export const PRETRAIN_STATS: Record<'fashion-mnist' | 'mnist', { mean: number; std: number }> = {
  'fashion-mnist': { mean: 0.286, std: 0.353 },
  mnist: { mean: 0.1307, std: 0.3081 },
};

/** timm's ViT normalisation (in21k / augreg checkpoints): mean = std = 0.5 per channel. */
export const TIMM_VIT_STATS = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

/** A backbone checkpoint that is missing, unreadable, or does not fit the ViT config asked for. */
export class BackboneError extends Error {
  override name = 'BackboneError';
}

/**
 * The backbone in `file` (named `what` in errors: its path or URL). `configName` is a @norga/vit preset; a
 * config stored in the file's metadata (as the pretrain command writes) wins. The head is not needed and is
 * ignored. Throws a BackboneError when the metadata config is not JSON or the tensors do not fit the config.
 */
export function backboneFromSafetensors(
  file: SafetensorsFile,
  what: string,
  configName: ViTConfigName,
  preprocess?: Preprocess,
): { backbone: VitBackbone; pretrainedOn?: string } {
  let config = vitConfig(configName);
  if (file.metadata.config) {
    try {
      config = { ...config, ...(JSON.parse(file.metadata.config) as object) };
    } catch {
      throw new BackboneError(`${what}: its metadata 'config' is not JSON`);
    }
  }
  const arrays = new Map(
    [...file.tensors.values()].map((t) => [t.name, { shape: t.shape, data: toFloat32(t) }]),
  );
  let model: ViT;
  try {
    model = ViT.fromNamedArrays(config, arrays, { ignoreHead: true });
  } catch (err) {
    throw new BackboneError(`${what} does not fit the ViT config '${configName}': ${(err as Error).message}`);
  }
  const pretrainedOn = file.metadata.dataset;
  const stats =
    pretrainedOn === 'fashion-mnist' || pretrainedOn === 'mnist' ? PRETRAIN_STATS[pretrainedOn] : undefined;
  const p: Preprocess = preprocess ?? {
    size: config.imageSize,
    channels: config.inChannels,
    mean: stats ? [stats.mean] : config.inChannels === 3 ? TIMM_VIT_STATS.mean : [0.5],
    std: stats ? [stats.std] : config.inChannels === 3 ? TIMM_VIT_STATS.std : [0.5],
  };
  return { backbone: new VitBackbone(model, p), ...(pretrainedOn ? { pretrainedOn } : {}) };
}
