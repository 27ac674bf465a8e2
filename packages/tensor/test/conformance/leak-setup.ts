/**
 * A per-file leak check for every test file of the package (vitest `setupFiles`): live tensors and bytes in use
 * must be back where they were before the file's first test once its last test has run. A test file that keeps
 * tensors alive across tests on purpose must free them in its own afterAll (which runs before this one).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { memory } from '../../src/index.js';

let start: { tensors: number; bytesInUse: number } | undefined;

beforeAll(() => {
  const m = memory();
  start = { tensors: m.tensors, bytesInUse: m.bytesInUse };
});

afterAll(() => {
  if (!start) return;
  const m = memory();
  expect(
    { tensors: m.tensors, bytesInUse: m.bytesInUse },
    'tensors or bytes leaked by this test file',
  ).toEqual(start);
});
