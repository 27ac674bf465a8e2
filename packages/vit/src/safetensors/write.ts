/**
 * A safetensors writer producing what the reference implementation produces: tensors ordered by dtype size
 * (largest first, so every tensor stays aligned) then by name, and the JSON header padded with spaces so the
 * byte buffer starts on an 8-byte boundary.
 */
import { encodeFloats } from './convert.js';
import { dtypeBytes, type FloatDType, type SafetensorsDType } from './dtypes.js';
import { SafetensorsError } from './errors.js';

/** Float data converted on write (F32 by default), or raw little-endian bytes of any safetensors dtype. */
export type TensorToWrite =
  | { readonly shape: readonly number[]; readonly data: ArrayLike<number>; readonly dtype?: FloatDType }
  | { readonly shape: readonly number[]; readonly bytes: Uint8Array; readonly dtype: SafetensorsDType };

function encode(
  name: string,
  t: TensorToWrite,
): { dtype: SafetensorsDType; shape: number[]; bytes: Uint8Array } {
  const shape = [...t.shape];
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(
      `tensor '${name}': shape [${shape.join(', ')}] must hold non-negative integers`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if ('bytes' in t) {
    const expected = count * dtypeBytes(t.dtype);
    if (t.bytes.length !== expected) {
      throw new SafetensorsError(
        `tensor '${name}': shape [${shape.join(', ')}] × ${t.dtype} needs ${expected} bytes, got ${t.bytes.length}`,
      );
    }
    return { dtype: t.dtype, shape, bytes: t.bytes };
  }
  if (t.data.length !== count) {
    throw new SafetensorsError(
      `tensor '${name}': shape [${shape.join(', ')}] needs ${count} values, got ${t.data.length}`,
    );
  }
  const dtype = t.dtype ?? 'F32';
  return { dtype, shape, bytes: encodeFloats(t.data, dtype) };
}

/**
 * The bytes of a safetensors file holding `tensors` (float data written as F32, or as each one's `dtype`) and
 * string `metadata`: the 8-byte header length, the JSON header (padded to 8 bytes), then the data ordered as the
 * Rust implementation orders it (dtype size, then name).
 * Throws a SafetensorsError for a name `__metadata__`, a shape that does not match the data, or a dtype it
 * cannot write.
 */
export function serializeSafetensors(
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const items = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).map(
    ([name, t]) => {
      if (name === '__metadata__')
        throw new SafetensorsError("'__metadata__' is reserved and cannot name a tensor");
      return { name, ...encode(name, t) };
    },
  );
  items.sort(
    (a, b) => dtypeBytes(b.dtype) - dtypeBytes(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`__metadata__['${k}'] must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const it of items) {
    header[it.name] = { dtype: it.dtype, shape: it.shape, data_offsets: [offset, offset + it.bytes.length] };
    offset += it.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let cursor = 8 + padded;
  for (const it of items) {
    out.set(it.bytes, cursor);
    cursor += it.bytes.length;
  }
  return out;
}
