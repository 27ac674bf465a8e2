/** Exact gradients at the points where PyTorch makes a choice (ties, kinks), and rule-table coverage. */
import * as T from '@norga/tensor';
import { tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { grad, NON_DIFFERENTIABLE, RULES } from '../src/index.js';
import { UNARY_DERIVATIVES } from '../src/rules/derivatives.js';
import type { Differentiable, RuleTable } from '../src/rules/index.js';

const third = Math.fround(1 / 3);
const g1 = (f: (x: T.Tensor) => T.Tensor, x: number[] | number[][]) => {
  const [g] = grad((a: T.Tensor) => T.tidy(() => T.sum(f(a))))(tensor(x));
  return g!.toArraySyncCpu();
};

describe('ties and kinks, as PyTorch', () => {
  it('max/min reductions split the gradient evenly between ties (amax/amin)', () => {
    expect(
      g1(
        (x) => T.max(x, 1),
        [
          [1, 3, 3],
          [2, 2, 2],
        ],
      ),
    ).toEqual([
      [0, 0.5, 0.5],
      [third, third, third],
    ]);
    expect(
      g1(
        (x) => T.min(x),
        [
          [1, 0, 0],
          [0, 5, 6],
        ],
      ),
    ).toEqual([
      [0, third, third],
      [third, 0, 0],
    ]);
  });

  it('maximum/minimum give half to each operand on a tie', () => {
    const [ga, gb] = grad((a: T.Tensor, b: T.Tensor) => T.tidy(() => T.sum(T.maximum(a, b))))(
      tensor([1, 2, 3]),
      tensor([1, 1, 4]),
    );
    expect(ga!.toArraySyncCpu()).toEqual([0.5, 1, 0]);
    expect(gb!.toArraySyncCpu()).toEqual([0.5, 0, 1]);
    const [ha, hb] = grad((a: T.Tensor, b: T.Tensor) => T.tidy(() => T.sum(T.minimum(a, b))))(
      tensor([1, 2]),
      tensor([1, 1]),
    );
    expect(ha!.toArraySyncCpu()).toEqual([0.5, 0]);
    expect(hb!.toArraySyncCpu()).toEqual([0.5, 1]);
  });

  it('abs and relu have gradient 0 at 0; clamp passes the gradient at its bounds', () => {
    expect(g1((x) => T.abs(x), [-2, 0, 3])).toEqual([-1, 0, 1]);
    expect(g1((x) => T.relu(x), [-2, 0, 3])).toEqual([0, 0, 1]);
    expect(g1((x) => T.clamp(x, 0, 1), [-1, 0, 0.5, 1, 2])).toEqual([0, 1, 1, 1, 0]);
  });

  it('pow: 0^0 and 0^b give finite gradients (the limits PyTorch uses)', () => {
    const [ga, gb] = grad((a: T.Tensor, b: T.Tensor) => T.tidy(() => T.sum(T.pow(a, b))))(
      tensor([0, 0, 2]),
      tensor([0, 2, 3]),
    );
    expect(ga!.toArraySyncCpu()).toEqual([0, 0, 12]);
    expect(gb!.dataSyncCpu()[0]).toBe(0);
    expect(gb!.dataSyncCpu()[1]).toBe(0);
    expect(gb!.dataSyncCpu()[2]).toBeCloseTo(8 * Math.log(2), 5);
  });

  it('where sends nothing to the unselected branch, even where it is not finite', () => {
    expect(g1((x) => T.where(T.gt(x, 0), T.sqrt(T.relu(x)), 0), [4, 1])).toEqual([0.25, 0.5]);
  });
});

describe('rule table', () => {
  // The primitive set of @norga/tensor's src/primitives.ts (the compiler checks the table; this checks the object).
  const primitives = T.PRIMITIVES;
  it('covers every primitive: a rule, or listed as non-differentiable', () => {
    const missing = primitives.filter(
      (p) => !(p in RULES) && !(NON_DIFFERENTIABLE as readonly string[]).includes(p),
    );
    expect(missing).toEqual([]);
  });
  it('is a mapped type over the primitives: a missing rule or derivative is a compile error (typecheck)', () => {
    const { neg: _rule, ...withoutNeg } = RULES;
    // @ts-expect-error 'neg' has no rule, which `pnpm typecheck` reports
    const rules: RuleTable<Differentiable> = withoutNeg;
    const { erf: _derivative, ...withoutErf } = UNARY_DERIVATIVES;
    // @ts-expect-error 'erf' has no derivative
    const derivatives: typeof UNARY_DERIVATIVES = withoutErf;
    expect(['neg' in rules, 'erf' in derivatives]).toEqual([false, false]);
  });
});

describe('fused expressions', () => {
  it('an op the rule does not know is an error naming it, never a silently dropped gradient', () => {
    const x = tensor([1, 2]);
    const g = tensor([1, 1]);
    const expr = { kind: 'unary', op: 'mystery', x: T.expr.input(0) } as unknown as T.Expr;
    const ctx = {
      attrs: { expr },
      needs: [true],
      inputShapes: [[2]],
      inputDTypes: ['float32' as const],
      outShape: [2],
      outDType: 'float32' as const,
    };
    expect(() => RULES.fused!.backward(g, [x], ctx)).toThrow(
      /no gradient rule for 'mystery' inside a fused expression/,
    );
    for (const t of [x, g]) t.dispose();
  });
});

describe('attention', () => {
  it("the fused kernel's gradients (float32, where the CPU backend fuses) match the composite's", () => {
    T.manualSeed(11);
    const [q, k, v, w] = [0, 1, 2, 3].map(() => T.randn([2, 4, 50, 16]));
    const loss = (att: (q: T.Tensor, k: T.Tensor, v: T.Tensor) => T.Tensor) =>
      grad((a: T.Tensor, b: T.Tensor, c: T.Tensor) => T.tidy(() => T.sum(T.mul(att(a, b, c), w!))))(
        q!,
        k!,
        v!,
      );
    const tier = T.getWasmTier();
    const calls = tier?.attentionStats.calls ?? 0;
    const fused = loss((a, b, c) => T.attention(a, b, c, 0.3));
    // on the WebAssembly tier the forward ran fused (on the JS tier both sides are the composite)
    if (tier) expect(tier.attentionStats.calls).toBe(calls + 1);
    const composite = loss((a, b, c) => T.matmul(T.softmax(T.mul(T.matmul(a, T.transpose(b)), 0.3), -1), c));
    fused.forEach((g, i) => {
      const [x, y] = [g!.dataSyncCpu(), composite[i]!.dataSyncCpu()];
      let worst = 0;
      for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j]! - y[j]!));
      expect(worst, `gradient ${'qkv'[i]}`).toBeLessThan(1e-5);
      expect(x.some((e) => e !== 0)).toBe(true);
    });
    for (const t of [q, k, v, w, ...fused, ...composite]) t!.dispose();
  });
});
