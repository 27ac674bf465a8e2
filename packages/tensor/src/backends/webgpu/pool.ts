/// <reference types="@webgpu/types" />
/**
 * GPU buffers are expensive to create, so freed ones are kept for reuse, keyed by (size bucket, usage).
 * Sizes are rounded up to buckets (at most 1/8 waste) so that slightly different tensor sizes share buffers.
 * The pool never decides when a buffer is safe to reuse: the recorder hands buffers back only after the submit
 * that used them (src/backends/webgpu/recorder.ts).
 *
 * Bounded, since nothing else would ever give the memory back: at most max(`floorBytes`, bytes in use now)
 * free bytes, the least recently freed destroyed first. (Not a count per size class: one batch may free
 * hundreds of same-size intermediates at its submit, and the next batch needs them all again.) So spare memory never exceeds the floor or what the program holds, sizes that stopped
 * recurring age out, and a disposed model's buffers go (beyond the floor) as soon as they come back.
 * `trimPool()` (exported by the package; Module.dispose calls it) destroys every free buffer at once.
 */

/** Rounds a byte size up to its pool bucket: multiples of 256 up to 64 KiB, then 8 steps per power of two. */
export function bucketBytes(bytes: number): number {
  const b = Math.max(16, bytes);
  if (b <= 65536) return Math.ceil(b / 256) * 256;
  const step = 2 ** Math.floor(Math.log2(b)) / 8;
  return Math.ceil(b / step) * step;
}

/** A buffer's free list and byte size. */
interface Slot {
  readonly key: string;
  readonly size: number;
}

export interface PoolLimits {
  /** Free bytes the pool may always keep, however little is in use (default 64 MiB). */
  readonly floorBytes?: number;
}

/** Every pool not yet closed, for trimPool(); weak, so a forgotten backend is not kept alive by this set. */
const pools = new Set<WeakRef<BufferPool>>();

/**
 * Destroys the free GPU buffers every WebGPU backend keeps for reuse (memory().bytesPooled goes to 0; tensors
 * are untouched) and returns the bytes given back. As torch.cuda.empty_cache(): for after a model is disposed,
 * or before handing the GPU to something else.
 */
export function trimAllPools(): number {
  let freed = 0;
  for (const ref of pools) {
    const pool = ref.deref();
    if (pool) freed += pool.trim();
    else pools.delete(ref);
  }
  return freed;
}

export class BufferPool {
  readonly #free = new Map<string, GPUBuffer[]>();
  /** Free buffers, least recently released first (a Set keeps insertion order). */
  readonly #lru = new Set<GPUBuffer>();
  readonly #floorBytes: number;
  readonly #ref = new WeakRef(this);
  /**
   * Each buffer's free-list key and size, recorded when it is created: buffer.usage and buffer.size are native getters
   * (a binding call each in Dawn's Node module), too slow for a release on every tensor dispose.
   */
  readonly #slots = new WeakMap<GPUBuffer, Slot>();
  #pooledBytes = 0;
  #liveBytes = 0;
  #created = 0;

  constructor(
    private readonly device: GPUDevice,
    limits: PoolLimits = {},
  ) {
    this.#floorBytes = limits.floorBytes ?? 64 * 2 ** 20;
    pools.add(this.#ref);
  }

  /** A buffer of at least `bytes` bytes with exactly `usage`; from the pool when one fits. */
  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = bucketBytes(bytes);
    const key = `${usage}:${size}`;
    const list = this.#free.get(key);
    const reused = list?.pop();
    if (reused) {
      this.#lru.delete(reused);
      this.#pooledBytes -= size;
      this.#inUse(size);
      return reused;
    }
    const buffer = this.device.createBuffer({ size, usage, label });
    this.#slots.set(buffer, { key, size });
    this.#created++;
    this.#inUse(size);
    return buffer;
  }

  #inUse(size: number): void {
    this.#liveBytes += size;
  }

  /** Returns a buffer for reuse. The caller guarantees no unsubmitted command still uses it. */
  release(buffer: GPUBuffer): void {
    let slot = this.#slots.get(buffer);
    if (!slot) {
      slot = { key: `${buffer.usage}:${buffer.size}`, size: buffer.size };
      this.#slots.set(buffer, slot);
    }
    const { key, size } = slot;
    let list = this.#free.get(key);
    if (!list) this.#free.set(key, (list = []));
    list.push(buffer);
    this.#lru.add(buffer);
    this.#pooledBytes += size;
    this.#liveBytes -= size;
    const budget = Math.max(this.#floorBytes, this.#liveBytes);
    while (this.#pooledBytes > budget) this.#evict(this.#lru.values().next().value!);
  }

  /** Destroys one free buffer. */
  #evict(buffer: GPUBuffer): void {
    const slot = this.#slots.get(buffer)!;
    const list = this.#free.get(slot.key)!;
    list.splice(list.indexOf(buffer), 1);
    this.#lru.delete(buffer);
    this.#pooledBytes -= slot.size;
    buffer.destroy();
  }

  /** Destroys every pooled buffer (live ones stay); returns the bytes freed. */
  trim(): number {
    const freed = this.#pooledBytes;
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#lru.clear();
    this.#pooledBytes = 0;
    return freed;
  }

  /** Trims and leaves trimAllPools (the backend's dispose). */
  close(): void {
    this.trim();
    pools.delete(this.#ref);
  }

  get pooledBytes(): number {
    return this.#pooledBytes;
  }
  /** Bytes of buffers handed out and not yet released (tensor storage, staging, uniforms in flight). */
  get liveBytes(): number {
    return this.#liveBytes;
  }
  /** How many GPU buffers were ever created (a flat count in a loop means the pool is doing its job). */
  get created(): number {
    return this.#created;
  }
}
