export type { ViTConfig, ViTConfigName } from './config.js';
export { numPatches, VIT_CONFIGS, validateConfig, vitConfig } from './config.js';
export type { AttentionOptions, ParamLookup } from './model/layers.js';
export { attention, block, linear, mlp, norm, patchEmbed, promptPrefix } from './model/layers.js';
export type {
  AttentionProbsHook,
  LayerPrefix,
  Prefixes,
  PrefixOptions,
  PrefixScore,
  PromptQueriesHook,
  Readout,
} from './model/prefix.js';
export type { CreateOptions as ViTCreateOptions, LoadOptions } from './model/vit.js';
export { ViT } from './model/vit.js';
export * from './safetensors/index.js';
export { formulaInput, formulaValues, formulaWeights } from './weights/formula.js';
export { namedArraysOf } from './weights/from-file.js';
export type { RenameResult } from './weights/huggingface.js';
export { fromHuggingFace, isHuggingFaceNaming, toHuggingFace } from './weights/huggingface.js';
export type { NamedArray, NamedArrays } from './weights/named.js';
export { resamplePosEmbed } from './weights/posembed.js';
export { timmParameterShapes } from './weights/timm.js';
