/** Every front-end op, by name. The one place each op is defined is the module named beside it. */
export { arange, eye, fromArray, full, fullLike, linspace, ones, onesLike, rand, randint, randn, scalar, tensor, zeros, zerosLike, type CreateOptions } from './creation.js';
export { cast, fused, where } from './elementwise.js';
export * from './math.js';
export { matmul } from './matmul.js';
export { concat, gather, indexSelect, oneHot, pad, scatterAdd, split, stack, take, takeAlongAxis } from './movement.js';
export { layerNorm, logSoftmax, softmax } from './nn.js';
export { argmax, argmin, logsumexp, max, mean, min, sum, variance, type VarianceOptions } from './reduce.js';
export { toBackend } from './transfer.js';
export { contiguous, contiguousCopy, expand, flatten, permute, reshape, slice, squeeze, transpose, unsqueeze, type Axes } from './views.js';
export { expand as broadcastTo } from './views.js';
