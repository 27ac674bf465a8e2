import { DataFormatError } from '../errors.js';

/**
 * The IDX format (MNIST, Fashion-MNIST): two zero bytes, a type code, the number of dimensions, then one
 * big-endian uint32 per dimension, then the values, big-endian, row-major.
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface IdxArray {
  readonly type: IdxType;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  8: { type: 'uint8', bytes: 1 },
  9: { type: 'int8', bytes: 1 },
  11: { type: 'int16', bytes: 2 },
  12: { type: 'int32', bytes: 4 },
  13: { type: 'float32', bytes: 4 },
  14: { type: 'float64', bytes: 8 },
};

/** Parses decompressed IDX bytes. `file` only names the input in errors. Never returns partial data. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new DataFormatError(
      file,
      bytes.length,
      `truncated IDX header: ${bytes.length} bytes, need at least 4`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
    throw new DataFormatError(
      file,
      0,
      `wrong magic number 0x${magic}: an IDX file starts with two zero bytes`,
    );
  }
  const code = bytes[2]!;
  const kind = TYPES[code];
  if (!kind) throw new DataFormatError(file, 2, `unknown IDX type code 0x${code.toString(16)}`);
  const ndim = bytes[3]!;
  if (ndim === 0) throw new DataFormatError(file, 3, 'IDX header declares 0 dimensions');
  const headerEnd = 4 + 4 * ndim;
  if (bytes.length < headerEnd) {
    throw new DataFormatError(
      file,
      bytes.length,
      `truncated IDX header: ${ndim} dimensions need ${headerEnd} bytes, file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    count *= n;
  }
  const expected = headerEnd + count * kind.bytes;
  if (bytes.length < expected) {
    throw new DataFormatError(
      file,
      bytes.length,
      `truncated: header shape [${shape.join(', ')}] of ${kind.type} needs ${expected} bytes, file ends after ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new DataFormatError(
      file,
      expected,
      `size does not match header: shape [${shape.join(', ')}] of ${kind.type} ends at byte ${expected}, file has ${bytes.length} bytes`,
    );
  }
  return { type: kind.type, shape, data: readValues(view, headerEnd, count, kind.type) };
}

/** Copies the big-endian payload into a native typed array (one copy; the file buffer can then be dropped). */
function readValues(view: DataView, at: number, n: number, type: IdxType): IdxArray['data'] {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + n));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + n));
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

/** Serialises an array to IDX bytes (used by tests and by anyone exporting a data set). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const entry = Object.entries(TYPES).find(([, t]) => t.type === arr.type)!;
  const code = Number(entry[0]);
  const bytesPer = entry[1].bytes;
  const headerEnd = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(headerEnd + arr.data.length * bytesPer);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = arr.shape.length;
  arr.shape.forEach((n, d) => {
    view.setUint32(4 + 4 * d, n, false);
  });
  for (let i = 0; i < arr.data.length; i++) {
    const v = arr.data[i]!;
    const at = headerEnd + i * bytesPer;
    if (arr.type === 'uint8') view.setUint8(at, v);
    else if (arr.type === 'int8') view.setInt8(at, v);
    else if (arr.type === 'int16') view.setInt16(at, v, false);
    else if (arr.type === 'int32') view.setInt32(at, v, false);
    else if (arr.type === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}
