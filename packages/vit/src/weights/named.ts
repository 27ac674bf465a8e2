/** Plain named float arrays: the currency between files, name maps and the model. */
export interface NamedArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export type NamedArrays = Map<string, NamedArray>;

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
