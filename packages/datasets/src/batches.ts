import { DatasetError } from './errors.js';
import { createRng, mixSeed, shuffleInPlace } from './rng.js';
import { type Transform, toFloatImage } from './transforms.js';
import type { ImageSet, Subset } from './types.js';
import { allOf } from './types.js';

/**
 * Batching without tensors: seeded shuffling, per-sample transforms, NCHW float32 batches. The loader in
 * loader.ts wraps these in tensors. Memory stays bounded: the source is an index view into one ImageSet,
 * and only one batch of floats exists at a time.
 */
export interface BatchOptions {
  /** Samples per batch: a positive integer. */
  readonly batchSize: number;
  /** Shuffle each epoch (default true); the order depends only on (seed, epoch). */
  readonly shuffle?: boolean;
  /** Seed of the shuffle and of the random transforms (default 0). */
  readonly seed?: number;
  /** Drop the last, smaller batch (default false). */
  readonly dropLast?: boolean;
  /** Applied to each sample after conversion to float (pixel * scale); every output must have one shape. */
  readonly transform?: Transform;
  /** Pixel byte multiplier before the transform (default 1/255, giving [0, 1]). */
  readonly scale?: number;
}

/** One batch as plain arrays, before the loader makes tensors of it. */
export interface RawBatch {
  /** batch * channels * height * width floats, NCHW. */
  readonly images: Float32Array;
  /** [batch, channels, height, width] of `images`. */
  readonly shape: readonly [number, number, number, number];
  /** Global class ids (the set's labels plus the subset's labelOffset). */
  readonly labels: Int32Array;
  /** Which samples of the ImageSet these are (for debugging and for per-sample bookkeeping). */
  readonly indices: Int32Array;
}

/**
 * The samples of a Subset (or a whole ImageSet) as seeded, shuffled, transformed float32 batches (RawBatch).
 *
 * @throws DatasetError from the constructor when batchSize is not a positive integer, and from rawBatches when a
 * transform gives samples of different shapes.
 */
export class BatchSource {
  /** The samples walked over. */
  readonly subset: Subset;
  /** The options with their defaults filled in. */
  readonly options: Required<Omit<BatchOptions, 'transform'>> & { transform?: Transform };

  constructor(source: Subset | ImageSet, options: BatchOptions) {
    this.subset = 'set' in source ? source : allOf(source);
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new DatasetError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    this.options = {
      batchSize,
      shuffle: options.shuffle ?? true,
      seed: options.seed ?? 0,
      dropLast: options.dropLast ?? false,
      scale: options.scale ?? 1 / 255,
      ...(options.transform ? { transform: options.transform } : {}),
    };
  }

  /** Number of samples the loader walks over per epoch (before drop-last). */
  get size(): number {
    return this.subset.indices.length;
  }

  /** Batches per epoch: size / batchSize, rounded up, or down with dropLast. */
  get numBatches(): number {
    const { batchSize, dropLast } = this.options;
    return dropLast ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
  }

  /** The ImageSet indices in the order epoch `epoch` visits them. */
  order(epoch = 0): Int32Array {
    const order = Int32Array.from(this.subset.indices);
    return this.options.shuffle ? shuffleInPlace(order, createRng(mixSeed(this.options.seed, epoch))) : order;
  }

  /** Batches of one epoch. Each sample's random transform is seeded by (seed, epoch, sample index), so
   * augmentation does not depend on batch size or on which other samples share its batch. */
  *rawBatches(epoch = 0): Generator<RawBatch> {
    const order = this.order(epoch);
    const { batchSize, seed, scale, transform } = this.options;
    const set = this.subset.set;
    const offset = this.subset.labelOffset ?? 0;
    for (let b = 0; b < this.numBatches; b++) {
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
      const labels = new Int32Array(indices.length);
      let images: Float32Array | undefined;
      let shape: [number, number, number, number] = [indices.length, 0, 0, 0];
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k]!;
        labels[k] = set.labels[i]! + offset;
        let img = toFloatImage(set, i, scale);
        if (transform) img = transform(img, createRng(mixSeed(seed, epoch, i, 0x5eed)));
        const size = img.channels * img.height * img.width;
        if (!images) {
          shape = [indices.length, img.channels, img.height, img.width];
          images = new Float32Array(indices.length * size);
        } else if (img.channels !== shape[1] || img.height !== shape[2] || img.width !== shape[3]) {
          throw new DatasetError(
            `transform gave sample ${i} shape [${img.channels}, ${img.height}, ${img.width}] but the batch is ` +
              `[${shape.slice(1).join(', ')}]; every transformed image must have one shape`,
          );
        }
        images.set(img.data, k * size);
      }
      yield { images: images!, shape, labels, indices: Int32Array.from(indices) };
    }
  }
}
