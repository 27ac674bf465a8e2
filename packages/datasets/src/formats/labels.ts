import { DataFormatError } from '../errors.js';

/**
 * Checks every label is a class id in [0, numClasses) and returns them as Int32Array.
 * `offsetOf(i)` gives the byte offset (or entry name) of label i in its file, for the error message.
 */
export function checkLabels(
  labels: ArrayLike<number>,
  numClasses: number,
  file: string,
  offsetOf: (i: number) => number | string,
): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) {
      throw new DataFormatError(
        file,
        offsetOf(i),
        `label ${l} of sample ${i} is out of range [0, ${numClasses})`,
      );
    }
    out[i] = l;
  }
  return out;
}
