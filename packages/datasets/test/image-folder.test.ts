import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  DataFormatError,
  DataNotFoundError,
  decodeImage,
  loadImageFolder,
  scanImageFolder,
} from '../src/index.js';
import { jpegBytes, pngBytes, rgba } from './helpers/images.js';
import { put, tempDir } from './helpers/tmp.js';

/** A solid-colour w x h image per class colour, as PNG or JPEG. */
const solid = (w: number, h: number, c: [number, number, number], kind: 'png' | 'jpg') =>
  kind === 'png'
    ? pngBytes(
        w,
        h,
        rgba(w, h, () => c),
      )
    : jpegBytes(
        w,
        h,
        rgba(w, h, () => c),
        100,
      );

const COLORS: Record<string, [number, number, number]> = {
  ant: [200, 10, 10],
  bee: [10, 200, 10],
  cat: [10, 10, 200],
};

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('decodeImage', () => {
  test('PNG: exact RGB, alpha dropped, chosen by magic not extension', () => {
    const data = rgba(3, 2, (x, y) => [x * 50, y * 100, 7]);
    const img = decodeImage(pngBytes(3, 2, data), 'weird-name.jpg');
    expect([img.width, img.height]).toEqual([3, 2]);
    expect([...img.data.subarray(0, 6)]).toEqual([0, 0, 7, 50, 0, 7]);
    expect([...img.data.subarray(15, 18)]).toEqual([100, 100, 7]);
  });

  test('gray PNG becomes three equal channels', () => {
    const data = rgba(2, 1, (x) => [x ? 255 : 0, x ? 255 : 0, x ? 255 : 0]);
    const img = decodeImage(pngBytes(2, 1, data, 0), 'g.png');
    expect([...img.data]).toEqual([0, 0, 0, 255, 255, 255]);
  });

  test('JPEG: a solid colour survives within JPEG error', () => {
    const img = decodeImage(solid(16, 8, [200, 100, 30], 'jpg'), 'x.jpg');
    expect([img.width, img.height]).toEqual([16, 8]);
    for (let p = 0; p < 16 * 8; p++) {
      expect(Math.abs(img.data[3 * p]! - 200)).toBeLessThanOrEqual(3);
      expect(Math.abs(img.data[3 * p + 1]! - 100)).toBeLessThanOrEqual(3);
      expect(Math.abs(img.data[3 * p + 2]! - 30)).toBeLessThanOrEqual(3);
    }
  });

  test.each([
    [
      'truncated PNG',
      () =>
        pngBytes(
          8,
          8,
          rgba(8, 8, () => [1, 2, 3]),
        ).subarray(0, 60),
      /undecodable PNG/,
    ],
    [
      'PNG with a damaged chunk',
      () => {
        const b = pngBytes(
          8,
          8,
          rgba(8, 8, (x) => [x, 2, 3]),
        );
        for (let i = 45; i < 55; i++) b[i]! ^= 0xff;
        return b;
      },
      /undecodable PNG/,
    ],
    ['truncated JPEG', () => solid(16, 16, [1, 2, 3], 'jpg').subarray(0, 300), /undecodable JPEG/],
    ['not an image', () => new TextEncoder().encode('hello, I am text'), /not a PNG or JPEG image/],
  ])('%s is an error naming the file', (_name, make, pattern) => {
    const e = caught(() => decodeImage(make(), '/data/x/img.bin'));
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as DataFormatError).file).toBe('/data/x/img.bin');
    expect(e.message).toMatch(pattern);
  });
});

describe('image folders', () => {
  test('train/ and test/ layout: sorted classes, decoded, resized, NCHW', () => {
    const root = tempDir();
    for (const [cls, c] of Object.entries(COLORS)) {
      put(join(root, 'train', cls, 'a.png'), solid(8, 6, c, 'png'));
      put(join(root, 'train', cls, 'b.jpg'), solid(5, 5, c, 'jpg'));
      put(join(root, 'test', cls, 'c.png'), solid(4, 4, c, 'png'));
    }
    put(join(root, 'train', 'ant', 'notes.txt'), 'ignored');
    const ds = loadImageFolder(root, { size: [4, 6] });
    expect(ds.train.classNames).toEqual(['ant', 'bee', 'cat']);
    expect(ds.train.count).toBe(6);
    expect(ds.test.count).toBe(3);
    expect([ds.train.channels, ds.train.height, ds.train.width]).toEqual([3, 4, 6]);
    expect([...ds.train.labels]).toEqual([0, 0, 1, 1, 2, 2]);
    // A solid colour stays solid through bilinear resize: sample 2 is bee's PNG, green plane all 200.
    const plane = 24;
    const bee = ds.train.images.subarray(2 * 3 * plane, 3 * 3 * plane);
    expect([...bee.subarray(0, plane)]).toEqual(new Array(plane).fill(10));
    expect([...bee.subarray(plane, 2 * plane)]).toEqual(new Array(plane).fill(200));
    // The JPEG sample (index 3, bee) is within JPEG error.
    const beeJpg = ds.train.images.subarray(3 * 3 * plane + plane, 3 * 3 * plane + 2 * plane);
    for (const v of beeJpg) expect(Math.abs(v - 200)).toBeLessThanOrEqual(3);
  });

  test('a gradient is resized with the bilinear rule', () => {
    const root = tempDir();
    // 2x2 -> 4x4 of red values [[0, 100], [200, 40]] (PyTorch rule, then rounded).
    const vals = [0, 100, 200, 40];
    put(
      join(root, 'train', 'only', 'g.png'),
      pngBytes(
        2,
        2,
        rgba(2, 2, (x, y) => [vals[y * 2 + x]!, 0, 0]),
      ),
    );
    put(
      join(root, 'test', 'only', 'g.png'),
      pngBytes(
        2,
        2,
        rgba(2, 2, (x, y) => [vals[y * 2 + x]!, 0, 0]),
      ),
    );
    const ds = loadImageFolder(root, { size: 4 });
    const red = [...ds.train.images.subarray(0, 16)];
    // Columns sample x = 0, 0.25, 0.75, 1 of the source: top row [0, 25, 75, 100], bottom row [200, 160, 80, 40].
    // Output row 1 samples y = 0.25: 0.75 * top + 0.25 * bottom = [50, 58.75, 76.25, 85] -> rounded.
    expect(red.slice(0, 8)).toEqual([0, 25, 75, 100, 50, 59, 76, 85]);
    expect(red.slice(12)).toEqual([200, 160, 80, 40]);
  });

  test('single-folder layout: seeded stratified split', () => {
    const root = tempDir();
    for (const [cls, c] of Object.entries(COLORS)) {
      for (let i = 0; i < 5; i++) put(join(root, cls, `${i}.png`), solid(3, 3, c, 'png'));
    }
    const scan = scanImageFolder(root, { testFraction: 0.4, seed: 2 });
    expect(scan.layout).toBe('single');
    expect(scan.train).toHaveLength(9);
    expect(scan.test).toHaveLength(6);
    expect(scan.test.filter((e) => e.label === 1)).toHaveLength(2);
    const files = new Set([...scan.train, ...scan.test].map((e) => e.file));
    expect(files.size).toBe(15);
    expect(scanImageFolder(root, { testFraction: 0.4, seed: 2 }).test).toEqual(scan.test);
    const ds = loadImageFolder(root, { size: 3, testFraction: 0.4, seed: 2 });
    expect(ds.test.count).toBe(6);
    expect(ds.name).toBe(root.split('/').pop());
  });

  test('CUB layout: images.txt and train_test_split.txt give the split', () => {
    const root = tempDir();
    put(join(root, 'images', '001.Albatross', 'a1.jpg'), solid(4, 4, [9, 9, 9], 'jpg'));
    put(join(root, 'images', '001.Albatross', 'a2.jpg'), solid(4, 4, [9, 9, 9], 'jpg'));
    put(join(root, 'images', '002.Auklet', 'b1.png'), solid(4, 4, [50, 60, 70], 'png'));
    put(join(root, 'images.txt'), '1 001.Albatross/a1.jpg\n2 001.Albatross/a2.jpg\n3 002.Auklet/b1.png\n');
    put(join(root, 'train_test_split.txt'), '1 1\n2 0\n3 1\n');
    const scan = scanImageFolder(root);
    expect(scan.layout).toBe('cub');
    expect(scan.train.map((e) => [e.file.split('/').pop(), e.label])).toEqual([
      ['a1.jpg', 0],
      ['b1.png', 1],
    ]);
    expect(scan.test.map((e) => e.file.split('/').pop())).toEqual(['a2.jpg']);
    put(join(root, 'train_test_split.txt'), '1 1\n2 x\n3 1\n');
    expect(() => scanImageFolder(root)).toThrow(
      /train_test_split\.txt at image id 2: missing or bad train flag 'x'/,
    );
  });

  test('an undecodable image fails the whole load, naming the file', () => {
    const root = tempDir();
    put(join(root, 'train', 'ant', 'ok.png'), solid(4, 4, COLORS.ant!, 'png'));
    const bad = put(
      join(root, 'train', 'ant', 'z-bad.jpg'),
      solid(16, 16, [1, 2, 3], 'jpg').subarray(0, 200),
    );
    put(join(root, 'test', 'ant', 'ok.png'), solid(4, 4, COLORS.ant!, 'png'));
    const e = caught(() => loadImageFolder(root, { size: 4 }));
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as DataFormatError).file).toBe(bad);
    expect(e.message).toMatch(/undecodable JPEG/);
  });

  test('structural errors: missing root, empty class, test class unknown to train, no classes', () => {
    const missing = join(tempDir(), 'imagenet-r');
    const e = caught(() => loadImageFolder(missing, { hint: 'unpack imagenet-r.tar' }));
    expect(e).toBeInstanceOf(DataNotFoundError);
    expect(e.message).toBe(`not found: ${missing}. unpack imagenet-r.tar`);

    const root = tempDir();
    put(join(root, 'ant', 'a.png'), solid(2, 2, COLORS.ant!, 'png'));
    put(join(root, 'bee', 'readme.txt'), 'no images');
    expect(() => scanImageFolder(root)).toThrow(
      `${join(root, 'bee')}: class folder holds no PNG or JPEG image`,
    );

    const tt = tempDir();
    put(join(tt, 'train', 'ant', 'a.png'), solid(2, 2, COLORS.ant!, 'png'));
    put(join(tt, 'test', 'owl', 'a.png'), solid(2, 2, COLORS.ant!, 'png'));
    expect(() => scanImageFolder(tt)).toThrow(/at owl: class folder 'owl' has no counterpart in train/);

    expect(() => scanImageFolder(tempDir())).toThrow(/no class subfolders found/);
  });
});
