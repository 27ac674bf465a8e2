/**
 * The recorder installed into `@norga/tensor`'s dispatch: every primitive op reports itself after it has run,
 * and an op whose output is a float and which has at least one input requiring a gradient becomes a Node.
 * Ops with integer or boolean outputs (argmax, comparisons, casts to int) are never recorded: nothing can
 * flow back through them, which is what makes them non-differentiable.
 */
import { isFloat, keep, type OpRecord, type Primitive, setOpRecorder } from '@norga/tensor';
import { isDifferentiable, RULES, type VjpRule } from '../rules/index.js';
import { type NodeOf, producers, requiresGradOf, takeNodeId, trackNode } from './graph.js';
import { isGradEnabled } from './mode.js';
import { versionOf } from './version.js';

function onOp(rec: OpRecord): void {
  if (!isGradEnabled() || !isFloat(rec.output.dtype)) return;
  const { inputs, output } = rec;
  let any = false;
  const needs = inputs.map((t) => {
    const r = isFloat(t.dtype) && requiresGradOf(t);
    any ||= r;
    return r;
  });
  if (!any || inputs.includes(output)) return;
  const node = makeNode(rec, needs);
  producers.set(output, node);
  trackNode(node);
}

/**
 * The node of one recorded op. Generic over its primitive P: the record, the rule looked up by its name and
 * the node all belong to P, so the rule's `save` gets the attributes P records, typed.
 */
function makeNode<P extends Primitive>(rec: OpRecord<P>, needs: boolean[]): NodeOf<P> {
  const { op, inputs, attrs, output } = rec;
  const rule = ruleOf(op);
  // The engine's own handles (share) keep saved tensors alive after the forward disposes its temporaries;
  // keep() exempts them from the caller's tidy scopes. They are disposed by backward or when the node dies.
  const saved = (rule?.save?.({ inputs, output, attrs, needs }) ?? []).map((t) =>
    t === null ? null : keep(t.share()),
  );
  const parents = inputs.map((t, i) => (needs[i] ? (producers.get(t) ?? null) : null));
  for (const p of parents) if (p !== null) p.refs++;
  return {
    id: takeNodeId(),
    op,
    attrs,
    rule,
    parents,
    inputs: inputs.map((t, i) => (needs[i] ? t : null)),
    needs,
    inputShapes: inputs.map((t) => [...t.shape]),
    inputDTypes: inputs.map((t) => t.dtype),
    outShape: [...output.shape],
    outDType: output.dtype,
    saved,
    savedVersions: saved.map((t) => (t === null ? 0 : versionOf(t))),
    refs: 1,
    consumed: false,
  };
}

/** P's gradient rule (undefined for the non-differentiable primitives): RULES maps each name to its own rule. */
function ruleOf<P extends Primitive>(op: P): VjpRule<P> | undefined {
  return isDifferentiable(op) ? RULES[op] : undefined;
}

let installed = false;
/** Installs the recorder (done once when the package is imported). */
export function installRecorder(): void {
  if (installed) return;
  const previous = setOpRecorder(onOp);
  if (previous !== null && previous !== onOp) {
    // Two copies of this package would each record every op: refuse rather than double the gradients.
    setOpRecorder(previous);
    throw new Error(
      '@norga/autograd: another op recorder is already installed (is the package loaded twice?)',
    );
  }
  installed = true;
}
