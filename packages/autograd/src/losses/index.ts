export { type CrossEntropyOptions, crossEntropy } from './crossEntropy.js';
export type { Reduction } from './reduction.js';
export { type BceOptions, bceWithLogits, mseLoss } from './regression.js';
