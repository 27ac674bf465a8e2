import { DataFormatError } from '../errors.js';

/**
 * The IDX format (MNIST, Fashion-MNIST): two zero bytes, a type code, the number of dimensions, then one
 * big-endian uint32 per dimension, then the values, big-endian, row-major.
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The contents of an IDX file: element type, dimensions, and the values row-major in a native array. */
export interface IdxArray {
  /** Element type, from the header's type code. */
  readonly type: IdxType;
  /** The dimensions, outermost first (e.g. [60000, 28, 28] for MNIST's training images). */
  readonly shape: readonly number[];
  /** The values (product of shape of them), converted from big-endian, in the array type matching `type`. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

interface IdxTypeInfo {
  readonly type: IdxType;
  readonly bytes: number;
  /** A native array of n elements, and the big-endian read and write of one value at a byte offset. */
  readonly make: (n: number) => IdxArray['data'];
  readonly get: (view: DataView, at: number) => number;
  readonly set: (view: DataView, at: number, v: number) => void;
}

const TYPES: Record<number, IdxTypeInfo> = {
  8: {
    type: 'uint8',
    bytes: 1,
    make: (n) => new Uint8Array(n),
    get: (v, at) => v.getUint8(at),
    set: (v, at, x) => v.setUint8(at, x),
  },
  9: {
    type: 'int8',
    bytes: 1,
    make: (n) => new Int8Array(n),
    get: (v, at) => v.getInt8(at),
    set: (v, at, x) => v.setInt8(at, x),
  },
  11: {
    type: 'int16',
    bytes: 2,
    make: (n) => new Int16Array(n),
    get: (v, at) => v.getInt16(at, false),
    set: (v, at, x) => v.setInt16(at, x, false),
  },
  12: {
    type: 'int32',
    bytes: 4,
    make: (n) => new Int32Array(n),
    get: (v, at) => v.getInt32(at, false),
    set: (v, at, x) => v.setInt32(at, x, false),
  },
  13: {
    type: 'float32',
    bytes: 4,
    make: (n) => new Float32Array(n),
    get: (v, at) => v.getFloat32(at, false),
    set: (v, at, x) => v.setFloat32(at, x, false),
  },
  14: {
    type: 'float64',
    bytes: 8,
    make: (n) => new Float64Array(n),
    get: (v, at) => v.getFloat64(at, false),
    set: (v, at, x) => v.setFloat64(at, x, false),
  },
};

/** What a caller expects of a file: its type and number of dimensions (the last two bytes of the magic). */
export interface IdxExpect {
  /** The element type the file must have. */
  readonly type: IdxType;
  /** Accepted numbers of dimensions (images: 3 or 4, labels: 1). */
  readonly dims: readonly number[];
}

const hex = (bytes: Uint8Array) =>
  `0x${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')}`;
const codeOf = (type: IdxType) => Number(Object.keys(TYPES).find((k) => TYPES[Number(k)]!.type === type));
const magicOf = (type: IdxType, ndim: number) =>
  `0x0000${codeOf(type).toString(16).padStart(2, '0')}${ndim.toString(16).padStart(2, '0')}`;

/**
 * The magic number is checked before anything else, so a wrong file (a label file given for images, a gzip or
 * text file) is named as such instead of surfacing later as a wrong shape or a truncated header.
 */
function checkMagic(bytes: Uint8Array, file: string, expect: IdxExpect | undefined): void {
  const want = expect
    ? `expected ${expect.dims.map((d) => magicOf(expect.type, d)).join(' or ')} (${expect.type}, ${expect.dims.join(' or ')} dimension${expect.dims.length === 1 && expect.dims[0] === 1 ? '' : 's'})`
    : 'expected 0x0000TTDD (two zero bytes, a type code, the number of dimensions)';
  if (bytes.length < 4) {
    if (bytes[0] === 0 && (bytes.length < 2 || bytes[1] === 0))
      throw new DataFormatError(
        file,
        bytes.length,
        `truncated IDX header: ${bytes.length} bytes, need at least 4`,
      );
    throw new DataFormatError(file, 0, `wrong magic number ${hex(bytes)}: ${want}`);
  }
  const matches =
    bytes[0] === 0 &&
    bytes[1] === 0 &&
    (expect === undefined || (bytes[2] === codeOf(expect.type) && expect.dims.includes(bytes[3]!)));
  if (!matches) throw new DataFormatError(file, 0, `wrong magic number ${hex(bytes)}: ${want}`);
}

/**
 * Parses decompressed IDX bytes. `file` only names the input in errors; `expect`, when given, is checked against
 * the magic number first. Never returns partial data.
 */
export function parseIdx(bytes: Uint8Array, file: string, expect?: IdxExpect): IdxArray {
  checkMagic(bytes, file, expect);
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
  return { type: kind.type, shape, data: readValues(view, headerEnd, count, kind) };
}

/** Copies the big-endian payload into a native typed array (one copy; the file buffer can then be dropped). */
function readValues(view: DataView, at: number, n: number, kind: IdxTypeInfo): IdxArray['data'] {
  if (kind.type === 'uint8') {
    // Bytes need no reordering: one block copy (the common case, image and label files).
    return new Uint8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + n));
  }
  const out = kind.make(n);
  for (let i = 0; i < n; i++) out[i] = kind.get(view, at + kind.bytes * i);
  return out;
}

/** Serialises an array to IDX bytes (used by tests and by anyone exporting a data set). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const [code, kind] = Object.entries(TYPES).find(([, t]) => t.type === arr.type)!;
  const headerEnd = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(headerEnd + arr.data.length * kind.bytes);
  const view = new DataView(out.buffer);
  out[2] = Number(code);
  out[3] = arr.shape.length;
  arr.shape.forEach((n, d) => {
    view.setUint32(4 + 4 * d, n, false);
  });
  for (let i = 0; i < arr.data.length; i++) kind.set(view, headerEnd + i * kind.bytes, arr.data[i]!);
  return out;
}
