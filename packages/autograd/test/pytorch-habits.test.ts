/**
 * What a PyTorch user runs into: a loop that never disposes (the opt-in leak warning), a step on a disposed
 * parameter (an error, not a silent skip), a module used as a function, and optimizers that free their state.
 */
import * as T from '@norga/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { Adam, crossEntropy, grad, Linear, noGrad, SGD, warnOnLeaks } from '../src/index.js';

afterEach(() => warnOnLeaks(false));

function batch(): [T.Tensor, T.Tensor] {
  T.manualSeed(1);
  return [T.randn([8, 4]), T.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' })];
}

describe('leak warning', () => {
  it('warns once when live tensors grow at every step, with the counts and the fix', () => {
    const messages: string[] = [];
    warnOnLeaks({ steps: 3, warn: (m) => messages.push(m) });
    const model = new Linear(4, 3);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const [x, y] = batch();
    const leaked: T.Tensor[] = [];
    for (let i = 0; i < 6; i++) {
      // PyTorch style: logits and loss are never disposed (kept here only so the test can free them at the end).
      const logits = model.forward(x);
      const loss = crossEntropy(logits, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      leaked.push(logits, loss);
    }
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /live tensors grew at each of the last 3 optimizer steps \(\d+ -> \d+, \+2\.0 per step\)/,
    );
    expect(messages[0]).toMatch(/tidy/);
    for (const t of [...leaked, x, y]) t.dispose();
    opt.dispose();
    model.dispose();
  });
  it('stays quiet for a loop that frees what it makes', () => {
    const messages: string[] = [];
    warnOnLeaks({ steps: 3, warn: (m) => messages.push(m) });
    const model = new Linear(4, 3);
    const opt = new Adam(model.parameters(), { lr: 0.1 });
    const [x, y] = batch();
    for (let i = 0; i < 8; i++) {
      opt.zeroGrad();
      const loss = T.tidy(() => crossEntropy(model.forward(x), y));
      loss.backward();
      opt.step();
      loss.dispose();
    }
    expect(messages).toEqual([]);
    for (const t of [x, y]) t.dispose();
    opt.dispose();
    model.dispose();
  });
});

describe('optimizers and disposal', () => {
  it('a step over a disposed parameter is a DisposedError naming it', () => {
    const a = T.zeros([2]).requiresGrad_();
    const b = T.zeros([3]).requiresGrad_();
    const opt = new SGD([a, b], { lr: 1 });
    b.dispose();
    expect(() => opt.step()).toThrow(T.DisposedError);
    expect(() => opt.step()).toThrow(/SGD\.step: parameter 1 \[3\] float32 of group 0 was disposed/);
    a.dispose();
  });
  it("dispose() frees the optimizer's state tensors and returns the count to where it was", () => {
    const model = new Linear(4, 3);
    const before = T.memory().tensors;
    const [x, y] = batch();
    {
      using opt = new Adam(model.parameters(), { lr: 0.1 });
      opt.zeroGrad();
      const loss = T.tidy(() => crossEntropy(model.forward(x), y));
      loss.backward();
      opt.step();
      loss.dispose();
      model.zeroGrad();
      // Adam keeps two moments per parameter (weight and bias): four state tensors past the inputs.
      expect(T.memory().tensors - before).toBe(2 + 4);
    }
    for (const t of [x, y]) t.dispose();
    expect(T.memory().tensors).toBe(before);
    model.dispose();
  });
});

describe('modules are not functions', () => {
  it('grad and noGrad say to call forward when given a module', () => {
    const model = new Linear(2, 2);
    // @ts-expect-error: a module where a function belongs
    expect(() => grad(model)).toThrow(
      /grad: got a Linear module, which is not callable: pass \(x\) => model\.forward\(x\)/,
    );
    // @ts-expect-error: likewise
    expect(() => noGrad(model)).toThrow(/noGrad: got a Linear module/);
    model.dispose();
  });
});

describe('PyTorch names under autograd', () => {
  it('select, view, t, rsqrt and a cropping pad carry gradients (values as torch.autograd gives)', () => {
    const x = T.tensor([
      [1, 4],
      [9, 16],
    ]);
    const loss = (v: T.Tensor) =>
      T.tidy(() => {
        const rows = T.sum(T.mul(T.select(v, 0, 1), 2)); // 2 on row 1
        const cropped = T.sum(T.rsqrt(T.pad(v.view([4]), [[-1, -2]]))); // v[0,1] = 4: -0.5·4^-1.5 = -1/16
        const all = T.sum(v.t()); // 1 everywhere
        return T.add(T.add(rows, cropped), all);
      });
    const [g] = grad(loss)(x);
    expect(Array.from(g!.dataSyncCpu())).toEqual([1, 1 - 1 / 16, 3, 3]);
    for (const t of [x, g!]) t.dispose();
  });
});
