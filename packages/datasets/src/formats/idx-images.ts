import { DataFormatError } from '../errors.js';
import type { ImageSet } from '../types.js';
import type { IdxArray } from './idx.js';
import { checkLabels } from './labels.js';

/**
 * Pairs an IDX image file ([N, H, W] or [N, H, W, C], uint8) with an IDX label file ([N], uint8) into an
 * ImageSet. The header of a label file is 8 bytes, so label i sits at byte 8 + i.
 */
export function idxToImageSet(
  images: IdxArray,
  labels: IdxArray,
  classNames: readonly string[],
  files: { images: string; labels: string },
): ImageSet {
  if (images.type !== 'uint8') {
    throw new DataFormatError(files.images, 2, `expected uint8 pixels (type 0x08), found ${images.type}`);
  }
  if (images.shape.length !== 3 && images.shape.length !== 4) {
    throw new DataFormatError(
      files.images,
      3,
      `expected images of shape [N, H, W] or [N, H, W, C], found [${images.shape.join(', ')}]`,
    );
  }
  if (labels.shape.length !== 1) {
    throw new DataFormatError(
      files.labels,
      3,
      `expected labels of shape [N], found [${labels.shape.join(', ')}]`,
    );
  }
  const [n, h, w, c = 1] = images.shape as [number, number, number, number?];
  if (labels.shape[0] !== n) {
    throw new DataFormatError(
      files.labels,
      4,
      `has ${labels.shape[0]} labels but ${files.images} has ${n} images`,
    );
  }
  const headerBytes = 4 + 4 * labels.shape.length;
  const bytesPer = labels.data.BYTES_PER_ELEMENT;
  const checked = checkLabels(
    labels.data,
    classNames.length,
    files.labels,
    (i) => headerBytes + i * bytesPer,
  );
  const pixels = images.data as Uint8Array;
  return {
    images: c === 1 ? pixels : hwcToChw(pixels, n, h, w, c),
    labels: checked,
    count: n,
    channels: c,
    height: h,
    width: w,
    classNames,
  };
}

/** IDX stores channels last; the ImageSet keeps NCHW. */
function hwcToChw(src: Uint8Array, n: number, h: number, w: number, c: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const plane = h * w;
  for (let s = 0; s < n; s++) {
    const base = s * plane * c;
    for (let p = 0; p < plane; p++)
      for (let k = 0; k < c; k++) out[base + k * plane + p] = src[base + p * c + k]!;
  }
  return out;
}
