/**
 * Scaled dot-product attention: softmax(q @ kᵀ · scale) @ v over a batch of heads, as
 * torch.nn.functional.scaled_dot_product_attention without a mask or dropout. The composite below defines the
 * semantics on every backend; a backend may run it as one fused kernel instead (Backend.attention: the CPU
 * backend's WebAssembly tier does, one task per run of heads with the head's scores kept in cache). Reported to
 * autograd as one op, 'attention', carrying the probabilities, so the backward is the closed form.
 */
import { record, untracked } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { fused, requireFloat } from './elementwise.js';
import { arg } from './fluent.js';
import { div, mul } from './math.js';
import { matmul } from './matmul.js';
import { softmax } from './nn.js';
import { max, sum } from './reduce.js';
import { commonBackend, empty } from './util.js';
import { transpose } from './views.js';

function checkShapes(q: Tensor, k: Tensor, v: Tensor): void {
  const shapes = `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`;
  if (q.rank < 2 || k.rank !== q.rank || v.rank !== q.rank) {
    throw new ShapeError('attention', `q, k and v need the same rank, at least 2: ${shapes}`);
  }
  const r = q.rank;
  const batchDiffers = q.shape.slice(0, -2).some((d, i) => d !== k.shape[i] || d !== v.shape[i]);
  if (batchDiffers) throw new ShapeError('attention', `batch dims differ (no broadcasting): ${shapes}`);
  if (k.shape[r - 1] !== q.shape[r - 1])
    throw new ShapeError('attention', `q and k need the same last dim: ${shapes}`);
  if (v.shape[r - 2] !== k.shape[r - 2])
    throw new ShapeError('attention', `k and v need the same number of keys (dim -2): ${shapes}`);
  if (q.dtype !== k.dtype || q.dtype !== v.dtype) {
    throw new DTypeError('attention', `dtypes differ: q ${q.dtype}, k ${k.dtype}, v ${v.dtype} (${shapes})`);
  }
}

/** exp((s - m) · scale): a positive scale commutes with the row max, so the scores need no scaled copy. */
export const SCALED_EXP = (scale: number, dtype: DType) => arg(0, dtype).sub(arg(1)).mul(scale).exp().expr;

/**
 * probs = softmax(q @ kᵀ · scale), out = probs @ v, op by op (the definition). With a positive scale the
 * softmax runs as exp((s - max s) · scale) / sum, the steps and order of the CPU's fused kernel (row max,
 * shifted scaled exp, row sum, divide), so whether the fused kernel applies (it has size limits) never changes
 * the numbers.
 */
function composite(q: Tensor, k: Tensor, v: Tensor, scale: number): [Tensor, Tensor] {
  if (scale > 0) {
    const kt = transpose(k);
    const s = matmul(q, kt);
    kt.dispose();
    const m = max(s, -1, true);
    const e = fused(SCALED_EXP(scale, s.dtype), [s, m]);
    const sums = sum(e, -1, true);
    const probs = div(e, sums);
    for (const t of [s, m, e, sums]) t.dispose();
    return [matmul(probs, v), probs];
  }
  const raw = matmul(q, transpose(k));
  const logits = scale === 1 ? raw : mul(raw, scale);
  if (logits !== raw) raw.dispose();
  const probs = softmax(logits, -1);
  logits.dispose();
  return [matmul(probs, v), probs];
}

/**
 * softmax(q @ kᵀ · scale, -1) @ v for q [..., Lq, D], k [..., Lk, D], v [..., Lk, Dv] with equal batch dims;
 * returns [..., Lq, Dv]. `scale` defaults to 1/sqrt(D), as PyTorch's.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, scale?: number): Tensor {
  const backend = commonBackend('attention', q, k, v);
  requireFloat('attention', q);
  checkShapes(q, k, v);
  const r = q.rank;
  const s = scale ?? 1 / Math.sqrt(q.shape[r - 1]!);
  if (!Number.isFinite(s)) throw new ShapeError('attention', `scale must be finite, got ${s}`);
  const [out, probs] = untracked((): [Tensor, Tensor] => {
    if (backend.attention !== undefined) {
      const batch = q.shape.slice(0, -2);
      const o = empty(backend, q.dtype, [...batch, q.shape[r - 2]!, v.shape[r - 1]!]);
      const p = empty(backend, q.dtype, [...batch, q.shape[r - 2]!, k.shape[r - 2]!]);
      if (backend.attention(q, k, v, s, o, p)) return [o, p];
      o.dispose();
      p.dispose();
    }
    return composite(q, k, v, s);
  });
  try {
    // The probabilities travel in attrs so that the rule saves them instead of recomputing them.
    record('attention', [q, k, v], { scale: s, probs }, out);
  } finally {
    probs.dispose();
  }
  return out;
}
