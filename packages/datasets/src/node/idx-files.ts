import { DataNotFoundError } from '../errors.js';
import { type IdxExpect, parseIdx } from '../formats/idx.js';
import { idxToImageSet } from '../formats/idx-images.js';
import type { Dataset, ImageSet } from '../types.js';
import { firstExisting, readMaybeGzip, requireDir } from './files.js';

/**
 * A directory of MNIST-style IDX files: `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]`
 * for the prefixes `train` and `t10k`, the names used by MNIST and Fashion-MNIST alike.
 */
export interface IdxDatasetOptions {
  readonly name: string;
  readonly classNames: readonly string[];
  /** How to get the files, quoted in not-found errors. */
  readonly hint: string;
}

/** Reads an IDX file (raw or gzipped); `expect` is checked against its magic number before anything else. */
export function readIdxFile(path: string, hint = 'the file is missing', expect?: IdxExpect) {
  return parseIdx(readMaybeGzip(path, hint), path, expect);
}

const IMAGES: IdxExpect = { type: 'uint8', dims: [3, 4] };
const LABELS: IdxExpect = { type: 'uint8', dims: [1] };

export function loadIdxSplit(dir: string, prefix: string, options: IdxDatasetOptions): ImageSet {
  const find = (kind: string, dims: number) => {
    const base = `${prefix}-${kind}-idx${dims}-ubyte`;
    const path = firstExisting(dir, [base, `${base}.gz`]);
    if (!path) throw new DataNotFoundError(`${dir}/${base}[.gz]`, options.hint);
    return path;
  };
  const imagesPath = find('images', 3);
  const labelsPath = find('labels', 1);
  return idxToImageSet(
    readIdxFile(imagesPath, options.hint, IMAGES),
    readIdxFile(labelsPath, options.hint, LABELS),
    options.classNames,
    {
      images: imagesPath,
      labels: labelsPath,
    },
  );
}

export function loadIdxDataset(dir: string, options: IdxDatasetOptions): Dataset {
  requireDir(dir, options.hint);
  return {
    name: options.name,
    train: loadIdxSplit(dir, 'train', options),
    test: loadIdxSplit(dir, 't10k', options),
    source: dir,
  };
}
