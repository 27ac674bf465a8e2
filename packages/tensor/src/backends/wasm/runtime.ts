/**
 * One WebAssembly memory (shared when the engine allows, so workers see it) and one instance of the kernel
 * module on the calling thread. On a shared memory, a heap (heap.ts) holds tensors and the kernels' scratch
 * block; scratch is reused by every call (kernels are synchronous, so one block is enough) and only grows.
 */
import { buildModule, type FuncDef } from './builder.js';
import type { TaskKernels } from './control.js';
import { SCRATCH_BASE } from './control.js';
import { emitCopyRows } from './copy.js';
import type { WasmFeatures } from './features.js';
import { DEFAULT_GEMM, emitGemm, type GemmShape } from './gemm.js';
import { DEFAULT_DIRECT, type DirectShape, emitGemmDirect } from './gemm-direct.js';
import { WasmHeap } from './heap.js';
import { emitPackA, emitPackB, emitPackBRows, emitPackBTail } from './pack-kernels.js';
import { emitReduceCols, emitReduceRows } from './reduce.js';

const PAGE = 65536;
/** 2 GiB: pointers stay below 2^31, so i32 arithmetic in kernels and control slots never overflows. */
export const MAX_PAGES = 32768;

type ReduceFn = (...args: number[]) => void;

/** The module's exports: the tasks' kernels (control.ts; reductions: reduce.ts) and the copy kernel. */
export interface KernelExports extends TaskKernels {
  /** Column reductions (reduce.ts), run on the calling thread only. */
  cols_sum: ReduceFn;
  cols_max: ReduceFn;
  cols_min: ReduceFn;
  /** See copy.ts. */
  copyRows(...args: number[]): void;
}

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly exports: KernelExports;
  readonly gemmShape: GemmShape;
  readonly directShape: DirectShape;
  readonly shared: boolean;
  /** Tensor storage and scratch; undefined on a non-shared memory, where scratch sits at SCRATCH_BASE. */
  readonly heap: WasmHeap | undefined;
  private scratchPtr = SCRATCH_BASE;
  private scratchBytes = 0;
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(features: WasmFeatures, extraFuncs: readonly FuncDef[] = []) {
    this.shared = features.sharedMemory;
    const initialPages = 64;
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: this.shared });
    this.gemmShape = { ...DEFAULT_GEMM, fma: features.relaxedSimd };
    this.directShape = { ...DEFAULT_DIRECT, fma: features.relaxedSimd };
    const bytes = buildModule(
      { module: 'env', field: 'memory', initialPages, maximumPages: MAX_PAGES, shared: this.shared },
      [
        emitGemm(this.gemmShape),
        emitPackA(this.gemmShape.mr),
        emitPackB(this.gemmShape.nr),
        emitPackBTail(this.gemmShape.nr),
        emitGemmDirect(this.directShape),
        emitPackBRows(),
        emitCopyRows(),
        ...(['sum', 'max', 'min'] as const).flatMap((op) => [emitReduceRows(op), emitReduceCols(op)]),
        ...extraFuncs,
      ],
    );
    this.module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(this.module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
    this.heap = this.shared ? new WasmHeap(this.memory, SCRATCH_BASE, MAX_PAGES) : undefined;
  }

  /**
   * The byte address of a scratch block of at least `bytes` (16-byte aligned, contents unspecified, valid
   * until the next call), or undefined past the 2 GiB ceiling.
   */
  scratch(bytes: number): number | undefined {
    if (bytes <= this.scratchBytes) return this.scratchPtr;
    if (this.heap) {
      // grow geometrically so a run of rising sizes does not leave a trail of blocks
      const size = Math.max(bytes, Math.ceil(this.scratchBytes * 1.5), 1 << 20);
      const ptr = this.heap.allocBytes(size);
      if (ptr === undefined) return undefined;
      if (this.scratchBytes > 0) this.heap.freeBytes(this.scratchPtr, this.scratchBytes);
      this.scratchPtr = ptr;
      this.scratchBytes = size;
      return ptr;
    }
    const needPages = Math.ceil((SCRATCH_BASE + bytes) / PAGE);
    if (needPages > MAX_PAGES) return undefined;
    const have = this.memory.buffer.byteLength / PAGE;
    if (needPages > have) this.memory.grow(needPages - have);
    this.scratchBytes = needPages * PAGE - SCRATCH_BASE;
    return SCRATCH_BASE;
  }

  /** A Float32Array over the whole memory, renewed after growth (a grown buffer detaches or outgrows views). */
  get f32(): Float32Array {
    if (!coversMemory(this.f32View, this.memory)) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  /** An Int32Array over the whole memory, renewed likewise: its first slots are the control block (control.ts). */
  get ctl(): Int32Array {
    if (!coversMemory(this.i32View, this.memory)) this.i32View = new Int32Array(this.memory.buffer);
    return this.i32View;
  }
}

/** Whether a view still spans the memory's current buffer. */
function coversMemory(view: ArrayBufferView, memory: WebAssembly.Memory): boolean {
  return view.buffer === memory.buffer && view.byteLength === memory.buffer.byteLength;
}
