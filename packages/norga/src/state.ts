/**
 * Tensors in JSON checkpoints: shape, dtype and the raw little-endian bytes in base64. Exact (no decimal
 * round trip), compact enough for prefixes and heads, and readable with any JSON tool.
 */
import { type DType, type Tensor, tensor } from '@norga/tensor';
import { CorruptFileError } from './atomic.js';

export interface SavedTensor {
  shape: number[];
  dtype: DType;
  base64: string;
}

export async function encodeTensor(t: Tensor): Promise<SavedTensor> {
  const data = (await t.data()) as Float32Array | Float64Array | Int32Array;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { shape: [...t.shape], dtype: t.dtype, base64: Buffer.from(bytes).toString('base64') };
}

export function decodeTensor(s: SavedTensor): Tensor {
  const bytes = Buffer.from(s.base64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const n = s.shape.reduce((a, b) => a * b, 1);
  const data =
    s.dtype === 'float64'
      ? new Float64Array(copy.buffer)
      : s.dtype === 'int32'
        ? new Int32Array(copy.buffer)
        : new Float32Array(copy.buffer);
  if (data.length !== n)
    throw new CorruptFileError(
      'checkpoint',
      `a tensor holds ${data.length} values for shape [${s.shape.join(', ')}]`,
    );
  return tensor(data, { shape: s.shape, dtype: s.dtype });
}

/** Typed arrays in JSON (base64 of their bytes). */
export function encodeArray(a: Float32Array | Int32Array): { kind: 'f32' | 'i32'; base64: string } {
  return {
    kind: a instanceof Float32Array ? 'f32' : 'i32',
    base64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  };
}

export function decodeArray(s: { kind: 'f32' | 'i32'; base64: string }): Float32Array | Int32Array {
  const bytes = Buffer.from(s.base64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return s.kind === 'f32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
}
