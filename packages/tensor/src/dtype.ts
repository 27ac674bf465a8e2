/** The element types a tensor can hold. `bool` is stored one byte per element (0 or 1). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed arrays tensors read into and are made from. */
export type AnyTypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every dtype, in a fixed order. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** Bytes per element of each dtype as stored (bool: one byte). */
export const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Whether `dtype` is float32 or float64. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** A zeroed typed array of the kind that holds `dtype`. */
export function typedArrayFor(dtype: DType, size: number): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** The dtype a typed array naturally holds (Uint8Array is read as bool). */
export function dtypeOfTypedArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  return undefined;
}

export function assertDType(value: unknown): asserts value is DType {
  if (!DTYPES.includes(value as DType)) {
    throw new TypeError(`unknown dtype '${String(value)}' (known: ${DTYPES.join(', ')})`);
  }
}
