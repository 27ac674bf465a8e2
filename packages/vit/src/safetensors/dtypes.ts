/**
 * The safetensors dtype names and their sizes in bytes. Every dtype the format defines is listed so that a file
 * holding, say, I64 step counters can still be validated and its float tensors read; only the float dtypes
 * below convert to float32.
 */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

/** A safetensors dtype name (`F32`, `BF16`, `I64`, ...). */
export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** The dtypes this package can convert to and from float32. */
export type FloatDType = 'F32' | 'F16' | 'BF16';

/** Whether `name` is a dtype the safetensors format defines. */
export function isSafetensorsDType(name: string): name is SafetensorsDType {
  return Object.hasOwn(SAFETENSORS_DTYPE_BYTES, name);
}

/** Bytes per element of `dtype`. */
export function dtypeBytes(dtype: SafetensorsDType): number {
  return SAFETENSORS_DTYPE_BYTES[dtype];
}
