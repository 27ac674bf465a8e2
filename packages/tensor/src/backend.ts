/**
 * The narrow interface every backend implements: storage (alloc/free/write/read) plus a handful of kernel
 * families. Front-end ops (src/ops) validate arguments, work out shapes and dtypes, lay out views and allocate
 * outputs; kernels only compute. Inputs arrive as strided views, so a transposed or broadcast operand costs no
 * copy.
 */
import type { AnyTypedArray, DType } from './dtype.js';
import type { Expr } from './ops/expr.js';
import type { Shape } from './shape.js';

/** A strided window onto a storage buffer. Tensor satisfies this interface. */
export interface View {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

/** A backend's buffer, reference-counted by the tensors viewing it. */
export interface Storage {
  readonly backend: Backend;
  readonly handle: unknown;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  readonly bytes: number;
  refs: number;
}

/** The reductions a backend implements. */
export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';
/** The distributions a backend draws from: uniform on [0, 1) or standard normal. */
export type RandomKind = 'uniform' | 'normal';

/** What a backend implements: storage, and a handful of kernel families the ops are built on (see the package README). */
export interface Backend {
  readonly name: string;
  /** Dtypes this backend stores and computes (WebGPU has no float64). */
  readonly dtypes: readonly DType[];

  /** Allocates storage for `size` elements of `dtype` (contents unspecified); returns the backend's handle. */
  alloc(dtype: DType, size: number): unknown;
  /** Releases storage made by alloc. */
  free(handle: unknown): void;
  /** Overwrites the whole buffer. */
  write(handle: unknown, data: AnyTypedArray): void;
  /** A copy of the whole buffer. The only synchronisation point of asynchronous backends. */
  read(handle: unknown, dtype: DType, size: number): Promise<AnyTypedArray>;
  /** Present only where a read can be synchronous (the CPU backend). */
  readSync?(handle: unknown, dtype: DType, size: number): AnyTypedArray;

  /** out[i] = expr(inputs[0][i], inputs[1][i], ...). Inputs have out's shape (broadcast by stride 0). */
  elementwise(expr: Expr, inputs: readonly View[], out: View): void;
  /**
   * Reduces `axes` of x. out is contiguous with x's shape, the reduced axes set to 1. arg* ops write int32
   * indices (the first occurrence of the extreme, NaN counting as the extreme as in PyTorch).
   */
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void;
  /** Batched a[..., M, K] @ b[..., K, N] -> out[..., M, N]; a and b share out's batch shape (broadcast by strides). */
  matmul(a: View, b: View, out: View): void;
  /**
   * Optional fused attention over a batch of heads: probs = softmax(q @ kᵀ · scale) along the last dim and
   * out = probs @ v, for q [..., Lq, D], k [..., Lk, D], v [..., Lk, Dv] (batch dims equal) into contiguous
   * out [..., Lq, Dv] and probs [..., Lq, Lk]. Returns false (nothing written) where it does not apply; the op
   * then runs its composite (ops/attention.ts), which defines the semantics.
   */
  attention?(q: View, k: View, v: View, scale: number, out: View, probs: View): boolean;
  /** out[..., i, ...] = x[..., index[..., i, ...], ...] along axis; index (int32) has out's shape. */
  gather(x: View, axis: number, index: View, out: View): void;
  /** out[..., index[..., i, ...], ...] += src[..., i, ...] along axis, in place. index has src's shape. */
  scatterAdd(out: View, axis: number, index: View, src: View): void;
  /**
   * Throws an IndexError naming `op` if any value of the int32 `index` lies outside [low, high): at once where
   * the values are at hand, otherwise at the next read (an asynchronous backend cannot stop to look). `what`
   * names the values in the message ('index' by default; crossEntropy says 'target').
   */
  checkIndexRange(op: string, index: View, low: number, high: number, what?: string): void;
  /** Fills out (contiguous) from the counter-based generator: Philox4x32-10 with `key`, blocks from `counter`. */
  random(kind: RandomKind, key: readonly [number, number], counter: number, out: View): void;

  /** Backend-specific memory statistics. */
  memory(): { bytesPooled: number };
  /** Waits for queued work (a no-op for synchronous backends). */
  flush(): Promise<void>;
  /** Releases everything the backend holds (its device, pools, workers). */
  dispose(): void;
}
