/**
 * @norga/tensor — the public API. See the package README for the op list and the backends.
 */
import { CpuBackend } from './backends/cpu/index.js';
import { WasmBackend } from './backends/wasm/backend.js';
import { getWasmTier } from './backends/wasm/tier.js';
import { registerBackend } from './registry.js';

// 'cpu' is the WebAssembly backend where WebAssembly SIMD is available (faster on every float32 kernel it
// takes, bench/wasm-matmul.mjs), else (or with NORGA_CPU_TIER=js) the plain JS reference it extends.
registerBackend('cpu', () => {
  const tier = getWasmTier();
  return tier ? new WasmBackend(tier) : new CpuBackend();
});
// Lazy: the WebGPU backend (and, in Node, the `webgpu` package) loads only when someone asks for it.
registerBackend('webgpu', async () => (await import('./backends/webgpu/index.js')).createWebGPUBackend());

export type { Backend, RandomKind, ReduceOp, Storage, View } from './backend.js';
/** erf of a JS number to about 1e-15 (the float64 kernels' erf), for code outside the package that needs Φ. */
export { erf as erfScalar } from './backends/cpu/erf.js';
export { CpuBackend } from './backends/cpu/index.js';
// The WebAssembly tier of the 'cpu' backend: switch tiers at run time, read its copy and task statistics.
export { cpuTier, setCpuTier } from './backends/wasm/backend.js';
export {
  type AttentionStats,
  type ElementwiseStats,
  getWasmTier,
  type MatmulStats,
  type ReduceStats,
  type WasmFeatures,
  type WasmTier,
} from './backends/wasm/public.js';
export { trimAllPools as trimPool } from './backends/webgpu/pool.js';
export { type OpRecord, type OpRecorder, record, setOpRecorder, untracked } from './dispatch.js';
export {
  type AnyTypedArray,
  BYTES_PER_ELEMENT,
  DTYPES,
  type DType,
  isFloat,
  typedArrayFor,
} from './dtype.js';
export {
  AllocationError,
  ArgumentError,
  BackendError,
  DisposedError,
  DTypeError,
  fmtShape,
  IndexError,
  ShapeError,
  TensorError,
} from './errors.js';
export { formatTensor, type PrintLayout, type PrintOptions } from './format.js';
export {
  keep,
  type MemoryInfo,
  memory,
  Scope,
  setPooledBytesSource,
  type TensorContainer,
  tidy,
} from './memory.js';
export type { Expr } from './ops/expr.js';
/** Builders of elementwise expression trees (`input`, `constant`, `un`, `bin`, `select`, `castTo`) for `fused`. */
export * as expr from './ops/expr.js';
/** Elementwise expressions written as their formulas, for `fused`: `arg(0, 'float32').mul(0.5).add(1).expr`. */
export { arg, Ex, lit, type Operand } from './ops/fluent.js';
export * from './ops/index.js';
export { type EighOptions, type EighResult, eigh, type SvdResult, svd } from './ops/linalg.js';
export type { GeluOptions } from './ops/math.js';
export { BINARY, type BinaryOp, CAST, type ElementwiseDef, UNARY, type UnaryOp } from './ops/table.js';
/** For layers and ops outside this package: the same ArgumentError/DisposedError checks as the built-in ops. */
export { assertLive } from './ops/util.js';
export {
  type Axis,
  type None,
  PRIMITIVES,
  type Primitive,
  type PrimitiveAttrs,
  type Reduce,
  type ReducePrimitive,
} from './primitives.js';
export {
  blocksFor,
  boxMuller,
  fillRandom,
  manualSeed,
  philox4x32,
  uniformFromBits,
} from './random/philox.js';
export {
  type BackendFactory,
  currentBackendName,
  disposeBackend,
  getBackend,
  initBackend,
  registerBackend,
  setBackend,
} from './registry.js';
export {
  broadcastShapes,
  contiguousStrides,
  isContiguousLayout,
  type Shape,
  sameShape,
  sizeOf,
} from './shape.js';
export { type NestedArray, Tensor, type TensorLike } from './tensor.js';
