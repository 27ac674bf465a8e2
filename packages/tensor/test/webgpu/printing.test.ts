/**
 * Printing and JSON on WebGPU, where reads are async: the sync forms say what to call instead, the async ones
 * print the values as on the CPU, with the backend named.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { HAS_WEBGPU } from './gpu.js';

describe.runIf(HAS_WEBGPU)('webgpu printing', () => {
  it('toString and console.log name the async calls instead of reading', () => {
    const t = T.tensor([1, 2], { backend: 'webgpu' });
    const want =
      'Tensor([2], float32, webgpu; values need an async read: await t.print() or await t.format())';
    expect(String(t)).toBe(want);
    expect(inspect(t)).toBe(want);
    t.dispose();
  });
  it('format() reads and prints the values, naming the backend', async () => {
    const t = T.tensor(
      [
        [0.5, 1],
        [2, 3],
      ],
      { backend: 'webgpu' },
    );
    expect(await t.format()).toBe("tensor([[0.5000, 1.0000],\n        [2.0000, 3.0000]], backend='webgpu')");
    t.dispose();
  });
  it('toJSON and oneHot without numClasses raise BackendErrors naming the async alternative', () => {
    const t = T.tensor([0, 2], { backend: 'webgpu', dtype: 'int32' });
    expect(() => JSON.stringify(t)).toThrow(/toJSON: .*await t\.toArray\(\)/);
    expect(() => T.oneHot(t)).toThrow(T.BackendError);
    expect(() => T.oneHot(t)).toThrow(/pass numClasses/);
    t.dispose();
  });
});
