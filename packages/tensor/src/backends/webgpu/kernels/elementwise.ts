/**
 * Strided elementwise kernel: out[i] = expr(in0[i], in1[i], ...) for any rank, broadcasting (stride 0) and a
 * strided output (copies into slices, pad, concat). One invocation per output element; the expression comes
 * from the op table through the WGSL dialect, so this file holds no op semantics.
 *
 * Specialised per (expression structure, dtypes, rank after merging dims, buffer aliasing); shapes, strides,
 * offsets and the expression's constants are parameters, so a shader serves every size and every value.
 */
import type { View } from '../../../backend.js';
import { BackendError } from '../../../errors.js';
import type { Expr } from '../../../ops/expr.js';
import { renderExpr } from '../../../ops/expr.js';
import { coalesce, sizeOf } from '../../../shape.js';
import { offsetsFromIndex, Params } from '../layout.js';
import { main1d, PRELUDE, paramsDecl, wgslType } from '../wgsl.js';
import type { KernelContext } from './context.js';
import { inlineHostScalars, liftConstants, paramConstantsDialect } from './expr-constants.js';

export function elementwise(ctx: KernelContext, expr0: Expr, inputs0: readonly View[], out: View): void {
  const n = sizeOf(out.shape);
  if (n === 0) return;
  const { expr, inputs } = inlineHostScalars(expr0, inputs0);
  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const rank = shape.length;

  // One binding per distinct buffer: an input aliasing the output reads through the read_write binding
  // (WebGPU forbids binding one buffer as both writable and read-only storage in a dispatch).
  const outBuf = ctx.buffer(out);
  const buffers: GPUBuffer[] = [outBuf];
  const bindingOf = inputs.map((v) => {
    const b = ctx.buffer(v);
    let j = buffers.indexOf(b);
    if (j < 0) j = buffers.push(b) - 1;
    return j;
  });
  if (buffers.length > ctx.maxStorageBuffers) {
    throw new BackendError(
      'elementwise',
      `${buffers.length} distinct buffers in one fused expression; this adapter binds at most ${ctx.maxStorageBuffers} (split the expression)`,
    );
  }

  const p = new Params();
  p.push(n);
  const shapeAt = p.push(...shape);
  const strideAts = [out, ...inputs].map((_, k) => p.push(...strides[k]!));
  const offsetAts = [out, ...inputs].map((v) => p.push(v.offset));
  const lifted = liftConstants(expr, p);

  const dtypes = inputs.map((v) => v.dtype);
  const key = `ew|${lifted.key}|${dtypes.join(',')}>${out.dtype}|r${rank}|b${bindingOf.join(',')}|w${p.words.length}`;
  const wgsl = ctx.shader(key, () => {
    const decls = buffers.map((_, j) => {
      const dtype = j === 0 ? out.dtype : inputs[bindingOf.indexOf(j)]!.dtype;
      const access = j === 0 ? 'read_write' : 'read';
      return `@group(0) @binding(${j + 1}) var<storage, ${access}> b${j}: array<${wgslType(dtype)}>;`;
    });
    const loads = inputs.map((_, k) => `let v${k} = b${bindingOf[k]}[o${k + 1}];`);
    return `${paramsDecl(p.words.length)}
${decls.join('\n')}
${PRELUDE}
${main1d(`${offsetsFromIndex('i', rank, shapeAt, strideAts, offsetAts)}
  ${loads.join('\n  ')}
  b0[o0] = ${renderExpr(expr, dtypes, paramConstantsDialect(lifted.at))};`)}
`;
  });
  ctx.dispatch1d(`elementwise.${outermostOp(expr)}`, wgsl, p, buffers, n);
}

/** The name a dispatch carries into asynchronous error reports: the expression's outermost op. */
function outermostOp(expr: Expr): string {
  if (expr.kind === 'unary' || expr.kind === 'binary') return expr.op;
  return expr.kind === 'input' ? 'copy' : expr.kind;
}
