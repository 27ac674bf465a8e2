/**
 * Data from the ground truth: x uniform on [−1, 1]^d (the theory assumes a bounded input space), y = f_G*(x) + ε
 * with ε ~ N(0, σ²) independent of x. Seeded with the package's Rng, so a (seed, n, replication) triple always
 * yields the same sample, and every gate at a given (n, replication) sees the same x and ε (common random numbers:
 * differences between gates are then differences of the gates, not of the draws).
 */
import { noGrad } from '@norga/autograd';
import { type Tensor, tensor } from '@norga/tensor';
import type { Rng } from '../rng.js';
import { type Mixture, mixtureForward, prefixTensors, pretrainedPart } from './model.js';

/** n noisy observations of a mixture's regression function. */
export interface Sample {
  n: number;
  dim: number;
  /** [n·d] row-major inputs. */
  x: Float64Array;
  /** Noisy responses. */
  y: Float64Array;
  /** The noiseless f_G*(x). */
  f: Float64Array;
}

/** n inputs of dimension d, uniform on [−1, 1]^d, row-major. */
export function sampleInputs(n: number, dim: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n * dim }, () => rng.uniformIn(-1, 1));
}

/** f_G(x) for row-major inputs, evaluated with the engine (float64). */
export function evaluateMixture(mixture: Mixture, x: Float64Array): Float64Array {
  const n = x.length / mixture.dim;
  return noGrad(() => {
    const xt = tensor(x, { shape: [n, mixture.dim], dtype: 'float64' });
    const fixed = pretrainedPart(xt, mixture.pretrained);
    const p = prefixTensors(mixture.prefix, mixture.dim);
    const f = mixtureForward(xt, fixed, p, mixture.gate, mixture.expert);
    const out = f.dataSyncCpu() as Float64Array;
    const all: Tensor[] = [xt, fixed.scores, fixed.outputs, p.beta1, p.beta0, p.a, p.b, f];
    for (const t of all) t.dispose();
    return Float64Array.from(out);
  });
}

/** n observations y = f_G(x) + ε, x uniform on [−1, 1]^d, ε ~ N(0, noiseStd²). */
export function generateSample(mixture: Mixture, n: number, noiseStd: number, rng: Rng): Sample {
  const x = sampleInputs(n, mixture.dim, rng);
  const f = evaluateMixture(mixture, x);
  const y = f.map((v) => v + noiseStd * rng.normal());
  return { n, dim: mixture.dim, x, y, f };
}
