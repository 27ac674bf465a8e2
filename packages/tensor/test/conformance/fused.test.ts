/**
 * The fused-kernel code generators of every backend (JS source on the CPU, WGSL on WebGPU), fuzzed with random
 * expression trees (fast-check) against a plain JS evaluation. Tolerance scales with the largest intermediate
 * value, since GPUs evaluate intermediates in float32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { evalRef, toExpr, tree } from '../property/trees.js';
import { checkLeaks } from './helpers.js';

describe.each(BACKENDS)('fused expression fuzz on $name', ({ name }) => {
  checkLeaks();

  it('random trees over a transposed and a stepped input match the JS evaluation', async () => {
    await fc.assert(
      fc.asyncProperty(
        tree,
        fc.array(fc.integer({ min: -12, max: 12 }), { minLength: 15, maxLength: 15 }),
        async (node, ints) => {
          const a = ints.map((v) => v / 4); // logical [3,5], stored transposed
          const b = ints.slice(0, 5).map((v) => -v / 8); // [5], broadcast over rows
          const out = T.tidy(() => {
            const x = T.transpose(T.tensor(a, { shape: [5, 3], backend: name }));
            const y = T.slice(
              T.tensor(
                b.flatMap((v) => [v, 99]),
                { backend: name },
              ),
              0,
              0,
              10,
              2,
            );
            return T.fused(toExpr(node), [x, y]);
          });
          try {
            expect([...out.shape]).toEqual([3, 5]);
            const got = Array.from(await out.data());
            for (let i = 0; i < 3; i++)
              for (let j = 0; j < 5; j++) {
                const { v, mag } = evalRef(node, [a[j * 3 + i]!, b[j]!]);
                const g = got[i * 5 + j]!;
                expect(Math.abs(g - v), `at [${i},${j}]: got ${g}, want ${v}`).toBeLessThanOrEqual(
                  1e-4 * (1 + mag),
                );
              }
          } finally {
            out.dispose();
          }
        },
      ),
      // Each new tree compiles a new kernel (a pipeline on WebGPU, slow on software adapters): fewer runs there.
      { numRuns: name === 'cpu' ? 100 : 30, seed: 2026 },
    );
  });
});
