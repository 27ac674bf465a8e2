/**
 * Reverse-mode accumulation: walk the tape (the reachable nodes in reverse execution order), give each node's
 * VJP rule the gradient of its output, and add the results into the gradients of its inputs — a parent node's
 * pending gradient, or a leaf's `.grad`. Saved tensors are disposed as soon as their node has run (unless
 * retainGraph), and intermediate gradients as soon as they have been passed on, so the peak is about one
 * layer's worth of temporaries beyond the forward's saved tensors.
 */
import {
  add,
  cast,
  DisposedError,
  keep,
  onesLike,
  type Primitive,
  sameShape,
  type Tensor,
  tidy,
  untracked,
} from '@norga/tensor';
import { describe, GradError } from '../errors.js';
import { consume, freeSaved, leaves, type Node, type NodeOf, producers, requiresGradOf } from './graph.js';
import { versionOf } from './version.js';

/** Options of backward: the seed `gradient` (required for a non-scalar root) and `retainGraph`. */
export interface BackwardOptions {
  /** dL/d(root); required when the root has more than one element. Not consumed: the caller still owns it. */
  gradient?: Tensor;
  /** Keep the saved tensors so that backward can run through this graph again. */
  retainGraph?: boolean;
}

/** Where leaf gradients go: into `.grad` (backward) or into a map of chosen leaves (grad / valueAndGrad). */
type Sink = { kind: 'leaves' } | { kind: 'targets'; grads: Map<Tensor, Tensor | null> };

/** Backpropagates from root into the `.grad` of every leaf it depends on (the method is t.backward()). */
export function backward(root: Tensor, options: BackwardOptions = {}): void {
  run('backward', root, options, { kind: 'leaves' });
}

/** @internal The shared walk; `grad` and `valueAndGrad` use a 'targets' sink. */
export function run(op: string, root: Tensor, options: BackwardOptions, sink: Sink): void {
  if (root.isDisposed) throw new DisposedError(op, `the root ${describe(root)} was disposed`);
  if (!requiresGradOf(root)) {
    throw new GradError(
      op,
      `the root ${describe(root)} does not require grad: none of the ops that made it had an input requiring grad ` +
        '(mark leaves with requiresGrad_(), and do not compute the loss under noGrad); int and bool results never do',
    );
  }
  const rootNode = producers.get(root);
  // The tape is checked (a freed graph, an op without a rule) before the seed exists, so a refusal leaks nothing.
  const tape = rootNode === undefined ? [] : reachable(op, rootNode);
  const seed = untracked(() => seedGradient(op, root, options.gradient));
  if (rootNode === undefined) {
    deliver(root, seed, sink);
    return;
  }
  const retain = options.retainGraph === true;
  const pending = new Map<Node, Tensor>([[rootNode, seed]]);
  try {
    untracked(() => {
      for (const node of tape) {
        const g = pending.get(node);
        pending.delete(node);
        if (g !== undefined) step(op, node, g, pending, sink);
        if (!retain) freeSaved(node);
      }
    });
  } finally {
    for (const g of pending.values()) g.dispose();
    if (!retain) for (const node of tape) consume(node);
  }
}

function seedGradient(op: string, root: Tensor, gradient: Tensor | undefined): Tensor {
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new GradError(
        op,
        `a gradient can be implied only for a one-element root, got ${describe(root)}: pass {gradient}`,
      );
    }
    return onesLike(root);
  }
  if (!sameShape(gradient.shape, root.shape) || gradient.dtype !== root.dtype) {
    throw new GradError(op, `gradient ${describe(gradient)} must match the root ${describe(root)}`);
  }
  return gradient.share();
}

/** The nodes reachable from the root, latest first: the tape in reverse. */
function reachable(op: string, root: Node): Node[] {
  const seen = new Set<Node>();
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    if (n.consumed) {
      throw new GradError(
        op,
        `backward through the graph a second time (at '${n.op}' -> ${describe({ shape: n.outShape, dtype: n.outDType })}): ` +
          'its saved tensors were freed by the first backward; pass {retainGraph: true} to that one',
      );
    }
    if (n.rule === undefined) {
      throw new GradError(
        op,
        `no gradient rule for op '${n.op}' (output ${describe({ shape: n.outShape, dtype: n.outDType })})`,
      );
    }
    seen.add(n);
    for (const p of n.parents) if (p !== null && !seen.has(p)) stack.push(p);
  }
  return [...seen].sort((a, b) => b.id - a.id);
}

/** Runs one node's rule and routes the input gradients. Owns g, also when it throws. */
function step(op: string, node: Node, g: Tensor, pending: Map<Node, Tensor>, sink: Sink): void {
  try {
    const saved = node.saved ?? [];
    saved.forEach((t, i) => {
      if (t !== null && versionOf(t) !== node.savedVersions[i]) {
        throw new GradError(
          op,
          `a tensor ${describe(t)} saved by '${node.op}' was modified in place (assign_, e.g. an optimiser step) after the forward; ` +
            'run backward before stepping the optimiser',
        );
      }
    });
    const grads = tidy(() => runRule(node, g, saved));
    const owned = new Set<Tensor>();
    for (let i = 0; i < grads.length; i++) {
      let gi = grads[i];
      if (!gi || !node.needs[i]) {
        if (gi && gi !== g && !owned.has(gi)) gi.dispose();
        continue;
      }
      // One tensor may be returned for several inputs (add gives g to both): give each its own handle.
      if (gi === g || owned.has(gi)) gi = gi.share();
      owned.add(gi);
      if (!sameShape(gi.shape, node.inputShapes[i]!)) {
        throw new GradError(
          op,
          `internal: the '${node.op}' rule gave input ${i} a gradient of shape [${gi.shape}] for an input of shape [${node.inputShapes[i]}]`,
        );
      }
      if (gi.dtype !== node.inputDTypes[i]) {
        const c = cast(gi, node.inputDTypes[i]!);
        gi.dispose();
        gi = c;
      }
      const parent = node.parents[i];
      if (parent) {
        const prev = pending.get(parent);
        pending.set(parent, prev === undefined ? gi : sum2(prev, gi));
      } else {
        deliver(node.inputs[i]!, gi, sink);
      }
    }
  } finally {
    g.dispose();
  }
}

/**
 * The node's rule applied to g. Generic over the node's primitive P: its rule and attributes are P's, so the
 * rule gets the attributes its op recorded, typed.
 */
function runRule<P extends Primitive>(
  node: NodeOf<P>,
  g: Tensor,
  saved: readonly (Tensor | null)[],
): (Tensor | null)[] {
  return node.rule!.backward(g, saved, {
    attrs: node.attrs,
    needs: node.needs,
    inputShapes: node.inputShapes,
    inputDTypes: node.inputDTypes,
    outShape: node.outShape,
    outDType: node.outDType,
  });
}

/** Adds a gradient into a leaf. Owns g. */
function deliver(leaf: Tensor, g: Tensor, sink: Sink): void {
  if (sink.kind === 'targets') {
    if (!sink.grads.has(leaf)) {
      g.dispose();
      return;
    }
    const prev = sink.grads.get(leaf) ?? null;
    sink.grads.set(leaf, prev === null ? g : sum2(prev, g));
    return;
  }
  const state = leaves.get(leaf);
  if (!state?.requiresGrad || leaf.isDisposed) {
    g.dispose();
    return;
  }
  // keep(): a gradient outlives any tidy scope that backward() was called in.
  state.grad = keep(state.grad === null ? g : sum2(state.grad, g));
}

function sum2(a: Tensor, b: Tensor): Tensor {
  const s = untracked(() => add(a, b));
  a.dispose();
  b.dispose();
  return s;
}
