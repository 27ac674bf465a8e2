/**
 * The primitive set is typed once (src/primitives.ts): the recorder's attrs, and the backends' kernel tables,
 * are mapped types over it. The `@ts-expect-error` lines are the test proper: `pnpm typecheck` fails if any of
 * them stops being an error, that is, if a table could miss an op or a record could carry the wrong attrs.
 */
import { describe, expect, it } from 'vitest';
import { BINARY_WASM, UNARY_WASM } from '../../src/backends/wasm/elementwise.js';
import { BEATS } from '../../src/backends/wasm/reduce.js';
import { REDUCTIONS } from '../../src/backends/webgpu/kernels/reduce.js';
import { BINARY, type OpRecord, PRIMITIVES, record, setOpRecorder, tensor, UNARY } from '../../src/index.js';

describe('the primitive set', () => {
  it('lists every op of the table once, and the other primitives', () => {
    expect(new Set(PRIMITIVES).size).toBe(PRIMITIVES.length);
    for (const op of [...Object.keys(UNARY), ...Object.keys(BINARY)]) expect(PRIMITIVES).toContain(op);
    expect(PRIMITIVES).toEqual(expect.arrayContaining(['reduce.sum', 'matmul', 'fused', 'layerNorm']));
  });

  it('a record carries its primitive’s attrs, and a recorder narrows them by op', () => {
    const seen: OpRecord[] = [];
    setOpRecorder((r) => seen.push(r));
    const x = tensor([1, 2, 3]);
    try {
      record('slice', [x], { axis: 0, start: 0, end: 3, step: 1 }, x);
      // @ts-expect-error slice needs start, end and step
      record('slice', [x], { axis: 0 }, x);
      // @ts-expect-error not a primitive
      record('mystery', [x], {}, x);
    } finally {
      setOpRecorder(null);
      x.dispose();
    }
    const r = seen[0]!;
    expect(r.op === 'slice' ? r.attrs.step : null).toBe(1);
    expect(seen).toHaveLength(3);
  });

  it('kernel tables are mapped types: an op without an entry does not compile', () => {
    const { erf: _u, ...unary } = UNARY;
    // @ts-expect-error the op table needs every unary op
    const table: typeof UNARY = unary;
    const { tanh: _w, ...wasmUnary } = UNARY_WASM;
    // @ts-expect-error the WebAssembly tier must say, for each op, how it compiles it or that it does not
    const wasm: typeof UNARY_WASM = wasmUnary;
    const { pow: _b, ...wasmBinary } = BINARY_WASM;
    // @ts-expect-error likewise for binary ops
    const wasm2: typeof BINARY_WASM = wasmBinary;
    const { min: _m, ...beats } = BEATS;
    // @ts-expect-error each WebAssembly reduction says how it compares
    const folds: typeof BEATS = beats;
    const { argmin: _r, ...reductions } = REDUCTIONS;
    // @ts-expect-error each WGSL reduction says where it starts and how it combines
    const wgsl: typeof REDUCTIONS = reductions;
    expect([table, wasm, wasm2, folds, wgsl].map((t) => Object.keys(t).length)).toEqual([10, 10, 8, 1, 4]);
  });
});
