import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  DataNotFoundError,
  DEBIAN_FASHION_MNIST_DIR,
  encodeCifar,
  encodeIdx,
  listDatasets,
  loadDataset,
  locateDataset,
  resolveDataDir,
  runDataCommand,
} from '../src/index.js';
import { pngBytes, rgba } from './helpers/images.js';
import { bytesFor, put, tempDir } from './helpers/tmp.js';

/** A data directory with tiny fashion-mnist, cifar10, a truncated cifar100 and an imagenet-r folder. */
function dataDir(): string {
  const d = tempDir();
  const idx = (n: number, seed: number) => ({
    images: encodeIdx({ type: 'uint8', shape: [n, 28, 28], data: bytesFor(n * 784, seed) }),
    labels: encodeIdx({ type: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) }),
  });
  const tr = idx(20, 1);
  const te = idx(10, 2);
  put(join(d, 'fashion-mnist/train-images-idx3-ubyte'), tr.images);
  put(join(d, 'fashion-mnist/train-labels-idx1-ubyte'), tr.labels);
  put(join(d, 'fashion-mnist/t10k-images-idx3-ubyte'), te.images);
  put(join(d, 'fashion-mnist/t10k-labels-idx1-ubyte'), te.labels);
  const mn = idx(30, 3);
  put(join(d, 'mnist/train-images-idx3-ubyte.gz'), gzipSync(mn.images));
  put(join(d, 'mnist/train-labels-idx1-ubyte.gz'), gzipSync(mn.labels));
  put(join(d, 'mnist/t10k-images-idx3-ubyte.gz'), gzipSync(te.images));
  put(join(d, 'mnist/t10k-labels-idx1-ubyte.gz'), gzipSync(te.labels));
  const cifar = (n: number, seed: number) =>
    encodeCifar(
      'cifar10',
      Array.from({ length: n }, (_, i) => ({ label: i % 10, pixels: bytesFor(3072, seed + i) })),
    );
  for (let b = 1; b <= 5; b++) put(join(d, `cifar-10-batches-bin/data_batch_${b}.bin`), cifar(10, b * 100));
  put(join(d, 'cifar-10-batches-bin/test_batch.bin'), cifar(10, 900));
  put(join(d, 'cifar-100-binary/train.bin'), new Uint8Array(3074 * 2 + 5));
  put(join(d, 'cifar-100-binary/test.bin'), new Uint8Array(3074));
  put(
    join(d, 'cifar-100-binary/fine_label_names.txt'),
    Array.from({ length: 100 }, (_, i) => `f${i}`).join('\n'),
  );
  put(
    join(d, 'cifar-100-binary/coarse_label_names.txt'),
    Array.from({ length: 20 }, (_, i) => `c${i}`).join('\n'),
  );
  for (const cls of ['a', 'b']) {
    for (let i = 0; i < 5; i++)
      put(
        join(d, 'imagenet-r', cls, `${i}.png`),
        pngBytes(
          2,
          2,
          rgba(2, 2, () => [1, 2, 3]),
        ),
      );
  }
  return d;
}

describe('data directory resolution', () => {
  test('option beats NORGA_DATA; empty NORGA_DATA is unset', () => {
    expect(resolveDataDir({ dataDir: '/a', env: { NORGA_DATA: '/b' } })).toBe('/a');
    expect(resolveDataDir({ env: { NORGA_DATA: '/b' } })).toBe('/b');
    expect(resolveDataDir({ env: { NORGA_DATA: '' } })).toBeUndefined();
  });

  test('a data set in the data directory is preferred; NORGA_DATA works like dataDir', () => {
    const d = dataDir();
    expect(locateDataset('fashion-mnist', { dataDir: d })).toBe(join(d, 'fashion-mnist'));
    expect(locateDataset('cifar10', { env: { NORGA_DATA: d } })).toBe(join(d, 'cifar-10-batches-bin'));
    const ds = loadDataset('fashion-mnist', { dataDir: d });
    expect([ds.train.count, ds.test.count]).toEqual([20, 10]);
  });

  test.runIf(existsSync(DEBIAN_FASHION_MNIST_DIR))('Fashion-MNIST falls back to the Debian location', () => {
    expect(locateDataset('fashion-mnist', { dataDir: tempDir() })).toBe(DEBIAN_FASHION_MNIST_DIR);
  });

  test('missing: the error names every place tried and how to get the data', () => {
    const d = tempDir();
    let err: unknown;
    try {
      loadDataset('cifar100', { dataDir: d });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataNotFoundError);
    expect((err as Error).message).toBe(
      `not found: ${join(d, 'cifar-100-binary')}. Get the CIFAR-100 binary version (cifar-100-binary.tar.gz from ` +
        'the CIFAR page of the University of Toronto) and unpack it so that cifar-100-binary/ sits in the data ' +
        'directory (--data-dir or NORGA_DATA).',
    );
    expect(() => locateDataset('imagenet-r', { env: {} })).toThrow(
      /imagenet-r \(no data directory: pass --data-dir or set NORGA_DATA\)\. Unpack imagenet-r\.tar/,
    );
  });

  test('unknown name lists the known ones', () => {
    expect(() => loadDataset('svhn')).toThrow(
      "unknown data set 'svhn'; known: fashion-mnist, mnist, mnist-idx, cifar10, cifar100, imagenet-r, cub200",
    );
  });
});

describe('listDatasets', () => {
  test('ok / invalid / missing with sizes and class counts', () => {
    const d = dataDir();
    const byName = Object.fromEntries(listDatasets({ dataDir: d, size: 32 }).map((r) => [r.name, r]));
    expect(byName['fashion-mnist']).toMatchObject({
      status: 'ok',
      path: join(d, 'fashion-mnist'),
      train: 20,
      test: 10,
      classes: 10,
      shape: [1, 28, 28],
      trainPerClass: new Array(10).fill(2),
      testPerClass: new Array(10).fill(1),
    });
    expect(byName.mnist).toMatchObject({ status: 'ok', train: 8000, test: 2000, classes: 10 });
    expect(byName['mnist-idx']).toMatchObject({ status: 'ok', path: join(d, 'mnist'), train: 30, test: 10 });
    expect(byName.cifar10).toMatchObject({
      status: 'ok',
      train: 50,
      test: 10,
      classes: 10,
      shape: [3, 32, 32],
    });
    expect(byName.cifar100!.status).toBe('invalid');
    expect(byName.cifar100!.message).toContain(
      `${join(d, 'cifar-100-binary/train.bin')} at byte offset 6148: truncated`,
    );
    expect(byName['imagenet-r']).toMatchObject({
      status: 'ok',
      train: 8,
      test: 2,
      classes: 2,
      shape: [3, 32, 32],
    });
    expect(byName.cub200!.status).toBe('missing');
    expect(byName.cub200!.message).toContain('CUB_200_2011');
    expect(listDatasets({ env: {}, only: ['mnist-idx'] })[0]).toMatchObject({ status: 'missing' });
  });
});

describe('norga-data command', () => {
  function run(argv: string[], env: Record<string, string | undefined> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runDataCommand(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  test('table for everything, exit 0 even with missing data sets', () => {
    const d = dataDir();
    const r = run(['--data-dir', d]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^name\s+status\s+train\s+test\s+classes\s+CxHxW\s+train\/class\s+path$/);
    expect(lines.find((l) => l.startsWith('cifar10 '))).toMatch(
      /^cifar10\s+ok\s+50\s+10\s+10\s+3x32x32\s+5\s+/,
    );
    expect(lines.find((l) => l.startsWith('cub200 '))).toMatch(/^cub200\s+missing\s+-/);
    expect(r.out).toMatch(/cub200: not found: .*CUB_200_2011/);
  });

  test('named data sets via NORGA_DATA, JSON, exit 1 when one is not ok', () => {
    const d = dataDir();
    const ok = run(['list', 'cifar10', '--json'], { NORGA_DATA: d });
    expect(ok.code).toBe(0);
    const parsed = JSON.parse(ok.out);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ name: 'cifar10', status: 'ok', train: 50 });
    expect(run(['cifar10', 'cifar100', `--data-dir=${d}`]).code).toBe(1);
  });

  test('usage errors exit 2', () => {
    expect(run(['--bogus'])).toMatchObject({
      code: 2,
      err: "norga-data: unknown flag '--bogus'; see --help (norga-data --help lists the flags)",
    });
    expect(run(['--size', '0']).err).toMatch(/--size must be ≥ 1, got '0'/);
    expect(run(['svhn']).err).toMatch(/unknown data set 'svhn'/);
    expect(run(['--size', 'x']).code).toBe(2);
    expect(run(['--data-dir']).code).toBe(2);
    expect(run(['--help'])).toMatchObject({ code: 0 });
    expect(run(['-h']).out).toMatch(/^usage: norga-data [\s\S]*--data-dir[\s\S]*Exit status/);
  });
});
