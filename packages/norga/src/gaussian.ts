/**
 * Per-class Gaussian statistics of features and sampling from them: the replay that HiDe-Prompt uses to realign
 * classifiers without storing any image. Everything here is float64 on plain arrays; feature dimensions are small
 * (the backbone's width), so a d×d Cholesky per class is cheap.
 */
import type { Rng } from './rng.js';

/** The ridge HiDe-Prompt adds to every class covariance so it stays positive definite. */
export const COVARIANCE_RIDGE = 1e-4;

/** One class's Gaussian N(μ, Σ) of features of width d. */
export interface ClassGaussian {
  /** d, the feature width. */
  dim: number;
  /** μ, [d]. */
  mean: Float64Array;
  /** Row-major d×d covariance (unbiased, n - 1, like torch.cov) plus ridge·I. */
  cov: Float64Array;
  /** How many feature vectors the statistics came from. */
  count: number;
}

/** Mean and covariance (+ ridge·I) of n feature rows of length d, stored row-major in `features`. */
export function classStatistics(
  features: ArrayLike<number>,
  n: number,
  d: number,
  ridge = COVARIANCE_RIDGE,
): ClassGaussian {
  if (features.length !== n * d)
    throw new RangeError(`classStatistics: ${features.length} values is not ${n}×${d}`);
  if (n < 2) throw new RangeError(`classStatistics: a covariance needs at least 2 samples, got ${n}`);
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) + (features[r * d + c] as number);
  for (let c = 0; c < d; c++) mean[c] = (mean[c] as number) / n;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) centred[c] = (features[r * d + c] as number) - (mean[c] as number);
    for (let a = 0; a < d; a++) {
      const ca = centred[a] as number;
      for (let b = a; b < d; b++) cov[a * d + b] = (cov[a * d + b] as number) + ca * (centred[b] as number);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = (cov[a * d + b] as number) / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
    cov[a * d + a] = (cov[a * d + a] as number) + ridge;
  }
  return { dim: d, mean, cov, count: n };
}

/** Lower-triangular L with L·Lᵀ = A for a symmetric positive-definite row-major d×d matrix A. */
export function cholesky(a: ArrayLike<number>, d: number): Float64Array {
  if (a.length !== d * d) throw new RangeError(`cholesky: ${a.length} values is not ${d}×${d}`);
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * d + k] as number) * (l[j * d + k] as number);
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i} = ${s})`);
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / (l[j * d + j] as number);
      }
    }
  }
  return l;
}

/** Rows of `feats` [n, D] whose label is c. */
function rowsOfClass(
  feats: Float32Array,
  labels: Int32Array,
  c: number,
  dim: number,
): { data: Float32Array; n: number } {
  let n = 0;
  for (const l of labels) if (l === c) n++;
  const data = new Float32Array(n * dim);
  let k = 0;
  labels.forEach((l, i) => {
    if (l === c) data.set(feats.subarray(i * dim, (i + 1) * dim), k++ * dim);
  });
  return { data, n };
}

/** The Gaussian (classStatistics) of each class in `classes`, from the rows of `feats` [n, D] with that label. */
export function classGaussians(
  feats: Float32Array,
  labels: Int32Array,
  classes: readonly number[],
  dim: number,
): Map<number, ClassGaussian> {
  const out = new Map<number, ClassGaussian>();
  for (const c of classes) {
    const { data, n } = rowsOfClass(feats, labels, c, dim);
    out.set(c, classStatistics(data, n, dim));
  }
  return out;
}

/** A sampler that draws rows x = mean + L·z, z ~ N(0, I). The factor is computed once. */
export class GaussianSampler {
  readonly dim: number;
  private readonly mean: Float64Array;
  private readonly factor: Float64Array;

  constructor(g: ClassGaussian) {
    this.dim = g.dim;
    this.mean = g.mean;
    this.factor = cholesky(g.cov, g.dim);
  }

  /** `count` samples as a row-major count×d array, written at `out[offset...]` when given. */
  sample(
    count: number,
    rng: Rng,
    out?: Float32Array | Float64Array,
    offset = 0,
  ): Float32Array | Float64Array {
    const d = this.dim;
    const dst = out ?? new Float64Array(count * d);
    const z = new Float64Array(d);
    for (let r = 0; r < count; r++) {
      for (let k = 0; k < d; k++) z[k] = rng.normal();
      const base = offset + r * d;
      for (let i = 0; i < d; i++) {
        let v = this.mean[i] as number;
        for (let k = 0; k <= i; k++) v += (this.factor[i * d + k] as number) * (z[k] as number);
        dst[base + i] = v;
      }
    }
    return dst;
  }
}

/** Serialisable form for checkpoints (numbers, not typed arrays). */
export interface ClassGaussianJson {
  dim: number;
  count: number;
  mean: number[];
  cov: number[];
}

/** A ClassGaussian as JSON-safe numbers (for checkpoints). */
export function gaussianToJson(g: ClassGaussian): ClassGaussianJson {
  return { dim: g.dim, count: g.count, mean: Array.from(g.mean), cov: Array.from(g.cov) };
}

/** The inverse of gaussianToJson. */
export function gaussianFromJson(j: ClassGaussianJson): ClassGaussian {
  return { dim: j.dim, count: j.count, mean: Float64Array.from(j.mean), cov: Float64Array.from(j.cov) };
}
