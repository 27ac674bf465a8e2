/**
 * Tensor: a view {shape, strides, offset, dtype} over reference-counted storage. Views (reshape, permute,
 * expand, slice, ...) share storage; `contiguous()` materialises. Methods are thin wrappers over the functions
 * in ./ops, which are the one place each op is defined.
 */
import type { Backend, Storage, View } from './backend.js';
import type { AnyTypedArray, DType } from './dtype.js';
import { BackendError, DisposedError, fmtShape, ShapeError } from './errors.js';
import { formatTensor, type PrintOptions } from './format.js';
import { onTensorCreated, onTensorDisposed } from './memory.js';
import * as ops from './ops/index.js';
import { isContiguousLayout, type Shape, sizeOf } from './shape.js';
import { release, retain } from './storage.js';

/** Nested JS arrays of numbers or booleans, as `tensor()` takes and `toArray()` returns. */
export type NestedArray = number | boolean | NestedArray[];
/** A tensor, or a JS number standing for a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

let nextId = 0;

export class Tensor implements View {
  /** Lets helpers recognise tensors without importing this module (avoids cycles). */
  readonly __isTensor = true;
  readonly id = nextId++;
  readonly size: number;
  #disposed = false;

  /** @internal Use the creation functions (`tensor`, `zeros`, ...) instead. */
  constructor(
    readonly storage: Storage,
    readonly shape: Shape,
    readonly strides: readonly number[],
    readonly offset: number,
  ) {
    this.size = sizeOf(shape);
    retain(storage);
    onTensorCreated(this);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }
  get rank(): number {
    return this.shape.length;
  }
  get backend(): Backend {
    return this.storage.backend;
  }
  get isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Throws a DisposedError naming `op` if this tensor was disposed. */
  assertLive(op: string): void {
    if (this.#disposed)
      throw new DisposedError(op, `tensor #${this.id} ${fmtShape(this.shape)} ${this.dtype} was disposed`);
  }

  /** Frees this handle; the storage goes when its last view is disposed. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    release(this.storage);
    onTensorDisposed();
  }
  /** Disposes the tensor at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A second handle on the same view (for code that must keep a tensor alive independently). */
  share(): Tensor {
    this.assertLive('share');
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /**
   * The values, formatted as PyTorch prints them (`tensor([[1., 2.], [3., 4.]])`, summarised with `…` past 1000
   * elements). Reads synchronously, so on the CPU only: elsewhere it returns the shape, dtype and backend and
   * says to call `await t.print()` or `await t.format()`.
   */
  toString(options?: PrintOptions): string {
    const head = `${fmtShape(this.shape)}, ${this.dtype}, ${this.backend.name}`;
    if (this.#disposed) return `Tensor(${head}, disposed)`;
    if (!this.backend.readSync)
      return `Tensor(${head}; values need an async read: await t.print() or await t.format())`;
    return formatTensor(this.dataSyncCpu(), this.#layout(), options);
  }
  /** The values formatted as `toString()` does, on any backend (async: a GPU read). */
  async format(options?: PrintOptions): Promise<string> {
    this.assertLive('format');
    return formatTensor(await this.data(), this.#layout(), options);
  }
  /** Prints `await t.format(options)` to the console, as `print(t)` in PyTorch. */
  async print(options?: PrintOptions): Promise<void> {
    console.log(await this.format(options));
  }
  /** Node's console.log and util.inspect show the values (see toString). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  /**
   * `{shape, dtype, data}` with data as nested arrays, for JSON.stringify. Synchronous, so CPU only: on another
   * backend it throws a BackendError saying to use `await t.toArray()`.
   */
  toJSON(): { shape: number[]; dtype: DType; data: NestedArray } {
    this.assertLive('toJSON');
    if (!this.backend.readSync)
      throw new BackendError(
        'toJSON',
        `${fmtShape(this.shape)} ${this.dtype} is on ${this.backend.name}, where reads are async: JSON.stringify(await t.toArray())`,
      );
    return { shape: [...this.shape], dtype: this.dtype, data: this.toArraySyncCpu() };
  }
  #layout() {
    return { shape: this.shape, dtype: this.dtype, backend: this.backend.name };
  }

  // ---- reads -------------------------------------------------------------------------------------------

  /** The elements in row-major order, as a new typed array. */
  async data(): Promise<AnyTypedArray> {
    this.assertLive('data');
    const c =
      this.isContiguous && this.offset === 0 && this.size === this.storage.size
        ? this
        : ops.contiguousCopy(this);
    try {
      return await c.backend
        .read(c.storage.handle, c.dtype, c.storage.size)
        .then((a) =>
          c.offset === 0 && a.length === c.size
            ? a
            : (a.subarray(c.offset, c.offset + c.size) as AnyTypedArray),
        );
    } finally {
      if (c !== this) c.dispose();
    }
  }
  /** The value of a one-element tensor (async: works on every backend). */
  async item(): Promise<number> {
    this.assertLive('item');
    if (this.size !== 1)
      throw new ShapeError('item', `needs exactly one element, got ${fmtShape(this.shape)}`);
    return (await this.data())[0]!;
  }
  /** The values as nested arrays (async: works on every backend). */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype);
  }
  /** Synchronous read; the CPU backend only. */
  dataSyncCpu(): AnyTypedArray {
    this.assertLive('dataSyncCpu');
    const readSync = this.backend.readSync;
    if (!readSync)
      throw new BackendError(
        'dataSyncCpu',
        `synchronous reads need the cpu backend; this tensor is on ${this.backend.name}: use await t.data()`,
      );
    const c = this.isContiguous ? this : ops.contiguousCopy(this);
    try {
      const all = readSync.call(c.backend, c.storage.handle, c.dtype, c.storage.size);
      return all.slice(c.offset, c.offset + c.size) as AnyTypedArray;
    } finally {
      if (c !== this) c.dispose();
    }
  }
  /** The value of a one-element tensor, read synchronously (CPU only). */
  itemSyncCpu(): number {
    if (this.size !== 1)
      throw new ShapeError('itemSyncCpu', `needs exactly one element, got ${fmtShape(this.shape)}`);
    return this.dataSyncCpu()[0]!;
  }
  /** The values as nested arrays, read synchronously (CPU only). */
  toArraySyncCpu(): NestedArray {
    return nest(this.dataSyncCpu(), this.shape, this.dtype);
  }

  /** A copy on another backend (async: leaving a GPU means a read). */
  to(backend: string): Promise<Tensor> {
    return ops.toBackend(this, backend);
  }

  // ---- ops as methods (definitions live in ./ops) ------------------------------------------------------

  /** Elementwise this + b, broadcasting; a number operand takes this tensor's dtype (torch.add). */
  add(b: TensorLike): Tensor {
    return ops.add(this, b);
  }
  /** Elementwise a - b, broadcasting (torch.sub). */
  sub(b: TensorLike): Tensor {
    return ops.sub(this, b);
  }
  /** Elementwise a * b, broadcasting (torch.mul). */
  mul(b: TensorLike): Tensor {
    return ops.mul(this, b);
  }
  /** Elementwise a / b, broadcasting; float dtypes only (torch.div). */
  div(b: TensorLike): Tensor {
    return ops.div(this, b);
  }
  /** Elementwise a ** b, broadcasting; float dtypes only (torch.pow). */
  pow(b: TensorLike): Tensor {
    return ops.pow(this, b);
  }
  /** Elementwise maximum with b (see the function of the same name). */
  maximum(b: TensorLike): Tensor {
    return ops.maximum(this, b);
  }
  /** Elementwise minimum of a and b, broadcasting; NaN wins, as torch.minimum. */
  minimum(b: TensorLike): Tensor {
    return ops.minimum(this, b);
  }
  /** Elementwise -x. */
  neg(): Tensor {
    return ops.neg(this);
  }
  /** Elementwise e^x. */
  exp(): Tensor {
    return ops.exp(this);
  }
  /** Elementwise natural logarithm. */
  log(): Tensor {
    return ops.log(this);
  }
  /** log(1 + x) elementwise, accurate for tiny x. */
  log1p(): Tensor {
    return ops.log1p(this);
  }
  /** Elementwise square root. */
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  /** 1 / √x elementwise (torch.rsqrt). */
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  /** Elementwise 1 / x. */
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  /** Elementwise sine. */
  sin(): Tensor {
    return ops.sin(this);
  }
  /** Elementwise cosine. */
  cos(): Tensor {
    return ops.cos(this);
  }
  /** Elementwise hyperbolic tangent. */
  tanh(): Tensor {
    return ops.tanh(this);
  }
  /** Elementwise Gauss error function. */
  erf(): Tensor {
    return ops.erf(this);
  }
  /** Elementwise |x|. */
  abs(): Tensor {
    return ops.abs(this);
  }
  /** Elementwise x * x. */
  square(): Tensor {
    return ops.square(this);
  }
  /** max(x, 0) elementwise. */
  relu(): Tensor {
    return ops.relu(this);
  }
  /** 1 / (1 + e^-x) elementwise, computed without overflow. */
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  /** log(1 + exp(β·x))/β elementwise, computed without overflow (see the function of the same name). */
  softplus(options?: ops.SoftplusOptions): Tensor {
    return ops.softplus(this, options);
  }
  /** log(sigmoid(x)) elementwise, finite for every finite x. */
  logSigmoid(): Tensor {
    return ops.logSigmoid(this);
  }
  /** Gaussian error linear unit (see the function of the same name). */
  gelu(options?: ops.GeluOptions): Tensor {
    return ops.gelu(this, options);
  }
  /** Limits values to [min, max]; either bound may be omitted. */
  clamp(min?: number, max?: number): Tensor {
    return ops.clamp(this, min, max);
  }
  /** Elementwise a < b as a bool tensor, broadcasting. */
  lt(b: TensorLike): Tensor {
    return ops.lt(this, b);
  }
  /** Elementwise a <= b as a bool tensor, broadcasting (false when either is NaN). */
  le(b: TensorLike): Tensor {
    return ops.le(this, b);
  }
  /** Elementwise a > b as a bool tensor, broadcasting. */
  gt(b: TensorLike): Tensor {
    return ops.gt(this, b);
  }
  /** Elementwise a >= b as a bool tensor, broadcasting (false when either is NaN). */
  ge(b: TensorLike): Tensor {
    return ops.ge(this, b);
  }
  /** Elementwise a == b as a bool tensor, broadcasting. */
  eq(b: TensorLike): Tensor {
    return ops.eq(this, b);
  }
  /** Elementwise a != b as a bool tensor, broadcasting. */
  ne(b: TensorLike): Tensor {
    return ops.ne(this, b);
  }
  /** Elementwise logical not, as a bool tensor. */
  logicalNot(): Tensor {
    return ops.logicalNot(this);
  }
  /** A copy converted to `dtype` (float to int truncates toward zero, as PyTorch). */
  cast(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }

  /** Sum over `axis` (all axes when omitted); `keepdim` keeps reduced axes as size 1. */
  sum(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.sum(this, axis, keepdim);
  }
  /** Maximum over `axis` (all when omitted). */
  max(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.max(this, axis, keepdim);
  }
  /** Minimum over `axis` (all when omitted). */
  min(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.min(this, axis, keepdim);
  }
  /** Mean over `axis` (all when omitted); float dtypes only. */
  mean(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.mean(this, axis, keepdim);
  }
  /** Variance over `axis` with Bessel's correction by default (torch.var). */
  var(axis?: ops.Axes, options?: ops.VarianceOptions): Tensor {
    return ops.variance(this, axis, options);
  }
  /** Index of the maximum along `axis` (of the flattened tensor when omitted), int32. */
  argmax(axis?: number, keepdim?: boolean): Tensor {
    return ops.argmax(this, axis, keepdim);
  }
  /** Index of the minimum along `axis` (of the flattened tensor when omitted), int32. */
  argmin(axis?: number, keepdim?: boolean): Tensor {
    return ops.argmin(this, axis, keepdim);
  }
  /** log(sum(exp(x))) over `axis` (all when omitted), computed without overflow. */
  logsumexp(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.logsumexp(this, axis, keepdim);
  }
  /** Softmax along `axis` (default the last). */
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  /** Log-softmax along `axis` (default the last), computed without overflow. */
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }
  /** Matrix product with NumPy/PyTorch rules (1-D promotion, broadcast batch dimensions). */
  matmul(b: Tensor): Tensor {
    return ops.matmul(this, b);
  }

  /** The same elements in a new shape (one `-1` is inferred); a view when the strides allow, else a copy. */
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  /** reshape without a copy (torch.view): a ShapeError on a non-contiguous tensor. */
  view(shape: readonly number[]): Tensor {
    return ops.view(this, shape);
  }
  /** The matrix transpose (torch.t); rank <= 2. */
  t(): Tensor {
    return ops.t(this);
  }
  /** x[..., index, ...] along `axis`, dropping the axis (torch.select). */
  select(axis: number, index: number): Tensor {
    return ops.select(this, axis, index);
  }
  /** The number of elements (torch.numel); the same as `size`. */
  numel(): number {
    return this.size;
  }
  /** A view with the axes reordered. */
  permute(dims: readonly number[]): Tensor {
    return ops.permute(this, dims);
  }
  /** A view with axes d0 and d1 swapped (default the last two). */
  transpose(d0 = -2, d1 = -1): Tensor {
    return ops.transpose(this, d0, d1);
  }
  get T(): Tensor {
    return ops.permute(
      this,
      this.shape.map((_, i) => this.rank - 1 - i),
    );
  }
  /** A view broadcast to `shape` (stride 0 on expanded axes; `-1` keeps a dimension). */
  expand(shape: readonly number[]): Tensor {
    return ops.expand(this, shape);
  }
  /** The same as expand. */
  broadcastTo(shape: readonly number[]): Tensor {
    return ops.expand(this, shape);
  }
  /** x[start:end:step] along `axis` as a view, with Python's rules for negative and out-of-range bounds. */
  slice(axis: number, start: number, end?: number, step?: number): Tensor {
    return ops.slice(this, axis, start, end, step);
  }
  /** A view without size-1 axes (all, or the given ones). */
  squeeze(axis?: ops.Axes): Tensor {
    return ops.squeeze(this, axis);
  }
  /** A view with a new size-1 axis at `axis`. */
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  }
  /** A view (or copy) with axes start..end merged into one. */
  flatten(start = 0, end = -1): Tensor {
    return ops.flatten(this, start, end);
  }
  /** A contiguous copy of this view. */
  contiguous(): Tensor {
    return ops.contiguous(this);
  }
  /** Padding with `value`, one [before, after] pair per axis, axis 0 first; negative widths crop. */
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor {
    return ops.pad(this, pads, value);
  }
  /** Chunks along `axis`: of one size (the last may be smaller) or of the listed sizes (torch.split). */
  split(sizeOrSections: number | readonly number[], axis = 0): Tensor[] {
    return ops.split(this, sizeOrSections, axis);
  }
  /** torch.gather: values of this tensor at `index` along `axis`. */
  gather(axis: number, index: Tensor): Tensor {
    return ops.gather(this, axis, index);
  }
  /** The slices at `index` (int32, 1-D) along `axis` (torch.index_select). */
  indexSelect(axis: number, index: Tensor): Tensor {
    return ops.indexSelect(this, axis, index);
  }
  /** A copy with `src` added at `index` along `axis` (torch.scatter_add). */
  scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor {
    return ops.scatterAdd(this, axis, index, src);
  }
}

function nest(flat: AnyTypedArray, shape: Shape, dtype: DType): NestedArray {
  const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(flat[0]!);
  let i = 0;
  const build = (d: number): NestedArray[] => {
    const n = shape[d]!;
    const out: NestedArray[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = d === shape.length - 1 ? conv(flat[i++]!) : build(d + 1);
    return out;
  };
  return build(0);
}
