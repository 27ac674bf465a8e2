/// <reference types="@webgpu/types" />
/** The backend handle of a tensor's storage: a pooled GPU buffer and what it holds. */
import type { DType } from '../../dtype.js';

export interface GpuStorage {
  readonly buffer: GPUBuffer;
  readonly dtype: DType;
  /** Elements (bool is stored as one u32 each, so bytes = 4 * size for every dtype). */
  readonly size: number;
  freed: boolean;
  /**
   * The int32 contents as last written from the host, while no kernel has overwritten them: lets gather and
   * scatterAdd reject out-of-range host-made indices synchronously (index-check.ts).
   */
  shadow?: Int32Array | undefined;
}
