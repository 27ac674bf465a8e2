/** Optimiser state save/load, parameter groups, scheduler formulas, clipping, and errors. */
import * as T from '@norga/tensor';
import { type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import {
  AdamW,
  CosineAnnealingLR,
  clipGradNorm_,
  clipGradValue_,
  crossEntropy,
  LambdaLR,
  Linear,
  LinearLR,
  Sequential,
  SGD,
  StepLR,
  Tanh,
  warmupCosine,
} from '../src/index.js';

function trainSteps(
  model: Sequential,
  opt: { zeroGrad(): void; step(): void },
  x: Tensor,
  y: Tensor,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    const loss = T.tidy(() => crossEntropy(model.forward(x), y));
    loss.backward();
    opt.step();
    loss.dispose();
  }
}

const snapshot = (m: Sequential) => m.parameters().map((p) => Array.from(p.dataSyncCpu()));

describe('optimiser state', () => {
  it('saving and loading the state resumes the same trajectory', () => {
    T.manualSeed(11);
    const make = () => new Sequential(new Linear(5, 7), new Tanh(), new Linear(7, 3));
    const a = make();
    const x = T.randn([6, 5]);
    const y = tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' });
    const optA = new AdamW(a.parameters(), { lr: 0.05, weightDecay: 0.1 });
    trainSteps(a, optA, x, y, 5);
    // Clone model and optimiser state into fresh objects, then continue both.
    const b = make();
    b.loadStateDict(a.stateDict());
    const optB = new AdamW(b.parameters(), { lr: 0.5 });
    const sd = optA.stateDict();
    expect(Object.keys(sd.state)).toHaveLength(4);
    expect(sd.state[0]!.step).toBe(5);
    expect(sd.paramGroups[0]!.params).toEqual([0, 1, 2, 3]);
    optB.loadStateDict(sd);
    for (const s of Object.values(sd.state))
      for (const v of Object.values(s)) if (typeof v === 'object') v.dispose();
    expect(optB.paramGroups[0]!.lr).toBe(0.05);
    trainSteps(a, optA, x, y, 5);
    trainSteps(b, optB, x, y, 5);
    expect(snapshot(b)).toEqual(snapshot(a));
    for (const o of [optA, optB]) o.dispose();
    for (const m of [a, b]) m.dispose();
    for (const t of [x, y]) t.dispose();
  });

  it('a rejected state leaves the optimiser as it was (hyper-parameters, state, no tensors kept)', () => {
    const w1 = tensor([1, 2]).requiresGrad_();
    const w2 = tensor([3]).requiresGrad_();
    const opt = new AdamW([w1, w2], { lr: 0.1 });
    const loss = T.tidy(() => T.sum(T.add(T.mul(w1, w1), w2)));
    loss.backward();
    opt.step();
    const sd = opt.stateDict();
    sd.paramGroups[0]!.lr = 99;
    const wrong = tensor([0, 0, 0]);
    const [key] = Object.keys(sd.state[1]!).filter((k) => typeof sd.state[1]![k] === 'object');
    (sd.state[1]![key!] as Tensor).dispose();
    sd.state[1]![key!] = wrong;
    const before = T.memory().tensors;
    expect(() => opt.loadStateDict(sd)).toThrow(/loadStateDict.*has shape \[3\], the parameter \[1\]/);
    expect(T.memory().tensors).toBe(before);
    expect(opt.paramGroups[0]!.lr).toBe(0.1);
    const after = opt.stateDict();
    expect(Object.keys(after.state)).toHaveLength(2);
    for (const d of [sd, after])
      for (const st of Object.values(d.state))
        for (const v of Object.values(st)) if (typeof v === 'object') v.dispose();
    opt.dispose();
    for (const t of [w1, w2, loss]) t.dispose();
  });

  it('parameter groups keep their own learning rates; addParamGroup extends', () => {
    const w1 = tensor([1]).requiresGrad_();
    const w2 = tensor([1]).requiresGrad_();
    const w3 = tensor([1]).requiresGrad_();
    const opt = new SGD([{ params: [w1], lr: 0.5 }, { params: [w2] }], { lr: 0.1 });
    opt.addParamGroup({ params: [w3], lr: 1 });
    const loss = T.tidy(() => T.sum(T.add(T.add(w1, w2), w3)));
    loss.backward();
    opt.step();
    expect([w1, w2, w3].map((w) => w.dataSyncCpu()[0])).toEqual([0.5, Math.fround(0.9), 0]);
    expect(() => new SGD([{ params: [w1] }, { params: [w1] }], { lr: 1 })).toThrow(/more than one group/);
    expect(() => opt.addParamGroup({ params: [w2] })).toThrow(/SGD: .*more than one group/);
    expect(opt.paramGroups).toHaveLength(3);
    expect(() => new SGD([w1], { lr: 0.1, nesterov: true })).toThrow(
      /Nesterov momentum requires momentum > 0/,
    );
    for (const t of [w1, w2, w3, loss]) t.dispose();
  });

  it('skips parameters without gradients (frozen or unused)', () => {
    const used = tensor([2]).requiresGrad_();
    const unused = tensor([3]).requiresGrad_();
    const opt = new AdamW([used, unused], { lr: 0.1 });
    const loss = T.mul(used, used);
    loss.backward();
    opt.step();
    expect(unused.dataSyncCpu()[0]).toBe(3);
    expect(used.dataSyncCpu()[0]).not.toBe(2);
    for (const t of [used, unused, loss]) t.dispose();
    opt.dispose();
  });
});

describe('schedulers', () => {
  const group = () => ({ paramGroups: [{ lr: 1 }, { lr: 0.1 }] });
  it('StepLR, CosineAnnealingLR and LambdaLR follow their formulas from each group’s initial lr', () => {
    const s = new StepLR(group(), 2, 0.5);
    const seen = [s.getLastLr()];
    for (let i = 0; i < 4; i++) {
      s.step();
      seen.push(s.getLastLr());
    }
    expect(seen.map((v) => v[0])).toEqual([1, 1, 0.5, 0.5, 0.25]);
    expect(seen[4]![1]).toBeCloseTo(0.025, 15);
    const c = new CosineAnnealingLR(group(), 4, 0.1);
    c.step();
    c.step();
    expect(c.getLastLr()[0]).toBeCloseTo(0.55, 15);
    const l = new LambdaLR(group(), warmupCosine(2, 6));
    const lrs = [l.getLastLr()[0]];
    for (let i = 0; i < 6; i++) {
      l.step();
      lrs.push(l.getLastLr()[0]);
    }
    expect(lrs[0]).toBe(0.5);
    expect(lrs[1]).toBe(1);
    expect(lrs[2]).toBe(1);
    expect(lrs[4]).toBeCloseTo(0.5, 15);
    expect(lrs[6]).toBeCloseTo(0, 15);
    const saved = l.stateDict();
    const l2 = new LambdaLR(group(), warmupCosine(2, 6));
    l2.loadStateDict(saved);
    expect(l2.getLastLr()).toEqual(l.getLastLr());
  });

  it('LinearLR refuses settings that would give a NaN or negative lr, naming the argument', () => {
    expect(() => new LinearLR(group(), 0.5, 1, 0)).toThrow(
      /LinearLR.*totalIters must be a positive integer, got 0/,
    );
    expect(() => new LinearLR(group(), 0.5, 1, 2.5)).toThrow(/totalIters/);
    expect(() => new LinearLR(group(), 0.5, -1, 3)).toThrow(
      /LinearLR.*endFactor must lie in \[0, 1\], got -1/,
    );
    const ok = new LinearLR(group(), 0.5, 1, 2);
    ok.step();
    expect(ok.getLastLr()[0]).toBeCloseTo(0.75, 15);
  });
});

describe('clipping', () => {
  it('clipGradNorm_ scales jointly to maxNorm and returns the norm before clipping', () => {
    const a = tensor([3]).requiresGrad_();
    const b = tensor([4]).requiresGrad_();
    const loss = T.tidy(() => T.add(T.mul(a, a), T.mul(b, b))); // grads 6 and 8, norm 10
    loss.backward();
    const norm = clipGradNorm_([a, b], 5)!;
    expect(norm.itemSyncCpu()).toBe(10);
    expect(a.grad!.itemSyncCpu()).toBeCloseTo(3, 5);
    expect(b.grad!.itemSyncCpu()).toBeCloseTo(4, 5);
    const small = clipGradNorm_([a, b], 100)!;
    expect(a.grad!.itemSyncCpu()).toBeCloseTo(3, 5);
    const inf = clipGradNorm_([a, b], 1, Number.POSITIVE_INFINITY)!;
    expect(inf.itemSyncCpu()).toBeCloseTo(4, 5);
    expect(b.grad!.itemSyncCpu()).toBeCloseTo(1, 5);
    clipGradValue_([a, b], 0.5);
    expect(a.grad!.itemSyncCpu()).toBe(0.5);
    expect(clipGradNorm_([tensor([1])], 1)).toBeNull();
    for (const t of [a, b, loss, norm, small, inf]) t.dispose();
  });
});
