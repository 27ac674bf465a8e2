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

export type NestedArray = number | boolean | NestedArray[];
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
  async item(): Promise<number> {
    this.assertLive('item');
    if (this.size !== 1)
      throw new ShapeError('item', `needs exactly one element, got ${fmtShape(this.shape)}`);
    return (await this.data())[0]!;
  }
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
  itemSyncCpu(): number {
    if (this.size !== 1)
      throw new ShapeError('itemSyncCpu', `needs exactly one element, got ${fmtShape(this.shape)}`);
    return this.dataSyncCpu()[0]!;
  }
  toArraySyncCpu(): NestedArray {
    return nest(this.dataSyncCpu(), this.shape, this.dtype);
  }

  /** A copy on another backend (async: leaving a GPU means a read). */
  to(backend: string): Promise<Tensor> {
    return ops.toBackend(this, backend);
  }

  // ---- ops as methods (definitions live in ./ops) ------------------------------------------------------
  add(b: TensorLike): Tensor {
    return ops.add(this, b);
  }
  sub(b: TensorLike): Tensor {
    return ops.sub(this, b);
  }
  mul(b: TensorLike): Tensor {
    return ops.mul(this, b);
  }
  div(b: TensorLike): Tensor {
    return ops.div(this, b);
  }
  pow(b: TensorLike): Tensor {
    return ops.pow(this, b);
  }
  maximum(b: TensorLike): Tensor {
    return ops.maximum(this, b);
  }
  minimum(b: TensorLike): Tensor {
    return ops.minimum(this, b);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  /** log(1 + x) elementwise, accurate for tiny x. */
  log1p(): Tensor {
    return ops.log1p(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  sin(): Tensor {
    return ops.sin(this);
  }
  cos(): Tensor {
    return ops.cos(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  erf(): Tensor {
    return ops.erf(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
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
  gelu(options?: ops.GeluOptions): Tensor {
    return ops.gelu(this, options);
  }
  clamp(min?: number, max?: number): Tensor {
    return ops.clamp(this, min, max);
  }
  lt(b: TensorLike): Tensor {
    return ops.lt(this, b);
  }
  le(b: TensorLike): Tensor {
    return ops.le(this, b);
  }
  gt(b: TensorLike): Tensor {
    return ops.gt(this, b);
  }
  ge(b: TensorLike): Tensor {
    return ops.ge(this, b);
  }
  eq(b: TensorLike): Tensor {
    return ops.eq(this, b);
  }
  ne(b: TensorLike): Tensor {
    return ops.ne(this, b);
  }
  logicalNot(): Tensor {
    return ops.logicalNot(this);
  }
  cast(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }

  sum(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.sum(this, axis, keepdim);
  }
  max(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.max(this, axis, keepdim);
  }
  min(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.min(this, axis, keepdim);
  }
  mean(axis?: ops.Axes, keepdim?: boolean): Tensor {
    return ops.mean(this, axis, keepdim);
  }
  var(axis?: ops.Axes, options?: ops.VarianceOptions): Tensor {
    return ops.variance(this, axis, options);
  }
  argmax(axis?: number, keepdim?: boolean): Tensor {
    return ops.argmax(this, axis, keepdim);
  }
  argmin(axis?: number, keepdim?: boolean): Tensor {
    return ops.argmin(this, axis, keepdim);
  }
  logsumexp(axis: ops.Axes, keepdim?: boolean): Tensor {
    return ops.logsumexp(this, axis, keepdim);
  }
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }
  matmul(b: Tensor): Tensor {
    return ops.matmul(this, b);
  }

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
  permute(dims: readonly number[]): Tensor {
    return ops.permute(this, dims);
  }
  transpose(d0 = -2, d1 = -1): Tensor {
    return ops.transpose(this, d0, d1);
  }
  get T(): Tensor {
    return ops.permute(
      this,
      this.shape.map((_, i) => this.rank - 1 - i),
    );
  }
  expand(shape: readonly number[]): Tensor {
    return ops.expand(this, shape);
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return ops.expand(this, shape);
  }
  slice(axis: number, start: number, end?: number, step?: number): Tensor {
    return ops.slice(this, axis, start, end, step);
  }
  squeeze(axis?: ops.Axes): Tensor {
    return ops.squeeze(this, axis);
  }
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  }
  flatten(start = 0, end = -1): Tensor {
    return ops.flatten(this, start, end);
  }
  contiguous(): Tensor {
    return ops.contiguous(this);
  }
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor {
    return ops.pad(this, pads, value);
  }
  split(sizeOrSections: number | readonly number[], axis = 0): Tensor[] {
    return ops.split(this, sizeOrSections, axis);
  }
  gather(axis: number, index: Tensor): Tensor {
    return ops.gather(this, axis, index);
  }
  indexSelect(axis: number, index: Tensor): Tensor {
    return ops.indexSelect(this, axis, index);
  }
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
