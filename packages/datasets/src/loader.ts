import { type Tensor, tensor } from '@norga/tensor';
import { type BatchOptions, BatchSource, type RawBatch } from './batches.js';
import type { ImageSet, Subset } from './types.js';

/** Options of DataLoader: BatchOptions and the backend of the tensors. */
export interface LoaderOptions extends BatchOptions {
  /** Backend the batch tensors are created on (default: the current backend). */
  readonly backend?: string;
}

/** One batch as tensors, owned by the caller (dispose both). */
export interface Batch {
  /** float32 [B, C, H, W]. */
  readonly images: Tensor;
  /** int32 [B], global class ids. */
  readonly labels: Tensor;
  /** The ImageSet sample indices of this batch, in order. */
  readonly indices: Int32Array;
}

/**
 * Seeded, bounded-memory batches as tensors: one batch of floats is built at a time from the index view, then
 * written to the backend. The caller owns each batch's tensors (dispose them, or create them inside tidy()).
 */
export class DataLoader extends BatchSource {
  /** The backend named in the options, or undefined for the current one. */
  readonly backend: string | undefined;

  constructor(source: Subset | ImageSet, options: LoaderOptions) {
    super(source, options);
    this.backend = options.backend;
  }

  /** The batches of epoch `epoch` (its shuffle and transforms), as tensors the caller disposes. */
  *batches(epoch = 0): Generator<Batch> {
    for (const raw of this.rawBatches(epoch)) yield this.toTensors(raw);
  }

  /** The batches of epoch 0: `for (const b of loader)`. */
  [Symbol.iterator](): Generator<Batch> {
    return this.batches(0);
  }

  /** Makes tensors of a raw batch: images float32 [B, C, H, W], labels int32 [B], on the loader's backend. */
  toTensors(raw: RawBatch): Batch {
    const opts = this.backend ? { backend: this.backend } : {};
    const images = tensor(raw.images, { ...opts, shape: raw.shape, dtype: 'float32' });
    const labels = tensor(raw.labels, { ...opts, shape: [raw.labels.length], dtype: 'int32' });
    return { images, labels, indices: raw.indices };
  }
}
