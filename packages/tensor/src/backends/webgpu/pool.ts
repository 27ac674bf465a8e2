/// <reference types="@webgpu/types" />
/**
 * GPU buffers are expensive to create, so freed ones are kept for reuse, keyed by (size bucket, usage).
 * Sizes are rounded up to buckets (at most 1/8 waste) so that slightly different tensor sizes share buffers.
 * The pool never decides when a buffer is safe to reuse: the recorder hands buffers back only after the submit
 * that used them (src/backends/webgpu/recorder.ts).
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

export class BufferPool {
  readonly #free = new Map<string, GPUBuffer[]>();
  /**
   * Each buffer's free-list key and size, recorded when it is created: buffer.usage and buffer.size are native getters
   * (a binding call each in Dawn's Node module), too slow for a release on every tensor dispose.
   */
  readonly #slots = new WeakMap<GPUBuffer, Slot>();
  #pooledBytes = 0;
  #liveBytes = 0;
  #created = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `bytes` bytes with exactly `usage`; from the pool when one fits. */
  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = bucketBytes(bytes);
    const key = `${usage}:${size}`;
    const list = this.#free.get(key);
    const reused = list?.pop();
    if (reused) {
      this.#pooledBytes -= size;
      this.#liveBytes += size;
      return reused;
    }
    const buffer = this.device.createBuffer({ size, usage, label });
    this.#slots.set(buffer, { key, size });
    this.#created++;
    this.#liveBytes += size;
    return buffer;
  }

  /** Returns a buffer for reuse. The caller guarantees no unsubmitted command still uses it. */
  release(buffer: GPUBuffer): void {
    const { key, size } = this.#slots.get(buffer) ?? {
      key: `${buffer.usage}:${buffer.size}`,
      size: buffer.size,
    };
    let list = this.#free.get(key);
    if (!list) this.#free.set(key, (list = []));
    list.push(buffer);
    this.#pooledBytes += size;
    this.#liveBytes -= size;
  }

  /** Destroys every pooled buffer (live ones stay). */
  trim(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#pooledBytes = 0;
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
