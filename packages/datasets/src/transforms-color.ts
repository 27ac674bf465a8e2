import { DatasetError } from './errors.js';
import type { Rng } from './rng.js';
import type { FloatImage } from './types.js';

/**
 * torchvision ColorJitter(brightness=b) on a [0, 1] image: multiply by a factor drawn uniformly from
 * [max(0, 1 - b), 1 + b], then clamp to [0, 1]. (HiDe-Prompt's CIFAR pipeline uses b = 63/255.)
 */
export function randomBrightness(img: FloatImage, rng: Rng, b: number): FloatImage {
  if (!(b >= 0)) throw new DatasetError(`randomBrightness: b must be >= 0, got ${b}`);
  const lo = Math.max(0, 1 - b);
  const factor = lo + (1 + b - lo) * rng();
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, img.data[i]! * factor));
  return { data, channels: img.channels, height: img.height, width: img.width };
}
