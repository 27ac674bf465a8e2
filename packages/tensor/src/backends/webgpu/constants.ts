/**
 * WebGPU flag values, spelled out: in Node the `GPUBufferUsage` / `GPUMapMode` / `GPUShaderStage` globals do not exist unless
 * someone installs them, and the numbers are fixed by the specification.
 */
export const USAGE = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** GPUMapMode.READ (a map mode, not a buffer usage; both happen to be 1). */
export const MAP_MODE_READ = 0x0001;
/** GPUShaderStage.COMPUTE: the visibility of every binding (all kernels are compute shaders). */
export const SHADER_STAGE_COMPUTE = 0x0004;

/** Usage of every tensor buffer: bound as storage, written by queue.writeBuffer, copied out for reads. */
export const STORAGE_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
export const UNIFORM_USAGE = USAGE.UNIFORM | USAGE.COPY_DST;
export const STAGING_USAGE = USAGE.MAP_READ | USAGE.COPY_DST;

/** Threads per workgroup of the 1-D kernels: the WebGPU default limit, fine on every adapter. */
export const WORKGROUP = 256;
