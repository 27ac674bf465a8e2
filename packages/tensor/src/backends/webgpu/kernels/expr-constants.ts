/**
 * Constants of an elementwise expression travel as parameter words instead of WGSL literals, so a shader
 * depends on the expression's structure only: `mul(x, 0.1)` and `mul(x, 0.2)`, and every scalar fill, share
 * one pipeline. With literals, each new value (a learning-rate schedule, Adam's bias correction, any scalar
 * operand) cost a new shader module and pipeline, slow to compile on every adapter and never evicted.
 */
import type { View } from '../../../backend.js';
import type { DType } from '../../../dtype.js';
import { constant, type Expr, type ExprDialect, input } from '../../../ops/expr.js';
import type { Params } from '../layout.js';
import type { GpuStorage } from '../storage.js';
import { wgslDialect } from '../wgsl.js';

const f32 = new Float32Array(1);
const u32OfF32 = new Uint32Array(f32.buffer);

/**
 * Inputs that are one element written from the host and not yet uploaded (scalar operands: GpuStorage.upload)
 * become constants of the expression, so they are neither uploaded nor bound; the other inputs are renumbered.
 */
export function inlineHostScalars(
  expr: Expr,
  inputs: readonly View[],
): { expr: Expr; inputs: readonly View[] } {
  const value = inputs.map((v) => {
    const h = v.storage.handle as GpuStorage;
    return h.upload && h.size === 1 ? h.upload[0]! : undefined;
  });
  if (value.every((x) => x === undefined)) return { expr, inputs };
  const kept = inputs.filter((_, k) => value[k] === undefined);
  const renumber = inputs.map((_, k) => inputs.slice(0, k).filter((__, j) => value[j] === undefined).length);
  const walk = (e: Expr): Expr => {
    switch (e.kind) {
      case 'input': {
        const v = value[e.index];
        return v === undefined ? input(renumber[e.index]!) : constant(v, inputs[e.index]!.dtype);
      }
      case 'const':
        return e;
      case 'unary':
        return { ...e, x: walk(e.x) };
      case 'binary':
        return { ...e, a: walk(e.a), b: walk(e.b) };
      case 'where':
        return { ...e, cond: walk(e.cond), a: walk(e.a), b: walk(e.b) };
      case 'cast':
        return { ...e, x: walk(e.x) };
    }
  };
  return { expr: walk(expr), inputs: kept };
}

/** The u32 word holding a constant of `dtype`: the f32 bit pattern (Math.fround, as the CPU rounds), the i32 bits, or 0/1. */
function constantWord(value: number, dtype: DType): number {
  if (dtype === 'float32') {
    f32[0] = value;
    return u32OfF32[0]!;
  }
  if (dtype === 'int32') return value | 0;
  return value !== 0 ? 1 : 0;
}

/**
 * The expression's key with each constant replaced by its dtype, and its constants pushed onto `p` in the
 * order renderExpr visits them (operands left to right). Returns the key and the first constant's word.
 */
export function liftConstants(expr: Expr, p: Params): { key: string; at: number } {
  const at = p.words.length;
  const walk = (e: Expr): string => {
    switch (e.kind) {
      case 'input':
        return `$${e.index}`;
      case 'const':
        p.push(constantWord(e.value, e.dtype));
        return `#${e.dtype}`;
      case 'unary':
        return `${e.op}(${walk(e.x)})`;
      case 'binary':
        return `${e.op}(${walk(e.a)},${walk(e.b)})`;
      case 'where':
        return `where(${walk(e.cond)},${walk(e.a)},${walk(e.b)})`;
      case 'cast':
        return `cast<${e.to}>(${walk(e.x)})`;
    }
  };
  return { key: walk(expr), at };
}

/** The WGSL dialect with constants read from parameter words `at, at + 1, ...` (as liftConstants laid out). */
export function paramConstantsDialect(at: number): ExprDialect {
  let next = at;
  return {
    ...wgslDialect,
    constant: (_value, dtype) => {
      const word = `pu(${next++}u)`;
      if (dtype === 'float32') return `bitcast<f32>(${word})`;
      if (dtype === 'int32') return `bitcast<i32>(${word})`;
      return word;
    },
  };
}
