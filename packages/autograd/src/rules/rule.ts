/**
 * The shape of a vector-Jacobian product rule. One rule per primitive op of `@norga/tensor` (the list, with
 * each primitive's attributes, is its src/primitives.ts). Composites written as one expression
 * (gelu, sigmoid, relu, ...) are recorded as a single 'fused' op and differentiated through that expression
 * (elementwise.ts); softmax, logSoftmax, layerNorm and attention are recorded as one op each with a closed-form
 * rule (nn.ts); other composites (mean, linear, ...) are recorded as the primitives they are made of.
 *
 * A rule is written with ordinary tensor ops, so gradients run on whatever backend the forward ran on. The
 * engine calls `backward` with recording paused and inside a `tidy`, so a rule may create temporaries freely:
 * whatever it does not return is disposed.
 */
import type { DType, Primitive, PrimitiveAttrs, Tensor } from '@norga/tensor';
import { GradError } from '../errors.js';

/** What a rule sees when saving: the op's inputs, attributes and output. */
export interface SaveContext<P extends Primitive = Primitive> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: PrimitiveAttrs[P];
  /** Whether each input wants a gradient: save only what those gradients need. */
  readonly needs: readonly boolean[];
}

/** What a rule sees in backward: the saved tensors, attributes and which inputs need gradients. */
export interface BackwardContext<P extends Primitive = Primitive> {
  readonly attrs: PrimitiveAttrs[P];
  readonly needs: readonly boolean[];
  readonly inputShapes: readonly (readonly number[])[];
  readonly inputDTypes: readonly DType[];
  readonly outShape: readonly number[];
  readonly outDType: DType;
}

/**
 * The gradient rule of primitive P: what to save in the forward, and the vector-Jacobian product. Its contexts
 * carry P's attributes, typed. (Methods, not function properties: a rule for one primitive is then usable
 * where the engine holds a rule for any, which it looks up by the recorded op's own name.)
 */
export interface VjpRule<P extends Primitive = Primitive> {
  /** The tensors backward will need, taken at record time (the engine keeps its own handles on them). */
  save?(ctx: SaveContext<P>): (Tensor | null)[];
  /**
   * Given g = dL/d(output), returns dL/d(input) for each input, shaped like that input (null where the input
   * needs no gradient or has none, such as an index). May return g itself.
   */
  backward(g: Tensor, saved: readonly (Tensor | null)[], ctx: BackwardContext<P>): (Tensor | null)[];
}

/** A table of rules for the primitives P: a mapped type, so a primitive without a rule does not compile. */
export type RuleTable<P extends Primitive> = { readonly [Q in P]: VjpRule<Q> };

/** The saved tensor at position i, which the rule's own `save` put there. */
export function at(saved: readonly (Tensor | null)[], i: number, op: string): Tensor {
  const t = saved[i];
  if (!t) throw new GradError(op, `internal: backward needs saved tensor #${i}, which was not saved`);
  return t;
}
