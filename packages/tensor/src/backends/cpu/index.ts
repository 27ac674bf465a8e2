/**
 * The CPU reference backend, in plain TypeScript: storage is one typed array per buffer, and every kernel is
 * a short loop nest on the calling thread (elementwise.ts, reduce.ts, matmul.ts, indexing.ts). Every other
 * backend is tested against it; the WebAssembly backend (../wasm/backend.ts) extends it and falls back to
 * these kernels wherever its own do not apply.
 */
import type { Backend, RandomKind, ReduceOp, View } from '../../backend.js';
import { type AnyTypedArray, type DType, typedArrayFor } from '../../dtype.js';
import type { Expr } from '../../ops/expr.js';
import { fillRandom } from '../../random/philox.js';
import { elementwise } from './elementwise.js';
import { checkIndexRange, gather, scatterAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { reduce } from './reduce.js';

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly dtypes: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

  alloc(dtype: DType, size: number): AnyTypedArray {
    return typedArrayFor(dtype, size);
  }
  free(_handle: unknown): void {
    // A typed array is garbage collected once no tensor holds it.
  }
  write(handle: unknown, data: AnyTypedArray): void {
    (handle as AnyTypedArray).set(data);
  }
  async read(handle: unknown): Promise<AnyTypedArray> {
    return (handle as AnyTypedArray).slice();
  }
  readSync(handle: unknown): AnyTypedArray {
    return handle as AnyTypedArray;
  }

  elementwise(expr: Expr, inputs: readonly View[], out: View): void {
    elementwise(expr, inputs, out);
  }
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    reduce(op, x, axes, out);
  }
  matmul(a: View, b: View, out: View): void {
    matmul(a, b, out);
  }
  /** No fused attention here: the op runs its composite (ops/attention.ts), which defines the semantics. */
  attention(_q: View, _k: View, _v: View, _scale: number, _out: View, _probs: View): boolean {
    return false;
  }
  gather(x: View, axis: number, index: View, out: View): void {
    gather(x, axis, index, out);
  }
  scatterAdd(out: View, axis: number, index: View, src: View): void {
    scatterAdd(out, axis, index, src);
  }
  checkIndexRange(op: string, index: View, low: number, high: number, what = 'index'): void {
    checkIndexRange(op, index, low, high, what);
  }
  random(kind: RandomKind, key: readonly [number, number], counter: number, out: View): void {
    const dst = out.storage.handle as Float32Array | Float64Array;
    fillRandom(
      kind,
      key,
      counter,
      dst.subarray(out.offset, out.offset + out.shape.reduce((p, d) => p * d, 1)),
    );
  }

  memory(): { bytesPooled: number } {
    return { bytesPooled: 0 };
  }
  async flush(): Promise<void> {}
  dispose(): void {}
}
