/**
 * Finding and loading the backbone checkpoint (safetensors, timm names).
 *
 * - The default backbone of the MNIST-family benchmarks is a tiny ViT shipped in this package (`backbones/`),
 *   pretrained by @norga/vit on the *other* data set (Fashion-MNIST for Split MNIST and vice versa), so the
 *   continual-learning data never overlaps the pretraining data. A JSON card beside each file records its recipe,
 *   command, accuracy on the full test set, sha256 and the commit that made it; `norga pretrain --recipe NAME`
 *   (recipes.ts) reproduces it. No run pretrains anything.
 * - Any other checkpoint (e.g. a timm ViT-B/16 for Split CIFAR-100) is given with --backbone and --backbone-config.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VIT_CONFIGS, type ViTConfigName } from '@norga/vit';
import { readSafetensorsFile } from '@norga/vit/node';
import { BackboneError, backboneFromSafetensors } from './backbone-bytes.js';
import type { Preprocess } from './benchmark-data.js';
import type { VitBackbone } from './vit-backbone.js';

export { BackboneError, backboneFromSafetensors, PRETRAIN_STATS, TIMM_VIT_STATS } from './backbone-bytes.js';

/** The folder of the shipped backbones: `backbones/` of this package (beside `dist/` and `src/`). */
export function shippedBackboneDir(): string {
  return fileURLToPath(new URL('../backbones/', import.meta.url));
}

/** The shipped tiny ViT pretrained on `pretrainedOn`, and its card. */
export function shippedBackbone(pretrainedOn: 'fashion-mnist' | 'mnist'): { path: string; card: string } {
  const base = resolve(shippedBackboneDir(), `vit-tiny-${pretrainedOn}`);
  return { path: `${base}.safetensors`, card: `${base}.json` };
}

/** What a backbone card records (the JSON file beside a shipped backbone). */
export interface BackboneCard {
  file: string;
  sha256: string;
  bytes: number;
  dataset: 'fashion-mnist' | 'mnist';
  /** Top-1 accuracy (fraction) on the data set's full test split, and how many images that is. */
  testAccuracy: number;
  testImages: number;
  recipe: string;
  command: string;
  trainingSeconds: number;
  machine: string;
  date: string;
  commit: string;
}

/** The JSON card beside a shipped backbone; a BackboneError when it is missing or not JSON. */
export function readBackboneCard(path: string): BackboneCard {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BackboneCard;
  } catch (err) {
    throw new BackboneError(`backbone card ${path} is missing or not JSON (${(err as Error).message})`);
  }
}

/** Which file a run used. */
export interface BackboneInfo {
  /** Absolute path. */
  path: string;
  /** File size in bytes. */
  bytes: number;
  /** sha256 of the whole file, hex. */
  sha256: string;
}

/** The absolute path, size and sha256 of the file at `path`. */
export function fileIdentity(path: string): BackboneInfo {
  const bytes = statSync(path).size;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { path: resolve(path), bytes, sha256 };
}

/** A loaded backbone and where it came from. */
export interface LoadedBackbone {
  backbone: VitBackbone;
  info: BackboneInfo;
  /** The data set the checkpoint says it was pretrained on, if it says. */
  pretrainedOn?: string;
}

/**
 * Loads a safetensors checkpoint as a frozen backbone. `configName` is a @norga/vit preset; a config stored in
 * the file's metadata (as the pretrain command writes) wins. The head is not needed and is ignored.
 */
export async function loadBackbone(
  path: string,
  configName: ViTConfigName,
  preprocess?: Preprocess,
): Promise<LoadedBackbone> {
  if (!existsSync(path)) throw new BackboneError(`backbone checkpoint not found: ${path}`);
  let file: Awaited<ReturnType<typeof readSafetensorsFile>>;
  try {
    file = await readSafetensorsFile(path);
  } catch (err) {
    throw new BackboneError(`${path}: not a readable safetensors checkpoint (${(err as Error).message})`);
  }
  const { backbone, pretrainedOn } = backboneFromSafetensors(file, path, configName, preprocess);
  return {
    backbone,
    info: fileIdentity(path),
    ...(pretrainedOn ? { pretrainedOn } : {}),
  };
}

/** The @norga/vit presets a backbone file can be read as (`--backbone-config`). */
export const BACKBONE_CONFIGS = Object.keys(VIT_CONFIGS) as ViTConfigName[];
