/** Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_. */
import {
  abs,
  add,
  clamp,
  div,
  keep,
  max,
  minimum,
  mul,
  pow,
  stack,
  sum,
  type Tensor,
  tidy,
} from '@norga/tensor';
import { gradOf, setGrad } from '../engine/leaf.js';
import { noGrad } from '../engine/mode.js';

/**
 * Scales all gradients together so that their joint norm is at most maxNorm:
 * g ← g · min(1, maxNorm / (‖g‖ + 1e-6)). Computed on the device without a read. Returns the total norm
 * before clipping (a 0-d tensor for the caller to dispose), or null when no parameter has a gradient.
 */
export function clipGradNorm_(params: readonly Tensor[], maxNorm: number, normType = 2): Tensor | null {
  const grads = params.flatMap((p) => {
    const g = gradOf(p);
    return g === null ? [] : [[p, g] as const];
  });
  if (grads.length === 0) return null;
  return noGrad(() =>
    tidy(() => {
      let total: Tensor;
      if (normType === Number.POSITIVE_INFINITY) {
        total = max(stack(grads.map(([, g]) => max(abs(g)))));
      } else {
        const parts = grads.map(([, g]) => sum(pow(abs(g), normType)));
        total = pow(sum(stack(parts)), 1 / normType);
      }
      const coef = minimum(div(maxNorm, add(total, 1e-6)), 1);
      for (const [p, g] of grads) setGrad(p, mul(g, coef));
      return keep(total);
    }),
  );
}

/** Clamps every gradient element into [-clipValue, clipValue]. */
export function clipGradValue_(params: readonly Tensor[], clipValue: number): void {
  noGrad(() => {
    for (const p of params) {
      const g = gradOf(p);
      if (g !== null) setGrad(p, clamp(g, -clipValue, clipValue));
    }
  });
}
