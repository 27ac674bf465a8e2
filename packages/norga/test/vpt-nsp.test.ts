/**
 * VPT-NSP: the adaptive null-space threshold on hand-computed eigenvalues, the projection's orthogonality to a known
 * subspace, an optimiser step whose update stays in the null space, and a two-task run of the learner on a random
 * tiny ViT (backbone and first-task head rows bit-identical, statistics and projections made, per-sample
 * predictions, the state round trip).
 */
import { backward, gradOf, requiresGrad_ } from '@norga/autograd';
import { setBackend, type Tensor, tensor } from '@norga/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHOD_SPECS } from '../src/config.js';
import { Rng } from '../src/rng.js';
import { ProjectedAdam, VPT_NSP_SETTINGS, VptNspLearner } from '../src/vpt-nsp.js';
import {
  gaussianSmooth,
  nullSpaceProjection,
  nullSpaceStart,
  uncentredCovariance,
} from '../src/vpt-nsp-projection.js';
import { randomTinyBackbone, TINY_LEARNER_CONFIG, tinySplitMnist } from './helpers/tiny.js';

const rows = async (t: Tensor) => Array.from((await t.data()) as ArrayLike<number>);

beforeAll(async () => {
  await setBackend('cpu');
});

/** A random orthonormal basis of R^n (Gram–Schmidt on Gaussian vectors): columns of the row-major [n, n]. */
function orthonormal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i]! * q[i * n + k]!;
      for (let i = 0; i < n; i++) v[i]! -= dot * q[i * n + k]!;
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + j] = v[i]! / norm;
  }
  return q;
}

/** U·diag(values)·Uᵀ for the orthonormal columns U [n, n]. */
function withEigenvalues(u: Float64Array, values: number[]): Float64Array {
  const n = values.length;
  const c = new Float64Array(n * n);
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) c[i * n + j]! += values[k]! * u[i * n + k]! * u[j * n + k]!;
  return c;
}

describe('the null space: threshold and projection', () => {
  it('puts the elbow after the largest second difference (the official rule), worked by hand', () => {
    // s = 10, 9, 1, 0.5, 0.4: second differences 10−18+1 = −7, 9−2+0.5 = 7.5, 1−1+0.4 = 0.4 → elbow at 1, the
    // null space from index 2 on (1, 0.5, 0.4).
    expect(nullSpaceStart([10, 9, 1, 0.5, 0.4])).toBe(2);
    // 5, 4, 3, 0.2, 0.1: 5−8+3 = 0, 4−6+0.2 = −1.8, 3−0.4+0.1 = 2.7 → elbow at 2, null space 3 and 4.
    expect(nullSpaceStart([5, 4, 3, 0.2, 0.1])).toBe(3);
    // A value equal to the threshold stays on the kept side: 6, 1, 1, 1 → d² 5, 0 → elbow 0, threshold 1, the
    // largest index with s ≥ 1 is 3: only the last direction is null.
    expect(nullSpaceStart([6, 1, 1, 1])).toBe(3);
    expect(() => nullSpaceStart([1, 0])).toThrow('at least 3');
  });

  it("smooths as scipy's gaussian_filter1d (reflected edges), worked by hand", () => {
    // σ = 0.5: radius int(4·0.5 + 0.5) = 2, weights e^(−2k²) = 1, 0.135335, 0.000335 (sum 1.271341).
    const y = gaussianSmooth([0, 0, 1, 0, 0], 0.5);
    expect(y[2]).toBeCloseTo(1 / 1.271341, 6);
    expect(y[1]).toBeCloseTo(0.135335 / 1.271341, 6);
    expect(y[0]).toBeCloseTo(0.000335 / 1.271341, 6);
    // reflection: at the left edge x[-1] = x[0] and x[-2] = x[1]
    const e = gaussianSmooth([1, 0, 0, 0, 0], 0.5);
    expect(e[0]).toBeCloseTo((1 + 0.135335) / 1.271341, 6);
    // a constant stays constant, a line stays a line away from the edges
    expect(gaussianSmooth(Array(50).fill(3), 10).every((v) => Math.abs(v - 3) < 1e-12)).toBe(true);
    const line = gaussianSmooth(
      Array.from({ length: 200 }, (_, i) => 2 * i),
      10,
    );
    for (let i = 40; i < 160; i++) expect(line[i]).toBeCloseTo(2 * i, 9);
  });

  it('from 128 values on (ViT-B widths) the smoothed elbow never cuts into a block of large eigenvalues', () => {
    // 40 eigenvalues near 10, then 110 small ones: the null space starts after the step, within 3σ of it.
    const s = Array.from({ length: 150 }, (_, i) => (i < 40 ? 10 - 0.01 * i : 0.001 * (1 - i / 150)));
    const start = nullSpaceStart(s);
    expect(start).toBeGreaterThanOrEqual(40);
    expect(start).toBeLessThan(70);
  });

  it('with η = 1 projects every row onto the orthogonal complement of the large-eigenvalue subspace', async () => {
    const n = 8;
    const u = orthonormal(n, new Rng(4));
    // Eigenvalues 5, 4, 3 then small ones: the elbow is at 2, the null space the last 5 eigenvectors.
    const values = [5, 4, 3, 0.005, 0.004, 0.003, 0.002, 0.001];
    const p = await nullSpaceProjection(withEigenvalues(u, values), n, 1);
    const rng = new Rng(9);
    const delta = Array.from({ length: 3 * n }, () => rng.normal());
    for (let r = 0; r < 3; r++) {
      const projected = Array.from({ length: n }, (_, j) =>
        delta.slice(r * n, (r + 1) * n).reduce((s, x, i) => s + x * p[i * n + j]!, 0),
      );
      // ⊥ the kept eigenvectors (columns 0..2 of u) within float32 rounding of the eigenvectors
      for (let k = 0; k < 3; k++) {
        const dot = projected.reduce((s, x, i) => s + x * u[i * n + k]!, 0);
        expect(Math.abs(dot)).toBeLessThan(1e-6);
      }
      // and, in the null space, the update scaled by 1/‖B‖_F = 1/√5 (the official normalisation)
      for (let k = 3; k < n; k++) {
        const dotIn = delta.slice(r * n, (r + 1) * n).reduce((s, x, i) => s + x * u[i * n + k]!, 0);
        const dotOut = projected.reduce((s, x, i) => s + x * u[i * n + k]!, 0);
        expect(dotOut).toBeCloseTo(dotIn / Math.sqrt(5), 5);
      }
    }
    // η < 1 adds (1 − η)·I: the diagonal of P(0.97) is that of P(1) · 0.97 + 0.03.
    const soft = await nullSpaceProjection(withEigenvalues(u, values), n, 0.97);
    for (let i = 0; i < n; i++) expect(soft[i * n + i]).toBeCloseTo(0.97 * p[i * n + i]! + 0.03, 6);
  });

  it('a projected Adam step changes the prompt only orthogonally to the stored queries (η = 1)', async () => {
    const M = 4;
    const D = 8;
    const rng = new Rng(12);
    // Stored queries: rows √(8λ_k)·u_k of an orthonormal basis, λ = 5, 4, 3 and five small ones, so their covariance
    // has those eigenvalues (elbow at 2: the null space is u₃..u₇); checked against random mixtures of u₀..u₂.
    const u = orthonormal(D, rng);
    const col = (k: number) => Array.from({ length: D }, (_, i) => u[i * D + k]!);
    const stored = [5, 4, 3, 0.005, 0.004, 0.003, 0.002, 0.001].map((l, k) =>
      col(k).map((x) => Math.sqrt(8 * l) * x),
    );
    const qCov = await rows(uncentredCovariance(tensor(stored)));
    const queries = Array.from({ length: 20 }, () => {
      const c = [rng.normal(), rng.normal(), rng.normal()];
      return Array.from(
        { length: D },
        (_, j) => c[0]! * col(0)[j]! + c[1]! * col(1)[j]! + c[2]! * col(2)[j]!,
      );
    });
    const attn = Array.from({ length: 40 }, () => [0.4, 0.3, 0.2, 0.1].map((x) => x * (1 + rng.uniform())));
    const aCov = await rows(uncentredCovariance(tensor(attn)));
    const features = await nullSpaceProjection(Float64Array.from(qCov), D, 1);
    const tokens = await nullSpaceProjection(Float64Array.from(aCov), M, 1);
    const prompt = requiresGrad_(
      tensor(
        Float32Array.from({ length: M * D }, () => rng.normal()),
        { shape: [1, M, D] },
      ),
    );
    const before = await rows(prompt);
    const projections = new Map([
      [
        prompt,
        {
          features: tensor(Float32Array.from(features), { shape: [D, D] }),
          tokens: tensor(Float32Array.from(tokens), { shape: [M, M] }),
        },
      ],
    ]);
    const opt = new ProjectedAdam([prompt], { lr: 0.1 }, projections);
    backward(
      prompt
        .mul(
          tensor(
            Float32Array.from({ length: M * D }, () => rng.normal()),
            { shape: [1, M, D] },
          ),
        )
        .sum(),
    );
    expect(gradOf(prompt)).not.toBeNull();
    opt.step();
    const after = await rows(prompt);
    const change = after.map((x, i) => x - before[i]!);
    const size = Math.hypot(...change);
    expect(size).toBeGreaterThan(1e-3);
    // Every stored query is ⊥ every row of the change (relative to their norms; float32 steps).
    for (const q of queries) {
      const qn = Math.hypot(...q);
      for (let m = 0; m < M; m++) {
        const dot = q.reduce((s, x, j) => s + x * change[m * D + j]!, 0);
        expect(Math.abs(dot) / (qn * size)).toBeLessThan(1e-4);
      }
    }
    opt.dispose();
  });
});

describe('VPT-NSP learner, two tasks on a random tiny ViT', () => {
  it('keeps the backbone and the first task head rows bit-identical, builds the null space, predicts per sample', async () => {
    const backbone = randomTinyBackbone(5);
    const data = tinySplitMnist(2, 8, 4);
    const snapshot = async () => {
      const out: number[][] = [];
      for (const p of backbone.model.params.values()) out.push(await rows(p));
      return out;
    };
    const before = await snapshot();
    const learner = new VptNspLearner(
      METHOD_SPECS['vpt-nsp'],
      TINY_LEARNER_CONFIG,
      backbone,
      data.numClasses,
      1,
    );
    const [t0, t1] = data.tasks as [(typeof data.tasks)[0], (typeof data.tasks)[0]];
    await learner.trainTask(0, data.train, t0.train, t0.classes, t0.classes);
    for (const space of learner.spaces.values()) {
      expect(space.projection).toBeDefined();
      expect(space.features.some((x) => x !== 0)).toBe(true);
    }
    const D = backbone.dim;
    const w = async () => rows(learner.head.head.weight);
    const firstW = await w();
    const firstPrompt = await rows(learner.prompts.get(0)!);
    await learner.trainTask(1, data.train, t1.train, t1.classes, [...t0.classes, ...t1.classes]);
    expect(await snapshot()).toEqual(before);
    const wNow = await w();
    for (const c of t0.classes)
      expect(wNow.slice(c * D, (c + 1) * D)).toEqual(firstW.slice(c * D, (c + 1) * D));
    expect(await rows(learner.prompts.get(0)!)).not.toEqual(firstPrompt);

    const seen = [...t0.classes, ...t1.classes];
    const test = Int32Array.from([...t0.test, ...t1.test]);
    const none = new Int32Array(test.length);
    const together = await learner.predict(data.test, test, none, seen, 64);
    expect(await learner.predict(data.test, test, none, seen, 3)).toEqual(together);
    const reversed = await learner.predict(data.test, test.slice().reverse(), none, seen, 7);
    expect(Array.from(reversed).reverse()).toEqual(Array.from(together));

    const state = JSON.parse(JSON.stringify(await learner.state()));
    const other = new VptNspLearner(
      METHOD_SPECS['vpt-nsp'],
      TINY_LEARNER_CONFIG,
      backbone,
      data.numClasses,
      9,
    );
    other.load(state);
    expect(await other.predict(data.test, test, none, seen)).toEqual(together);
    expect(other.spaces.get(2)!.projection!.features).toEqual(learner.spaces.get(2)!.projection!.features);
    expect(learner.trainableParameters()).toBe(backbone.depth * VPT_NSP_SETTINGS.length * D + (D + 1) * 10);
    const mass = await learner.prefixMass(data.test, t0.test);
    expect(mass).toHaveLength(backbone.depth);
    expect(mass.every((m) => m > 0 && m < 1)).toBe(true);
    other.dispose();
    learner.dispose();
    backbone.dispose();
  });
});
