import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError, DatasetError } from '../errors.js';
import { stratifiedSplit } from '../select.js';
import { resize } from '../transforms.js';
import type { Dataset, ImageSet } from '../types.js';
import { decodeImage } from './decode-image.js';
import { isDir, readBytes, requireDir } from './files.js';

/**
 * Image folders, one subfolder per class (torchvision's ImageFolder convention; classes sorted by name).
 * Three layouts are recognised:
 *   - `train/<class>/*` and `test/<class>/*` (or `val/`): the split is given;
 *   - CUB-200-2011: `images/<class>/*` with `images.txt` and `train_test_split.txt` (the official split);
 *   - `<class>/*` alone (ImageNet-R): a seeded stratified split, `testFraction` of each class to test.
 * Every image is decoded (PNG or JPEG), made RGB, resized bilinearly to one size and kept as uint8 NCHW.
 */
export interface ImageFolderOptions {
  /** Stored image size, height and width (default 224). */
  readonly size?: number | readonly [number, number];
  /** Test share per class for the single-folder layout (default 0.2). */
  readonly testFraction?: number;
  /** Seed of that split (default 0). */
  readonly seed?: number;
  /** Data set name in the result (default: the folder name). */
  readonly name?: string;
  /** How to get the data, quoted when the folder is missing. */
  readonly hint?: string;
}

/** One image file of an image folder and its class. */
export interface FolderEntry {
  /** Path of the PNG or JPEG file. */
  readonly file: string;
  /** Class id: the class's index in FolderScan.classNames. */
  readonly label: number;
}

/** What scanImageFolder found: the layout, the classes and the files of each split, nothing decoded. */
export interface FolderScan {
  /** Which of the three layouts of ImageFolderOptions the folder has. */
  readonly layout: 'train-test' | 'cub' | 'single';
  /** Class folder names, sorted; a class id is an index into them. */
  readonly classNames: readonly string[];
  /** The training images. */
  readonly train: readonly FolderEntry[];
  /** The test images. */
  readonly test: readonly FolderEntry[];
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/**
 * Lists classes and image files without decoding anything (cheap; used by the data set report).
 *
 * @throws DataNotFoundError when `root` is missing.
 * @throws DataFormatError when there are no class folders, a class folder holds no PNG or JPEG, a test class
 * has no training counterpart, or CUB's index files are malformed.
 */
export function scanImageFolder(root: string, options: ImageFolderOptions = {}): FolderScan {
  const hint = options.hint ?? 'Put one subfolder of PNG/JPEG images per class there.';
  requireDir(root, hint);
  const testDir = ['test', 'val'].map((d) => join(root, d)).find(isDir);
  if (isDir(join(root, 'train')) && testDir) {
    const train = listClasses(join(root, 'train'));
    const test = listClasses(testDir);
    for (const c of test.keys()) {
      if (!train.has(c))
        throw new DataFormatError(testDir, c, `class folder '${c}' has no counterpart in train/`);
    }
    const classNames = [...train.keys()];
    return {
      layout: 'train-test',
      classNames,
      train: entriesOf(train, classNames),
      test: entriesOf(test, classNames),
    };
  }
  if (existsSync(join(root, 'train_test_split.txt')) && existsSync(join(root, 'images.txt'))) {
    return scanCub(root);
  }
  const classes = listClasses(root);
  const classNames = [...classes.keys()];
  const all = entriesOf(classes, classNames);
  const labels = all.map((e) => e.label);
  const { kept, held } = stratifiedSplit(
    labels,
    Int32Array.from(all, (_, i) => i),
    options.testFraction ?? 0.2,
    options.seed ?? 0,
  );
  return {
    layout: 'single',
    classNames,
    train: [...kept].map((i) => all[i]!),
    test: [...held].map((i) => all[i]!),
  };
}

/** Every file of every class, labelled by the class's position in `classNames`. */
function entriesOf(classes: Map<string, string[]>, classNames: readonly string[]): FolderEntry[] {
  return [...classes].flatMap(([c, files]) => files.map((file) => ({ file, label: classNames.indexOf(c) })));
}

/** Sorted class folders of `dir`, each with its sorted image files; a class without images is an error. */
function listClasses(dir: string): Map<string, string[]> {
  const classes = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  if (classes.length === 0) throw new DataFormatError(dir, undefined, 'no class subfolders found');
  const out = new Map<string, string[]>();
  for (const c of classes) {
    const files = readdirSync(join(dir, c))
      .filter((f) => IMAGE_EXT.test(f) && !f.startsWith('.'))
      .sort()
      .map((f) => join(dir, c, f));
    if (files.length === 0)
      throw new DataFormatError(join(dir, c), undefined, 'class folder holds no PNG or JPEG image');
    out.set(c, files);
  }
  return out;
}

/** CUB-200-2011: `images.txt` maps id -> path under images/, `train_test_split.txt` maps id -> 1 (train) or 0. */
function scanCub(root: string): FolderScan {
  const classes = listClasses(join(root, 'images'));
  const classNames = [...classes.keys()];
  const paths = readPairs(join(root, 'images.txt'));
  const isTrain = readPairs(join(root, 'train_test_split.txt'));
  const train: FolderEntry[] = [];
  const test: FolderEntry[] = [];
  for (const [id, rel] of paths) {
    const flag = isTrain.get(id);
    if (flag !== '0' && flag !== '1') {
      throw new DataFormatError(
        join(root, 'train_test_split.txt'),
        `image id ${id}`,
        `missing or bad train flag '${flag}'`,
      );
    }
    const label = classNames.indexOf(rel.split('/')[0]!);
    if (label < 0)
      throw new DataFormatError(
        join(root, 'images.txt'),
        `image id ${id}`,
        `'${rel}' is not in a class folder`,
      );
    (flag === '1' ? train : test).push({ file: join(root, 'images', rel), label });
  }
  return { layout: 'cub', classNames, train, test };
}

function readPairs(file: string): Map<string, string> {
  const out = new Map<string, string>();
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const m = /^(\S+)\s+(.+)$/.exec(line.trim());
      if (!m) throw new DataFormatError(file, `line ${i + 1}`, `expected '<id> <value>', got '${line}'`);
      out.set(m[1]!, m[2]!);
    });
  return out;
}

/** The stored image size [height, width] that `options.size` asks for (default 224x224). */
export function storedSize(options: Pick<ImageFolderOptions, 'size'>): readonly [number, number] {
  return typeof options.size === 'number' ? [options.size, options.size] : (options.size ?? [224, 224]);
}

/**
 * Loads an image folder (layouts in ImageFolderOptions) as a Dataset: every image decoded, made RGB and resized
 * bilinearly to `options.size` (default 224x224), stored as uint8 [N, 3, H, W].
 *
 * @throws DataNotFoundError when `root` or an image is missing; DataFormatError as scanImageFolder, or for an
 * image that does not decode; DatasetError when there are no training images.
 */
export function loadImageFolder(root: string, options: ImageFolderOptions = {}): Dataset {
  const scan = scanImageFolder(root, options);
  const [height, width] = storedSize(options);
  const hint = options.hint ?? 'the file is missing';
  const decodeAll = (entries: readonly FolderEntry[]): ImageSet => {
    const plane = height * width;
    const images = new Uint8Array(entries.length * 3 * plane);
    const labels = new Int32Array(entries.length);
    entries.forEach((e, n) => {
      labels[n] = e.label;
      images.set(toChw(decodeImage(readBytes(e.file, hint), e.file), height, width), n * 3 * plane);
    });
    return { images, labels, count: entries.length, channels: 3, height, width, classNames: scan.classNames };
  };
  if (scan.train.length === 0) throw new DatasetError(`${root}: no training images`);
  return {
    name: options.name ?? root.split('/').filter(Boolean).pop() ?? root,
    train: decodeAll(scan.train),
    test: decodeAll(scan.test),
    source: root,
  };
}

/** HWC RGB bytes -> CHW bytes at the stored size (bilinear, rounded). */
function toChw(
  img: { width: number; height: number; data: Uint8Array },
  height: number,
  width: number,
): Uint8Array {
  const plane = img.width * img.height;
  const chw = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let k = 0; k < 3; k++) chw[k * plane + p] = img.data[3 * p + k]!;
  const sized =
    img.height === height && img.width === width
      ? chw
      : resize({ data: chw, channels: 3, height: img.height, width: img.width }, height, width).data;
  const out = new Uint8Array(sized.length);
  for (let i = 0; i < sized.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(sized[i]!)));
  return out;
}
