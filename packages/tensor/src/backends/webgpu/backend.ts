/// <reference types="@webgpu/types" />
/**
 * The WebGPU backend: storage in pooled GPU buffers, kernels generated as WGSL (kernels/*), dispatches batched
 * by the recorder. Reads are the only synchronisation points. Errors the GPU reports later (validation,
 * out-of-memory, device loss) are kept and thrown from the next call, naming the last op recorded.
 */
import type { Backend, RandomKind, ReduceOp, View } from '../../backend.js';
import type { AnyTypedArray, DType } from '../../dtype.js';
import { BackendError, DTypeError } from '../../errors.js';
import { setPooledBytesSource } from '../../memory.js';
import type { Expr } from '../../ops/expr.js';
import { MAP_MODE_READ, STAGING_USAGE, STORAGE_USAGE } from './constants.js';
import type { AcquiredDevice } from './device.js';
import { DeviceLostError, WebGPUError } from './errors.js';
import { DeferredIndexChecks, ERROR_WORDS } from './index-check.js';
import { KernelContext } from './kernels/context.js';
import { elementwise } from './kernels/elementwise.js';
import { checkIndexRange, gather, scatterAdd } from './kernels/indexing.js';
import { matmul } from './kernels/matmul.js';
import { random } from './kernels/random.js';
import { reduce } from './kernels/reduce.js';
import { BufferPool } from './pool.js';
import { Recorder } from './recorder.js';
import { DEFERRED_WRITE_MAX, type GpuStorage } from './storage.js';

const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** Every open WebGPU backend: memory().bytesPooled reports their pools together. */
const open = new Set<WebGPUBackend>();
function pooledBytesOfAll(): number {
  let n = 0;
  for (const b of open) n += b.pool.pooledBytes;
  return n;
}

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  readonly dtypes = DTYPES;
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** Held for the device's lifetime (see AcquiredDevice.gpu). */
  readonly gpu: GPU;
  readonly pool: BufferPool;
  readonly recorder: Recorder;
  readonly #ctx: KernelContext;
  readonly #indexChecks: DeferredIndexChecks;
  #fatal: BackendError | null = null;
  #disposed = false;
  /** The largest buffer a tensor may have; read once (device.limits is a native call). */
  readonly #maxBufferBytes: number;

  constructor({ gpu, device, adapterName }: AcquiredDevice) {
    this.gpu = gpu;
    this.device = device;
    this.adapterName = adapterName;
    const limits = device.limits;
    this.#maxBufferBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    this.pool = new BufferPool(device);
    this.recorder = new Recorder(device, this.pool);
    this.#indexChecks = new DeferredIndexChecks(device);
    this.#ctx = new KernelContext(device, this.recorder, this.#indexChecks, isCpuAdapter(adapterName));
    void device.lost.then((info) => {
      if (!this.#disposed) {
        this.#fatal ??= new DeviceLostError(
          this.recorder.lastOp,
          `WebGPU device lost (${info.reason}): ${info.message}; after op '${this.recorder.lastOp}'`,
        );
      }
    });
    const onError = (ev: GPUUncapturedErrorEvent) => {
      if (this.#disposed) return;
      const kind = ev.error.constructor?.name ?? 'GPUError';
      this.#fatal ??= new WebGPUError(
        this.recorder.lastOp,
        `${kind} reported by the device after op '${this.recorder.lastOp}': ${ev.error.message}`,
      );
    };
    if (typeof device.addEventListener === 'function')
      device.addEventListener('uncapturederror', onError as EventListener);
    else (device as { onuncapturederror: unknown }).onuncapturederror = onError;
    open.add(this);
    setPooledBytesSource(pooledBytesOfAll);
  }

  /** Throws a stored asynchronous failure, or if the backend was disposed. */
  #check(op: string): void {
    if (this.#disposed) throw new BackendError(op, 'the webgpu backend has been disposed');
    if (this.#fatal) throw this.#fatal;
  }

  alloc(dtype: DType, size: number): GpuStorage {
    this.#check('alloc');
    if (!this.dtypes.includes(dtype))
      throw new DTypeError('alloc', `webgpu has no ${dtype} (it supports ${this.dtypes.join(', ')})`);
    const bytes = Math.max(4, size * 4);
    const limit = this.#maxBufferBytes;
    if (bytes > limit) {
      throw new BackendError(
        'alloc',
        `${size} ${dtype} elements need ${bytes} bytes, over this adapter's buffer limit of ${limit}`,
      );
    }
    return { buffer: this.pool.acquire(bytes, STORAGE_USAGE, dtype), dtype, size, freed: false };
  }

  free(handle: unknown): void {
    const h = handle as GpuStorage;
    if (h.freed) return;
    h.freed = true;
    h.upload = undefined;
    if (!this.#disposed) this.recorder.release(h.buffer);
  }

  write(handle: unknown, data: AnyTypedArray): void {
    this.#check('write');
    const h = handle as GpuStorage;
    if (data.length === 0) return;
    h.shadow = h.dtype === 'int32' ? Int32Array.from(data) : undefined;
    const gpuData = toGpuArray(h.dtype, data);
    // A small write waits for the first kernel that binds the buffer (a queue.writeBuffer is a native call
    // that costs about a dispatch); a scalar operand is then inlined and never uploaded (kernels/elementwise.ts).
    if (data.length <= DEFERRED_WRITE_MAX) {
      h.upload = gpuData === data ? gpuData.slice() : gpuData;
      return;
    }
    h.upload = undefined;
    this.recorder.upload(h.buffer, gpuData);
  }

  async read(handle: unknown, dtype: DType, size: number): Promise<AnyTypedArray> {
    this.#check('read');
    const h = handle as GpuStorage;
    if (size === 0) return fromGpuBits(dtype, new ArrayBuffer(0));
    if (h.upload) {
      this.recorder.upload(h.buffer, h.upload);
      h.upload = undefined;
    }
    const bytes = size * 4;
    // Index errors found by kernels so far come back with the data (the words after it in the staging buffer).
    const checkUpTo = this.#indexChecks.armed ? this.#indexChecks.snapshot() : 0;
    // getMappedRange offsets must be multiples of 8.
    const errAt = Math.ceil(bytes / 8) * 8;
    const total = checkUpTo ? errAt + ERROR_WORDS * 4 : bytes;
    const staging = this.pool.acquire(total, STAGING_USAGE, 'staging');
    this.recorder.copy(h.buffer, staging, bytes);
    if (checkUpTo) this.recorder.copy(this.#indexChecks.buffer, staging, ERROR_WORDS * 4, errAt);
    this.recorder.submit();
    try {
      await staging.mapAsync(MAP_MODE_READ, 0, total);
    } catch (e) {
      this.pool.release(staging);
      this.#check('read');
      throw new WebGPUError(
        'read',
        `mapping the staging buffer failed after op '${this.recorder.lastOp}': ${(e as Error).message}`,
      );
    }
    const copy = staging.getMappedRange(0, bytes).slice(0);
    const errors = checkUpTo
      ? new Uint32Array(staging.getMappedRange(errAt, ERROR_WORDS * 4).slice(0))
      : undefined;
    staging.unmap();
    this.pool.release(staging);
    this.#check('read');
    if (errors) this.#indexChecks.verify(errors, checkUpTo);
    return fromGpuBits(dtype, copy);
  }

  elementwise(expr: Expr, inputs: readonly View[], out: View): void {
    this.#check('elementwise');
    written(out);
    elementwise(this.#ctx, expr, inputs, out);
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    this.#check(`reduce.${op}`);
    written(out);
    reduce(this.#ctx, op, x, axes, out);
  }

  matmul(a: View, b: View, out: View): void {
    this.#check('matmul');
    written(out);
    matmul(this.#ctx, a, b, out);
  }

  gather(x: View, axis: number, index: View, out: View): void {
    this.#check('gather');
    written(out);
    gather(this.#ctx, x, axis, index, out);
  }

  scatterAdd(out: View, axis: number, index: View, src: View): void {
    this.#check('scatterAdd');
    written(out);
    scatterAdd(this.#ctx, out, axis, index, src);
  }

  /**
   * Not part of the Backend interface (yet): asserts every element of an int32 view lies in [low, high),
   * raising IndexError(op) now for host-made indices, else at the next read. For ops such as oneHot that
   * must reject out-of-range indices without a synchronous read.
   */
  checkIndexRange(op: string, index: View, low: number, high: number, what = 'index'): void {
    this.#check(op);
    checkIndexRange(this.#ctx, op, index, low, high, what);
  }

  random(kind: RandomKind, key: readonly [number, number], counter: number, out: View): void {
    this.#check(`random.${kind}`);
    if (out.dtype !== 'float32')
      throw new DTypeError(`random.${kind}`, `webgpu draws float32 only, not ${out.dtype}`);
    written(out);
    random(this.#ctx, kind, key, counter, out);
  }

  /** bytesPooled: free buffers kept for reuse; bytesInUse: GPU bytes handed out (tensors, in-flight uniforms). */
  memory(): { bytesPooled: number; bytesInUse: number; buffersCreated: number } {
    return {
      bytesPooled: this.pool.pooledBytes,
      bytesInUse: this.pool.liveBytes,
      buffersCreated: this.pool.created,
    };
  }

  async flush(): Promise<void> {
    this.#check('flush');
    this.recorder.submit();
    await this.device.queue.onSubmittedWorkDone();
    this.#check('flush');
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.recorder.abandon();
    this.pool.trim();
    this.#indexChecks.destroy();
    open.delete(this);
    this.device.destroy();
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }
}

/** Software rasterisers that run compute shaders on the CPU (Mesa lavapipe / llvmpipe, SwiftShader). */
export function isCpuAdapter(adapterName: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software/i.test(adapterName);
}

/** A kernel is about to overwrite this view's storage: the host copy of its contents is stale. */
function written(out: View): void {
  (out.storage.handle as GpuStorage).shadow = undefined;
}

/** The typed array uploaded for a dtype: bool widens to one u32 per element; float32 accepts any numbers. */
function toGpuArray(dtype: DType, data: AnyTypedArray): Float32Array | Int32Array | Uint32Array {
  if (dtype === 'bool') return Uint32Array.from(data as Uint8Array);
  if (dtype === 'float32') return data instanceof Float32Array ? data : Float32Array.from(data);
  return data instanceof Int32Array ? data : Int32Array.from(data);
}

function fromGpuBits(dtype: DType, bits: ArrayBuffer): AnyTypedArray {
  if (dtype === 'float32') return new Float32Array(bits);
  if (dtype === 'int32') return new Int32Array(bits);
  return Uint8Array.from(new Uint32Array(bits));
}
