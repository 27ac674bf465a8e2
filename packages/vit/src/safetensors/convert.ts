/** Decoding stored tensor bytes (always little-endian in safetensors) into float32 arrays, and back. */

import type { FloatDType } from './dtypes.js';
import { SafetensorsError } from './errors.js';
import { f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './half.js';
import type { LoadedTensor } from './read.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let f16Table: Float32Array | undefined;
/** All 65536 half values, built on first use: a table lookup beats bit twiddling per element. */
function halfTable(): Float32Array {
  if (f16Table === undefined) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToFloat(h);
  }
  return f16Table;
}

/** A fresh float32 copy of a tensor stored as F32, F16, BF16 or F64. */
export function toFloat32(t: Pick<LoadedTensor, 'name' | 'dtype' | 'bytes'>): Float32Array {
  const { bytes } = t;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (t.dtype) {
    case 'F32': {
      // slice() copies into a fresh, aligned buffer; the file's offsets need not be 4-byte aligned.
      if (LITTLE_ENDIAN) return new Float32Array(bytes.slice().buffer);
      const out = new Float32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'F16': {
      const table = halfTable();
      const out = new Float32Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = table[view.getUint16(2 * i, true)]!;
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(bytes.length / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    case 'F64': {
      // A finite double beyond float32's range would become ±Infinity silently (and a weight of -1e300 is a
      // corrupt file, not a value to train with): raise, naming the tensor, the position and the value.
      const out = new Float32Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) {
        const v = view.getFloat64(8 * i, true);
        out[i] = v;
        if (!Number.isFinite(out[i]!) && Number.isFinite(v)) {
          throw new SafetensorsError(
            `tensor '${t.name}': F64 value ${v} at flat index ${i} is outside float32's range (±3.4028235e38)`,
          );
        }
      }
      return out;
    }
    default:
      throw new SafetensorsError(`tensor '${t.name}': dtype ${t.dtype} does not convert to float32`);
  }
}

/** Encodes float32 values as little-endian bytes of the given float dtype. */
export function encodeFloats(values: ArrayLike<number>, dtype: FloatDType): Uint8Array {
  const size = dtype === 'F32' ? 4 : 2;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (dtype === 'F32') view.setFloat32(4 * i, v, true);
    else view.setUint16(2 * i, dtype === 'F16' ? floatToF16Bits(v) : floatToBf16Bits(v), true);
  }
  return out;
}
