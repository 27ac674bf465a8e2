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
  /** The data set's name, as Dataset.name. */
  readonly name: string;
  /** Class names by label value (10 for MNIST and Fashion-MNIST); a label outside them is a DataFormatError. */
  readonly classNames: readonly string[];
  /** How to get the files, quoted in not-found errors. */
  readonly hint: string;
}

/**
 * Reads an IDX file (raw or gzipped); `expect` is checked against its magic number before anything else.
 *
 * @throws DataNotFoundError when the file is missing (the message quotes `hint`).
 * @throws DataFormatError when the header or size is not an IDX file's, or not what `expect` asks for.
 */
export function readIdxFile(path: string, hint = 'the file is missing', expect?: IdxExpect) {
  return parseIdx(readMaybeGzip(path, hint), path, expect);
}

const IMAGES: IdxExpect = { type: 'uint8', dims: [3, 4] };
const LABELS: IdxExpect = { type: 'uint8', dims: [1] };

/**
 * Reads one split from `dir`: `<prefix>-images-idx3-ubyte[.gz]` (uint8 [N, H, W] or [N, H, W, C]) and
 * `<prefix>-labels-idx1-ubyte[.gz]` (uint8 [N]), as an ImageSet (pixels NCHW).
 *
 * @throws DataNotFoundError when either file is missing (the message quotes `options.hint`).
 * @throws DataFormatError when a file is not such an IDX file, the counts differ, or a label is outside the
 * classes.
 */
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

/**
 * Reads the `train` and `t10k` splits of an MNIST-style directory (see loadIdxSplit) as one Dataset.
 *
 * @throws DataNotFoundError when `dir` or a file is missing; DataFormatError as loadIdxSplit.
 */
export function loadIdxDataset(dir: string, options: IdxDatasetOptions): Dataset {
  requireDir(dir, options.hint);
  return {
    name: options.name,
    train: loadIdxSplit(dir, 'train', options),
    test: loadIdxSplit(dir, 't10k', options),
    source: dir,
  };
}
