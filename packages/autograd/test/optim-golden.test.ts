/**
 * Optimiser trajectories against PyTorch (fixtures/golden-optim.json): the same MLP (Linear-GELU-Linear-Tanh-
 * Linear), the same data, 20 steps of each optimiser / scheduler / clipping configuration; every parameter
 * must equal PyTorch's after every step (atol 1e-5), and the loss and learning rate too.
 */
import { readFileSync } from 'node:fs';
import * as T from '@norga/tensor';
import { type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  clipGradNorm_,
  crossEntropy,
  GELU,
  Linear,
  LinearLR,
  type LRScheduler,
  liveNodeCount,
  type Optimizer,
  Sequential,
  SGD,
  StepLR,
  Tanh,
} from '../src/index.js';

interface Enc {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: number[];
}
interface Run {
  name: string;
  config: Record<string, unknown> & { opt: string; lr: number };
  steps: { loss: number; lr: number; params: Record<string, number[]> }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/golden-optim.json', import.meta.url), 'utf8'),
) as {
  model: { sizes: number[]; params: Record<string, Enc> };
  data: { x: Enc; y: Enc };
  runs: Run[];
};

function buildModel(): Sequential {
  const [a, b, c, d] = fixture.model.sizes as [number, number, number, number];
  const model = new Sequential(new Linear(a, b), new GELU(), new Linear(b, c), new Tanh(), new Linear(c, d));
  const sd: Record<string, Tensor> = {};
  for (const [k, e] of Object.entries(fixture.model.params)) sd[k] = tensor(e.data, { shape: e.shape });
  model.loadStateDict(sd);
  for (const t of Object.values(sd)) t.dispose();
  return model;
}

function makeOptimizer(model: Sequential, cfg: Run['config']): Optimizer<{ lr: number }> {
  const c = cfg as unknown as Record<string, never>;
  const params = cfg.groups
    ? (() => {
        const named = model.namedParameters();
        const first = named.filter(([n]) => n.startsWith('0.')).map(([, p]) => p);
        const rest = named.filter(([n]) => !n.startsWith('0.')).map(([, p]) => p);
        return [{ params: first, lr: 0.03 }, { params: rest }];
      })()
    : model.parameters();
  if (cfg.opt === 'sgd') {
    return new SGD(params, {
      lr: cfg.lr,
      momentum: c.momentum ?? 0,
      dampening: c.dampening ?? 0,
      weightDecay: c.weight_decay ?? 0,
      nesterov: c.nesterov ?? false,
    }) as unknown as Optimizer<{ lr: number }>;
  }
  const options = {
    lr: cfg.lr,
    ...(c.betas ? { betas: c.betas as [number, number] } : {}),
    ...(c.weight_decay !== undefined ? { weightDecay: c.weight_decay as number } : {}),
    amsgrad: (c.amsgrad as boolean | undefined) ?? false,
  };
  return (cfg.opt === 'adam'
    ? new Adam(params, options)
    : new AdamW(params, options)) as unknown as Optimizer<{ lr: number }>;
}

function makeScheduler(opt: Optimizer<{ lr: number }>, sched: unknown): LRScheduler | null {
  if (!Array.isArray(sched)) return null;
  const [kind, a, b, c] = sched as [string, number, number, number];
  if (kind === 'step') return new StepLR(opt, a, b);
  if (kind === 'cosine') return new CosineAnnealingLR(opt, a, b);
  return new LinearLR(opt, a, b, c);
}

describe('optimiser trajectories match PyTorch after every step (atol 1e-5)', () => {
  for (const run of fixture.runs) {
    it(run.name, () => {
      const before = T.memory();
      const nodes = liveNodeCount();
      const model = buildModel();
      const opt = makeOptimizer(model, run.config);
      const sched = makeScheduler(opt, run.config.sched);
      const x = tensor(fixture.data.x.data, { shape: fixture.data.x.shape });
      const y = tensor(fixture.data.y.data, { shape: fixture.data.y.shape, dtype: 'int32' });
      const named = Object.fromEntries(model.namedParameters());
      run.steps.forEach((want, step) => {
        expect(opt.paramGroups[0]!.lr, `lr at step ${step}`).toBeCloseTo(want.lr, 12);
        opt.zeroGrad();
        const loss = T.tidy(() =>
          crossEntropy(model.forward(x), y, { labelSmoothing: (run.config.label_smoothing as number) ?? 0 }),
        );
        loss.backward();
        if (run.config.clip !== undefined)
          clipGradNorm_(model.parameters(), run.config.clip as number)?.dispose();
        opt.step();
        sched?.step();
        expect(Math.abs(loss.itemSyncCpu() - want.loss), `loss at step ${step}`).toBeLessThan(1e-5);
        loss.dispose();
        for (const [name, data] of Object.entries(want.params)) {
          const got = named[name]!.dataSyncCpu();
          for (let i = 0; i < data.length; i++) {
            if (!(Math.abs(got[i]! - data[i]!) <= 1e-5))
              expect.fail(`step ${step} ${name}[${i}]: got ${got[i]}, PyTorch ${data[i]}`);
          }
        }
      });
      opt.dispose();
      model.dispose();
      x.dispose();
      y.dispose();
      const after = T.memory();
      expect({ tensors: after.tensors, bytes: after.bytesInUse, nodes: liveNodeCount() }).toEqual({
        tensors: before.tensors,
        bytes: before.bytesInUse,
        nodes,
      });
    });
  }
});
