import { DataFormatError } from '../errors.js';
import type { ImageSet } from '../types.js';

/**
 * The CIFAR binary formats. CIFAR-10 (`cifar-10-batches-bin`): records of 1 label byte + 3072 pixel bytes.
 * CIFAR-100 (`cifar-100-binary`): 1 coarse label byte + 1 fine label byte + 3072 pixel bytes. Pixels are
 * 32x32, the red plane then green then blue: already CHW, so a record's pixels copy straight in.
 */
/** Which CIFAR: 10 classes, or 100 fine classes in 20 superclasses. */
export type CifarVariant = 'cifar10' | 'cifar100';

const PIXELS = 3 * 32 * 32;

/** CIFAR-10's class names; label i is CIFAR10_CLASSES[i]. */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** Bytes per record of a batch file: 3073 for CIFAR-10 (1 label), 3074 for CIFAR-100 (coarse and fine label). */
export function cifarRecordSize(variant: CifarVariant): number {
  return (variant === 'cifar10' ? 1 : 2) + PIXELS;
}

/** The bytes of one batch file and its name. */
export interface CifarFile {
  /** The whole file: a whole number of records. */
  readonly bytes: Uint8Array;
  /** Names the file in errors. */
  readonly file: string;
}

/** Class names of a CIFAR data set. */
export interface CifarClassNames {
  /** The classes of the labels (10 or 100); a label outside them is a DataFormatError. */
  readonly fine: readonly string[];
  /** CIFAR-100 only: the 20 superclasses. */
  readonly coarse?: readonly string[];
}

/**
 * Parses one or more batch files into one ImageSet (the five CIFAR-10 training batches become one set).
 * All sizes are checked before anything is allocated, so a truncated last file fails fast. Images are uint8
 * [N, 3, 32, 32].
 *
 * @throws DataFormatError for an empty or truncated file, a label outside the class names, or CIFAR-100 without
 * coarse names.
 */
export function parseCifar(
  files: readonly CifarFile[],
  variant: CifarVariant,
  names: CifarClassNames,
): ImageSet {
  const record = cifarRecordSize(variant);
  let count = 0;
  for (const { bytes, file } of files) {
    if (bytes.length === 0) throw new DataFormatError(file, 0, 'empty file');
    if (bytes.length % record !== 0) {
      const whole = Math.floor(bytes.length / record);
      throw new DataFormatError(
        file,
        whole * record,
        `truncated: ${bytes.length} bytes is not a whole number of ${record}-byte ${variant} records ` +
          `(record ${whole} is cut short)`,
      );
    }
    count += bytes.length / record;
  }
  const numFine = names.fine.length;
  const numCoarse = names.coarse?.length ?? 0;
  if (variant === 'cifar100' && numCoarse === 0) {
    throw new DataFormatError(files[0]?.file ?? variant, undefined, 'CIFAR-100 needs coarse class names');
  }
  const images = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  const coarse = variant === 'cifar100' ? new Int32Array(count) : undefined;
  let n = 0;
  for (const { bytes, file } of files) {
    for (let at = 0; at < bytes.length; at += record, n++) {
      if (coarse) {
        const c = bytes[at]!;
        if (c >= numCoarse) {
          throw new DataFormatError(
            file,
            at,
            `coarse label ${c} of record ${at / record} is out of range [0, ${numCoarse})`,
          );
        }
        coarse[n] = c;
      }
      const labelAt = coarse ? at + 1 : at;
      const l = bytes[labelAt]!;
      if (l >= numFine) {
        throw new DataFormatError(
          file,
          labelAt,
          `label ${l} of record ${at / record} is out of range [0, ${numFine})`,
        );
      }
      labels[n] = l;
      images.set(bytes.subarray(labelAt + 1, at + record), n * PIXELS);
    }
  }
  return {
    images,
    labels,
    count,
    channels: 3,
    height: 32,
    width: 32,
    classNames: names.fine,
    ...(coarse ? { coarseLabels: coarse, coarseClassNames: names.coarse! } : {}),
  };
}

/** Builds CIFAR batch bytes from samples (for tests and exports). Pixels are CHW, 3072 per sample. */
export function encodeCifar(
  variant: CifarVariant,
  samples: readonly { label: number; coarse?: number; pixels: Uint8Array }[],
): Uint8Array {
  const record = cifarRecordSize(variant);
  const out = new Uint8Array(samples.length * record);
  samples.forEach((s, i) => {
    let at = i * record;
    if (variant === 'cifar100') out[at++] = s.coarse ?? 0;
    out[at++] = s.label;
    out.set(s.pixels.subarray(0, PIXELS), at);
  });
  return out;
}

/** Class names from a `batches.meta.txt`-style file: one per line, blank lines ignored. */
export function parseNameList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
