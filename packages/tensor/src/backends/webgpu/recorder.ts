/// <reference types="@webgpu/types" />
/**
 * Records dispatches into one command encoder (one compute pass) and submits them in batches. It owns the
 * caches of the execution path:
 *   - pipelines, keyed by their WGSL source, with explicit layouts derived from the WGSL's bindings;
 *   - uniform parameters, packed per batch into pooled arena buffers (aligned slots), uploaded with one
 *     writeBuffer just before the submit, and bound with a dynamic offset;
 *   - bind groups, keyed by (layout, arena, buffers): with the uniform offset dynamic and buffers pooled, a
 *     steady loop reuses the same bind groups, and creating one is the costliest call of a dispatch;
 *   - buffers freed while the batch still uses them, handed back to the pool only after that batch's submit.
 *     (queue.writeBuffer runs at once on the queue timeline, ahead of unsubmitted commands, so reusing such a
 *     buffer earlier would let a later upload overwrite data the batch has yet to read.)
 */
import { debugKernel } from '../../debug.js';
import { SHADER_STAGE_COMPUTE, STORAGE_USAGE, UNIFORM_USAGE } from './constants.js';
import type { BufferPool } from './pool.js';

/** Dispatches per submit: big enough to amortise the submit, small enough to keep the GPU busy early. */
const BATCH = 128;
const ARENA_BYTES = 65536;
/** Bind groups kept; past this the cache starts over (buffers are pooled, so few distinct groups recur). */
const BIND_GROUP_CACHE = 4096;

interface Arena {
  buffer: GPUBuffer;
  data: Uint32Array<ArrayBuffer>;
  used: number;
}

interface Pipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly layoutKey: string;
}

/** Storage bindings of a shader as 'r' / 'w' by binding number (binding 0 is the uniform block). */
function storageAccess(wgsl: string): string[] {
  const access: string[] = [];
  for (const m of wgsl.matchAll(/@binding\((\d+)\)\s*var<storage,\s*(read_write|read)>/g)) {
    access[Number(m[1]) - 1] = m[2] === 'read' ? 'r' : 'w';
  }
  return Array.from(access, (a) => a ?? 'r');
}

export class Recorder {
  readonly #pipelines = new Map<string, Pipeline>();
  readonly #layouts = new Map<string, { bind: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  #bindGroups = new Map<string, GPUBindGroup>();
  readonly #ids = new WeakMap<GPUBuffer, number>();
  #nextId = 1;
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  /** The pipeline last set on the open pass (setting it again is a wasted native call). */
  #passPipeline: GPUComputePipeline | null = null;
  readonly #dynamicOffset = new Uint32Array(1);
  #dispatches = 0;
  readonly #used = new Set<GPUBuffer>();
  #toRelease: GPUBuffer[] = [];
  #arenas: Arena[] = [];
  readonly #spareArenaData: Uint32Array<ArrayBuffer>[] = [];
  #submitScheduled = false;
  readonly #align: number;
  /** The op whose dispatch was recorded last: named in asynchronous error reports. */
  lastOp = '(none)';
  /** Counters for tests and benchmarks. */
  readonly stats = { dispatches: 0, submits: 0, pipelines: 0, bindGroups: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
  ) {
    this.#align = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
  }

  pipeline(wgsl: string, label: string): Pipeline {
    let p = this.#pipelines.get(wgsl);
    if (!p) {
      const access = storageAccess(wgsl);
      const layoutKey = access.join('');
      const layouts = this.#layout(layoutKey);
      debugKernel('wgsl', label, () => wgsl);
      const module = this.device.createShaderModule({ code: wgsl, label });
      const pipeline = this.device.createComputePipeline({
        layout: layouts.pipeline,
        compute: { module, entryPoint: 'main' },
        label,
      });
      p = { pipeline, layout: layouts.bind, layoutKey };
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
    params: ArrayLike<number>,
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number, number],
  ): void {
    this.lastOp = op;
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    const p = this.pipeline(wgsl, op);
    const slot = this.#uniformSlot(params);
    let key = `${p.layoutKey}|${this.#id(slot.buffer)}|${slot.size}`;
    for (const b of buffers) {
      key += `,${this.#id(b)}`;
      this.#used.add(b);
    }
    let bindGroup = this.#bindGroups.get(key);
    if (!bindGroup) {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: slot.buffer, offset: 0, size: slot.size } },
      ];
      buffers.forEach((buffer, i) => {
        entries.push({ binding: i + 1, resource: { buffer } });
      });
      bindGroup = this.device.createBindGroup({ layout: p.layout, entries });
      if (this.#bindGroups.size >= BIND_GROUP_CACHE) this.#bindGroups = new Map();
      this.#bindGroups.set(key, bindGroup);
      this.stats.bindGroups++;
    }
    const pass = this.#computePass();
    if (this.#passPipeline !== p.pipeline) {
      pass.setPipeline(p.pipeline);
      this.#passPipeline = p.pipeline;
    }
    this.#dynamicOffset[0] = slot.offset;
    pass.setBindGroup(0, bindGroup, this.#dynamicOffset, 0, 1);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.#dispatches++;
    this.stats.dispatches++;
    if (this.#dispatches >= BATCH) this.submit();
    else this.#scheduleSubmit();
  }

  /**
   * Copies host data into a buffer now. queue.writeBuffer runs ahead of unsubmitted commands, so when the open
   * batch still uses the buffer it is submitted first.
   */
  upload(buffer: GPUBuffer, data: Float32Array | Int32Array | Uint32Array): void {
    if (this.#used.has(buffer)) this.submit();
    this.device.queue.writeBuffer(buffer, 0, data as Uint32Array<ArrayBuffer>);
  }

  /** Records a buffer-to-buffer copy (ends the open compute pass). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, dstOffset = 0): void {
    this.#endPass();
    this.#encoderOrNew().copyBufferToBuffer(src, 0, dst, dstOffset, bytes);
    this.#used.add(src);
    this.#used.add(dst);
  }

  /** A storage buffer for intermediate results; hand it back with release() once its last use is recorded. */
  scratch(bytes: number): GPUBuffer {
    return this.pool.acquire(bytes, STORAGE_USAGE, 'scratch');
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
    for (const a of this.#arenas) {
      this.pool.release(a.buffer);
      this.#spareArenaData.push(a.data);
    }
    this.#arenas = [];
    for (const b of this.#toRelease) this.pool.release(b);
    this.#toRelease = [];
    this.#used.clear();
  }

  /** Drops unsubmitted work and cached bind groups (on dispose). */
  abandon(): void {
    this.#pass = null;
    this.#passPipeline = null;
    this.#encoder = null;
    this.#arenas = [];
    this.#toRelease = [];
    this.#used.clear();
    this.#bindGroups = new Map();
  }

  #id(b: GPUBuffer): number {
    let id = this.#ids.get(b);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(b, id);
    }
    return id;
  }

  #layout(key: string): { bind: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    let l = this.#layouts.get(key);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [
        { binding: 0, visibility: SHADER_STAGE_COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
      ];
      [...key].forEach((a, i) => {
        entries.push({
          binding: i + 1,
          visibility: SHADER_STAGE_COMPUTE,
          buffer: { type: a === 'r' ? 'read-only-storage' : 'storage' },
        });
      });
      const bind = this.device.createBindGroupLayout({ entries, label: `layout ${key}` });
      l = { bind, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [bind] }) };
      this.#layouts.set(key, l);
    }
    return l;
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
      this.#passPipeline = null;
    }
  }

  /** A slot for one dispatch's parameters; its size is a multiple of the alignment, so bind groups can share it. */
  #uniformSlot(params: ArrayLike<number>): { buffer: GPUBuffer; offset: number; size: number } {
    const size = Math.ceil(Math.max(16, params.length * 4) / this.#align) * this.#align;
    let arena = this.#arenas[this.#arenas.length - 1];
    if (!arena || arena.used + size > ARENA_BYTES) {
      arena = {
        buffer: this.pool.acquire(ARENA_BYTES, UNIFORM_USAGE, 'uniforms'),
        data: this.#spareArenaData.pop() ?? new Uint32Array(ARENA_BYTES / 4),
        used: 0,
      };
      this.#arenas.push(arena);
    }
    const offset = arena.used;
    // Copied word by word: no typed array per dispatch (values are already u32, see Params.push).
    const data = arena.data;
    const at = offset / 4;
    for (let i = 0; i < params.length; i++) data[at + i] = params[i]!;
    arena.used = offset + size;
    return { buffer: arena.buffer, offset, size };
  }
}
