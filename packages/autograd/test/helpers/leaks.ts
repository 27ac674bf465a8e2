import { memory } from '@norga/tensor';
import { expect } from 'vitest';
import { liveNodeCount } from '../../src/index.js';

/** Runs fn and checks that tensors, bytes and graph nodes are back where they started. */
export function expectNoLeaks(fn: () => void): void {
  const before = memory();
  const nodes = liveNodeCount();
  fn();
  const after = memory();
  expect({ tensors: after.tensors, bytes: after.bytesInUse, nodes: liveNodeCount() }).toEqual({
    tensors: before.tensors,
    bytes: before.bytesInUse,
    nodes,
  });
}
