/**
 * What a PyTorch user runs into: a loop that never disposes (the opt-in leak warning), a step on a disposed
 * parameter (an error, not a silent skip), a module called as a function (it runs forward), and optimizers that
 * free their state.
 */
import { inspect } from 'node:util';
import * as T from '@norga/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Adam,
  crossEntropy,
  Dropout,
  grad,
  Linear,
  Module,
  ModuleList,
  noGrad,
  SGD,
  warnOnLeaks,
} from '../src/index.js';

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

describe('modules are callable, as in PyTorch', () => {
  class Mlp extends Module {
    readonly fc1 = this.registerModule('fc1', new Linear(4, 5));
    readonly fc2 = this.registerModule('fc2', new Linear(5, 3));
    // A subclass's private field: set on the function object the constructor returns.
    readonly #scale = 2;
    forward(x: T.Tensor): T.Tensor {
      return T.tidy(() => T.mul(this.fc2(T.relu(this.fc1(x))), this.#scale));
    }
  }
  const gradients = (model: Mlp, logits: () => T.Tensor, y: T.Tensor) => {
    model.zeroGrad();
    T.tidy(() => crossEntropy(logits(), y).backward());
    return model.parameters().map((p) => Array.from(p.grad?.dataSyncCpu() ?? []));
  };

  it('model(x) runs forward: the same values and gradients, typed as forward', () => {
    T.manualSeed(3);
    const model = new Mlp();
    const [x, y] = batch();
    const called: T.Tensor = model(x);
    const forward = model.forward(x);
    expect(called.shape).toEqual([8, 3]);
    expect(Array.from(called.dataSyncCpu())).toEqual(Array.from(forward.dataSyncCpu()));
    const viaCall = gradients(model, () => model(x), y);
    expect(viaCall.every((g) => g.length > 0 && g.some((v) => v !== 0))).toBe(true);
    expect(viaCall).toEqual(gradients(model, () => model.forward(x), y));
    expect(noGrad(() => model(x)).requiresGrad).toBe(false);
    // Type-checked, not run: forward takes a tensor, and so does the call.
    // @ts-expect-error
    const _wrongArgument = () => model('x');
    for (const t of [called, forward, x, y]) t.dispose();
    model.dispose();
  });

  it('a module is a function object of its class, printed as its class', () => {
    const model = new Mlp();
    const list = new ModuleList([new Linear(2, 2), new Linear(2, 2), new Linear(2, 2)]);
    expect(typeof model).toBe('function');
    expect(model).toBeInstanceOf(Mlp);
    expect(model).toBeInstanceOf(Module);
    expect(list.length).toBe(3);
    expect(String(model)).toBe('Mlp');
    const shown = inspect(model, { depth: 0 });
    expect(shown).toMatch(/^Mlp \{\n? *training: true,/);
    expect(shown).not.toContain('Function');
    model.dispose();
    list.dispose();
  });

  it('a missing await, model(promise), is an ArgumentError naming the layer and the Promise', () => {
    const model = new Mlp();
    const x = T.randn([2, 4]);
    const pending = Promise.resolve(x);
    // @ts-expect-error: a Promise where the tensor belongs
    expect(() => model(pending)).toThrow(/^Linear: x must be a Tensor, got a Promise \(a missing await\?\)$/);
    const drop = new Dropout(0.5);
    // @ts-expect-error: an array where the tensor belongs
    expect(() => drop([1, 2])).toThrow(T.ArgumentError);
    x.dispose();
    model.dispose();
  });

  it('a module without forward, called, says to define forward', () => {
    class Empty extends Module {}
    const empty = new Empty();
    // @ts-expect-error: Module declares no forward, so its call takes nothing
    expect(() => empty(1)).toThrow(
      /^Module: Empty was called as a function, but has no forward method to run: define forward\(\) in the class$/,
    );
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
