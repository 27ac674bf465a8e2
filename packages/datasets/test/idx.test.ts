import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  DataFormatError,
  DataNotFoundError,
  encodeIdx,
  gunzipWeb,
  idxToImageSet,
  loadIdxDataset,
  parseIdx,
  readIdxFile,
} from '../src/index.js';
import { bytesFor, put, tempDir } from './helpers/tmp.js';

const CLASSES = ['a', 'b', 'c'];

/** A tiny MNIST-style pair: n images of h x w and labels i % 3. */
function tinyPair(n: number, h: number, w: number) {
  const pixels = bytesFor(n * h * w, 7);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  return {
    pixels,
    labels,
    images: encodeIdx({ type: 'uint8', shape: [n, h, w], data: pixels }),
    labelBytes: encodeIdx({ type: 'uint8', shape: [n], data: labels }),
  };
}

function expectFormatError(
  fn: () => unknown,
  file: string,
  where: number | string | undefined,
  pattern: RegExp,
) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataFormatError);
  const e = err as DataFormatError;
  expect(e.file).toBe(file);
  expect(e.where).toEqual(where);
  expect(e.message).toContain(file);
  expect(e.message).toMatch(pattern);
}

describe('parseIdx', () => {
  test('header bytes are exactly as the format says', () => {
    const bytes = encodeIdx({ type: 'uint8', shape: [2, 3], data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    expect([...bytes]).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    const a = parseIdx(bytes, 'x.idx');
    expect(a.type).toBe('uint8');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('every IDX type round-trips, big-endian', () => {
    const cases = [
      { type: 'int8', data: Int8Array.of(-128, -1, 0, 127) },
      { type: 'int16', data: Int16Array.of(-32768, -2, 1, 32767) },
      { type: 'int32', data: Int32Array.of(-2147483648, -3, 2, 2147483647) },
      { type: 'float32', data: Float32Array.of(-1.5, 0, 3.25, 1e-20) },
      { type: 'float64', data: Float64Array.of(-1.5, Math.PI, 1e300, -0) },
    ] as const;
    for (const c of cases) {
      const bytes = encodeIdx({ type: c.type, shape: [4], data: c.data });
      const back = parseIdx(bytes, 'f');
      expect(back.type).toBe(c.type);
      expect([...back.data]).toEqual([...c.data]);
    }
    // int16 -2 stored big-endian is ff fe right after the 8-byte header.
    const be = encodeIdx({ type: 'int16', shape: [1], data: Int16Array.of(-2) });
    expect([be[8], be[9]]).toEqual([0xff, 0xfe]);
  });

  test('wrong magic names the file and offset 0', () => {
    const bytes = tinyPair(2, 2, 2).images;
    bytes[0] = 0x1f;
    expectFormatError(() => parseIdx(bytes, 'bad.idx'), 'bad.idx', 0, /wrong magic number 0x1f000803/);
  });

  test('unknown type code', () => {
    const bytes = tinyPair(2, 2, 2).images;
    bytes[2] = 0x07;
    expectFormatError(() => parseIdx(bytes, 'f'), 'f', 2, /unknown IDX type code 0x7/);
  });

  test('truncated header', () => {
    const bytes = tinyPair(2, 2, 2).images;
    expectFormatError(() => parseIdx(bytes.subarray(0, 3), 'f'), 'f', 3, /truncated IDX header/);
    expectFormatError(() => parseIdx(bytes.subarray(0, 10), 'f'), 'f', 10, /3 dimensions need 16 bytes/);
  });

  test('truncated data names where the file ends', () => {
    const bytes = tinyPair(2, 2, 2).images; // 16 + 8 bytes
    expectFormatError(() => parseIdx(bytes.subarray(0, 23), 'f'), 'f', 23, /truncated.*needs 24 bytes/);
  });

  test('trailing bytes: size does not match the header', () => {
    const bytes = tinyPair(2, 2, 2).images;
    const longer = new Uint8Array(bytes.length + 5);
    longer.set(bytes);
    expectFormatError(() => parseIdx(longer, 'f'), 'f', 24, /size does not match header.*29 bytes/);
  });

  test('zero dimensions', () => {
    expectFormatError(() => parseIdx(Uint8Array.of(0, 0, 8, 0), 'f'), 'f', 3, /0 dimensions/);
  });
});

describe('idxToImageSet', () => {
  test('pairs images and labels', () => {
    const t = tinyPair(5, 3, 4);
    const set = idxToImageSet(parseIdx(t.images, 'i'), parseIdx(t.labelBytes, 'l'), CLASSES, {
      images: 'i',
      labels: 'l',
    });
    expect(set.count).toBe(5);
    expect([set.channels, set.height, set.width]).toEqual([1, 3, 4]);
    expect([...set.labels]).toEqual([0, 1, 2, 0, 1]);
    expect([...set.images]).toEqual([...t.pixels]);
  });

  test('a label out of range names the label file and its byte offset', () => {
    const t = tinyPair(5, 3, 4);
    t.labelBytes[8 + 3] = 3; // sample 3
    expectFormatError(
      () =>
        idxToImageSet(parseIdx(t.images, 'i'), parseIdx(t.labelBytes, 'l'), CLASSES, {
          images: 'i',
          labels: 'l',
        }),
      'l',
      11,
      /label 3 of sample 3 is out of range \[0, 3\)/,
    );
  });

  test('int32 labels: the offset counts 4 bytes per label', () => {
    const t = tinyPair(5, 3, 4);
    const labels = encodeIdx({ type: 'int32', shape: [5], data: Int32Array.of(0, 1, 2, -1, 0) });
    expectFormatError(
      () =>
        idxToImageSet(parseIdx(t.images, 'i'), parseIdx(labels, 'l'), CLASSES, { images: 'i', labels: 'l' }),
      'l',
      8 + 3 * 4,
      /label -1 of sample 3 is out of range/,
    );
  });

  test('label count differing from image count', () => {
    const t = tinyPair(5, 3, 4);
    const labels = encodeIdx({ type: 'uint8', shape: [4], data: Uint8Array.of(0, 1, 2, 0) });
    expectFormatError(
      () =>
        idxToImageSet(parseIdx(t.images, 'i'), parseIdx(labels, 'l'), CLASSES, { images: 'i', labels: 'l' }),
      'l',
      4,
      /has 4 labels but i has 5 images/,
    );
  });

  test('channels-last IDX [N, H, W, C] becomes NCHW', () => {
    // One 1x2 image with 3 channels: pixels (r,g,b) = (1,2,3), (4,5,6).
    const images = encodeIdx({ type: 'uint8', shape: [1, 1, 2, 3], data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    const labels = encodeIdx({ type: 'uint8', shape: [1], data: Uint8Array.of(2) });
    const set = idxToImageSet(parseIdx(images, 'i'), parseIdx(labels, 'l'), CLASSES, {
      images: 'i',
      labels: 'l',
    });
    expect(set.channels).toBe(3);
    expect([...set.images]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('IDX files on disk', () => {
  function writeDir(gz: boolean) {
    const dir = tempDir();
    const train = tinyPair(6, 4, 4);
    const test = tinyPair(3, 4, 4);
    const w = (name: string, b: Uint8Array) => put(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
    w('train-images-idx3-ubyte', train.images);
    w('train-labels-idx1-ubyte', train.labelBytes);
    w('t10k-images-idx3-ubyte', test.images);
    w('t10k-labels-idx1-ubyte', test.labelBytes);
    return { dir, train, test };
  }

  test.each([false, true])('loads a raw / gzipped directory (gzip=%s)', (gz) => {
    const { dir, train, test } = writeDir(gz);
    const ds = loadIdxDataset(dir, { name: 'tiny', classNames: CLASSES, hint: 'make it' });
    expect(ds.train.count).toBe(6);
    expect(ds.test.count).toBe(3);
    expect([...ds.train.images]).toEqual([...train.pixels]);
    expect([...ds.test.labels]).toEqual([...test.labels]);
    expect(ds.source).toBe(dir);
  });

  test('a missing directory names the path and the hint', () => {
    const dir = join(tempDir(), 'nope');
    expect(() =>
      loadIdxDataset(dir, { name: 'x', classNames: CLASSES, hint: 'apt-get install foo' }),
    ).toThrow(new DataNotFoundError(dir, 'apt-get install foo'));
  });

  test('a label file in place of the images is caught by its magic number, expected and found named', () => {
    const { dir, train } = writeDir(false);
    put(join(dir, 'train-images-idx3-ubyte'), train.labelBytes);
    expectFormatError(
      () => loadIdxDataset(dir, { name: 'x', classNames: CLASSES, hint: 'h' }),
      join(dir, 'train-images-idx3-ubyte'),
      0,
      /wrong magic number 0x00000801: expected 0x00000803 or 0x00000804 \(uint8, 3 or 4 dimensions\)/,
    );
  });

  test('images in place of the labels, and a wrong magic given an expectation directly', () => {
    const { dir, train } = writeDir(false);
    put(join(dir, 'train-labels-idx1-ubyte'), train.images);
    expectFormatError(
      () => loadIdxDataset(dir, { name: 'x', classNames: CLASSES, hint: 'h' }),
      join(dir, 'train-labels-idx1-ubyte'),
      0,
      /wrong magic number 0x00000803: expected 0x00000801 \(uint8, 1 dimension\)/,
    );
    const text = new TextEncoder().encode('hello');
    expectFormatError(
      () => parseIdx(text, 't', { type: 'uint8', dims: [1] }),
      't',
      0,
      /wrong magic number 0x68656c6c: expected 0x00000801/,
    );
    // a short non-IDX file is a wrong magic, not a truncated header
    expectFormatError(() => parseIdx(text.subarray(0, 3), 't'), 't', 0, /wrong magic number 0x68656c/);
  });

  test('a missing file names the file looked for', () => {
    const { dir } = writeDir(false);
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    expect(() => loadIdxDataset(dir, { name: 'x', classNames: CLASSES, hint: 'get it' })).toThrow(
      `not found: ${dir}/t10k-labels-idx1-ubyte[.gz]. get it`,
    );
  });

  test('truncated gzip names the file', () => {
    const dir = tempDir();
    const gz = gzipSync(tinyPair(6, 4, 4).images);
    const file = put(join(dir, 'x.gz'), gz.subarray(0, gz.length - 12));
    expectFormatError(() => readIdxFile(file), file, undefined, /corrupt or truncated gzip data/);
  });

  test('corrupt gzip body names the file', () => {
    const dir = tempDir();
    const gz = Uint8Array.from(gzipSync(tinyPair(6, 4, 4).images));
    for (let i = 12; i < gz.length - 8; i++) gz[i] = 0xff;
    const file = put(join(dir, 'x.gz'), gz);
    expectFormatError(() => readIdxFile(file), file, undefined, /corrupt or truncated gzip data/);
  });

  test('a gzipped file whose content is truncated IDX still fails as truncated', () => {
    const dir = tempDir();
    const file = put(join(dir, 'x.gz'), gzipSync(tinyPair(6, 4, 4).images.subarray(0, 50)));
    expectFormatError(() => readIdxFile(file), file, 50, /truncated: header shape \[6, 4, 4\]/);
  });
});

describe('gunzipWeb (DecompressionStream, the browser path)', () => {
  test('decompresses what zlib compressed', async () => {
    const raw = tinyPair(6, 4, 4).images;
    const out = await gunzipWeb(gzipSync(raw), 'w.gz');
    expect([...out]).toEqual([...raw]);
  });

  test('truncated gzip is an error naming the file', async () => {
    const gz = gzipSync(tinyPair(6, 4, 4).images);
    await expect(gunzipWeb(gz.subarray(0, gz.length - 12), 'w.gz')).rejects.toThrow(
      /w\.gz: corrupt or truncated gzip data/,
    );
  });
});
