import { describe, expect, test } from 'vitest';
import {
  centerCrop,
  compose,
  createRng,
  crop,
  type FloatImage,
  NORMALIZATION,
  randomBrightness,
  randomResizedCrop,
  resize,
  resizeShorter,
  T,
} from '../src/index.js';

const img = (channels: number, height: number, width: number): FloatImage => ({
  data: Float32Array.from({ length: channels * height * width }, (_, i) => i),
  channels,
  height,
  width,
});

describe('centerCrop', () => {
  test('central window; halves round to even like Python', () => {
    // 5x5 -> 3x3: offset 1.
    expect([...centerCrop(img(1, 5, 5), 3).data]).toEqual([6, 7, 8, 11, 12, 13, 16, 17, 18]);
    // 4 -> 1: offset round(1.5) = 2; 6 -> 1: offset round(2.5) = 2 (half to even).
    expect([...centerCrop(img(1, 1, 4), 1, 1).data]).toEqual([2]);
    expect([...centerCrop(img(1, 1, 6), 1, 1).data]).toEqual([2]);
    expect(() => centerCrop(img(1, 2, 2), 3)).toThrow(/larger than the 2x2/);
  });
});

describe('resizeShorter', () => {
  test('shorter side to size, aspect kept, longer side truncated', () => {
    const wide = resizeShorter(img(3, 4, 10), 6);
    expect([wide.channels, wide.height, wide.width]).toEqual([3, 6, 15]);
    const tall = resizeShorter(img(1, 7, 3), 4);
    expect([tall.height, tall.width]).toEqual([9, 4]); // trunc(4 * 7 / 3) = 9
  });
});

describe('randomResizedCrop', () => {
  test('output size; same seed, same crop', () => {
    const input = img(2, 8, 8);
    for (let s = 0; s < 20; s++) {
      const a = randomResizedCrop(input, createRng(s), 4, 5);
      expect([a.channels, a.height, a.width]).toEqual([2, 4, 5]);
      expect([...randomResizedCrop(input, createRng(s), 4, 5).data]).toEqual([...a.data]);
    }
  });

  test('scale [1, 1] and ratio [1, 1] takes the whole (square) image', () => {
    const input = img(1, 6, 6);
    const out = randomResizedCrop(input, createRng(3), 6, 6, { scale: [1, 1], ratio: [1, 1] });
    expect([...out.data]).toEqual([...input.data]);
  });

  test('when no try fits, falls back to a central crop at the nearest ratio', () => {
    // Area 16 at aspect 2 needs w = 6 > 4 every time: fallback h = round(4 / 2) = 2, rows 1..2.
    const input = img(1, 4, 4);
    const out = randomResizedCrop(input, createRng(0), 4, 4, { scale: [1, 1], ratio: [2, 2] });
    expect([...out.data]).toEqual([...resize(crop(input, 1, 0, 2, 4), 4, 4).data]);
  });

  test('scale bounds the window area (small scale gives a zoomed-in, smoother crop)', () => {
    // Area <= 64 px at aspect <= 4/3 gives w <= round(sqrt(64 * 4 / 3)) = 9 columns of a ramp 0..15: span <= 8.
    const ramp: FloatImage = {
      data: Float32Array.from({ length: 16 * 16 }, (_, i) => i % 16),
      channels: 1,
      height: 16,
      width: 16,
    };
    for (let s = 0; s < 30; s++) {
      const out = randomResizedCrop(ramp, createRng(s), 16, 16, { scale: [0.05, 0.25] });
      const row = [...out.data.subarray(0, 16)];
      expect(Math.max(...row) - Math.min(...row)).toBeLessThanOrEqual(8);
    }
  });
});

describe('ViT pipelines', () => {
  test('train and eval pipelines compose to 3x16x16 normalised images', () => {
    const gray = img(1, 28, 28);
    const { mean, std } = NORMALIZATION.inception;
    const train = compose(
      T.repeatChannels(3),
      T.randomResizedCrop(16),
      T.randomHorizontalFlip(),
      T.normalize(mean, std),
    );
    const evalT = compose(T.repeatChannels(3), T.resizeShorter(18), T.centerCrop(16), T.normalize(mean, std));
    for (const t of [train, evalT]) {
      const out = t({ ...gray, data: gray.data.map((v) => v / 783) }, createRng(1));
      expect([out.channels, out.height, out.width]).toEqual([3, 16, 16]);
      for (const v of out.data) expect(v >= -1 - 1e-6 && v <= 1 + 1e-6).toBe(true);
    }
    expect(NORMALIZATION.imagenet.mean).toEqual([0.485, 0.456, 0.406]);
  });
});

describe('randomBrightness (ColorJitter brightness)', () => {
  test('one factor per image in [1 - b, 1 + b], clamped to [0, 1], seeded', () => {
    const input: FloatImage = { data: Float32Array.of(0, 0.25, 0.5, 0.9), channels: 1, height: 2, width: 2 };
    const factors: number[] = [];
    for (let s = 0; s < 200; s++) {
      const out = randomBrightness(input, createRng(s), 0.25);
      const f = out.data[1]! / 0.25;
      factors.push(f);
      expect(f).toBeGreaterThanOrEqual(0.75 - 1e-6);
      expect(f).toBeLessThanOrEqual(1.25 + 1e-6);
      expect(out.data[0]).toBe(0);
      expect(out.data[2]).toBeCloseTo(0.5 * f, 6);
      expect(out.data[3]).toBeCloseTo(Math.min(1, 0.9 * f), 6);
      expect([...randomBrightness(input, createRng(s), 0.25).data]).toEqual([...out.data]);
    }
    expect(Math.min(...factors)).toBeLessThan(0.8);
    expect(Math.max(...factors)).toBeGreaterThan(1.2);
    expect(() => randomBrightness(input, createRng(0), -1)).toThrow(/b must be >= 0/);
  });

  test('HiDe-Prompt CIFAR statistics are available', () => {
    expect(NORMALIZATION.cifar100.std).toEqual([0.2675, 0.2565, 0.2761]);
  });
});
