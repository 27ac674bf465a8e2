/**
 * Version counters, as PyTorch's: every in-place write (assign_) bumps its storage's version, and a node
 * remembers the versions of the tensors it saved. If backward finds one changed — typically an optimiser step
 * taken between the forward and the backward — it refuses, instead of silently using the new values.
 */
import type { Storage, Tensor } from '@norga/tensor';

const versions = new WeakMap<Storage, number>();

export const versionOf = (t: Tensor): number => versions.get(t.storage) ?? 0;

export function bumpVersion(t: Tensor): void {
  versions.set(t.storage, versionOf(t) + 1);
}
