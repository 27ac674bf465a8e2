export { ModuleList, Sequential } from './containers.js';
/** In-place initialisers, as torch.nn.init. */
export * as init from './init.js';
export { erfinv } from './init.js';
export {
  Activation,
  Dropout,
  Embedding,
  type FactoryOptions,
  GELU,
  Identity,
  LayerNorm,
  Linear,
  ReLU,
  Sigmoid,
  Tanh,
} from './layers.js';
export { type Layer, type LoadResult, Module } from './module.js';
