export * from './safetensors/index.js';
export { VIT_CONFIGS, numPatches, validateConfig, vitConfig } from './config.js';
export type { ViTConfig, ViTConfigName } from './config.js';
export type { NamedArray, NamedArrays } from './weights/named.js';
export { timmParameterShapes } from './weights/timm.js';
export { fromHuggingFace, isHuggingFaceNaming, toHuggingFace } from './weights/huggingface.js';
export type { RenameResult } from './weights/huggingface.js';
export { resamplePosEmbed } from './weights/posembed.js';
