/**
 * The autograd graph's bookkeeping: which tensor handles are leaves that require gradients, which were
 * produced by a recorded op (their Node), and each node's lifetime.
 *
 * Nodes are numbered in execution order, so the reachable nodes sorted by id descending are exactly the tape
 * walked backwards. A node keeps the tensors its VJP rule saved (as `share()`d handles) until backward has used
 * them or until nothing can reach the node any more, whichever comes first. "Can reach" is counted: a node is
 * referenced by its output handle while that handle is alive, and by each not-yet-consumed child node. When the
 * count drops to zero the saved tensors are disposed, so forward passes that never see `backward()` (evaluation
 * without `noGrad`) do not leak either.
 */
import type { DType, Primitive, PrimitiveAttrs, Tensor } from '@norga/tensor';
import type { VjpRule } from '../rules/rule.js';

/**
 * A recorded op of primitive P: its attributes and gradient rule are P's (typed by tensor's PrimitiveAttrs and
 * autograd's RuleTable), so a rule reads the attributes its op recorded without a cast.
 */
export interface NodeOf<P extends Primitive> {
  readonly id: number;
  readonly op: P;
  readonly attrs: PrimitiveAttrs[P];
  /** undefined for an op that has no gradient rule: backward through it is an error naming the op. */
  readonly rule: VjpRule<P> | undefined;
  /** The producer of each input (null: a leaf or a constant). */
  parents: (Node | null)[];
  /** The input handles (identities only: leaves are looked up by handle; values are in `saved`). */
  inputs: (Tensor | null)[];
  /** Whether each input wants a gradient. */
  readonly needs: readonly boolean[];
  readonly inputShapes: readonly (readonly number[])[];
  readonly inputDTypes: readonly DType[];
  readonly outShape: readonly number[];
  readonly outDType: DType;
  /** Tensors the rule saved, in the rule's own order; null once disposed. */
  saved: (Tensor | null)[] | null;
  /** The storage version of each saved tensor when it was saved (see version.ts). */
  readonly savedVersions: readonly number[];
  /** Live references: the output handle (while not disposed) plus unconsumed children. */
  refs: number;
  /** Set when backward ran through this node without retainGraph: its saved tensors are gone. */
  consumed: boolean;
}

/** A node of whichever primitive (the engine's graph walks hold these; code for one primitive P uses NodeOf<P>). */
export type Node = NodeOf<Primitive>;

let nextId = 0;
export const takeNodeId = (): number => nextId++;

/** Leaves that require gradients, with their accumulated gradient. */
export interface LeafState {
  requiresGrad: boolean;
  grad: Tensor | null;
}
export const leaves = new WeakMap<Tensor, LeafState>();
/** The node that produced a handle. */
export const producers = new WeakMap<Tensor, Node>();

const live = new Set<Node>();
/** Number of nodes still holding saved tensors or reachable from a live output (for leak tests). */
export const liveNodeCount = (): number => live.size;
export const trackNode = (n: Node): void => {
  live.add(n);
};

/** Whether gradients flow out of this handle. */
export function requiresGradOf(t: Tensor): boolean {
  return producers.has(t) || leaves.get(t)?.requiresGrad === true;
}

/** Disposes the tensors a node saved (idempotent). */
export function freeSaved(n: Node): void {
  if (n.saved === null) return;
  for (const s of n.saved) s?.dispose();
  n.saved = null;
}

/** Drops one reference; at zero the node's saved tensors go and its parents lose a reference in turn. */
export function unref(n: Node): void {
  // Iterative, because a long chain of nodes would overflow the stack if released recursively.
  const stack = [n];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (--cur.refs > 0) continue;
    freeSaved(cur);
    live.delete(cur);
    for (const p of cur.parents) if (p !== null) stack.push(p);
    cur.parents = [];
    cur.inputs = [];
  }
}

/** After backward without retainGraph: the node no longer needs its parents or its saved tensors. */
export function consume(n: Node): void {
  if (n.consumed) return;
  n.consumed = true;
  freeSaved(n);
  const parents = n.parents;
  n.parents = parents.map(() => null);
  n.inputs = n.inputs.map(() => null);
  for (const p of parents) if (p !== null) unref(p);
}
