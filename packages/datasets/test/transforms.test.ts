import { describe, expect, test } from 'vitest';
import {
  compose,
  createRng,
  crop,
  DatasetError,
  type FloatImage,
  flipHorizontal,
  type ImageSet,
  normalize,
  pad,
  randomCrop,
  randomHorizontalFlip,
  repeatChannels,
  resize,
  T,
  toFloatImage,
} from '../src/index.js';

const img = (channels: number, height: number, width: number, values?: number[]): FloatImage => ({
  data: Float32Array.from(values ?? Array.from({ length: channels * height * width }, (_, i) => i)),
  channels,
  height,
  width,
});

describe('toFloatImage', () => {
  const set: ImageSet = {
    images: Uint8Array.of(0, 255, 51, 102, /* sample 1 */ 10, 20, 30, 40),
    labels: Int32Array.of(0, 1),
    count: 2,
    channels: 1,
    height: 2,
    width: 2,
    classNames: ['a', 'b'],
  };
  test('scales bytes to [0, 1] by default', () => {
    const f = toFloatImage(set, 0);
    expect([...f.data]).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect([f.channels, f.height, f.width]).toEqual([1, 2, 2]);
  });
  test('custom scale and the second sample', () => {
    expect([...toFloatImage(set, 1, 1).data]).toEqual([10, 20, 30, 40]);
  });
  test('index out of range', () => {
    expect(() => toFloatImage(set, 2)).toThrow(DatasetError);
  });
});

describe('normalize', () => {
  test('per channel', () => {
    const out = normalize(img(2, 1, 2, [1, 2, 3, 4]), [1, 2], [2, 0.5]);
    expect([...out.data]).toEqual([0, 0.5, 2, 4]);
  });
  test('one mean/std for all channels; input untouched', () => {
    const input = img(3, 1, 1, [0.5, 0, 1]);
    expect([...normalize(input, [0.5], [0.5]).data]).toEqual([0, -1, 1]);
    expect([...input.data]).toEqual([0.5, 0, 1]);
  });
  test('wrong number of values', () => {
    expect(() => normalize(img(3, 1, 1), [0, 0], [1, 1])).toThrow(/mean has 2 values for 3 channels/);
  });
});

describe('resize (bilinear, align_corners=False)', () => {
  test('2x2 -> 4x4 matches PyTorch F.interpolate', () => {
    const out = resize(img(1, 2, 2, [1, 2, 3, 4]), 4, 4);
    expect([...out.data]).toEqual([
      1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0,
    ]);
  });
  test('4x4 -> 2x2 averages 2x2 blocks (sample points fall midway)', () => {
    const out = resize(img(1, 4, 4), 2, 2);
    expect([...out.data]).toEqual([2.5, 4.5, 10.5, 12.5]);
  });
  test('3 -> 2 wide: source points 0.25 and 1.75; channels independent', () => {
    const out = resize(img(2, 1, 3, [0, 10, 20, 100, 100, 100]), 1, 2);
    expect([...out.data]).toEqual([2.5, 17.5, 100, 100]);
    expect([out.channels, out.height, out.width]).toEqual([2, 1, 2]);
  });
  test('same size is the identity', () => {
    const input = img(3, 5, 7);
    expect([...resize(input, 5, 7).data]).toEqual([...input.data]);
  });
  test('bad size', () => {
    expect(() => resize(img(1, 2, 2), 0, 3)).toThrow(/positive integers/);
  });
});

describe('crop, pad, randomCrop', () => {
  test('crop picks the window', () => {
    // 4x4 values 0..15; window rows 1-2, cols 2-3.
    expect([...crop(img(1, 4, 4), 1, 2, 2, 2).data]).toEqual([6, 7, 10, 11]);
    expect(() => crop(img(1, 4, 4), 3, 0, 2, 2)).toThrow(/outside a 4x4 image/);
  });
  test('pad adds zeros around every channel', () => {
    const out = pad(img(2, 1, 1, [5, 6]), 1);
    expect([out.height, out.width]).toEqual([3, 3]);
    expect([...out.data]).toEqual([0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0]);
  });
  test('randomCrop is seeded, always a window of the padded image, and covers positions', () => {
    const input = img(2, 6, 6);
    const padded = pad(input, 2);
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const a = randomCrop(input, createRng(seed), 4, 4, 2);
      const b = randomCrop(input, createRng(seed), 4, 4, 2);
      expect([...a.data]).toEqual([...b.data]);
      let where: string | undefined;
      for (let t = 0; t <= 6 && !where; t++) {
        for (let l = 0; l <= 6 && !where; l++) {
          if (crop(padded, t, l, 4, 4).data.every((v, i) => v === a.data[i])) where = `${t},${l}`;
        }
      }
      expect(where).toBeDefined();
      seen.add(where!);
    }
    // 49 positions; 200 draws of a uniform choice should reach most of them.
    expect(seen.size).toBeGreaterThan(40);
  });
  test('randomCrop larger than the image', () => {
    expect(() => randomCrop(img(1, 3, 3), createRng(0), 4)).toThrow(/larger than the 3x3/);
  });
});

describe('flips and channel repeat', () => {
  test('flipHorizontal mirrors each row of each channel', () => {
    expect([...flipHorizontal(img(2, 2, 3)).data]).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9]);
  });
  test('randomHorizontalFlip: p=1 always, p=0 never, p=0.5 about half, seeded', () => {
    const input = img(1, 1, 3);
    expect([...randomHorizontalFlip(input, createRng(1), 1).data]).toEqual([2, 1, 0]);
    expect(randomHorizontalFlip(input, createRng(1), 0)).toBe(input);
    let flips = 0;
    for (let s = 0; s < 1000; s++) if (randomHorizontalFlip(input, createRng(s)).data[0] === 2) flips++;
    expect(flips).toBeGreaterThan(430);
    expect(flips).toBeLessThan(570);
    const again = (s: number) => randomHorizontalFlip(input, createRng(s)).data[0];
    expect(Array.from({ length: 20 }, (_, s) => again(s))).toEqual(
      Array.from({ length: 20 }, (_, s) => again(s)),
    );
  });
  test('repeatChannels: gray to RGB', () => {
    const out = repeatChannels(img(1, 1, 2, [3, 4]));
    expect(out.channels).toBe(3);
    expect([...out.data]).toEqual([3, 4, 3, 4, 3, 4]);
    const rgb = img(3, 1, 1);
    expect(repeatChannels(rgb, 3)).toBe(rgb);
    expect(() => repeatChannels(img(2, 1, 1), 3)).toThrow(/1-channel/);
  });
});

describe('compose', () => {
  test('applies left to right, one rng for all', () => {
    const t = compose(T.repeatChannels(3), T.resize(4), T.normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]));
    const out = t(img(1, 2, 2, [0, 0.5, 0.5, 1]), createRng(0));
    expect([out.channels, out.height, out.width]).toEqual([3, 4, 4]);
    // Corner: resize keeps 0 -> (0 - 0.5) / 0.25 = -2; opposite corner 1 -> 2.
    expect(out.data[0]).toBe(-2);
    expect(out.data[15]).toBe(2);
    expect(out.data[16]).toBe(-2);
  });
  test('random pieces draw from the shared rng deterministically', () => {
    const t = compose(T.randomCrop(3, 3, 1), T.randomHorizontalFlip());
    const a = t(img(1, 4, 4), createRng(42));
    const b = t(img(1, 4, 4), createRng(42));
    expect([...a.data]).toEqual([...b.data]);
    const outs = new Set(Array.from({ length: 30 }, (_, s) => t(img(1, 4, 4), createRng(s)).data.join(',')));
    expect(outs.size).toBeGreaterThan(10);
  });
});
