import { tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { PrefixExperts } from '../src/experts.js';
import { Gate, norgaScore } from '../src/gates.js';
import { Rng } from '../src/rng.js';

const vals = (t: { dataSyncCpu(): ArrayLike<number> }) => Array.from(t.dataSyncCpu());

describe('prefix experts', () => {
  it('task 0 is uniform(-1, 1) and seeded; task t starts as an independent copy of task t-1', () => {
    const e = new PrefixExperts([0, 2], 3, 4);
    e.addTask(new Rng(1));
    const k0 = vals(e.key(0, 0));
    expect(k0.length).toBe(12);
    expect(k0.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(new Set(k0).size).toBe(12);
    const again = new PrefixExperts([0, 2], 3, 4);
    again.addTask(new Rng(1));
    expect(vals(again.key(0, 0))).toEqual(k0);
    e.addTask(new Rng(99));
    expect(vals(e.key(1, 2))).toEqual(vals(e.key(0, 2)));
    expect(vals(e.value(1, 0))).toEqual(vals(e.value(0, 0)));
    e.key(0, 0).dispose();
    expect(vals(e.key(1, 0))).toEqual(k0);
    expect(e.taskParameters(1).map(([n]) => n)).toEqual([
      'prefix.1.0.key',
      'prefix.1.0.value',
      'prefix.1.2.key',
      'prefix.1.2.value',
    ]);
  });

  it('prompt-ensemble momentum: (1-m)·P_t + m·mean(P_<t), in training and when the task is stored', () => {
    const e = new PrefixExperts([0], 1, 2);
    // Three tasks with hand-set prefixes: keys (1,2), (3,4), (10,20), values their negatives.
    const keys = [
      [1, 2],
      [3, 4],
      [10, 20],
    ];
    e.load(3, (name) => {
      const [, t, , what] = name.split('.');
      const k = keys[Number(t)] as number[];
      return tensor([what === 'key' ? k : k.map((x) => -x)], { dtype: 'float32' });
    });
    const p = e.training(2, 0.5).get(0);
    // mean of previous = (2, 3); 0.5·(10, 20) + 0.5·(2, 3) = (6, 11.5)
    expect(p?.key.shape).toEqual([1, 1, 2]);
    expect(vals(p?.key as never)).toEqual([6, 11.5]);
    expect(vals(p?.value as never)).toEqual([-6, -11.5]);
    expect(vals(e.training(0, 0.5).get(0)?.key as never)).toEqual([1, 2]);
    e.finishTask(2, 0.5);
    expect(vals(e.key(2, 0))).toEqual([6, 11.5]);
    expect(vals(e.value(2, 0))).toEqual([-6, -11.5]);
  });

  it('per-sample prefixes follow each sample task id', () => {
    const e = new PrefixExperts([1], 1, 2);
    const keys = [
      [1, 2],
      [3, 4],
    ];
    e.load(2, (name) => tensor([keys[Number(name.split('.')[1])] as number[]], { dtype: 'float32' }));
    const p = e.perSample(tensor([1, 0, 1], { dtype: 'int32' })).get(1);
    expect(p?.key.shape).toEqual([3, 1, 2]);
    expect(vals(p?.key as never)).toEqual([3, 4, 1, 2, 3, 4]);
  });
});

describe('gates', () => {
  it('NoRGa scores by hand for each sigma, with alpha = tau = 1 at init', () => {
    const s = tensor([-1, 0, 0.5], { dtype: 'float64' });
    const a = tensor([0.5], { dtype: 'float64' });
    const t = tensor([2], { dtype: 'float64' });
    const tanhOut = vals(norgaScore('tanh', s, a, t));
    for (const [i, x] of [-1, 0, 0.5].entries())
      expect(tanhOut[i]).toBeCloseTo(x + 0.5 * Math.tanh(2 * x), 12);
    const sigOut = vals(norgaScore('sigmoid', s, a, t));
    for (const [i, x] of [-1, 0, 0.5].entries())
      expect(sigOut[i]).toBeCloseTo(x + 0.5 / (1 + Math.exp(-2 * x)), 12);
    // gelu(z) = z·Φ(z); Φ(-2) = 0.022750131948179, Φ(1) = 0.841344746068543
    const gOut = vals(norgaScore('gelu', s, a, t));
    expect(gOut[0]).toBeCloseTo(-1 + 0.5 * -2 * 0.022750131948179, 10);
    expect(gOut[1]).toBeCloseTo(0, 12);
    expect(gOut[2]).toBeCloseTo(0.5 + 0.5 * 1 * 0.841344746068543, 10);

    const g = new Gate('tanh', [0, 1], 'float64');
    expect(g.parameters().map(([n]) => n)).toEqual([
      'gate.alpha.0',
      'gate.alpha.1',
      'gate.tau.0',
      'gate.tau.1',
    ]);
    expect(vals(g.score(s, 1))[2]).toBeCloseTo(0.5 + Math.tanh(0.5), 12);
    expect(() => g.score(s, 3)).toThrow(/layer 3 is not a prompted layer/);
    const lin = new Gate('linear', [0]);
    expect(lin.parameters()).toEqual([]);
    expect(lin.score(s, 0)).toBe(s);
  });
});
