/** The engine's behaviour: accumulation, retainGraph, noGrad, detach, functional grads, errors, lifetimes. */
import * as T from '@norga/tensor';
import { TensorError, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import {
  assign_,
  backward,
  detach,
  enableGrad,
  GradError,
  grad,
  gradOf,
  liveNodeCount,
  noGrad,
  requiresGrad_,
  valueAndGrad,
} from '../src/index.js';
import { expectNoLeaks } from './helpers/leaks.js';

const vals = (t: T.Tensor | null) => Array.from(t!.dataSyncCpu());

describe('backward', () => {
  it('accumulates into .grad across calls and clears with grad = null', () => {
    expectNoLeaks(() => {
      const x = tensor([1, 2, 3]).requiresGrad_();
      for (let k = 0; k < 2; k++) {
        const y = T.tidy(() => T.sum(T.mul(x, x)));
        y.backward();
        y.dispose();
      }
      expect(vals(x.grad)).toEqual([4, 8, 12]);
      x.grad = null;
      expect(x.grad).toBeNull();
      x.dispose();
    });
  });

  it('sums the gradients of a tensor used several times (diamond graph)', () => {
    const x = tensor([2]).requiresGrad_();
    const y = T.tidy(() => {
      const a = T.mul(x, 3);
      const b = T.exp(a);
      return T.add(T.mul(a, b), a); // d/dx = 3e^{3x} + 9x e^{3x} + 3
    });
    y.backward();
    const e6 = Math.exp(6);
    expect(x.grad!.itemSyncCpu()).toBeCloseTo(3 * e6 + 18 * e6 + 3, 1);
    y.dispose();
    x.dispose();
  });

  it('takes an explicit gradient for a non-scalar root, and refuses an implicit one', () => {
    const x = tensor([1, 2]).requiresGrad_();
    const y = T.mul(x, x);
    expect(() => y.backward()).toThrow(/one-element root.*\[2\] float32/);
    const g = tensor([10, 100]);
    y.backward({ gradient: g });
    expect(vals(x.grad)).toEqual([20, 400]);
    expect(g.isDisposed).toBe(false);
    for (const t of [x, y, g]) t.dispose();
  });

  it('a second backward through a freed graph is an error; retainGraph allows it', () => {
    expectNoLeaks(() => {
      const x = tensor([3]).requiresGrad_();
      const y = T.mul(x, x);
      y.backward({ retainGraph: true });
      y.backward();
      expect(x.grad!.itemSyncCpu()).toBe(12);
      expect(() => y.backward()).toThrow(GradError);
      expect(() => y.backward()).toThrow(/second time.*retainGraph/);
      x.dispose();
      y.dispose();
    });
  });

  it('frees the saved tensors and nodes: nothing is left after backward and disposing the root', () => {
    expectNoLeaks(() => {
      const w = tensor([
        [1, 2],
        [3, 4],
      ]).requiresGrad_();
      const x = tensor([
        [1, 0],
        [0, 1],
      ]);
      const before = T.memory().tensors;
      const loss = T.tidy(() => T.sum(T.softmax(T.matmul(x, w), -1)));
      expect(liveNodeCount()).toBe(3); // matmul, softmax, sum
      loss.backward();
      loss.dispose();
      expect(T.memory().tensors).toBe(before + 1); // only w.grad is new
      for (const t of [w, x]) t.dispose();
    });
  });

  it('frees a graph that never sees backward once its outputs are disposed', () => {
    expectNoLeaks(() => {
      const w = tensor([1, 2, 3]).requiresGrad_();
      const out = T.tidy(() => T.sum(T.exp(T.mul(w, w))));
      expect(liveNodeCount()).toBeGreaterThan(0);
      out.dispose();
      w.dispose();
    });
  });

  it('refuses roots that do not require grad, naming shape and dtype', () => {
    const x = tensor([1, 2]);
    const s = T.sum(x);
    expect(() => s.backward()).toThrow(/does not require grad/);
    expect(() => s.backward()).toThrow(TensorError);
    for (const t of [x, s]) t.dispose();
  });

  it('refuses to mark int and bool tensors, and non-leaves as not requiring grad', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(() => i.requiresGrad_()).toThrow(/only float tensors.*\[2\] int32/);
    const x = tensor([1]).requiresGrad_();
    const y = T.mul(x, 2);
    expect(() => requiresGrad_(y, false)).toThrow(/not a leaf/);
    for (const t of [i, x, y]) t.dispose();
  });

  it('argmax, comparisons and casts to int carry no gradient', () => {
    const x = tensor([1, 5, 2]).requiresGrad_();
    const am = T.argmax(x);
    const gt = T.gt(x, 1);
    const ci = T.cast(x, 'int32');
    expect([am.requiresGrad, gt.requiresGrad, ci.requiresGrad]).toEqual([false, false, false]);
    expect(() => am.backward()).toThrow(/does not require grad.*int and bool results never do/);
    // a float path through a mask: the gradient flows through the float operand only
    const y = T.sum(T.mul(x, T.cast(gt, 'float32')));
    y.backward();
    expect(vals(x.grad)).toEqual([0, 1, 1]);
    for (const t of [x, am, gt, ci, y]) t.dispose();
  });

  it('noGrad records nothing; enableGrad re-enables; detach cuts the graph', () => {
    const x = tensor([2]).requiresGrad_();
    const a = noGrad(() => T.mul(x, x));
    expect(a.requiresGrad).toBe(false);
    const b = noGrad(() => enableGrad(() => T.mul(x, x)));
    expect(b.requiresGrad).toBe(true);
    const d = detach(b);
    expect(d.requiresGrad).toBe(false);
    const y = T.add(T.mul(d, x), b); // d/dx = d + 2x = 4 + 4
    y.backward();
    expect(x.grad!.itemSyncCpu()).toBe(8);
    for (const t of [x, a, b, d, y]) t.dispose();
  });

  it('a leaf root gets its own gradient', () => {
    const x = tensor([7]).requiresGrad_();
    backward(x);
    expect(x.grad!.itemSyncCpu()).toBe(1);
    x.dispose();
  });

  it('gradients of float64 leaves through a float32 cast come back as float64', () => {
    const x = tensor([1, 2], { dtype: 'float64' }).requiresGrad_();
    const y = T.tidy(() => T.sum(T.mul(T.cast(x, 'float32'), 3)));
    y.backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(vals(x.grad)).toEqual([3, 3]);
    for (const t of [x, y]) t.dispose();
  });

  it('backward inside a tidy keeps the leaf gradients', () => {
    const x = tensor([1, 2]).requiresGrad_();
    T.tidy(() => {
      T.sum(T.mul(x, x)).backward();
    });
    expect(vals(x.grad)).toEqual([2, 4]);
    x.dispose();
  });
});

describe('grad / valueAndGrad', () => {
  it('differentiates with respect to the chosen arguments without touching .grad', () => {
    expectNoLeaks(() => {
      const w = tensor([1, 2]).requiresGrad_();
      const x = tensor([3, 4]);
      const f = (a: T.Tensor, b: T.Tensor) => T.tidy(() => T.sum(T.mul(T.mul(a, b), w)));
      const y = tensor([5, 6]);
      const [ga, gb] = grad(f)(x, y);
      expect(vals(ga!)).toEqual([5, 12]);
      expect(vals(gb!)).toEqual([3, 8]);
      expect(gradOf(w)).toBeNull();
      const [value, [only]] = valueAndGrad(f, { argnums: 1 })(x, x);
      expect(value.itemSyncCpu()).toBe(9 + 32);
      expect(vals(only!)).toEqual([3, 8]);
      for (const t of [ga!, gb!, value, only!, w, x, y]) t.dispose();
    });
  });

  it('gives zeros for an argument the value does not depend on, and handles identity', () => {
    const [g0, g1] = grad((a: T.Tensor, _b: T.Tensor) => T.sum(a))(tensor([1, 2]), tensor([3]));
    expect(vals(g0!)).toEqual([1, 1]);
    expect(vals(g1!)).toEqual([0]);
    const [gi] = grad((a: T.Tensor) => a)(tensor([5]));
    expect(vals(gi!)).toEqual([1]);
  });

  it('rejects int arguments and non-scalar values', () => {
    expect(() => grad((a: T.Tensor) => T.sum(a))(tensor([1], { dtype: 'int32' }))).toThrow(
      /argument 0 \[1\] int32 is not differentiable/,
    );
    expect(() => grad((a: T.Tensor) => T.mul(a, a))(tensor([1, 2]))).toThrow(/one-element root/);
  });

  it('a rejected call frees what f returned and the gradients made so far', () => {
    expectNoLeaks(() => {
      const x = tensor([1, 2]);
      const notScalar = (a: T.Tensor) => T.mul(a, a);
      expect(() => grad(notScalar)(x)).toThrow(/grad: a gradient can be implied only for a one-element root/);
      const constant = (_a: T.Tensor) => tensor([1, 2]);
      expect(() => grad(constant)(x)).toThrow(/grad: f must return a one-element tensor/);
      const intValue = (a: T.Tensor) => T.argmax(a);
      expect(() => grad(intValue)(x)).toThrow(/only float results are differentiable/);
      // x is modified in place between the forward and the walk: the walk fails after a gradient reached x.
      const inPlace = (a: T.Tensor) => {
        const y = T.tidy(() => T.sum(T.add(T.mul(a, a), a)));
        assign_(a, 0);
        return y;
      };
      expect(() => grad(inPlace)(x)).toThrow(/grad: a tensor .* saved by 'mul' was modified in place/);
      // f returning an argument that is not differentiated: the caller's tensor is left alone.
      const other = tensor([3, 4]);
      expect(() => grad((_a: T.Tensor, b: T.Tensor) => b, { argnums: 0 })(x, other)).toThrow(/one-element/);
      expect(other.isDisposed).toBe(false);
      for (const t of [x, other]) t.dispose();
    });
  });
});

describe('with tensor Scopes', () => {
  it('a forward run inside Scope.run keeps what backward needs after the scope is disposed', () => {
    const w = tensor([1, 2, 3]).requiresGrad_();
    const scope = new T.Scope();
    const loss = scope.run(() => T.sum(T.exp(T.mul(w, w))));
    scope.keep(loss);
    scope.dispose();
    loss.backward();
    const want = [1, 2, 3].map((v) => 2 * v * Math.exp(v * v));
    for (const [i, g] of vals(w.grad).entries()) expect(g).toBeCloseTo(want[i]!, 2);
    const scope2 = new T.Scope();
    scope2.run(() => {
      T.sum(T.mul(w, w)).backward();
    });
    scope2.dispose();
    expect(w.grad!.isDisposed).toBe(false);
    loss.dispose();
    w.dispose();
  });
});

describe('in-place writes', () => {
  it('backward refuses saved tensors modified in place after the forward (optimiser step too early)', async () => {
    const { SGD } = await import('../src/index.js');
    const w = tensor([1, 2]).requiresGrad_();
    const x = tensor([3, 4]).requiresGrad_();
    const loss = T.tidy(() => T.sum(T.mul(w, x)));
    const first = T.tidy(() => T.sum(T.mul(w, w)));
    first.backward();
    new SGD([w], { lr: 0.1 }).step(); // writes into w, which `loss` saved for x's gradient
    expect(() => loss.backward()).toThrow(
      /saved by 'mul' was modified in place.*before stepping the optimiser/,
    );
    for (const t of [w, x, loss, first]) t.dispose();
  });
});

describe('in-place writes: error paths', () => {
  it('a refused backward frees the gradients it had made (no tensors left behind)', () => {
    expectNoLeaks(() => {
      const w = tensor([1, 2]).requiresGrad_();
      const x = tensor([3, 4]).requiresGrad_();
      // The inner mul's node is reached after the outer one has made a gradient for it.
      const loss = T.tidy(() => T.sum(T.mul(T.mul(w, x), 2)));
      assign_(w, 5);
      expect(() => loss.backward()).toThrow(/saved by 'mul' was modified in place/);
      for (const t of [w, x, loss]) t.dispose();
    });
  });

  it('a rejected assign_ leaves the version alone, so a later backward still runs', () => {
    const w = tensor([1, 2]).requiresGrad_();
    const loss = T.tidy(() => T.sum(T.mul(w, w)));
    expect(() => assign_(w, tensor([1, 2, 3]))).toThrow(/assign_/);
    expect(() => assign_(w, tensor([1, 2], { dtype: 'float64' }))).toThrow(/dtype mismatch/);
    loss.backward();
    expect(vals(w.grad)).toEqual([2, 4]);
    for (const t of [w, loss]) t.dispose();
  });
});
