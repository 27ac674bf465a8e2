/**
 * The hook through which autograd (a separate package) sees every primitive op. `tensor` never imports
 * autograd: autograd installs a recorder here, and each primitive reports itself after it has run. The
 * primitives and the attributes each reports are typed once, in ./primitives.ts.
 */
import type { Primitive, PrimitiveAttrs } from './primitives.js';
import type { Tensor } from './tensor.js';

/**
 * One primitive op as reported to the recorder: its name, inputs, attributes and output. A union over the
 * primitives, so checking `op` narrows `attrs`.
 */
export type OpRecord<P extends Primitive = Primitive> = {
  [Q in P]: {
    readonly op: Q;
    readonly inputs: readonly Tensor[];
    readonly attrs: PrimitiveAttrs[Q];
    readonly output: Tensor;
  };
}[P];

/** Receives every primitive op as it runs (autograd installs one). */
export type OpRecorder = (record: OpRecord) => void;

let recorder: OpRecorder | null = null;
let paused = 0;

/** Installs (or with null, removes) the recorder. Returns the previous one. */
export function setOpRecorder(r: OpRecorder | null): OpRecorder | null {
  const prev = recorder;
  recorder = r;
  return prev;
}

/** Reports a primitive that has run. Called by the front-end ops only. */
export function record<P extends Primitive>(
  op: P,
  inputs: readonly Tensor[],
  attrs: PrimitiveAttrs[P],
  output: Tensor,
): void {
  // (TypeScript cannot correlate op and attrs through the generic: the signature above has checked the pair.)
  if (recorder !== null && paused === 0) recorder({ op, inputs, attrs, output } as OpRecord);
}

/**
 * Runs fn without reporting its ops: composites use this for values that are constants to the maths, such
 * as the max subtracted inside softmax for stability (softmax is shift-invariant, so it has no gradient).
 */
export function untracked<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}
