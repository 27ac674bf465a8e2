/**
 * Where each fit starts. The theorem is about the global least-squares minimiser; a gradient method finds a local
 * one. Starting near the truth ('near': every parameter perturbed by N(0, scale²), a fixed scale that does not
 * shrink with n) measures the statistics of the minimiser in the truth's basin, as the MoE literature's
 * simulations do. 'random' starts (parameters N(0, 1), weights equal) show what optimisation adds on top.
 *
 * With more fitted atoms than true ones (the over-specified variant) the extra atoms are copies of true atoms
 * (round robin) whose weights share the true weight: exp(β_0) split evenly, so the start's cell masses are right
 * and only the positions inside a crowded cell are off, the case whose slow rate the theorem is about.
 */
import type { Rng } from '../rng.js';
import type { Atom } from './model.js';

/** How a fit starts (see the file's header). */
export type InitKind = 'near' | 'random';

/** k starting atoms for a fit of `truth`: perturbed true atoms (`near`, N(0, scale²)) or random ones. */
export function initialAtoms(truth: Atom[], k: number, kind: InitKind, scale: number, rng: Rng): Atom[] {
  const dim = truth[0]?.beta1.length ?? 0;
  if (kind === 'random') {
    return Array.from({ length: k }, () => ({
      beta1: Array.from({ length: dim }, () => rng.normal()),
      beta0: 0,
      a: Array.from({ length: dim }, () => rng.normal()),
      b: rng.normal(),
    }));
  }
  const owner = Array.from({ length: k }, (_, i) => i % truth.length);
  const copies = truth.map((_, j) => owner.filter((o) => o === j).length);
  const jitter = (v: number) => v + scale * rng.normal();
  return owner.map((j) => {
    const t = truth[j] as Atom;
    return {
      beta1: t.beta1.map(jitter),
      beta0: jitter(t.beta0 - Math.log(copies[j] as number)),
      a: t.a.map(jitter),
      b: jitter(t.b),
    };
  });
}
