/**
 * Unary elementwise ops: y = f(x), dL/dx = g · f'(x). Each rule saves x or y, whichever f' is cheaper from,
 * and matches PyTorch's derivatives.yaml (including its choices at points like |x| at 0).
 */
import { cast, cos, div, exp, gt, lt, mul, neg, sin, sub, type Tensor } from '@norga/tensor';
import { at, type VjpRule } from './rule.js';

const saveInput: VjpRule['save'] = ({ inputs }) => [inputs[0]!];
const saveOutput: VjpRule['save'] = ({ output }) => [output];

/** sign(x) as x's dtype: 1, -1, or 0 at 0 (so d|x|/dx = 0 at 0, as PyTorch). */
function sign(x: Tensor): Tensor {
  const pos = cast(gt(x, 0), x.dtype);
  const negs = cast(lt(x, 0), x.dtype);
  return sub(pos, negs);
}

export const UNARY_RULES: Record<string, VjpRule> = {
  neg: { backward: (g) => [neg(g)] },
  // d exp(x) = exp(x) = y
  exp: { save: saveOutput, backward: (g, s) => [mul(g, at(s, 0, 'exp'))] },
  log: { save: saveInput, backward: (g, s) => [div(g, at(s, 0, 'log'))] },
  // d sqrt(x) = 1 / (2 sqrt(x)) = 1 / (2y)
  sqrt: { save: saveOutput, backward: (g, s) => [div(g, mul(at(s, 0, 'sqrt'), 2))] },
  // d (1/x) = -1/x² = -y²
  reciprocal: {
    save: saveOutput,
    backward: (g, s) => {
      const y = at(s, 0, 'reciprocal');
      return [mul(neg(g), mul(y, y))];
    },
  },
  sin: { save: saveInput, backward: (g, s) => [mul(g, cos(at(s, 0, 'sin')))] },
  cos: { save: saveInput, backward: (g, s) => [mul(g, neg(sin(at(s, 0, 'cos'))))] },
  // d tanh(x) = 1 - tanh(x)² = 1 - y²
  tanh: {
    save: saveOutput,
    backward: (g, s) => {
      const y = at(s, 0, 'tanh');
      return [mul(g, sub(1, mul(y, y)))];
    },
  },
  // d erf(x) = 2/√π · exp(-x²)
  erf: {
    save: saveInput,
    backward: (g, s) => {
      const x = at(s, 0, 'erf');
      return [mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
    },
  },
  abs: { save: saveInput, backward: (g, s) => [mul(g, sign(at(s, 0, 'abs')))] },
};
