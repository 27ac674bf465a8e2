/** The WebAssembly SIMD tier of the CPU backend (see tier.ts). */
export { buildModule, Code, Simd, ValType } from './builder.js';
export { detectFeatures, type WasmFeatures } from './features.js';
export type { MatmulArgs, MatmulStats, MatOperand } from './matmul.js';
export { getWasmTier, WasmTier, type WasmTierOptions, wasmMatmulF32 } from './tier.js';
