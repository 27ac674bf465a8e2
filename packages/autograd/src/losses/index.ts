export { crossEntropy, type CrossEntropyOptions } from './crossEntropy.js';
export { bceWithLogits, mseLoss, type BceOptions } from './regression.js';
export type { Reduction } from './reduction.js';
