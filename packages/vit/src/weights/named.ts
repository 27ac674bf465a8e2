/** Plain named float arrays: the currency between files, name maps and the model. */
export interface NamedArray {
  /** The array's shape; data holds their product of values. */
  readonly shape: readonly number[];
  /** The values, row-major. */
  readonly data: Float32Array;
}

/** Named arrays by parameter name. */
export type NamedArrays = Map<string, NamedArray>;
