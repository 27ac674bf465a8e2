/**
 * Functional gradients, as in JAX: `grad(f)(x, y)` returns df/dx and df/dy without touching any `.grad`.
 * The chosen arguments are replaced by fresh leaf handles for the call, so f sees ordinary tensors.
 */
import { isFloat, type Tensor, untracked, zerosLike } from '@norga/tensor';
import { assertFunction, describe, GradError } from '../errors.js';
import { run } from './backward.js';
import { leaves, requiresGradOf } from './graph.js';

/** Which arguments grad and valueAndGrad differentiate with respect to. */
export interface GradOptions {
  /** Which arguments to differentiate with respect to (default: every tensor argument). */
  argnums?: number | readonly number[];
}

const isTensor = (v: unknown): v is Tensor =>
  typeof v === 'object' && v !== null && (v as { __isTensor?: boolean }).__isTensor === true;

/**
 * f's value and its gradients with respect to the chosen arguments (one per argnum, in order). An argument
 * the value does not depend on gets zeros. The value is the caller's to dispose.
 */
export function valueAndGrad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  options: GradOptions = {},
): (...args: A) => [Tensor, Tensor[]] {
  assertFunction('valueAndGrad', f);
  return (...args: A) => {
    const argnums =
      options.argnums === undefined
        ? args.flatMap((a, i) => (isTensor(a) ? [i] : []))
        : typeof options.argnums === 'number'
          ? [options.argnums]
          : [...options.argnums];
    const call = [...args] as A;
    const fresh: Tensor[] = [];
    const targets = new Map<Tensor, Tensor | null>();
    let value: Tensor | undefined;
    let ok = false;
    try {
      for (const i of argnums) {
        const a = args[i];
        if (!isTensor(a)) throw new GradError('grad', `argument ${i} is not a tensor`);
        if (!isFloat(a.dtype))
          throw new GradError(
            'grad',
            `argument ${i} ${describe(a)} is not differentiable: only float tensors are`,
          );
        const leaf = a.share();
        leaves.set(leaf, { requiresGrad: true, grad: null });
        fresh.push(leaf);
        targets.set(leaf, null);
        call[i] = leaf;
      }
      value = f(...call);
      if (!isTensor(value)) throw new GradError('grad', 'f must return a tensor');
      if (!isFloat(value.dtype))
        throw new GradError('grad', `f returned ${describe(value)}; only float results are differentiable`);
      if (requiresGradOf(value)) run('grad', value, {}, { kind: 'targets', grads: targets });
      else if (value.size !== 1)
        throw new GradError('grad', `f must return a one-element tensor, got ${describe(value)}`);
      // f may return an argument itself: hand back a handle that survives the leaves' disposal below.
      if (fresh.includes(value)) value = value.share();
      const grads = fresh.map((leaf) => targets.get(leaf) ?? untracked(() => zerosLike(leaf)));
      ok = true;
      return [value, grads];
    } finally {
      if (!ok) {
        // A rejected call hands nothing back: free f's value (unless it is an argument, the caller's or a
        // leaf disposed below) and whatever gradients the walk had made.
        if (isTensor(value) && !fresh.includes(value) && !args.includes(value)) value.dispose();
        for (const g of targets.values()) g?.dispose();
      }
      for (const leaf of fresh) leaf.dispose();
    }
  };
}

/** Gradients of f (which must return a one-element tensor) with respect to the chosen arguments. */
export function grad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  options: GradOptions = {},
): (...args: A) => Tensor[] {
  assertFunction('grad', f);
  const vg = valueAndGrad(f, options);
  return (...args: A) => {
    const [value, grads] = vg(...args);
    value.dispose();
    return grads;
  };
}
