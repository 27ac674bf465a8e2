/** Modules: names, state dicts, modes, freezing, layers against their definitions, initialiser statistics. */
import * as T from '@norga/tensor';
import { type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import {
  Dropout,
  erfinv,
  GELU,
  Identity,
  init,
  LayerNorm,
  Linear,
  Module,
  ModuleList,
  Sequential,
  StateDictError,
} from '../src/index.js';
import { expectNoLeaks } from './helpers/leaks.js';

class Block extends Module {
  readonly norm = this.registerModule('norm', new LayerNorm(4));
  readonly mlp = this.registerModule('mlp', new Sequential(new Linear(4, 6), new GELU(), new Linear(6, 4)));
  readonly scale = this.registerParameter('scale', T.ones([1]));
  readonly steps = this.registerBuffer('steps', T.zeros([1], { dtype: 'int32' }));
}

class Net extends Module {
  readonly blocks = this.registerModule('blocks', new ModuleList([new Block(), new Block()]));
  readonly drop = this.registerModule('drop', new Dropout(0.5));
}

const stats = (t: Tensor) => {
  const d = Array.from(t.dataSyncCpu());
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
  return { mean, std, min: Math.min(...d), max: Math.max(...d) };
};

describe('Module', () => {
  it('names parameters and buffers with PyTorch dotted names', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'blocks.0.scale',
      'blocks.0.norm.weight',
      'blocks.0.norm.bias',
      'blocks.0.mlp.0.weight',
      'blocks.0.mlp.0.bias',
      'blocks.0.mlp.2.weight',
      'blocks.0.mlp.2.bias',
      'blocks.1.scale',
      'blocks.1.norm.weight',
      'blocks.1.norm.bias',
      'blocks.1.mlp.0.weight',
      'blocks.1.mlp.0.bias',
      'blocks.1.mlp.2.weight',
      'blocks.1.mlp.2.bias',
    ]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['blocks.0.steps', 'blocks.1.steps']);
    expect(Object.keys(net.stateDict())).toHaveLength(16);
    expect(net.numParameters()).toBe(2 * (1 + 8 + 30 + 28));
    net.dispose();
  });

  it('loadStateDict copies in place (same handles) and is strict about keys and shapes', () => {
    const a = new Sequential(new Linear(3, 2));
    const b = new Sequential(new Linear(3, 2));
    const handle = b.parameters()[0]!;
    b.loadStateDict(a.stateDict());
    expect(b.parameters()[0]).toBe(handle);
    expect(handle.dataSyncCpu()).toEqual(a.parameters()[0]!.dataSyncCpu());
    const w = tensor([[1, 2, 3]]);
    const bias = tensor([0]);
    expect(() => b.loadStateDict({ '0.weight': w })).toThrow(StateDictError);
    expect(() => b.loadStateDict({ '0.weight': w })).toThrow(/missing keys: 0.bias/);
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: w })).toThrow(/unexpected keys: extra/);
    expect(() => b.loadStateDict({ '0.weight': w, '0.bias': bias })).toThrow(
      /'0.weight': checkpoint shape \[1,3\] does not match the module's \[2,3\]/,
    );
    const res = b.loadStateDict({ '0.bias': tensor([5, 6]) }, { strict: false });
    expect(res).toEqual({ missingKeys: ['0.weight'], unexpectedKeys: [] });
    expect(Array.from(b.parameters()[1]!.dataSyncCpu())).toEqual([5, 6]);
    for (const t of [w, bias]) t.dispose();
    a.dispose();
    b.dispose();
  });

  it('a checkpoint rejected at a later key writes nothing (the earlier keys keep their values)', () => {
    const m = new Linear(2, 1);
    const before = Array.from(m.weight.dataSyncCpu());
    const w = tensor([[7, 8]]);
    const badBias = tensor([1, 2]);
    expect(() => m.loadStateDict({ weight: w, bias: badBias })).toThrow(/'bias': checkpoint shape \[2\]/);
    expect(Array.from(m.weight.dataSyncCpu())).toEqual(before);
    for (const t of [w, badBias]) t.dispose();
    m.dispose();
  });

  it('Sequential frees the intermediate output when a later layer throws', () => {
    const net = new Sequential(new Linear(2, 3), new Linear(4, 1));
    const x = tensor([[1, 2]]);
    expectNoLeaks(() => {
      expect(() => net.forward(x)).toThrow(/Linear: expects \[\.\.\., 4\]/);
    });
    x.dispose();
    net.dispose();
  });

  it('converts float dtypes on load', () => {
    const m = new Linear(2, 1, { dtype: 'float64' });
    const w = tensor([[0.1, 0.2]]);
    const bb = tensor([0.3]);
    m.loadStateDict({ weight: w, bias: bb });
    expect(m.weight.dtype).toBe('float64');
    expect(m.weight.dataSyncCpu()[0]).toBeCloseTo(0.1, 6);
    for (const t of [w, bb]) t.dispose();
    m.dispose();
  });

  it('train/eval reach every descendant; freezing stops gradients', () => {
    const net = new Net();
    net.eval();
    expect([...net.namedModules()].every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.blocks.at(1).mlp.training).toBe(true);
    const first = net.blocks.at(0);
    first.requiresGrad_(false);
    expect(net.trainableParameters()).toHaveLength(7);
    const x = T.randn([2, 4]);
    const y = T.tidy(() => T.sum(net.blocks.at(1).mlp.forward(first.mlp.forward(x))));
    y.backward();
    expect(first.mlp.parameters().every((p) => p.grad === null)).toBe(true);
    expect(
      net.blocks
        .at(1)
        .mlp.parameters()
        .every((p) => p.grad !== null),
    ).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    for (const t of [x, y]) t.dispose();
    net.dispose();
  });

  it('rejects parameters that are op outputs', () => {
    const m = new Module();
    const x = T.ones([2]).requiresGrad_();
    const y = T.mul(x, 2);
    expect(() => m.registerParameter('w', y)).toThrow(/op's output; parameters must be leaves/);
    expect(() => m.registerParameter('a.b', x)).toThrow(/letters, digits and underscores/);
    for (const t of [x, y]) t.dispose();
  });
});

describe('layers', () => {
  it('Linear computes x Wᵀ + b for any batch rank, and names its shape errors', () => {
    const l = new Linear(3, 2);
    l.loadStateDict({
      weight: tensor([
        [1, 0, -1],
        [2, 1, 0],
      ]),
      bias: tensor([0.5, -0.5]),
    });
    const x = tensor([[[1, 2, 3]], [[0, 1, 0]]]);
    const y = l.forward(x);
    expect(y.shape).toEqual([2, 1, 2]);
    expect(y.toArraySyncCpu()).toEqual([[[-1.5, 3.5]], [[0.5, 0.5]]]);
    const bad = T.ones([2, 4]);
    expect(() => l.forward(bad)).toThrow(/Linear: expects \[\.\.\., 3\], got \[2,4\] float32/);
    const nb = new Linear(3, 2, { bias: false });
    expect(nb.namedParameters().map(([n]) => n)).toEqual(['weight']);
    for (const t of [x, y, bad]) t.dispose();
    l.dispose();
    nb.dispose();
  });

  it('Linear initialises uniformly within ±1/√in, as PyTorch', () => {
    T.manualSeed(1);
    const l = new Linear(400, 300);
    const s = stats(l.weight);
    const bound = 1 / 20;
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    l.dispose();
  });

  it('Dropout: identity in eval; in training zeroes about p and scales by 1/(1-p), repeatably under manualSeed', () => {
    const d = new Dropout(0.25);
    const x = T.ones([4000]);
    T.manualSeed(3);
    const y1 = d.forward(x);
    T.manualSeed(3);
    const y2 = d.forward(x);
    const v = Array.from(y1.dataSyncCpu());
    expect(v.every((e) => e === 0 || Math.abs(e - 1 / 0.75) < 1e-6)).toBe(true);
    const zeros = v.filter((e) => e === 0).length / v.length;
    expect(Math.abs(zeros - 0.25)).toBeLessThan(0.03);
    expect(y2.dataSyncCpu()).toEqual(y1.dataSyncCpu());
    d.eval();
    const y3 = d.forward(x);
    expect(y3.dataSyncCpu()).toEqual(x.dataSyncCpu());
    expect(() => new Dropout(1.5)).toThrow(/p must lie in \[0, 1\]/);
    for (const t of [x, y1, y2, y3]) t.dispose();
  });

  it('Dropout passes gradients only through kept elements', () => {
    const d = new Dropout(0.5);
    const x = T.ones([100]).requiresGrad_();
    const y = d.forward(x);
    const s = T.sum(y);
    s.backward();
    expect(x.grad!.dataSyncCpu()).toEqual(y.dataSyncCpu());
    for (const t of [x, y, s]) t.dispose();
  });

  it('Identity and an empty Sequential keep the graph', () => {
    const x = T.ones([2]).requiresGrad_();
    const y = new Identity().forward(x);
    const z = new Sequential().forward(y);
    const s = T.sum(z);
    s.backward();
    expect(Array.from(x.grad!.dataSyncCpu())).toEqual([1, 1]);
    for (const t of [x, y, z, s]) t.dispose();
  });

  it('forward passes leave nothing behind once outputs are disposed', () => {
    const net = new Sequential(
      new Linear(4, 8),
      new GELU(),
      new LayerNorm(8),
      new Dropout(0.1),
      new Linear(8, 2),
    );
    const x = T.randn([3, 4]);
    expectNoLeaks(() => {
      const y = net.forward(x);
      y.dispose();
    });
    x.dispose();
    net.dispose();
  });
});

describe('initialisers', () => {
  it('truncNormal_ follows timm: within [a, b], with the truncated distribution moments', () => {
    T.manualSeed(5);
    const t = init.truncNormal_(T.zeros([20000]), { std: 1, a: -2, b: 2 });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(2);
    expect(Math.abs(s.mean)).toBeLessThan(0.02);
    // std of N(0,1) truncated to ±2 is 0.8796
    expect(s.std).toBeCloseTo(0.8796, 1);
    const narrow = init.truncNormal_(T.zeros([20000]), { std: 0.02 });
    const n = stats(narrow);
    expect(n.std).toBeCloseTo(0.02, 3); // bounds ±2 (absolute) do not cut at std 0.02
    t.dispose();
    narrow.dispose();
  });

  it('erfinv inverts erf to float32 precision', () => {
    const x = tensor([-0.999, -0.5, 0, 0.3, 0.9, 0.99999]);
    const back = T.erf(erfinv(x));
    const got = back.dataSyncCpu();
    const want = x.dataSyncCpu();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    x.dispose();
    back.dispose();
  });

  it('xavier and kaiming use PyTorch fans and gains', () => {
    T.manualSeed(9);
    const w = T.zeros([200, 300]);
    init.xavierUniform_(w);
    const bx = Math.sqrt(6 / 500);
    expect(stats(w).max).toBeLessThanOrEqual(bx);
    expect(stats(w).std).toBeCloseTo(bx / Math.sqrt(3), 3);
    init.kaimingNormal_(w, { nonlinearity: 'relu' });
    expect(stats(w).std).toBeCloseTo(Math.sqrt(2 / 300), 3);
    init.kaimingUniform_(w, { mode: 'fan_out', nonlinearity: 'linear' });
    expect(stats(w).max).toBeLessThanOrEqual(Math.sqrt(3 / 200));
    init.xavierNormal_(w, 2);
    expect(stats(w).std).toBeCloseTo(2 * Math.sqrt(2 / 500), 3);
    init.ones_(w);
    expect(stats(w)).toEqual({ mean: 1, std: 0, min: 1, max: 1 });
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(() => init.xavierUniform_(T.zeros([3]))).toThrow(/at least 2 dims/);
    w.dispose();
  });
});

describe('loss errors', () => {
  it('name the loss, shapes and dtypes', async () => {
    const { crossEntropy, mseLoss, bceWithLogits } = await import('../src/index.js');
    const x = T.zeros([2, 3]);
    const bad = tensor([0, 3], { dtype: 'int32' });
    const neg = tensor([0, -3], { dtype: 'int32' });
    const shape = tensor([0, 1, 2], { dtype: 'int32' });
    const probs = T.zeros([2, 4]);
    expect(() => crossEntropy(x, bad)).toThrow(
      /crossEntropy: target 3 \(at flat position 1\) is out of range \[0, 3\)/,
    );
    expect(() => crossEntropy(x, neg)).toThrow(/target -3/);
    expect(() => crossEntropy(x, shape)).toThrow(
      /class-index target \[3\] int32 must have shape \[2\] for logits \[2,3\] float32/,
    );
    expect(() => crossEntropy(x, probs)).toThrow(
      /probability target \[2,4\] float32 must match logits \[2,3\] float32/,
    );
    expect(() => crossEntropy(x, shape.slice(0, 0, 2), { labelSmoothing: 2 })).toThrow(
      /labelSmoothing must lie in \[0, 1\]/,
    );
    expect(() => mseLoss(x, probs)).toThrow(/mseLoss: input \[2,3\] float32 and target \[2,4\] float32/);
    expect(() => bceWithLogits(x, probs)).toThrow(/bceWithLogits/);
    expect(() => mseLoss(x, x, { reduction: 'avg' as 'mean' })).toThrow(
      /reduction must be 'mean', 'sum' or 'none', got 'avg'/,
    );
    for (const t of [x, bad, neg, shape, probs]) t.dispose();
  });
});

describe('Embedding', () => {
  it('an out-of-range index is an error that leaves nothing behind', async () => {
    const { Embedding } = await import('../src/index.js');
    const e = new Embedding(4, 2);
    const idx = tensor([1, 7], { dtype: 'int32' });
    expectNoLeaks(() => {
      expect(() => e.forward(idx)).toThrow(/index 7 is out of range for axis 0 of size 4/);
    });
    idx.dispose();
    e.dispose();
  });

  it('looks up rows for any index shape and adds gradients into the looked-up rows', async () => {
    const { Embedding } = await import('../src/index.js');
    const e = new Embedding(4, 2);
    const w = tensor([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    e.loadStateDict({ weight: w });
    const idx = tensor(
      [
        [3, 0],
        [3, 3],
      ],
      { dtype: 'int32' },
    );
    const out = e.forward(idx);
    expect(out.shape).toEqual([2, 2, 2]);
    expect(out.toArraySyncCpu()).toEqual([
      [
        [6, 7],
        [0, 1],
      ],
      [
        [6, 7],
        [6, 7],
      ],
    ]);
    const s = T.sum(out);
    s.backward();
    expect(e.weight.grad!.toArraySyncCpu()).toEqual([
      [1, 1],
      [0, 0],
      [0, 0],
      [3, 3],
    ]);
    expect(() => e.forward(T.zeros([2]))).toThrow(/Embedding: indices must be int32, got \[2\] float32/);
    for (const t of [w, idx, out, s]) t.dispose();
    e.dispose();
  });
});
