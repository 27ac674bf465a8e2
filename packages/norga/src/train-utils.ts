/** Small training helpers shared by the stages. */
import { gradOf, noGrad, setGrad } from '@norga/autograd';
import { type Tensor, tidy } from '@norga/tensor';

/**
 * Scales the gradients of `params` so that their joint L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_,
 * with its 1e-6 in the denominator). Returns the norm before clipping. maxNorm <= 0 disables clipping.
 */
export async function clipGradNorm(params: readonly Tensor[], maxNorm: number): Promise<number> {
  const grads = params.map((p) => gradOf(p)).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  const sq = tidy(() => noGrad(() => grads.map((g) => g.square().sum()).reduce((a, b) => a.add(b))));
  const norm = Math.sqrt(await sq.item());
  sq.dispose();
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    noGrad(() => {
      for (const p of params) {
        const g = gradOf(p);
        if (g) setGrad(p, g.mul(scale));
      }
    });
  }
  return norm;
}
