/** Random elementwise expression trees for fuzzing the fused-kernel code generators, and a JS evaluator. */
import fc from 'fast-check';
import * as T from '../../src/index.js';
import { erfRef } from '../conformance/reference.js';

const { input, constant, un, bin, select } = T.expr;

export type Node =
  | { k: 'in'; i: 0 | 1 }
  | { k: 'c'; v: number }
  | { k: 'u'; op: 'neg' | 'sin' | 'cos' | 'tanh' | 'erf' | 'abs'; x: Node }
  | { k: 'b'; op: 'add' | 'sub' | 'mul' | 'max' | 'min'; a: Node; b: Node }
  | { k: 'w'; threshold: number; a: Node; b: Node };

const leaf: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom<Node>({ k: 'in', i: 0 }, { k: 'in', i: 1 }),
  fc.integer({ min: -8, max: 8 }).map((n): Node => ({ k: 'c', v: n / 4 })),
);
export const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      k: fc.constant('u' as const),
      op: fc.constantFrom('neg', 'sin', 'cos', 'tanh', 'erf', 'abs' as const),
      x: tie('node'),
    }),
    fc.record({
      k: fc.constant('b' as const),
      op: fc.constantFrom('add', 'sub', 'mul', 'max', 'min' as const),
      a: tie('node'),
      b: tie('node'),
    }),
    // where(input0 < threshold, a, b): the condition reads an exact input, so it cannot flip with rounding.
    fc.record({
      k: fc.constant('w' as const),
      threshold: fc.integer({ min: -4, max: 4 }).map((n) => n / 2),
      a: tie('node'),
      b: tie('node'),
    }),
  ),
})).node;

export function toExpr(n: Node): T.Expr {
  switch (n.k) {
    case 'in':
      return input(n.i);
    case 'c':
      return constant(n.v, 'float32');
    case 'u':
      return un(n.op, toExpr(n.x));
    case 'b':
      return bin(n.op, toExpr(n.a), toExpr(n.b));
    case 'w':
      return select(bin('cmplt', input(0), constant(n.threshold, 'float32')), toExpr(n.a), toExpr(n.b));
  }
}

/** Evaluates in doubles; also returns the largest magnitude seen, which scales the tolerance. */
export function evalRef(n: Node, x: [number, number]): { v: number; mag: number } {
  switch (n.k) {
    case 'in':
      return { v: x[n.i], mag: Math.abs(x[n.i]) };
    case 'c':
      return { v: n.v, mag: Math.abs(n.v) };
    case 'u': {
      const r = evalRef(n.x, x);
      const f = {
        neg: (v: number) => -v,
        sin: Math.sin,
        cos: Math.cos,
        tanh: Math.tanh,
        erf: erfRef,
        abs: Math.abs,
      }[n.op];
      const v = f(r.v);
      return { v, mag: Math.max(r.mag, Math.abs(v)) };
    }
    case 'b': {
      const a = evalRef(n.a, x);
      const b = evalRef(n.b, x);
      const f = {
        add: (p: number, q: number) => p + q,
        sub: (p: number, q: number) => p - q,
        mul: (p: number, q: number) => p * q,
        max: Math.max,
        min: Math.min,
      }[n.op];
      const v = f(a.v, b.v);
      return { v, mag: Math.max(a.mag, b.mag, Math.abs(v)) };
    }
    case 'w': {
      const a = evalRef(n.a, x);
      const b = evalRef(n.b, x);
      return { v: x[0] < n.threshold ? a.v : b.v, mag: Math.max(a.mag, b.mag) };
    }
  }
}
