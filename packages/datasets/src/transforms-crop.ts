import { DatasetError } from './errors.js';
import { type Rng, randInt } from './rng.js';
import { crop, resize } from './transforms.js';
import type { FloatImage } from './types.js';

/**
 * The ImageNet-style pieces of ViT pipelines (torchvision semantics): RandomResizedCrop for training;
 * Resize(shorter side) + CenterCrop for evaluation. Resizing is bilinear without antialiasing.
 */

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop uses it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The central height x width window (torchvision CenterCrop, for crops no larger than the image). */
export function centerCrop(img: FloatImage, height: number, width = height): FloatImage {
  if (height > img.height || width > img.width) {
    throw new DatasetError(
      `centerCrop: ${height}x${width} is larger than the ${img.height}x${img.width} image`,
    );
  }
  return crop(
    img,
    roundHalfEven((img.height - height) / 2),
    roundHalfEven((img.width - width) / 2),
    height,
    width,
  );
}

/** Resize so the shorter side is `size`, keeping the aspect ratio (torchvision Resize(int); longer side truncated). */
export function resizeShorter(img: FloatImage, size: number): FloatImage {
  const { height: h, width: w } = img;
  if (h <= w) return resize(img, size, Math.trunc((size * w) / h));
  return resize(img, Math.trunc((size * h) / w), size);
}

/** Options of randomResizedCrop (torchvision's scale and ratio). */
export interface ResizedCropOptions {
  /** Range of the crop's area as a fraction of the image (default [0.08, 1]). */
  readonly scale?: readonly [number, number];
  /** Range of the crop's width / height (default [3/4, 4/3]), sampled log-uniformly. */
  readonly ratio?: readonly [number, number];
}

/**
 * torchvision RandomResizedCrop: up to 10 tries at a random area and aspect ratio; if none fits, a central
 * crop at the nearest allowed ratio. The window is then resized to height x width.
 */
export function randomResizedCrop(
  img: FloatImage,
  rng: Rng,
  height: number,
  width = height,
  options: ResizedCropOptions = {},
): FloatImage {
  const [s0, s1] = options.scale ?? [0.08, 1];
  const [r0, r1] = options.ratio ?? [3 / 4, 4 / 3];
  const H = img.height;
  const W = img.width;
  const area = H * W;
  const uniform = (a: number, b: number) => a + (b - a) * rng();
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * uniform(s0, s1);
    const aspect = Math.exp(uniform(Math.log(r0), Math.log(r1)));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= W && h <= H) {
      const top = randInt(rng, H - h + 1);
      const left = randInt(rng, W - w + 1);
      return resize(crop(img, top, left, h, w), height, width);
    }
  }
  const inRatio = W / H;
  let w = W;
  let h = H;
  if (inRatio < Math.min(r0, r1)) h = Math.round(w / Math.min(r0, r1));
  else if (inRatio > Math.max(r0, r1)) w = Math.round(h * Math.max(r0, r1));
  return resize(crop(img, Math.floor((H - h) / 2), Math.floor((W - w) / 2), h, w), height, width);
}

/** Per-channel normalisation constants in common use (RGB order). */
export const NORMALIZATION = {
  /** torchvision's ImageNet statistics. */
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  /** CIFAR-100 statistics, as HiDe-Prompt's CIFAR transform uses them. */
  cifar100: { mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761] },
  /** timm's "inception" setting, used by the augreg ViT-B/16 checkpoints: maps [0, 1] to [-1, 1]. */
  inception: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
} as const;
