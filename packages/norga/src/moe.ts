/**
 * The paper's central idea, written out: one attention head with prefixes IS a mixture of experts. For query
 * token i, every token j is an expert and every prefix row j is one more, and the softmax of the attention is
 * the gate that mixes them (the paper's Section 3 view):
 *
 *   token experts   f_j(X)     = W_V^T x_j               score s_ij     = x_i^T W_Q W_K^T x_j / sqrt(d)   (quadratic)
 *   prefix experts  f_{N+j}(X) = p_j^V                   score s_i,N+j  = (W_Q^T x_i) · p_j^K / sqrt(d)   (linear)
 *   NoRGa rewrites only the prefix scores: s' = s + alpha·sigma(tau·s); one softmax over all N + L experts.
 *
 * Prefix tuning's prefix experts have linear scores, which the paper shows are sample-inefficient to estimate;
 * NoRGa's non-linear residual gate is what improves that. Everything here is plain float64 loops, term by term,
 * so it can be read beside the equations; test/moe.test.ts checks that @norga/vit's `attention` (the code that
 * trains) computes exactly this. Weights use timm's layout: qkv.weight [3D, D] (rows: query, key, value),
 * qkv.bias [3D], proj.weight [D, D].
 */

/** One attention layer's weights as flat row-major arrays, in timm's layout. */
export interface AttentionWeights {
  /** D, the model width. */
  dim: number;
  /** H; each head sees d = D / H columns. */
  heads: number;
  /** The query, key and value weights stacked, 3D × D: the rows of W_Q, then W_K, then W_V (each applied as W x). */
  qkvWeight: ArrayLike<number>;
  /** The query, key and value biases, 3D values. */
  qkvBias: ArrayLike<number>;
  /** The output projection, D × D. */
  projWeight: ArrayLike<number>;
  /** The output projection's bias, D values. */
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

/** What explicitMixture returns. */
export interface MixtureResult {
  /** [N, D] attention output (after the output projection). */
  out: Float64Array;
  /** Gating probabilities per head, query, expert: [H][N][L + N]; prefix experts first. */
  gates: Float64Array[][];
}

/**
 * The attention output of one sample as the explicit mixture: x [N, D] row-major (n tokens), prefix keys and
 * values [L, D] (l rows; head h uses columns h·d … (h+1)·d − 1). `score` maps a prefix expert's linear score
 * to its gated score (the identity for prefix tuning; s + α·σ(τ·s) for NoRGa). Returns the output and every
 * head's gating probabilities.
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
