/**
 * Property test (fast-check, CPU) for the elementwise code generator: random expression trees compiled as one
 * fused kernel must compute what a plain JS evaluation of the same tree computes, over broadcast and
 * non-contiguous inputs.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { evalRef, toExpr, tree } from './trees.js';

let start = T.memory();
beforeEach(() => {
  start = T.memory();
});
afterEach(() => {
  expect(T.memory().tensors).toBe(start.tensors);
  expect(T.memory().bytesInUse).toBe(start.bytesInUse);
});

describe('fused expressions (fast-check, cpu)', () => {
  it('a random tree fused into one kernel equals its plain evaluation, on broadcast and strided inputs', () => {
    fc.assert(
      fc.property(
        tree,
        fc.array(fc.integer({ min: -12, max: 12 }), { minLength: 12, maxLength: 12 }),
        (node, ints) => {
          const a = ints.map((v) => v / 4); // [3,4] logical, exact in float32
          const b = ints.slice(0, 4).map((v) => -v / 8); // [4], broadcast over rows
          const out = T.tidy(() => {
            const x = T.transpose(T.tensor(a, { shape: [4, 3] })); // non-contiguous [3,4]
            const y = T.slice(T.tensor(b.flatMap((v) => [v, 99])), 0, 0, 8, 2); // stepped [4]
            return T.fused(toExpr(node), [x, y]);
          });
          try {
            expect([...out.shape]).toEqual([3, 4]);
            const got = Array.from(out.dataSyncCpu());
            for (let i = 0; i < 3; i++)
              for (let j = 0; j < 4; j++) {
                const { v, mag } = evalRef(node, [a[j * 3 + i]!, b[j]!]);
                const g = got[i * 4 + j]!;
                expect(Math.abs(g - v), `at [${i},${j}]: got ${g}, want ${v}`).toBeLessThanOrEqual(
                  1e-5 * (1 + mag),
                );
              }
          } finally {
            out.dispose();
          }
        },
      ),
      { numRuns: 200, seed: 77 },
    );
  });
});
