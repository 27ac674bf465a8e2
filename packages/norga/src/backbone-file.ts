/**
 * Finding, pretraining and loading the backbone checkpoint (safetensors, timm names).
 *
 * - The default backbone of the MNIST-family benchmarks is the tiny ViT pretrained by @norga/vit on the
 *   *other* data set (Fashion-MNIST for Split MNIST and vice versa), so the continual-learning data never overlaps
 *   the pretraining data. It is cached under `<cache>/vit-tiny-<dataset>/model.safetensors`; when absent, the
 *   ViT package's `pretrain` command makes it first (its own progress bar, checkpoints and resume).
 * - Any other checkpoint (e.g. a timm ViT-B/16 for Split CIFAR-100) is given with --backbone and --backbone-config.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toFloat32, VIT_CONFIGS, ViT, type ViTConfigName, vitConfig } from '@norga/vit';
import { readSafetensorsFile } from '@norga/vit/node';
import type { Preprocess } from './data.js';
import { VitBackbone } from './vit-backbone.js';

/** Normalisation constants of the pretraining sets (as @norga/vit's pretrain command uses them). */
export const PRETRAIN_STATS: Record<'fashion-mnist' | 'mnist', { mean: number; std: number }> = {
  'fashion-mnist': { mean: 0.286, std: 0.353 },
  mnist: { mean: 0.1307, std: 0.3081 },
};

/** timm's ViT normalisation (in21k / augreg checkpoints): mean = std = 0.5 per channel. */
export const TIMM_VIT_STATS = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

export class BackboneError extends Error {
  override name = 'BackboneError';
}

export function defaultCacheDir(): string {
  return resolve(process.env.NORGA_CACHE ?? join(process.cwd(), '.cache', 'norga'));
}

export function defaultBackbonePath(
  pretrainedOn: 'fashion-mnist' | 'mnist',
  cacheDir = defaultCacheDir(),
): string {
  return join(cacheDir, `vit-tiny-${pretrainedOn}`, 'model.safetensors');
}

export interface BackboneInfo {
  path: string;
  bytes: number;
  sha256: string;
}

export function fileIdentity(path: string): BackboneInfo {
  const bytes = statSync(path).size;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { path: resolve(path), bytes, sha256 };
}

export interface PretrainRequest {
  dataset: 'fashion-mnist' | 'mnist';
  out: string;
  epochs: number;
  /** Training images (a seeded subset; 0 = all). */
  images: number;
  dataDir?: string;
  backend: string;
}

/** Runs `norga-vit pretrain` (the ViT package's command) in a child process, its output on our terminal. */
export async function pretrainBackbone(r: PretrainRequest): Promise<void> {
  const vitMain = fileURLToPath(import.meta.resolve('@norga/vit'));
  const cli = join(dirname(vitMain), 'cli.js');
  if (!existsSync(cli))
    throw new BackboneError(
      `the ViT package's command is missing (${cli}); build it: pnpm --filter @norga/vit build`,
    );
  const args = [
    cli,
    'pretrain',
    '--dataset',
    r.dataset,
    '--out',
    r.out,
    '--epochs',
    String(r.epochs),
    '--backend',
    r.backend,
    // The recipe of the measured results (README): a seeded subset, a short warm-up, 2,000 test images for its report.
    '--limit-train',
    String(r.images),
    '--limit-test',
    '2000',
    '--warmup-steps',
    '100',
  ];
  if (r.dataDir) args.push('--data-dir', r.dataDir);
  // An interrupted pretraining left a checkpoint: continue it rather than start over.
  if (existsSync(join(r.out, 'checkpoint.json'))) args.push('--resume');
  await new Promise<void>((ok, fail) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0
        ? ok()
        : fail(new BackboneError(`pretraining the backbone failed (exit ${code}): node ${args.join(' ')}`)),
    );
  });
}

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
  let config = vitConfig(configName);
  if (file.metadata.config) {
    try {
      config = { ...config, ...(JSON.parse(file.metadata.config) as object) };
    } catch {
      throw new BackboneError(`${path}: its metadata 'config' is not JSON`);
    }
  }
  const arrays = new Map(
    [...file.tensors.values()].map((t) => [t.name, { shape: t.shape, data: toFloat32(t) }]),
  );
  let model: ViT;
  try {
    model = ViT.fromNamedArrays(config, arrays, { ignoreHead: true });
  } catch (err) {
    throw new BackboneError(`${path} does not fit the ViT config '${configName}': ${(err as Error).message}`);
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
  return {
    backbone: new VitBackbone(model, p),
    info: fileIdentity(path),
    ...(pretrainedOn ? { pretrainedOn } : {}),
  };
}

export const BACKBONE_CONFIGS = Object.keys(VIT_CONFIGS) as ViTConfigName[];
