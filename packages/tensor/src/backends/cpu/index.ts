/**
 * The pure-TypeScript CPU backend: storage is a typed array per buffer; kernels run synchronously on the
 * calling thread. It is the readable reference every other backend is tested against.
 */
import type { Backend, RandomKind, ReduceOp, View } from '../../backend.js';
import { type AnyTypedArray, type DType, typedArrayFor } from '../../dtype.js';
import type { Expr } from '../../ops/expr.js';
import { fillRandom } from '../../random/philox.js';
import {
  wasmAllocF32,
  wasmAttention,
  wasmElementwise,
  wasmFree,
  wasmMatmul,
  wasmReduce,
} from '../wasm/cpu-hook.js';
import { elementwise } from './elementwise.js';
import { checkIndexRange, gather, scatterAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { reduce } from './reduce.js';

/** The CPU backend: JavaScript kernels, with a WebAssembly tier for float32 work where available. */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly dtypes: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

  alloc(dtype: DType, size: number): AnyTypedArray {
    // Large float32 buffers live in the WebAssembly tier's heap, where its kernels read and write in place.
    return (dtype === 'float32' ? wasmAllocF32(size) : undefined) ?? typedArrayFor(dtype, size);
  }
  free(handle: unknown): void {
    // Heap buffers go back to the heap; plain typed arrays are garbage collected once no tensor holds them.
    wasmFree(handle);
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
    // Large float32 expressions of supported ops run fused in WebAssembly; the JS kernel is the reference.
    if (!wasmElementwise(expr, inputs, out)) elementwise(expr, inputs, out);
  }
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    // Large float32 sum/max/min over simple layouts run in WebAssembly, bit-identical to this JS kernel.
    if (!wasmReduce(op, x, axes, out)) reduce(op, x, axes, out);
  }
  matmul(a: View, b: View, out: View): void {
    // The WebAssembly tier takes large float32 products; this JS kernel stays the reference and the fallback.
    if (!wasmMatmul(a, b, out)) matmul(a, b, out);
  }
  attention(q: View, k: View, v: View, scale: number, out: View, probs: View): boolean {
    // Only the WebAssembly tier fuses attention; elsewhere the op runs its composite (ops/attention.ts).
    return wasmAttention(q, k, v, scale, out, probs);
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
