/**
 * Memory you can see: live tensor and byte counts, `tidy` scopes, and an explicit `Scope` that survives
 * `await`. Nothing here frees memory behind the user's back: tensors are freed by dispose(), by the scope that
 * created them, or not at all.
 */
import type { Storage } from './backend.js';
import type { Tensor } from './tensor.js';

const live = { tensors: 0, bytes: 0 };

export function onTensorCreated(t: Tensor): void {
  live.tensors++;
  const frame = tidyStack[tidyStack.length - 1];
  if (frame) frame.push(t);
}
export function onTensorDisposed(): void {
  live.tensors--;
}
export function onStorageAllocated(s: Storage): void {
  live.bytes += s.bytes;
}
export function onStorageFreed(s: Storage): void {
  live.bytes -= s.bytes;
}

/** What memory() reports. */
export interface MemoryInfo {
  /** Tensors created and not yet disposed (views count separately from their storage). */
  tensors: number;
  /** Bytes of storage referenced by live tensors, over all backends. */
  bytesInUse: number;
  /** Bytes a backend holds in its pools for reuse (buffers not referenced by any tensor). */
  bytesPooled: number;
}

let pooledBytes: () => number = () => 0;
/** Where memory().bytesPooled comes from (the WebGPU backend installs its pools). */
export function setPooledBytesSource(fn: () => number): void {
  pooledBytes = fn;
}

/** Live tensors, bytes in use and bytes pooled, over all backends. */
export function memory(): MemoryInfo {
  return { tensors: live.tensors, bytesInUse: live.bytes, bytesPooled: pooledBytes() };
}

const tidyStack: Tensor[][] = [];

/** What tidy and Scope look through for tensors: a tensor, arrays and objects of them, or plain values. */
export type TensorContainer =
  | Tensor
  | readonly TensorContainer[]
  | { readonly [k: string]: TensorContainer }
  // `void` lets tidy(() => { ... }) take a function that returns nothing.
  // biome-ignore lint/suspicious/noConfusingVoidType: a return type, where void is the right word.
  | void
  | number
  | string
  | boolean
  | null
  | undefined;

function collect(value: unknown, into: Set<Tensor>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    into.add(value);
    return;
  }
  for (const v of Object.values(value)) collect(v, into, seen);
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && (v as { __isTensor?: boolean }).__isTensor === true;
}

/**
 * Runs fn, then disposes every tensor created inside it except those it returns (also inside arrays and
 * objects) and those passed to `keep`. fn must be synchronous: use a `Scope` across `await`.
 */
export function tidy<T extends TensorContainer>(fn: () => T): T {
  const frame: Tensor[] = [];
  tidyStack.push(frame);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // Nothing is returned on a throw: free what fn created (kept tensors go to the enclosing scope).
    tidyStack.pop();
    const parentFrame = tidyStack[tidyStack.length - 1];
    for (const t of frame) {
      if (kept.has(t)) parentFrame?.push(t);
      else if (!t.isDisposed) t.dispose();
    }
    throw e;
  }
  tidyStack.pop();
  if (result instanceof Promise) {
    throw new TypeError(
      'tidy: fn returned a Promise; tidy scopes cannot span await. Use `new Scope()` instead.',
    );
  }
  const keepSet = new Set<Tensor>();
  collect(result, keepSet);
  const parent = tidyStack[tidyStack.length - 1];
  for (const t of frame) {
    if (keepSet.has(t) || kept.has(t)) {
      parent?.push(t);
    } else if (!t.isDisposed) {
      t.dispose();
    }
  }
  return result;
}

const kept = new WeakSet<Tensor>();
/** Exempts a tensor from the enclosing tidy scopes. */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

/**
 * An explicit scope, for code that awaits: tensors are added with `track` (or created inside `run`) and all
 * freed by `dispose()` except those `keep`-ed. Works with `using scope = new Scope()`.
 */
export class Scope {
  readonly #tensors = new Set<Tensor>();

  /** Adds every tensor in `value` (also inside arrays and objects) to the scope; returns value. */
  track<T extends TensorContainer>(value: T): T {
    const found = new Set<Tensor>();
    collect(value, found);
    for (const t of found) this.#tensors.add(t);
    return value;
  }

  /** Runs a synchronous fn and tracks every tensor it creates. */
  run<T extends TensorContainer>(fn: () => T): T {
    const frame: Tensor[] = [];
    tidyStack.push(frame);
    try {
      return fn();
    } finally {
      tidyStack.pop();
      // keep()-ed tensors are exempt here too, as in tidy (autograd keeps its saved tensors and gradients so).
      for (const t of frame) if (!kept.has(t)) this.#tensors.add(t);
    }
  }

  /** Removes a tensor from the scope so that dispose() leaves it alive. */
  keep<T extends Tensor>(t: T): T {
    this.#tensors.delete(t);
    return t;
  }

  /** Disposes every tracked tensor not kept. */
  dispose(): void {
    for (const t of this.#tensors) if (!t.isDisposed) t.dispose();
    this.#tensors.clear();
  }

  /** Disposes the scope at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
