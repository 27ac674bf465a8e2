import type { ImageSet } from '../../src/index.js';

/**
 * An ImageSet of `perClass[c]` samples for each class c, interleaved by class (sample i has label i % K while
 * classes last). Pixel bytes encode the sample: first byte = index % 251, the rest (index + p) % 256.
 */
export function syntheticSet(
  perClass: readonly number[],
  shape: [number, number, number] = [1, 2, 2],
): ImageSet {
  const labels: number[] = [];
  const left = [...perClass];
  while (left.some((n) => n > 0)) {
    left.forEach((n, c) => {
      if (n > 0) {
        labels.push(c);
        left[c] = n - 1;
      }
    });
  }
  const size = shape[0] * shape[1] * shape[2];
  const images = new Uint8Array(labels.length * size);
  for (let i = 0; i < labels.length; i++) {
    images[i * size] = i % 251;
    for (let p = 1; p < size; p++) images[i * size + p] = (i + p) % 256;
  }
  return {
    images,
    labels: Int32Array.from(labels),
    count: labels.length,
    channels: shape[0],
    height: shape[1],
    width: shape[2],
    classNames: perClass.map((_, c) => `class${c}`),
  };
}
