export { ModuleList, Sequential } from './containers.js';
export * as init from './init.js';
export { erfinv } from './init.js';
export { Dropout, GELU, Identity, LayerNorm, Linear, ReLU, Sigmoid, Tanh, type FactoryOptions } from './layers.js';
export { type Layer, type LoadResult, Module } from './module.js';
