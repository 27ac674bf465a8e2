/**
 * The attention head as an explicit mixture of experts, written term by term in float64 loops (the paper's
 * Section 3 view), as the reference the tensor implementation is tested against:
 *
 *   token experts   f_j(X)     = W_V^T x_j               score s_ij     = x_i^T W_Q W_K^T x_j / sqrt(d)   (quadratic)
 *   prefix experts  f_{N+j}(X) = p_j^V                   score s_i,N+j  = (W_Q^T x_i) · p_j^K / sqrt(d)   (linear)
 *   NoRGa rewrites only the prefix scores: s' = s + alpha·sigma(tau·s); one softmax over all N + L experts.
 *
 * Weights use timm's layout: qkv.weight [3D, D] (rows: query, key, value), qkv.bias [3D], proj.weight [D, D].
 */

export interface AttentionWeights {
  dim: number;
  heads: number;
  qkvWeight: ArrayLike<number>;
  qkvBias: ArrayLike<number>;
  projWeight: ArrayLike<number>;
  projBias: ArrayLike<number>;
}

/** y = W x + b for W [out, in] row-major, starting at row `row0`. */
function affine(
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  x: ArrayLike<number>,
  row0: number,
  rows: number,
  inDim: number,
): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = b[row0 + r] as number;
    for (let c = 0; c < inDim; c++) s += (w[(row0 + r) * inDim + c] as number) * (x[c] as number);
    y[r] = s;
  }
  return y;
}

export interface MixtureResult {
  /** [N, D] attention output (after the output projection). */
  out: Float64Array;
  /** Gating probabilities per head, query, expert: [H][N][L + N]; prefix experts first. */
  gates: Float64Array[][];
}

/**
 * One sample: x [N, D] row-major, prefix keys/values [L, D] (head h uses columns h·dh ... (h+1)·dh).
 * `score` maps a prefix score to its gated score (identity for prefix tuning).
 */
export function explicitMixture(
  w: AttentionWeights,
  x: ArrayLike<number>,
  n: number,
  prefixKey: ArrayLike<number>,
  prefixValue: ArrayLike<number>,
  l: number,
  score: (s: number) => number,
): MixtureResult {
  const D = w.dim;
  const H = w.heads;
  const dh = D / H;
  const rowOf = (a: ArrayLike<number>, i: number) =>
    Array.from({ length: D }, (_, c) => a[i * D + c] as number);
  const q = Array.from({ length: n }, (_, i) => affine(w.qkvWeight, w.qkvBias, rowOf(x, i), 0, D, D));
  const k = Array.from({ length: n }, (_, i) => affine(w.qkvWeight, w.qkvBias, rowOf(x, i), D, D, D));
  // The token experts: f_j(X) = W_V^T x_j (+ bias), linear in the token.
  const v = Array.from({ length: n }, (_, i) => affine(w.qkvWeight, w.qkvBias, rowOf(x, i), 2 * D, D, D));
  const concat = Array.from({ length: n }, () => new Float64Array(D));
  const gates: Float64Array[][] = [];
  for (let h = 0; h < H; h++) {
    const perQuery: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const s = new Float64Array(l + n);
      for (let j = 0; j < l; j++) {
        let dot = 0;
        for (let c = 0; c < dh; c++)
          dot += (q[i] as Float64Array)[h * dh + c]! * (prefixKey[j * D + h * dh + c] as number);
        s[j] = score(dot / Math.sqrt(dh));
      }
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let c = 0; c < dh; c++)
          dot += (q[i] as Float64Array)[h * dh + c]! * (k[j] as Float64Array)[h * dh + c]!;
        s[l + j] = dot / Math.sqrt(dh);
      }
      let max = Number.NEGATIVE_INFINITY;
      for (const e of s) max = Math.max(max, e);
      let z = 0;
      for (let e = 0; e < s.length; e++) {
        s[e] = Math.exp((s[e] as number) - max);
        z += s[e] as number;
      }
      for (let e = 0; e < s.length; e++) s[e] = (s[e] as number) / z;
      perQuery.push(s);
      // Mixture: sum over experts of gate · expert output.
      for (let c = 0; c < dh; c++) {
        let acc = 0;
        for (let j = 0; j < l; j++) acc += (s[j] as number) * (prefixValue[j * D + h * dh + c] as number);
        for (let j = 0; j < n; j++) acc += (s[l + j] as number) * (v[j] as Float64Array)[h * dh + c]!;
        (concat[i] as Float64Array)[h * dh + c] = acc;
      }
    }
    gates.push(perQuery);
  }
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++)
    out.set(affine(w.projWeight, w.projBias, concat[i] as Float64Array, 0, D, D), i * D);
  return { out, gates };
}
