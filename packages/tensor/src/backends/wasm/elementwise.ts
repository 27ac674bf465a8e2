/**
 * Fused float32 elementwise kernels: an expression tree (src/ops/expr.ts) compiled to one WebAssembly SIMD loop
 * over a [rows, cols] block, four elements per step. Each input is either a full operand (contiguous along a
 * row, any row stride) or one value per row (stride 0 along the row: a bias column, a per-row max or mean).
 * One module per (expression, input modes) is compiled on first use and cached; they all share the runtime's
 * memory. Anything else (other dtypes, log/pow/sin/cos/comparisons/where, other layouts) returns undefined and
 * the caller keeps the JS kernel.
 */
import { type Expr, exprKey } from '../../ops/expr.js';
import type { BinaryOp, UnaryOp } from '../../ops/table.js';
import { buildModule, Code, type FuncDef, Simd, ValType } from './builder.js';
import { emitErf, emitExp, emitTanh } from './simd-math.js';

/** 'row': contiguous along the row; 'splat': one value per row; 'strided': any stride along the row (gathered). */
export type InputMode = 'row' | 'splat' | 'strided';

/** Emits a unary op, given the code that leaves its operand (an f32x4) on the stack. */
type UnaryKernel = (c: Code, operand: () => void) => void;
const simd1 =
  (opcode: number): UnaryKernel =>
  (c, x) => {
    x();
    c.simd(opcode);
  };
const polynomial =
  (emit: (c: Code) => void): UnaryKernel =>
  (c, x) => {
    x();
    emit(c);
  };

/**
 * How this tier compiles each op of the table: one entry per op (a mapped type, so a new op must be listed),
 * null where the op is left to the JS tier (an expression containing one runs there as a whole).
 */
export const UNARY_WASM: { readonly [K in UnaryOp]: UnaryKernel | null } = {
  neg: simd1(Simd.f32x4Neg),
  exp: polynomial(emitExp),
  log: null,
  log1p: null,
  sqrt: simd1(Simd.f32x4Sqrt),
  reciprocal: (c, x) => {
    c.f32x4Const(1);
    x();
    c.simd(Simd.f32x4Div);
  },
  sin: null,
  cos: null,
  tanh: polynomial(emitTanh),
  erf: polynomial(emitErf),
  abs: simd1(Simd.f32x4Abs),
};
/** Binary ops as one SIMD opcode each (null: left to the JS tier). */
export const BINARY_WASM: { readonly [K in BinaryOp]: number | null } = {
  add: Simd.f32x4Add,
  sub: Simd.f32x4Sub,
  mul: Simd.f32x4Mul,
  div: Simd.f32x4Div,
  max: Simd.f32x4Max,
  min: Simd.f32x4Min,
  pow: null,
  cmplt: null,
  cmpeq: null,
};

/** supported() keeps these from the emitter: reaching one is a bug in this file. */
function unsupported(op: string): never {
  throw new Error(`wasm elementwise: ${op} is not compiled`);
}

/** Whether the expression is all float32 and built only from ops this tier compiles. */
export function supported(e: Expr): boolean {
  switch (e.kind) {
    case 'input':
      return true;
    case 'const':
      return e.dtype === 'float32';
    case 'unary':
      return UNARY_WASM[e.op] !== null && supported(e.x);
    case 'binary':
      return BINARY_WASM[e.op] !== null && supported(e.a) && supported(e.b);
    case 'cast':
      return e.to === 'float32' && supported(e.x);
    case 'where':
      return false;
  }
}

function emitExpr(c: Code, e: Expr, inputs: readonly number[]): void {
  switch (e.kind) {
    case 'input':
      c.get(inputs[e.index] as number);
      return;
    case 'const':
      c.f32x4Const(e.value);
      return;
    case 'cast':
      emitExpr(c, e.x, inputs);
      return;
    case 'unary':
      (UNARY_WASM[e.op] ?? unsupported(e.op))(c, () => emitExpr(c, e.x, inputs));
      return;
    case 'binary':
      emitExpr(c, e.a, inputs);
      emitExpr(c, e.b, inputs);
      c.simd(BINARY_WASM[e.op] ?? unsupported(e.op));
      return;
    case 'where':
      unsupported('where');
  }
}

/**
 * ew(out, rows, vecs, outRowBytes, in0, in0RowBytes, in0ColBytes, in1, ..., lastLanes): for each row, `vecs`
 * groups of four outputs, of which the last stores only `lastLanes` (1-4) lanes, so a row of any length is
 * written exactly and rows can go to different threads. Reads may run up to three elements past a row (the
 * caller leaves slack).
 */
export function emitElementwise(e: Expr, modes: readonly InputMode[]): FuncDef {
  const I = ValType.i32;
  const params = [I, I, I, I, ...modes.flatMap(() => [I, I, I]), I];
  const c = new Code(params);
  const [out, rows, vecs, outRow] = [0, 1, 2, 3];
  const lastLanes = params.length - 1;
  const inPtr = (i: number) => 4 + 3 * i;
  const inRow = (i: number) => 5 + 3 * i;
  const inCol = (i: number) => 6 + 3 * i;
  const r = c.local(I);
  const o = c.local(I);
  const n = c.local(I);
  const p = modes.map(() => c.local(I));
  const v = modes.map(() => c.local(ValType.v128));
  const y = c.local(ValType.v128);
  c.loop(() => {
    // row pointers
    c.get(out).get(r).get(outRow).i32Mul().i32Add().set(o);
    modes.forEach((m, i) => {
      c.get(inPtr(i))
        .get(r)
        .get(inRow(i))
        .i32Mul()
        .i32Add()
        .set(p[i] as number);
      if (m === 'splat')
        c.get(p[i] as number)
          .load32Splat()
          .set(v[i] as number);
    });
    c.get(vecs).set(n);
    c.loop(() => {
      modes.forEach((m, i) => {
        const pi = p[i] as number;
        if (m === 'row') {
          c.get(pi)
            .v128Load()
            .set(v[i] as number);
          c.get(pi).i32Const(16).i32Add().set(pi);
        } else if (m === 'strided') {
          c.get(pi).load32Splat();
          for (let lane = 1; lane < 4; lane++) {
            c.get(pi).get(inCol(i)).i32Const(lane).i32Mul().i32Add().f32Load().f32x4ReplaceLane(lane);
          }
          c.set(v[i] as number);
          c.get(pi).get(inCol(i)).i32Const(2).i32Shl().i32Add().set(pi);
        }
      });
      emitExpr(c, e, v);
      c.set(y);
      // the row's last vector stores lastLanes lanes; every other one, all four
      c.get(n).i32Const(1).i32Eq().get(lastLanes).i32Const(4).i32LtS().i32And();
      c.if(
        () => {
          c.get(o).get(y).f32x4ExtractLane(0).f32Store(0);
          for (const lane of [1, 2]) {
            c.get(lastLanes).i32Const(lane).i32GtS();
            c.if(() =>
              c
                .get(o)
                .get(y)
                .f32x4ExtractLane(lane)
                .f32Store(4 * lane),
            );
          }
        },
        () => c.get(o).get(y).v128Store(),
      );
      c.get(o).i32Const(16).i32Add().set(o);
      c.get(n).i32Const(1).i32Sub().tee(n).brIf(0);
    });
    c.get(r).i32Const(1).i32Add().tee(r).get(rows).i32LtS().brIf(0);
  });
  return { name: 'ew', params, results: [], code: c, about: `${exprKey(e)} over inputs ${modes.join(', ')}` };
}

export type ElementwiseFn = (...args: number[]) => void;

/** A compiled kernel: its function here, and its id and bytes, from which a worker compiles its own copy. */
export interface ElementwiseKernel {
  readonly fn: ElementwiseFn;
  readonly id: number;
  readonly bytes: Uint8Array;
}

/** Compiles (once per expression and modes) and instantiates on `memory`. */
export class ElementwiseCache {
  /** Compiled kernels; null where compiling failed (the JS tier takes that expression for good). */
  private readonly kernels = new Map<string, ElementwiseKernel | null>();
  private readonly byId: ElementwiseKernel[] = [];

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly maxPages: number,
    private readonly shared: boolean,
  ) {}

  get(key: string, e: Expr, modes: readonly InputMode[]): ElementwiseKernel | null {
    const k = `${key}|${modes.join(',')}`;
    let f = this.kernels.get(k);
    if (f === undefined) {
      try {
        const bytes = buildModule(
          {
            module: 'env',
            field: 'memory',
            initialPages: 1,
            maximumPages: this.maxPages,
            shared: this.shared,
          },
          [emitElementwise(e, modes)],
        );
        const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
          env: { memory: this.memory },
        });
        f = { fn: inst.exports.ew as ElementwiseFn, id: this.byId.length, bytes };
        this.byId.push(f);
      } catch {
        f = null;
      }
      this.kernels.set(k, f);
    }
    return f;
  }

  /** The kernel with this id (ids count up from 0 in compile order). */
  byIndex(id: number): ElementwiseKernel | undefined {
    return this.byId[id];
  }

  get size(): number {
    return this.kernels.size;
  }
}
