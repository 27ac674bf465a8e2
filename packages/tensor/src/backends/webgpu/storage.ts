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
  /**
   * A small host write not yet copied into `buffer` (see backend.write): uploaded by the first kernel that
   * binds the storage (KernelContext.buffer) or by a read; an elementwise op takes a one-element one as a
   * constant parameter instead, so a scalar operand never costs an upload.
   */
  upload?: Float32Array | Int32Array | Uint32Array | undefined;
}

/** Host writes of at most this many elements are deferred (scalar operands, small fills from the front-end). */
export const DEFERRED_WRITE_MAX = 16;
