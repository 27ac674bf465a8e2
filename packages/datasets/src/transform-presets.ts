import type { Rng } from './rng.js';
import {
  normalize,
  randomCrop,
  randomHorizontalFlip,
  repeatChannels,
  resize,
  type Transform,
} from './transforms.js';
import { randomBrightness } from './transforms-color.js';
import { centerCrop, type ResizedCropOptions, randomResizedCrop, resizeShorter } from './transforms-crop.js';
import type { FloatImage } from './types.js';

/**
 * Every transform as a `Transform` value for compose(), with its parameters bound:
 * `compose(T.repeatChannels(3), T.randomResizedCrop(224), T.randomHorizontalFlip(), T.normalize(m, s))`.
 */
export const T = {
  /** normalize: (x - mean[c]) / std[c] per channel; one value or one per channel, else a DatasetError. */
  normalize:
    (mean: readonly number[], std: readonly number[]): Transform =>
    (img) =>
      normalize(img, mean, std),
  /** resize: bilinear to height x width (PyTorch's align_corners=False). */
  resize:
    (height: number, width = height): Transform =>
    (img) =>
      resize(img, height, width),
  /** resizeShorter: bilinear, the shorter side to `size`, the aspect ratio kept (torchvision Resize(int)). */
  resizeShorter:
    (size: number): Transform =>
    (img) =>
      resizeShorter(img, size),
  /** centerCrop: the central height x width window; a crop larger than the image throws a DatasetError. */
  centerCrop:
    (height: number, width = height): Transform =>
    (img) =>
      centerCrop(img, height, width),
  /** randomCrop: a seeded height x width window after `padding` zero pixels on each side. */
  randomCrop:
    (height: number, width = height, padding = 0): Transform =>
    (img, rng) =>
      randomCrop(img, rng, height, width, padding),
  /** randomResizedCrop: torchvision's RandomResizedCrop to height x width. */
  randomResizedCrop:
    (height: number, width = height, options: ResizedCropOptions = {}): Transform =>
    (img, rng) =>
      randomResizedCrop(img, rng, height, width, options),
  /** randomHorizontalFlip: mirrors left-right with probability p. */
  randomHorizontalFlip:
    (p = 0.5): Transform =>
    (img, rng) =>
      randomHorizontalFlip(img, rng, p),
  /** randomBrightness: ColorJitter(brightness=b) on a [0, 1] image. */
  randomBrightness:
    (b: number): Transform =>
    (img, rng) =>
      randomBrightness(img, rng, b),
  /** repeatChannels: a 1-channel image to `channels` channels; other channel counts throw a DatasetError. */
  repeatChannels:
    (channels = 3): Transform =>
    (img) =>
      repeatChannels(img, channels),
  /** Any function of the image alone, e.g. a custom per-pixel map. */
  map:
    (fn: (img: FloatImage) => FloatImage): Transform =>
    (img: FloatImage, _rng: Rng) =>
      fn(img),
};
