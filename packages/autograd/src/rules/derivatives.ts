/**
 * The derivative of every elementwise op of the op table, written once, as expressions (`@norga/tensor`'s fluent
 * Ex: `g.mul(s.y)` is g·y) rather than as tensor code. Each entry maps an upstream gradient g to the gradient of
 * one operand: dL/dx = g · f'(x). Because they are expressions, a whole chain (gelu, sigmoid, a clamp, the rule of a single
 * `mul`) differentiates into one expression per operand, which the backend compiles into one kernel: the
 * backward pass of an elementwise tree is one pass over memory, like its forward.
 *
 * Each derivative matches PyTorch's derivatives.yaml, including its choices at points like |x| at 0, pow at
 * 0^0 and ties of max/min. `x` (or `a`, `b`) are the operands' expressions and `y` the op's own output
 * expression: the kernel recomputes whichever the formula reads, which costs arithmetic, not memory.
 */
import type { BinaryOp, DType, Ex, UnaryOp } from '@norga/tensor';

/** The node being differentiated: its output y, its dtype, and a constant of that dtype. */
export interface Site {
  readonly y: Ex;
  readonly dtype: DType;
  c(value: number): Ex;
}

export type UnaryDerivative = (g: Ex, x: Ex, s: Site) => Ex;
export type BinaryDerivative = readonly [
  (g: Ex, a: Ex, b: Ex, s: Site) => Ex,
  (g: Ex, a: Ex, b: Ex, s: Site) => Ex,
];

export const UNARY_DERIVATIVES: { readonly [K in UnaryOp]: UnaryDerivative } = {
  neg: (g) => g.neg(),
  exp: (g, _x, s) => g.mul(s.y),
  log: (g, x) => g.div(x),
  // d log1p(x) = 1 / (1 + x)
  log1p: (g, x, s) => g.div(s.c(1).add(x)),
  // d sqrt(x) = 1 / (2 sqrt(x))
  sqrt: (g, _x, s) => g.div(s.y.mul(2)),
  // d (1/x) = -1/x² = -y²
  reciprocal: (g, _x, s) => g.neg().mul(s.y.mul(s.y)),
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin().neg()),
  // d tanh(x) = 1 - tanh(x)²
  tanh: (g, _x, s) => g.mul(s.c(1).sub(s.y.mul(s.y))),
  // d erf(x) = 2/√π · exp(-x²)
  erf: (g, x) => {
    const gauss = x.mul(x).neg().exp();
    return g.mul(gauss.mul(2 / Math.sqrt(Math.PI)));
  },
  // sign(x): 1, -1, or 0 at 0 (and at NaN), so d|x|/dx = 0 at 0 as in PyTorch
  abs: (g, x, s) => {
    const zero = s.c(0);
    return g.mul(zero.cmplt(x).where(1, x.cmplt(0).where(s.c(-1), 0)));
  },
};

/** max/min: the gradient goes to the operand that won; on a tie each gets half (torch.maximum / minimum). */
function extremum(op: 'max' | 'min'): BinaryDerivative {
  const share = (g: Ex, winner: Ex, loser: Ex) =>
    (op === 'max' ? loser.cmplt(winner) : winner.cmplt(loser)).where(
      g,
      winner.cmpeq(loser).where(g.mul(0.5), 0),
    );
  return [(g, a, b) => share(g, a, b), (g, a, b) => share(g, b, a)];
}

export const BINARY_DERIVATIVES: { readonly [K in BinaryOp]: BinaryDerivative | null } = {
  add: [(g) => g, (g) => g],
  sub: [(g) => g, (g) => g.neg()],
  mul: [(g, _a, b) => g.mul(b), (g, a) => g.mul(a)],
  // d(a/b)/db = -a/b², evaluated as -g·((a/b)/b), PyTorch's order of operations
  div: [(g, _a, b) => g.div(b), (g, a, b) => g.mul(a.div(b).div(b)).neg()],
  max: extremum('max'),
  min: extremum('min'),
  pow: [
    // b·a^(b-1), and exactly 0 where b = 0 (PyTorch's pow_backward_self), so 0^0 gives no NaN
    (g, a, b) => b.cmpeq(0).where(0, g.mul(b.mul(a.pow(b.sub(1))))),
    // a^b·log(a), and 0 where a = 0 and b >= 0 (the limit; PyTorch's pow_backward_exponent)
    (g, a, b, s) => {
      const general = s.y.mul(a.log());
      return g.mul(a.cmpeq(0).where(b.cmplt(0).where(general, 0), general));
    },
  ],
  // comparisons give bool: nothing flows back through them
  cmplt: null,
  cmpeq: null,
};
