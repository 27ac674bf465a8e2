/**
 * Tensors in JSON checkpoints: shape, dtype and the raw little-endian bytes in base64. Exact (no decimal
 * round trip), compact enough for prefixes and heads, and readable with any JSON tool.
 */
import { type DType, type Tensor, tensor } from '@norga/tensor';

/** A tensor as JSON: shape, dtype and its bytes in base64 (exact, NaN included). */
export interface SavedTensor {
  shape: number[];
  dtype: DType;
  base64: string;
}

/** A tensor's values as a SavedTensor. */
export async function encodeTensor(t: Tensor): Promise<SavedTensor> {
  const data = (await t.data()) as Float32Array | Float64Array | Int32Array;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { shape: [...t.shape], dtype: t.dtype, base64: bytesToBase64(bytes) };
}

/** The base64 of `bytes` (RFC 4648, what Node's Buffer writes), without Node's Buffer: a browser runs it too. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // btoa takes one character per byte; String.fromCharCode takes at most ~64k arguments at a time.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The bytes of base64 `text`; text that is not base64 throws an Error saying so (the caller names the file). */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Error(`not base64 data: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const ELEMENT_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/**
 * The tensor a checkpoint saved. A saved tensor that cannot be one (an unknown dtype, a shape that is not a list of
 * sizes, a byte count that does not fit its shape) throws an Error saying which; the caller names the file.
 */
export function decodeTensor(s: SavedTensor): Tensor {
  const size = ELEMENT_BYTES[s?.dtype];
  if (
    size === undefined ||
    !Array.isArray(s.shape) ||
    !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    typeof s.base64 !== 'string'
  )
    throw new Error(
      `a saved tensor needs a shape, a dtype and base64 data, got ${JSON.stringify(s).slice(0, 80)}`,
    );
  const copy = base64ToBytes(s.base64);
  const n = s.shape.reduce((a, b) => a * b, 1);
  if (copy.length !== n * size)
    throw new Error(
      `a tensor of shape [${s.shape.join(', ')}] (${s.dtype}) holds ${copy.length} bytes, not ${n * size}`,
    );
  const data =
    s.dtype === 'float64'
      ? new Float64Array(copy.buffer)
      : s.dtype === 'int32'
        ? new Int32Array(copy.buffer)
        : s.dtype === 'bool'
          ? copy
          : new Float32Array(copy.buffer);
  return tensor(data, { shape: s.shape, dtype: s.dtype });
}

/** Typed arrays in JSON (base64 of their bytes). */
export function encodeArray(a: Float32Array | Int32Array): { kind: 'f32' | 'i32'; base64: string } {
  return {
    kind: a instanceof Float32Array ? 'f32' : 'i32',
    base64: bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
  };
}

/** The typed array an encodeArray wrote. */
export function decodeArray(s: { kind: 'f32' | 'i32'; base64: string }): Float32Array | Int32Array {
  const copy = base64ToBytes(s.base64);
  return s.kind === 'f32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
}
