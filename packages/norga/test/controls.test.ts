/**
 * The two controls of the comparison: norga-linear (s + α·τ·s) with α = 0 is prefix tuning exactly, and the joint
 * upper bound takes exactly the optimiser steps it is given (the continual run's total), with the head at lr × 1.
 */
import { full } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { METHOD_SPECS } from '../src/config.js';
import { Gate } from '../src/gates.js';
import { Learner } from '../src/learner.js';
import { Rng } from '../src/rng.js';
import { randomTinyBackbone, TINY_LEARNER_CONFIG, tinySplitMnist } from './helpers/tiny.js';

const cfg = { ...TINY_LEARNER_CONFIG, promptMomentum: 0.1 };
const backbone = randomTinyBackbone(5);
const data = tinySplitMnist(1, 20, 4);

describe('norga-linear', () => {
  it('with alpha = 0 gives the features of prefix tuning bit for bit; with alpha = tau = 1 it does not', async () => {
    const pt = new Learner(METHOD_SPECS['prefix-tuning'], cfg, backbone, 10, 1);
    const lin = new Learner(METHOD_SPECS['norga-linear'], cfg, backbone, 10, 1);
    pt.experts.addTask(new Rng(7));
    lin.experts.addTask(new Rng(7));
    const idx = data.tasks[0]?.test as Int32Array;
    const ids = new Int32Array(idx.length);
    const withDefault = await lin.features(data.test, idx, ids);
    for (const [name, t] of lin.gate.parameters()) {
      if (name.startsWith('gate.alpha')) {
        lin.gate.alpha.set(Number(name.split('.')[2]), full([1], 0));
        t.dispose();
      }
    }
    const a = await pt.features(data.test, idx, ids);
    const b = await lin.features(data.test, idx, ids);
    expect(Array.from(b)).toEqual(Array.from(a));
    // alpha = tau = 1 doubles the prefix scores: a different model.
    const diff = withDefault.reduce((m, v, k) => Math.max(m, Math.abs(v - (a[k] as number))), 0);
    expect(diff).toBeGreaterThan(1e-3);
    pt.dispose();
    lin.dispose();
  });

  it('its score function is s + alpha·tau·s', async () => {
    const g = new Gate('identity', [0]);
    const s = await g.score(full([3], 2), 0).data();
    expect(Array.from(s as Float32Array)).toEqual([4, 4, 4]); // 2 + 1·1·2
    g.dispose();
  });
});

describe('upper bound (joint)', () => {
  it('takes exactly the step budget, over as many epochs as it needs', async () => {
    const joint = new Learner(METHOD_SPECS['upper-bound'], cfg, backbone, 10, 1);
    // 40 images of every class: 3 steps an epoch at batch 16.
    const all = Int32Array.from(data.tasks.flatMap((t) => Array.from(t.train))).filter((_, k) => k % 5 === 0);
    const seen = data.tasks.flatMap((t) => t.classes);
    const steps: string[] = [];
    const report = (_p: string, _l: number, step: number, _s: number, epoch: number, epochs: number) => {
      steps.push(`${epoch}/${epochs}:${step}`);
    };
    await joint.trainTask(0, data.train, all, seen, seen, report, 5);
    expect(all.length).toBe(40);
    expect(steps).toEqual(['1/2:1', '1/2:2', '1/2:3', '2/2:1', '2/2:2']);
    joint.dispose();
  });
});
