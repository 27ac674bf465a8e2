/**
 * The CPU elementwise kernel: an expression tree compiled once per (expression, dtypes, rank) into a
 * JavaScript loop nest with `new Function`, then cached. Any strides (including 0 for broadcast operands and
 * strided outputs); dims are coalesced first so contiguous work runs as one flat loop.
 *
 * float32 is computed in float32: every node's result is rounded with Math.fround (`fr`), constants and casts
 * too, and exp / tanh / erf are the float32 algorithms the WebAssembly tier runs (../f32-math.ts). A double
 * operation on float32 operands rounded once is the float32 operation, so this kernel and the WebAssembly one
 * give the same bits, and which of them runs (by tensor size, layout or tier) never changes a result.
 */
import type { View } from '../../backend.js';
import { debugKernel } from '../../debug.js';
import type { DType } from '../../dtype.js';
import { type Expr, type ExprDialect, exprKey, renderExpr } from '../../ops/expr.js';
import { BINARY, CAST, UNARY } from '../../ops/table.js';
import { erf32, exp32, tanh32 } from '../f32-math.js';
import { erf } from './erf.js';
import { coalesce } from './layout.js';

type Kernel = (
  out: unknown,
  outOffset: number,
  shape: number[],
  strides: number[][],
  ins: unknown[],
  offsets: number[],
) => void;

const cache = new Map<string, Kernel>();

/** How many kernels have been compiled (for tests: the cache must not grow with the values of scalars). */
export const compiledKernels = (): number => cache.size;

function jsConstant(value: number, dtype: DType): string {
  if (dtype === 'bool') return value ? '1' : '0';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return `(${String(value)})`;
}

/** Rounds a float32 node's value to float32 (exp32, tanh32 and erf32 already return float32 values). */
const toF32 = (js: string): string => (/^(exp32|tanh32|erf32)\(/.test(js) ? js : `fr(${js})`);

function dialect(pointer: (k: number) => string): ExprDialect {
  return {
    input: (i) => `I${i}[${pointer(i + 1)}]`,
    constant: (value, dtype) => jsConstant(dtype === 'float32' ? Math.fround(value) : value, dtype),
    unary: (op, x, d) => (d === 'float32' ? toF32(UNARY[op].js([x], d)) : UNARY[op].js([x], d)),
    binary: (op, a, b, d) => {
      const js = BINARY[op].js([a, b], d);
      return d === 'float32' && BINARY[op].out === 'same' ? toF32(js) : js;
    },
    where: (c, a, b) => `(${c} !== 0 ? ${a} : ${b})`,
    cast: (x, from, to) =>
      to === 'float32' && from !== 'float32' ? toF32(CAST.js(x, from, to)) : CAST.js(x, from, to),
  };
}

/** Source of a kernel for `rank` coalesced dims over `nIn` inputs. Operand 0 is the output. */
function generate(expr: Expr, dtypes: readonly DType[], rank: number, nIn: number): Kernel {
  const ops = nIn + 1;
  const ptr = (k: number, level: number) => `p${k}_${level}`;
  const body = renderExpr(
    expr,
    dtypes,
    dialect((k) => ptr(k, rank)),
  );
  const lines: string[] = [];
  for (let i = 0; i < nIn; i++) lines.push(`const I${i} = ins[${i}];`);
  for (let d = 0; d < rank; d++) {
    lines.push(`const n${d} = shape[${d}];`);
    for (let k = 0; k < ops; k++) lines.push(`const s${k}_${d} = strides[${k}][${d}];`);
  }
  lines.push(`let ${ptr(0, 0)} = outOffset;`);
  for (let i = 0; i < nIn; i++) lines.push(`let ${ptr(i + 1, 0)} = offsets[${i}];`);
  let indent = '';
  for (let d = 0; d < rank; d++) {
    lines.push(`${indent}for (let j${d} = 0; j${d} < n${d}; j${d}++) {`);
    indent += '  ';
    for (let k = 0; k < ops; k++) lines.push(`${indent}let ${ptr(k, d + 1)} = ${ptr(k, d)};`);
    if (d === rank - 1) lines.push(`${indent}out[${ptr(0, rank)}] = ${body};`);
  }
  // Close the loops innermost first; each level advances its own pointers at the end of an iteration.
  for (let d = rank - 1; d >= 0; d--) {
    const adv = Array.from({ length: ops }, (_, k) => `${ptr(k, d)} += s${k}_${d};`).join(' ');
    lines.push(`${indent}${adv}`);
    indent = indent.slice(2);
    lines.push(`${indent}}`);
  }
  if (rank === 0) lines.push(`out[${ptr(0, 0)}] = ${body};`);
  const src = `return function elementwise(out, outOffset, shape, strides, ins, offsets) {\n${lines.join('\n')}\n};`;
  debugKernel('js', `${exprKey(expr)} [${dtypes.join(', ')}] rank ${rank}`, () => src);
  return new Function('erf', 'erf32', 'exp32', 'tanh32', 'fr', src)(
    erf,
    erf32,
    exp32,
    tanh32,
    Math.fround,
  ) as Kernel;
}

export function elementwise(expr: Expr, inputs: readonly View[], out: View): void {
  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const dtypes = inputs.map((v) => v.dtype);
  const key = `${exprKey(expr)}|${dtypes.join(',')}|${shape.length}`;
  let kernel = cache.get(key);
  if (!kernel) {
    kernel = generate(expr, dtypes, shape.length, inputs.length);
    cache.set(key, kernel);
  }
  kernel(
    out.storage.handle,
    out.offset,
    shape,
    strides,
    inputs.map((v) => v.storage.handle),
    inputs.map((v) => v.offset),
  );
}
