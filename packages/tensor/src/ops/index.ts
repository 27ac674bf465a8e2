/** Every front-end op, by name. The one place each op is defined is the module named beside it. */

export { attention } from './attention.js';
export {
  arange,
  type CreateOptions,
  eye,
  fromArray,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  scalar,
  tensor,
  zeros,
  zerosLike,
} from './creation.js';
export { cast, fused, where } from './elementwise.js';
export * from './math.js';
export { matmul } from './matmul.js';
export {
  concat,
  gather,
  indexSelect,
  scatterAdd,
  split,
  stack,
  take,
  takeAlongAxis,
} from './movement.js';
export { layerNorm, logSoftmax, softmax } from './nn.js';
export { argmax, argmin, logsumexp, max, mean, min, sum, type VarianceOptions, variance } from './reduce.js';
export { oneHot, pad, rsqrt, select, t, view } from './torch.js';
export { toBackend } from './transfer.js';
export {
  type Axes,
  contiguous,
  contiguousCopy,
  expand,
  expand as broadcastTo,
  flatten,
  permute,
  reshape,
  slice,
  squeeze,
  transpose,
  unsqueeze,
} from './views.js';
