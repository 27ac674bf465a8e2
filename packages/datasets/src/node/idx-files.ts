import { DataNotFoundError } from '../errors.js';
import { parseIdx } from '../formats/idx.js';
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

export function readIdxFile(path: string, hint = 'the file is missing') {
  return parseIdx(readMaybeGzip(path, hint), path);
}

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
    readIdxFile(imagesPath, options.hint),
    readIdxFile(labelsPath, options.hint),
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
