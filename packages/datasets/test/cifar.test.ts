import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  CIFAR10_CLASSES,
  DataFormatError,
  DataNotFoundError,
  encodeCifar,
  loadCifarDir,
  parseCifar,
} from '../src/index.js';
import { bytesFor, put, tempDir } from './helpers/tmp.js';

const FINE = Array.from({ length: 100 }, (_, i) => `fine${i}`);
const COARSE = Array.from({ length: 20 }, (_, i) => `coarse${i}`);

function samples(n: number, seed: number, withCoarse = false) {
  return Array.from({ length: n }, (_, i) => ({
    label: (i * 7 + seed) % (withCoarse ? 100 : 10),
    ...(withCoarse ? { coarse: (i * 3 + seed) % 20 } : {}),
    pixels: bytesFor(3072, seed * 100 + i),
  }));
}

function caught(fn: () => unknown): DataFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataFormatError);
    return e as DataFormatError;
  }
  throw new Error('expected a DataFormatError');
}

describe('CIFAR-10 binary', () => {
  test('record layout: label byte then R, G, B planes of 32x32', () => {
    const s = samples(3, 1);
    const bytes = encodeCifar('cifar10', s);
    expect(bytes.length).toBe(3 * 3073);
    expect(bytes[3073]).toBe(s[1]!.label);
    const set = parseCifar([{ bytes, file: 'b.bin' }], 'cifar10', { fine: CIFAR10_CLASSES });
    expect([set.count, set.channels, set.height, set.width]).toEqual([3, 3, 32, 32]);
    expect([...set.labels]).toEqual(s.map((x) => x.label));
    // Sample 2, green plane, row 5, column 9 is byte 1 + 1024 + 5*32 + 9 of its record.
    expect(set.images[2 * 3072 + 1024 + 5 * 32 + 9]).toBe(bytes[2 * 3073 + 1 + 1024 + 5 * 32 + 9]);
    expect([...set.images.subarray(3072, 6144)]).toEqual([...s[1]!.pixels]);
    expect(set.coarseLabels).toBeUndefined();
  });

  test('several batch files concatenate in order', () => {
    const a = samples(2, 1);
    const b = samples(3, 2);
    const set = parseCifar(
      [
        { bytes: encodeCifar('cifar10', a), file: 'a' },
        { bytes: encodeCifar('cifar10', b), file: 'b' },
      ],
      'cifar10',
      { fine: CIFAR10_CLASSES },
    );
    expect(set.count).toBe(5);
    expect([...set.labels]).toEqual([...a, ...b].map((x) => x.label));
    expect([...set.images.subarray(4 * 3072)]).toEqual([...b[2]!.pixels]);
  });

  test('truncated file names the file and the offset of the cut record', () => {
    const bytes = encodeCifar('cifar10', samples(3, 1));
    const e = caught(() =>
      parseCifar([{ bytes: bytes.subarray(0, 3073 * 2 + 100), file: 't.bin' }], 'cifar10', {
        fine: CIFAR10_CLASSES,
      }),
    );
    expect(e.file).toBe('t.bin');
    expect(e.where).toBe(3073 * 2);
    expect(e.message).toMatch(/truncated.*record 2 is cut short/);
  });

  test('label out of range names the file and the label byte', () => {
    const bytes = encodeCifar('cifar10', samples(3, 1));
    bytes[3073 * 2] = 10;
    const e = caught(() => parseCifar([{ bytes, file: 'l.bin' }], 'cifar10', { fine: CIFAR10_CLASSES }));
    expect(e.where).toBe(3073 * 2);
    expect(e.message).toBe(`l.bin at byte offset ${3073 * 2}: label 10 of record 2 is out of range [0, 10)`);
  });

  test('empty file', () => {
    const e = caught(() =>
      parseCifar([{ bytes: new Uint8Array(0), file: 'e.bin' }], 'cifar10', { fine: CIFAR10_CLASSES }),
    );
    expect(e.message).toMatch(/e\.bin at byte offset 0: empty file/);
  });

  test('directory: five training batches, test batch, class names from batches.meta.txt', () => {
    const dir = join(tempDir(), 'cifar-10-batches-bin');
    const batches = [1, 2, 3, 4, 5].map((i) => samples(2, i));
    batches.forEach((s, i) => {
      put(join(dir, `data_batch_${i + 1}.bin`), encodeCifar('cifar10', s));
    });
    const testS = samples(4, 9);
    put(join(dir, 'test_batch.bin'), encodeCifar('cifar10', testS));
    put(join(dir, 'batches.meta.txt'), `${CIFAR10_CLASSES.map((c) => c.toUpperCase()).join('\n')}\n\n`);
    const ds = loadCifarDir(dir, 'cifar10');
    expect(ds.train.count).toBe(10);
    expect(ds.test.count).toBe(4);
    expect(ds.train.classNames).toEqual(CIFAR10_CLASSES.map((c) => c.toUpperCase()));
    expect([...ds.train.labels]).toEqual(batches.flat().map((x) => x.label));
    expect([...ds.test.images.subarray(3 * 3072)]).toEqual([...testS[3]!.pixels]);
  });

  test('directory with a missing batch names that file and how to get CIFAR-10', () => {
    const dir = join(tempDir(), 'cifar-10-batches-bin');
    put(join(dir, 'data_batch_1.bin'), encodeCifar('cifar10', samples(1, 1)));
    let err: unknown;
    try {
      loadCifarDir(dir, 'cifar10');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataNotFoundError);
    expect((err as DataNotFoundError).path).toBe(join(dir, 'data_batch_2.bin'));
    expect((err as Error).message).toMatch(/cifar-10-binary\.tar\.gz/);
  });
});

describe('CIFAR-100 binary', () => {
  test('coarse and fine labels', () => {
    const s = samples(4, 3, true);
    const bytes = encodeCifar('cifar100', s);
    expect(bytes.length).toBe(4 * 3074);
    expect([bytes[3074], bytes[3075]]).toEqual([s[1]!.coarse, s[1]!.label]);
    const set = parseCifar([{ bytes, file: 'train.bin' }], 'cifar100', { fine: FINE, coarse: COARSE });
    expect([...set.labels]).toEqual(s.map((x) => x.label));
    expect([...set.coarseLabels!]).toEqual(s.map((x) => x.coarse));
    expect(set.coarseClassNames).toEqual(COARSE);
    expect([...set.images.subarray(3 * 3072)]).toEqual([...s[3]!.pixels]);
  });

  test('fine label out of range: offset of the fine byte', () => {
    const bytes = encodeCifar('cifar100', samples(4, 3, true));
    bytes[3074 + 1] = 100;
    const e = caught(() => parseCifar([{ bytes, file: 'f' }], 'cifar100', { fine: FINE, coarse: COARSE }));
    expect(e.where).toBe(3075);
    expect(e.message).toMatch(/label 100 of record 1 is out of range \[0, 100\)/);
  });

  test('coarse label out of range: offset of the coarse byte', () => {
    const bytes = encodeCifar('cifar100', samples(4, 3, true));
    bytes[3074 * 3] = 20;
    const e = caught(() => parseCifar([{ bytes, file: 'f' }], 'cifar100', { fine: FINE, coarse: COARSE }));
    expect(e.where).toBe(3074 * 3);
    expect(e.message).toMatch(/coarse label 20 of record 3/);
  });

  test('a CIFAR-10 file read as CIFAR-100 is caught by its size', () => {
    const bytes = encodeCifar('cifar10', samples(5, 1));
    const e = caught(() => parseCifar([{ bytes, file: 'f' }], 'cifar100', { fine: FINE, coarse: COARSE }));
    expect(e.message).toMatch(/not a whole number of 3074-byte cifar100 records/);
  });

  test('directory with name lists', () => {
    const dir = join(tempDir(), 'cifar-100-binary');
    const tr = samples(6, 1, true);
    const te = samples(2, 2, true);
    put(join(dir, 'train.bin'), encodeCifar('cifar100', tr));
    put(join(dir, 'test.bin'), encodeCifar('cifar100', te));
    put(join(dir, 'fine_label_names.txt'), FINE.join('\n'));
    put(join(dir, 'coarse_label_names.txt'), COARSE.join('\r\n'));
    const ds = loadCifarDir(dir, 'cifar100');
    expect(ds.train.classNames).toEqual(FINE);
    expect(ds.test.coarseClassNames).toEqual(COARSE);
    expect([...ds.test.coarseLabels!]).toEqual(te.map((x) => x.coarse));
  });

  test('missing name list is a not-found error naming it', () => {
    const dir = join(tempDir(), 'cifar-100-binary');
    put(join(dir, 'train.bin'), encodeCifar('cifar100', samples(1, 1, true)));
    put(join(dir, 'test.bin'), encodeCifar('cifar100', samples(1, 1, true)));
    put(join(dir, 'fine_label_names.txt'), FINE.join('\n'));
    expect(() => loadCifarDir(dir, 'cifar100')).toThrow(`not found: ${join(dir, 'coarse_label_names.txt')}`);
  });

  test('missing directory', () => {
    const dir = join(tempDir(), 'cifar-100-binary');
    expect(() => loadCifarDir(dir, 'cifar100')).toThrow(
      `not found: ${dir}. Get the CIFAR-100 binary version`,
    );
  });
});
