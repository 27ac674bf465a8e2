/**
 * The derivative of every elementwise op of the op table, written once, as expressions (`@norga/tensor`'s Expr)
 * rather than as tensor code. Each entry maps an upstream gradient g to the gradient of one operand:
 * dL/dx = g · f'(x). Because they are expressions, a whole chain (gelu, sigmoid, a clamp, the rule of a single
 * `mul`) differentiates into one expression per operand, which the backend compiles into one kernel: the
 * backward pass of an elementwise tree is one pass over memory, like its forward.
 *
 * Each derivative matches PyTorch's derivatives.yaml, including its choices at points like |x| at 0, pow at
 * 0^0 and ties of max/min. `x` (or `a`, `b`) are the operands' expressions and `y` the op's own output
 * expression: the kernel recomputes whichever the formula reads, which costs arithmetic, not memory.
 */
import type { BinaryOp, DType, Expr, UnaryOp } from '@norga/tensor';
import { expr as E } from '@norga/tensor';

/** The operands of one node, its output, its dtype, and a constant of that dtype. */
export interface Site {
  readonly y: Expr;
  readonly dtype: DType;
  c(value: number): Expr;
}

const sub = (a: Expr, b: Expr) => E.bin('sub', a, b);
const mul = (a: Expr, b: Expr) => E.bin('mul', a, b);
const div = (a: Expr, b: Expr) => E.bin('div', a, b);
const neg = (a: Expr) => E.un('neg', a);
const lt = (a: Expr, b: Expr) => E.bin('cmplt', a, b);
const eq = (a: Expr, b: Expr) => E.bin('cmpeq', a, b);
const where = E.select;

export type UnaryDerivative = (g: Expr, x: Expr, s: Site) => Expr;
export type BinaryDerivative = readonly [
  (g: Expr, a: Expr, b: Expr, s: Site) => Expr,
  (g: Expr, a: Expr, b: Expr, s: Site) => Expr,
];

export const UNARY_DERIVATIVES: { readonly [K in UnaryOp]: UnaryDerivative } = {
  neg: (g) => neg(g),
  exp: (g, _x, s) => mul(g, s.y),
  log: (g, x) => div(g, x),
  // d log1p(x) = 1 / (1 + x)
  log1p: (g, x, s) => div(g, E.bin('add', s.c(1), x)),
  // d sqrt(x) = 1 / (2 sqrt(x))
  sqrt: (g, _x, s) => div(g, mul(s.y, s.c(2))),
  // d (1/x) = -1/x² = -y²
  reciprocal: (g, _x, s) => mul(neg(g), mul(s.y, s.y)),
  sin: (g, x) => mul(g, E.un('cos', x)),
  cos: (g, x) => mul(g, neg(E.un('sin', x))),
  // d tanh(x) = 1 - tanh(x)²
  tanh: (g, _x, s) => mul(g, sub(s.c(1), mul(s.y, s.y))),
  // d erf(x) = 2/√π · exp(-x²)
  erf: (g, x, s) => mul(g, mul(E.un('exp', neg(mul(x, x))), s.c(2 / Math.sqrt(Math.PI)))),
  // sign(x): 1, -1, or 0 at 0 (and at NaN), so d|x|/dx = 0 at 0 as in PyTorch
  abs: (g, x, s) => mul(g, where(lt(s.c(0), x), s.c(1), where(lt(x, s.c(0)), s.c(-1), s.c(0)))),
};

/** max/min: the gradient goes to the operand that won; on a tie each gets half (torch.maximum / minimum). */
function extremum(op: 'max' | 'min'): BinaryDerivative {
  const share = (g: Expr, winner: Expr, loser: Expr, s: Site) =>
    where(
      op === 'max' ? lt(loser, winner) : lt(winner, loser),
      g,
      where(eq(winner, loser), mul(g, s.c(0.5)), s.c(0)),
    );
  return [(g, a, b, s) => share(g, a, b, s), (g, a, b, s) => share(g, b, a, s)];
}

export const BINARY_DERIVATIVES: { readonly [K in BinaryOp]: BinaryDerivative | null } = {
  add: [(g) => g, (g) => g],
  sub: [(g) => g, (g) => neg(g)],
  mul: [(g, _a, b) => mul(g, b), (g, a) => mul(g, a)],
  // d(a/b)/db = -a/b², evaluated as -g·((a/b)/b), PyTorch's order of operations
  div: [(g, _a, b) => div(g, b), (g, a, b) => neg(mul(g, div(div(a, b), b)))],
  max: extremum('max'),
  min: extremum('min'),
  pow: [
    // b·a^(b-1), and exactly 0 where b = 0 (PyTorch's pow_backward_self), so 0^0 gives no NaN
    (g, a, b, s) => where(eq(b, s.c(0)), s.c(0), mul(g, mul(b, E.bin('pow', a, sub(b, s.c(1)))))),
    // a^b·log(a), and 0 where a = 0 and b >= 0 (the limit; PyTorch's pow_backward_exponent)
    (g, a, b, s) => {
      const general = mul(s.y, E.un('log', a));
      return mul(g, where(eq(a, s.c(0)), where(lt(b, s.c(0)), general, s.c(0)), general));
    },
  ],
  // comparisons give bool: nothing flows back through them
  cmplt: null,
  cmpeq: null,
};
