/** Reference-counted storage: tensors (views) retain it; the last release frees the backend buffer. */
import type { Backend, Storage } from './backend.js';
import { BYTES_PER_ELEMENT, type DType } from './dtype.js';
import { onStorageAllocated, onStorageFreed } from './memory.js';

export function allocStorage(backend: Backend, dtype: DType, size: number): Storage {
  const s: Storage = {
    backend,
    handle: backend.alloc(dtype, size),
    dtype,
    size,
    bytes: size * BYTES_PER_ELEMENT[dtype],
    refs: 0,
  };
  onStorageAllocated(s);
  return s;
}

export function retain(s: Storage): void {
  s.refs++;
}

export function release(s: Storage): void {
  if (--s.refs === 0) {
    s.backend.free(s.handle);
    onStorageFreed(s);
  }
}
