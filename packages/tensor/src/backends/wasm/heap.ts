/**
 * A heap inside the shared WebAssembly memory, so the CPU backend's float32 tensors can live where kernels and
 * workers read them in place (no staging copy in, and elementwise results written straight into the output).
 *
 * Blocks are 64-byte aligned with at least 16 bytes of padding after the data (SIMD loops may run up to three
 * floats past an end). Freed blocks go to a free list of their exact size: a training step allocates the same
 * sizes every iteration, so reuse is nearly perfect without splitting or coalescing. Memory is page-granular
 * and never shrinks; at the 2 GiB ceiling alloc returns undefined and the caller uses a plain array.
 * Only for shared memories: growing a non-shared memory detaches its buffer and every view on it.
 * Blocks whose views are garbage collected without free() (tensors never disposed) come back through a
 * FinalizationRegistry.
 */
const PAGE = 65536;
/** Kept addressable above the top block: strided SIMD reads may run a little past a block. */
const HEADROOM = 256 * 1024;

export class WasmHeap {
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly blocks = new WeakMap<Float32Array, { ptr: number; bytes: number }>();
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly registry: FinalizationRegistry<{ ptr: number; bytes: number }>;
  /** Bytes in live blocks, and bytes held in free lists. */
  readonly stats = { liveBytes: 0, freeBytes: 0, blocks: 0 };

  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
    private readonly maxPages: number,
  ) {
    this.top = base;
    this.registry = new FinalizationRegistry((b) => this.release(b.ptr, b.bytes));
  }

  private static sizeOf(bytes: number): number {
    return Math.ceil((bytes + 16) / 64) * 64;
  }

  /** A byte range of `bytes` (plus padding), or undefined at the ceiling. Contents are unspecified. */
  allocBytes(bytes: number): number | undefined {
    const size = WasmHeap.sizeOf(bytes);
    const list = this.freeLists.get(size);
    if (list && list.length > 0) {
      this.stats.freeBytes -= size;
      this.stats.liveBytes += size;
      return list.pop();
    }
    const need = Math.ceil((this.top + size + HEADROOM) / PAGE);
    if (need > this.maxPages) return undefined;
    const have = this.memory.buffer.byteLength / PAGE;
    if (need > have) this.memory.grow(Math.max(need - have, Math.min(have, this.maxPages - have, 1024)));
    const ptr = this.top;
    this.top += size;
    this.stats.liveBytes += size;
    return ptr;
  }

  freeBytes(ptr: number, bytes: number): void {
    this.release(ptr, WasmHeap.sizeOf(bytes));
  }

  private release(ptr: number, size: number): void {
    let list = this.freeLists.get(size);
    if (!list) {
      list = [];
      this.freeLists.set(size, list);
    }
    list.push(ptr);
    this.stats.liveBytes -= size;
    this.stats.freeBytes += size;
  }

  /**
   * A Float32Array of `n` elements in the heap, or undefined at the ceiling. Contents are unspecified unless
   * `zero` (a reused block holds its last owner's values), as for the backend's `alloc` behind `empty()`.
   */
  allocF32(n: number, zero = false): Float32Array | undefined {
    const ptr = this.allocBytes(n * 4);
    if (ptr === undefined) return undefined;
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    const view = new Float32Array(buffer, ptr, n);
    if (zero) view.fill(0);
    const info = { ptr, bytes: WasmHeap.sizeOf(n * 4) };
    this.blocks.set(view, info);
    this.registry.register(view, info, view);
    this.stats.blocks++;
    return view;
  }

  /** Returns a block from allocF32 (anything else is ignored). */
  free(view: unknown): void {
    if (!(view instanceof Float32Array)) return;
    const info = this.blocks.get(view);
    if (!info) return;
    this.blocks.delete(view);
    this.registry.unregister(view);
    this.stats.blocks--;
    this.release(info.ptr, info.bytes);
  }

  /** Whether the array is a view on this memory (then its byteOffset is its address for kernels). */
  owns(a: Float32Array): boolean {
    return this.buffers.has(a.buffer);
  }
}
