/// <reference types="@webgpu/types" />
/**
 * Out-of-range indices must raise an IndexError, never give a silent wrong answer. Two checks:
 *   - synchronous, for index tensors whose contents the backend still knows (int32 data written from the host
 *     and not overwritten by a kernel since): the view is scanned on the CPU before the dispatch;
 *   - deferred, for indices computed on the GPU: the kernel records the first bad index in a small error
 *     buffer (with the id of its dispatch), and the next read copies that buffer back with the data and throws.
 */
import type { View } from '../../backend.js';
import { IndexError } from '../../errors.js';
import { indexMessage } from '../../index-range.js';
import { USAGE } from './constants.js';
import type { GpuStorage } from './storage.js';

export const ERROR_WORDS = 4;
const ERROR_BYTES = ERROR_WORDS * 4;

/** Scans an index view over the host copy of its storage; throws the CPU backend's IndexError. */
export function checkHostIndices(op: string, index: View, axis: number, size: number): void {
  const bad = firstHostIndexOutside(index, 0, size);
  if (bad) throw new IndexError(op, axisMessage(axis, size)(bad.value));
}

/**
 * The first element of an index view outside [low, high), from the host copy of its storage; null when all
 * are inside; undefined when the backend no longer knows the contents (a kernel wrote them).
 */
export function firstHostIndexOutside(
  index: View,
  low: number,
  high: number,
): { value: number; position: number } | null | undefined {
  const shadow = (index.storage.handle as GpuStorage).shadow;
  if (!shadow) return undefined;
  const { shape, strides } = index;
  const rank = shape.length;
  const n = shape.reduce((p, d) => p * d, 1);
  const coord = new Array<number>(rank).fill(0);
  let off = index.offset;
  for (let k = 0; k < n; k++) {
    const i = shadow[off]!;
    if (i < low || i >= high) return { value: i, position: k };
    for (let d = rank - 1; d >= 0; d--) {
      off += strides[d]!;
      if (++coord[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      coord[d] = 0;
    }
  }
  return null;
}

interface Pending {
  readonly op: string;
  /** The message for a bad index value found at a flat position of the index tensor. */
  readonly describe: (bad: number, position: number) => string;
}

/** gather / scatterAdd: the CPU backend's message. */
export const axisMessage = (axis: number, size: number) => (bad: number) => indexMessage(bad, axis, size);

export class DeferredIndexChecks {
  /** Words: [dispatch id of the first failure (0 = none), the bad index as i32 bits, its flat position, unused]. */
  readonly buffer: GPUBuffer;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(private readonly device: GPUDevice) {
    this.buffer = device.createBuffer({
      size: ERROR_BYTES,
      usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST,
      label: 'index-errors',
    });
  }

  /** Registers a dispatch that checks indices; returns the id its kernel reports failures under. */
  register(op: string, describe: Pending['describe']): number {
    const id = this.#nextId++;
    if (this.#nextId > 0x7fffffff) this.#nextId = 1;
    this.#pending.set(id, { op, describe });
    return id;
  }

  /** Whether a dispatch since the last verify could have reported a failure. */
  get armed(): boolean {
    return this.#pending.size > 0;
  }

  /** The ids registered so far: verify() settles exactly these (later ones wait for the next read). */
  snapshot(): number {
    return this.#nextId - 1;
  }

  /** Checks the error words copied back by a read; forgets settled ids; throws the first failure. */
  verify(words: Uint32Array, upTo: number): void {
    const failed = words[0]!;
    const info = failed !== 0 ? this.#pending.get(failed) : undefined;
    for (const id of [...this.#pending.keys()]) if (id <= upTo) this.#pending.delete(id);
    if (failed === 0) return;
    this.device.queue.writeBuffer(this.buffer, 0, new Uint32Array(ERROR_WORDS));
    const bad = words[1]! | 0;
    const what = info ? info.describe(bad, words[2]!) : `index ${bad} is out of range`;
    throw new IndexError(info?.op ?? 'index', `${what} (found on the GPU, reported at this read)`);
  }

  destroy(): void {
    this.buffer.destroy();
  }
}

/** WGSL: records the first out-of-range index of dispatch `id` (the error buffer is binding `binding`). */
export function errorRecorderWgsl(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> berr: array<atomic<u32>, ${ERROR_WORDS}>;
fn report_bad_index(id: u32, raw: i32, position: u32) {
  loop {
    let r = atomicCompareExchangeWeak(&berr[0], 0u, id);
    if (r.exchanged) {
      atomicStore(&berr[1], bitcast<u32>(raw));
      atomicStore(&berr[2], position);
      break;
    }
    // Weak exchanges may fail spuriously: retry while no failure is recorded yet.
    if (r.old_value != 0u) { break; }
  }
}`;
}
