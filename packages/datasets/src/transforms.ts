import { DatasetError } from './errors.js';
import { type Rng, randInt } from './rng.js';
import type { FloatImage, ImageSet } from './types.js';
import { sampleSize } from './types.js';

/**
 * Per-image transforms on float32 CHW images. Each takes an image (and a seeded Rng for the random ones) and
 * returns a new image; none mutates its input. Batching into NCHW happens in the loader.
 */
export type Transform = (img: FloatImage, rng: Rng) => FloatImage;

/** Sample `index` of an ImageSet as float32 CHW, pixel bytes times `scale` (default 1/255 -> [0, 1]). */
export function toFloatImage(set: ImageSet, index: number, scale = 1 / 255): FloatImage {
  if (!(index >= 0 && index < set.count))
    throw new DatasetError(`sample ${index} out of range [0, ${set.count})`);
  const size = sampleSize(set);
  const src = set.images.subarray(index * size, (index + 1) * size);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = src[i]! * scale;
  return { data, channels: set.channels, height: set.height, width: set.width };
}

/** (x - mean[c]) / std[c] per channel. One mean/std value applies to every channel. */
export function normalize(img: FloatImage, mean: readonly number[], std: readonly number[]): FloatImage {
  const { channels: c, height: h, width: w } = img;
  const m = perChannel(mean, c, 'mean');
  const s = perChannel(std, c, 'std');
  const plane = h * w;
  const data = new Float32Array(img.data.length);
  for (let k = 0; k < c; k++) {
    const mk = m[k]!;
    const inv = 1 / s[k]!;
    for (let p = k * plane; p < (k + 1) * plane; p++) data[p] = (img.data[p]! - mk) * inv;
  }
  return { data, channels: c, height: h, width: w };
}

function perChannel(v: readonly number[], c: number, what: string): readonly number[] {
  if (v.length === c) return v;
  if (v.length === 1) return new Array<number>(c).fill(v[0]!);
  throw new DatasetError(`normalize: ${what} has ${v.length} values for ${c} channels`);
}

/**
 * Bilinear resize with PyTorch's `interpolate(mode='bilinear', align_corners=False)` convention (pixel centres
 * at i + 0.5; no antialiasing): source coordinate = (dst + 0.5) * in / out - 0.5, clamped at 0.
 */
export function resize(img: FloatImage, height: number, width: number): FloatImage {
  const { channels: c, height: ih, width: iw } = img;
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    throw new DatasetError(`resize: target size ${height}x${width} must be positive integers`);
  }
  const ys = axisWeights(ih, height);
  const xs = axisWeights(iw, width);
  const data = new Float32Array(c * height * width);
  for (let k = 0; k < c; k++) {
    const src = k * ih * iw;
    const dst = k * height * width;
    for (let y = 0; y < height; y++) {
      const y0 = ys.lo[y]!;
      const y1 = ys.hi[y]!;
      const fy = ys.frac[y]!;
      for (let x = 0; x < width; x++) {
        const x0 = xs.lo[x]!;
        const x1 = xs.hi[x]!;
        const fx = xs.frac[x]!;
        const top = img.data[src + y0 * iw + x0]! * (1 - fx) + img.data[src + y0 * iw + x1]! * fx;
        const bottom = img.data[src + y1 * iw + x0]! * (1 - fx) + img.data[src + y1 * iw + x1]! * fx;
        data[dst + y * width + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { data, channels: c, height, width };
}

function axisWeights(inSize: number, outSize: number) {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = Math.max((i + 0.5) * scale - 0.5, 0);
    const l = Math.min(Math.floor(src), inSize - 1);
    lo[i] = l;
    hi[i] = Math.min(l + 1, inSize - 1);
    frac[i] = src - l;
  }
  return { lo, hi, frac };
}

/** The window [top, top + height) x [left, left + width); must lie inside the image. */
export function crop(img: FloatImage, top: number, left: number, height: number, width: number): FloatImage {
  const { channels: c, height: ih, width: iw } = img;
  if (top < 0 || left < 0 || top + height > ih || left + width > iw || height <= 0 || width <= 0) {
    throw new DatasetError(
      `crop: window ${height}x${width} at (${top}, ${left}) is outside a ${ih}x${iw} image`,
    );
  }
  const data = new Float32Array(c * height * width);
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < height; y++) {
      const from = k * ih * iw + (top + y) * iw + left;
      data.set(img.data.subarray(from, from + width), k * height * width + y * width);
    }
  }
  return { data, channels: c, height, width };
}

/** Zero padding on all four sides (torchvision RandomCrop's `padding` with fill 0). */
export function pad(img: FloatImage, padding: number): FloatImage {
  if (padding === 0) return img;
  const { channels: c, height: h, width: w } = img;
  const oh = h + 2 * padding;
  const ow = w + 2 * padding;
  const data = new Float32Array(c * oh * ow);
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < h; y++) {
      const from = k * h * w + y * w;
      data.set(img.data.subarray(from, from + w), k * oh * ow + (y + padding) * ow + padding);
    }
  }
  return { data, channels: c, height: oh, width: ow };
}

/** A seeded random `height x width` window, after optional zero padding (torchvision RandomCrop). */
export function randomCrop(
  img: FloatImage,
  rng: Rng,
  height: number,
  width = height,
  padding = 0,
): FloatImage {
  const p = pad(img, padding);
  if (height > p.height || width > p.width) {
    throw new DatasetError(
      `randomCrop: ${height}x${width} is larger than the ${p.height}x${p.width} (padded) image`,
    );
  }
  const top = randInt(rng, p.height - height + 1);
  const left = randInt(rng, p.width - width + 1);
  return crop(p, top, left, height, width);
}

/** Mirrors left-right. */
export function flipHorizontal(img: FloatImage): FloatImage {
  const { channels: c, height: h, width: w } = img;
  const data = new Float32Array(img.data.length);
  for (let row = 0; row < c * h; row++) {
    const base = row * w;
    for (let x = 0; x < w; x++) data[base + x] = img.data[base + w - 1 - x]!;
  }
  return { data, channels: c, height: h, width: w };
}

/** Mirrors with probability p (one rng draw per call, whether or not it flips). */
export function randomHorizontalFlip(img: FloatImage, rng: Rng, p = 0.5): FloatImage {
  return rng() < p ? flipHorizontal(img) : img;
}

/** Gray to `channels` channels by repeating the single plane (e.g. 1 -> 3 for RGB backbones). */
export function repeatChannels(img: FloatImage, channels = 3): FloatImage {
  if (img.channels === channels) return img;
  if (img.channels !== 1) {
    throw new DatasetError(`repeatChannels: can only repeat a 1-channel image, got ${img.channels} channels`);
  }
  const plane = img.height * img.width;
  const data = new Float32Array(channels * plane);
  for (let k = 0; k < channels; k++) data.set(img.data, k * plane);
  return { data, channels, height: img.height, width: img.width };
}

/** Runs transforms left to right with the same Rng, so one seed fixes every random choice of a sample. */
export function compose(...transforms: Transform[]): Transform {
  return (img, rng) => transforms.reduce((acc, t) => t(acc, rng), img);
}
