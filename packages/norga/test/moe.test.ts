/**
 * The paper's identity: attention with prefixes is a mixture of experts. The ViT's attention (the code that
 * trains) is compared term by term with the explicit mixture of src/moe.ts, in float64, for prefix
 * tuning and for NoRGa with each sigma; NoRGa with alpha = 0 is prefix tuning; and the gradients of alpha, tau
 * and the prefixes pass central finite-difference checks.
 */
import { grad } from '@norga/autograd';
import { type Tensor, tensor } from '@norga/tensor';
import { attention } from '@norga/vit';
import { describe, expect, it } from 'vitest';
import { Gate } from '../src/gates.js';
import { explicitMixture } from '../src/moe.js';
import { Rng } from '../src/rng.js';

const D = 8;
const H = 2;
const N = 5;
const L = 3;

function randomArray(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal() * scale);
}

const rng = new Rng(2024);
const w = {
  dim: D,
  heads: H,
  qkvWeight: randomArray(rng, 3 * D * D, 0.4),
  qkvBias: randomArray(rng, 3 * D, 0.1),
  projWeight: randomArray(rng, D * D, 0.4),
  projBias: randomArray(rng, D, 0.1),
};
const x = randomArray(rng, N * D);
const pk = randomArray(rng, L * D);
const pv = randomArray(rng, L * D);

const f64 = (a: Float64Array, shape: number[]) => tensor(a, { shape, dtype: 'float64' });
const params = new Map<string, Tensor>([
  ['attn.qkv.weight', f64(w.qkvWeight, [3 * D, D])],
  ['attn.qkv.bias', f64(w.qkvBias, [3 * D])],
  ['attn.proj.weight', f64(w.projWeight, [D, D])],
  ['attn.proj.bias', f64(w.projBias, [D])],
]);
const lookup = (name: string) => params.get(name) as Tensor;

function vitAttention(
  key: Tensor,
  value: Tensor,
  score: (s: Tensor) => Tensor,
  onAttentionProbs?: (p: Tensor) => void,
): Tensor {
  return attention(f64(x, [1, N, D]), lookup, 'attn', {
    heads: H,
    layer: 0,
    prefix: { key, value },
    score: (s) => score(s),
    ...(onAttentionProbs ? { onAttentionProbs: (p: Tensor) => onAttentionProbs(p) } : {}),
  });
}

const sigmas = {
  tanh: Math.tanh,
  sigmoid: (z: number) => 1 / (1 + Math.exp(-z)),
  // exact GELU z·Φ(z), Φ via erf (Abramowitz–Stegun 7.1.26 is too coarse; use the series-free identity below)
  gelu: (z: number) => 0.5 * z * (1 + erf(z / Math.SQRT2)),
};

/** erf to ~1e-15 (a continued-fraction/series pair, as in Numerical Recipes' erfc). */
function erf(v: number): number {
  const z = Math.abs(v);
  let r: number;
  if (z < 2) {
    // Taylor series: erf(z) = 2/sqrt(pi) Σ (-1)^n z^(2n+1) / (n! (2n+1))
    let term = z;
    let sum = z;
    for (let n = 1; n < 60; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // Continued fraction for erfc(z)
    let f = 0;
    for (let n = 60; n >= 1; n--) f = n / 2 / (z + f);
    r = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  }
  return v < 0 ? -r : r;
}

describe('attention with prefixes is a mixture of experts (float64, term by term)', () => {
  const cases: [string, ((s: Tensor) => Tensor) | null, (s: number) => number][] = [
    ['prefix tuning (identity score)', null, (s) => s],
    ...(['tanh', 'sigmoid', 'gelu'] as const).map(
      (kind): [string, (s: Tensor) => Tensor, (s: number) => number] => {
        const gate = new Gate(kind, [0], 'float64');
        gate.alpha.set(0, tensor([0.7], { dtype: 'float64' }));
        gate.tau.set(0, tensor([1.3], { dtype: 'float64' }));
        return [
          `NoRGa ${kind}, alpha 0.7, tau 1.3`,
          (s: Tensor) => gate.score(s, 0),
          (s) => s + 0.7 * sigmas[kind](1.3 * s),
        ];
      },
    ),
  ];

  it.each(cases)(
    '%s: outputs and gating probabilities equal the explicit mixture',
    (_name, score, scalar) => {
      const ref = explicitMixture(w, x, N, pk, pv, L, scalar);
      let probs: number[] = [];
      const out = vitAttention(f64(pk, [1, L, D]), f64(pv, [1, L, D]), score ?? ((s) => s), (p) => {
        expect(p.shape).toEqual([1, H, N, L + N]);
        probs = Array.from(p.dataSyncCpu());
      });
      expect(out.shape).toEqual([1, N, D]);
      const got = out.dataSyncCpu();
      for (let i = 0; i < N * D; i++)
        expect(Math.abs((got[i] as number) - (ref.out[i] as number))).toBeLessThan(1e-12);
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < N; i++) {
          for (let e = 0; e < L + N; e++) {
            const want = (ref.gates[h] as Float64Array[])[i]?.[e] as number;
            expect(Math.abs((probs[(h * N + i) * (L + N) + e] as number) - want)).toBeLessThan(1e-13);
          }
        }
      }
    },
  );

  it('NoRGa with alpha = 0 is exactly prefix tuning, for every sigma', () => {
    const plain = vitAttention(f64(pk, [1, L, D]), f64(pv, [1, L, D]), (s) => s).dataSyncCpu();
    for (const kind of ['tanh', 'sigmoid', 'gelu'] as const) {
      const gate = new Gate(kind, [0], 'float64');
      gate.alpha.set(0, tensor([0], { dtype: 'float64' }));
      gate.tau.set(0, tensor([2.5], { dtype: 'float64' }));
      const gated = vitAttention(f64(pk, [1, L, D]), f64(pv, [1, L, D]), (s) =>
        gate.score(s, 0),
      ).dataSyncCpu();
      expect(Array.from(gated)).toEqual(Array.from(plain));
    }
  });
});

describe('finite-difference gradients of alpha, tau and the prefixes (float64)', () => {
  // loss = Σ out ⊙ R for a fixed random R, so every output element matters.
  const r = f64(randomArray(new Rng(7), N * D), [1, N, D]);

  it.each(['tanh', 'sigmoid', 'gelu'] as const)('%s gate', (kind) => {
    const loss = (alpha: Tensor, tau: Tensor, key: Tensor, value: Tensor) => {
      const gate = new Gate(kind, [0], 'float64');
      gate.alpha.set(0, alpha);
      gate.tau.set(0, tau);
      return vitAttention(key.reshape([1, L, D]), value.reshape([1, L, D]), (s) => gate.score(s, 0))
        .mul(r)
        .sum();
    };
    const args = [
      tensor([0.8], { dtype: 'float64' }),
      tensor([1.4], { dtype: 'float64' }),
      f64(pk, [L * D]),
      f64(pv, [L * D]),
    ];
    const grads = grad(loss, { argnums: [0, 1, 2, 3] })(...(args as [Tensor, Tensor, Tensor, Tensor]));
    const eps = 1e-6;
    args.forEach((a, k) => {
      const base = Float64Array.from(a.dataSyncCpu());
      const analytic = (grads[k] as Tensor).dataSyncCpu();
      for (let i = 0; i < base.length; i++) {
        const plus = Float64Array.from(base);
        const minus = Float64Array.from(base);
        plus[i] = (plus[i] as number) + eps;
        minus[i] = (minus[i] as number) - eps;
        const at = (arr: Float64Array) => {
          const inputs = args.map((t, j) => (j === k ? f64(arr, [...a.shape]) : t)) as [
            Tensor,
            Tensor,
            Tensor,
            Tensor,
          ];
          return loss(...inputs).itemSyncCpu();
        };
        const numeric = (at(plus) - at(minus)) / (2 * eps);
        // central differences in float64: error O(eps²) + rounding O(1e-16/eps) ≈ 1e-10
        expect(Math.abs((analytic[i] as number) - numeric)).toBeLessThan(
          1e-7 * Math.max(1, Math.abs(numeric)),
        );
      }
    });
  });
});
