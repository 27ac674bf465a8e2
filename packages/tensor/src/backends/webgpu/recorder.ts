/// <reference types="@webgpu/types" />
/**
 * Records dispatches into one command encoder (one compute pass) and submits them in batches. It owns the
 * three caches of the execution path:
 *   - pipelines, keyed by their WGSL source;
 *   - uniform parameters, packed per batch into pooled arena buffers (256-byte aligned slots), uploaded with
 *     one writeBuffer just before the submit;
 *   - buffers freed while the batch still uses them, handed back to the pool only after that batch's submit.
 *     (queue.writeBuffer runs at once on the queue timeline, ahead of unsubmitted commands, so reusing such a
 *     buffer earlier would let a later upload overwrite data the batch has yet to read.)
 */
import { UNIFORM_USAGE } from './constants.js';
import type { BufferPool } from './pool.js';

/** Dispatches per submit: big enough to amortise the submit, small enough to keep the GPU busy early. */
const BATCH = 64;
const ARENA_BYTES = 65536;

interface Arena {
  buffer: GPUBuffer;
  data: Uint32Array<ArrayBuffer>;
  used: number;
}

export class Recorder {
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #dispatches = 0;
  readonly #used = new Set<GPUBuffer>();
  #toRelease: GPUBuffer[] = [];
  #arenas: Arena[] = [];
  #submitScheduled = false;
  readonly #align: number;
  /** The op whose dispatch was recorded last: named in asynchronous error reports. */
  lastOp = '(none)';
  /** Counters for tests and benchmarks. */
  readonly stats = { dispatches: 0, submits: 0, pipelines: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
  ) {
    this.#align = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
  }

  pipeline(wgsl: string, label: string): GPUComputePipeline {
    let p = this.#pipelines.get(wgsl);
    if (!p) {
      const module = this.device.createShaderModule({ code: wgsl, label });
      p = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
        label,
      });
      this.#pipelines.set(wgsl, p);
      this.stats.pipelines++;
    }
    return p;
  }

  get pipelineCount(): number {
    return this.#pipelines.size;
  }

  /**
   * Records one dispatch. Binding 0 is the uniform parameter block; bindings 1.. are `buffers` in order (the
   * shader declares them in that order).
   */
  dispatch(
    op: string,
    wgsl: string,
    params: Uint32Array,
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number, number],
  ): void {
    this.lastOp = op;
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    const pipeline = this.pipeline(wgsl, op);
    const slot = this.#uniformSlot(params);
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: slot.buffer, offset: slot.offset, size: slot.size } },
    ];
    buffers.forEach((buffer, i) => {
      entries.push({ binding: i + 1, resource: { buffer } });
      this.#used.add(buffer);
    });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.#computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.#dispatches++;
    this.stats.dispatches++;
    if (this.#dispatches >= BATCH) this.submit();
    else this.#scheduleSubmit();
  }

  /** Records a buffer-to-buffer copy (ends the open compute pass). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, dstOffset = 0): void {
    this.#endPass();
    this.#encoderOrNew().copyBufferToBuffer(src, 0, dst, dstOffset, bytes);
    this.#used.add(src);
    this.#used.add(dst);
  }

  /** True when the unsubmitted batch references this buffer. */
  isPending(buffer: GPUBuffer): boolean {
    return this.#used.has(buffer);
  }

  /** Hands a buffer back to the pool now, or after the submit of the batch that still uses it. */
  release(buffer: GPUBuffer): void {
    if (this.#used.has(buffer)) this.#toRelease.push(buffer);
    else this.pool.release(buffer);
  }

  /** Submits everything recorded so far; then returns the batch's freed buffers and uniform arenas to the pool. */
  submit(): void {
    this.#endPass();
    const encoder = this.#encoder;
    if (!encoder) return;
    for (const a of this.#arenas) this.device.queue.writeBuffer(a.buffer, 0, a.data, 0, a.used / 4);
    this.device.queue.submit([encoder.finish()]);
    this.stats.submits++;
    this.#encoder = null;
    this.#dispatches = 0;
    for (const a of this.#arenas) this.pool.release(a.buffer);
    this.#arenas = [];
    for (const b of this.#toRelease) this.pool.release(b);
    this.#toRelease = [];
    this.#used.clear();
  }

  /** Drops unsubmitted work (on dispose). */
  abandon(): void {
    this.#pass = null;
    this.#encoder = null;
    this.#arenas = [];
    this.#toRelease = [];
    this.#used.clear();
  }

  #scheduleSubmit(): void {
    // Work recorded in one synchronous stretch of user code goes out together; the GPU then starts while JS
    // awaits, without waiting for a read.
    if (this.#submitScheduled) return;
    this.#submitScheduled = true;
    queueMicrotask(() => {
      this.#submitScheduled = false;
      if (this.#encoder) this.submit();
    });
  }

  #encoderOrNew(): GPUCommandEncoder {
    if (!this.#encoder) this.#encoder = this.device.createCommandEncoder();
    return this.#encoder;
  }

  #computePass(): GPUComputePassEncoder {
    if (!this.#pass) this.#pass = this.#encoderOrNew().beginComputePass();
    return this.#pass;
  }

  #endPass(): void {
    if (this.#pass) {
      this.#pass.end();
      this.#pass = null;
    }
  }

  #uniformSlot(params: Uint32Array): { buffer: GPUBuffer; offset: number; size: number } {
    const size = Math.max(16, Math.ceil((params.length * 4) / 16) * 16);
    let arena = this.#arenas[this.#arenas.length - 1];
    if (!arena || arena.used + size > ARENA_BYTES) {
      arena = {
        buffer: this.pool.acquire(ARENA_BYTES, UNIFORM_USAGE, 'uniforms'),
        data: new Uint32Array(ARENA_BYTES / 4),
        used: 0,
      };
      this.#arenas.push(arena);
    }
    const offset = arena.used;
    arena.data.set(params, offset / 4);
    arena.used = Math.ceil((offset + size) / this.#align) * this.#align;
    return { buffer: arena.buffer, offset, size };
  }
}
