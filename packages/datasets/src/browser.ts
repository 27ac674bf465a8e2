// Everything that needs no file system: parsers for bytes you fetched, transforms, splits, batching.

export { type BatchOptions, BatchSource, type RawBatch } from './batches.js';
export { DataFormatError, DataNotFoundError, DatasetError } from './errors.js';
export {
  CIFAR10_CLASSES,
  type CifarClassNames,
  type CifarFile,
  type CifarVariant,
  cifarRecordSize,
  encodeCifar,
  parseCifar,
  parseNameList,
} from './formats/cifar.js';
export { gunzipWeb, isGzip } from './formats/gzip.js';
export { encodeIdx, type IdxArray, type IdxExpect, type IdxType, parseIdx } from './formats/idx.js';
export { idxToImageSet } from './formats/idx-images.js';
export { decodeIdx } from './formats/idx-web.js';
export { MNIST_SIDE, mnistFromDigitArrays } from './formats/mnist-package.js';
export { type Batch, DataLoader, type LoaderOptions } from './loader.js';
export { createRng, mixSeed, type Rng, randInt, shuffleInPlace } from './rng.js';
export { selectSamples, stratifiedSplit } from './select.js';
export { type DatasetSequence, datasetIncrementalSplit, type SequenceOptions } from './sequence.js';
export {
  type ClassIncrementalSplit,
  classIncrementalSplit,
  type SplitOptions,
  type Task,
  tasksUpTo,
} from './split.js';
export { T } from './transform-presets.js';
export {
  compose,
  crop,
  flipHorizontal,
  normalize,
  pad,
  randomCrop,
  randomHorizontalFlip,
  repeatChannels,
  resize,
  type Transform,
  toFloatImage,
} from './transforms.js';
export { randomBrightness } from './transforms-color.js';
export {
  centerCrop,
  NORMALIZATION,
  type ResizedCropOptions,
  randomResizedCrop,
  resizeShorter,
} from './transforms-crop.js';
export type { Dataset, FloatImage, ImageSet, Subset } from './types.js';
export { allOf, classCounts, sampleSize } from './types.js';
