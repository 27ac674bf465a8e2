/**
 * A strict safetensors reader. The file is
 *   [u64 little-endian N][N bytes of UTF-8 JSON header, space padded][byte buffer]
 * and every header entry `{dtype, shape, data_offsets: [begin, end]}` is checked against the byte buffer before
 * any tensor is touched: offsets inside the buffer, sizes equal to shape × dtype, and the tensors tiling the
 * buffer in order with no overlap and no gap (the rules of the reference Rust implementation). Nothing is
 * allocated from a header's claims: tensors are views into the bytes given, so a hostile header can cost at most
 * the parse of its (capped) JSON.
 */
import { dtypeBytes, isSafetensorsDType, type SafetensorsDType } from './dtypes.js';
import { firstDuplicateKey } from './duplicates.js';
import { SafetensorsError } from './errors.js';

/** The reference implementation's cap on the JSON header (100 MB). */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

/** Limits of the readers. */
export interface ReadOptions {
  /** Largest JSON header accepted, in bytes. */
  readonly maxHeaderBytes?: number;
}

/** One tensor as the header describes it. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Offsets into the byte buffer (after the header), as in the file. */
  readonly begin: number;
  readonly end: number;
}

/** The parsed, checked JSON header: the file's string metadata and its tensors. */
export interface SafetensorsHeader {
  readonly metadata: Readonly<Record<string, string>>;
  /** Entries sorted by their offset in the byte buffer. */
  readonly entries: readonly SafetensorsEntry[];
}

/** A header entry with its bytes. */
export interface LoadedTensor extends SafetensorsEntry {
  /** A view (no copy) of this tensor's bytes inside the file. */
  readonly bytes: Uint8Array;
}

/** A whole file, read and checked: metadata, tensors by name. */
export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, LoadedTensor>;
  /** Byte length of the JSON header (without the 8-byte length prefix). */
  readonly headerBytes: number;
}

/**
 * Reads and checks the 8-byte header length. `totalBytes` is the size of the whole file, so a length that points
 * past the end is caught before anything is read or allocated.
 */
export function readHeaderLength(prefix: Uint8Array, totalBytes: number, options: ReadOptions = {}): number {
  if (prefix.length < 8 || totalBytes < 8) {
    throw new SafetensorsError(
      `file too small: ${totalBytes} bytes cannot hold the 8-byte header length (a safetensors file starts with a u64 header size)`,
    );
  }
  const cap = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(cap)) {
    throw new SafetensorsError(
      `header length ${n} bytes exceeds the cap of ${cap} bytes (corrupt or hostile file?)`,
    );
  }
  const length = Number(n);
  if (8 + length > totalBytes) {
    throw new SafetensorsError(
      `header length ${length} bytes runs past the end of the ${totalBytes}-byte file`,
    );
  }
  if (length < 2)
    throw new SafetensorsError(`header length ${length} bytes is too small to hold a JSON object`);
  return length;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isOffset(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

const ENTRY_KEYS = new Set(['dtype', 'shape', 'data_offsets']);

function parseEntry(name: string, raw: unknown, dataBytes: number): SafetensorsEntry {
  const where = `tensor '${name}'`;
  if (!isPlainObject(raw)) throw new SafetensorsError(`${where}: header entry must be an object`);
  for (const key of Object.keys(raw)) {
    if (!ENTRY_KEYS.has(key)) throw new SafetensorsError(`${where}: unknown field '${key}' in header entry`);
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string' || !isSafetensorsDType(dtype)) {
    throw new SafetensorsError(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  // JSON numbers are doubles: a dimension past 2^53 cannot be held exactly (2^62 parses, but as a rounded value).
  const huge = Array.isArray(shape)
    ? shape.find((d) => Number.isInteger(d) && d > Number.MAX_SAFE_INTEGER)
    : undefined;
  if (huge !== undefined) {
    throw new SafetensorsError(
      `${where}: shape dimension ${BigInt(huge)} exceeds 2^53 (the largest integer this reader holds exactly)`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isOffset)) {
    throw new SafetensorsError(
      `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isOffset)) {
    throw new SafetensorsError(
      `${where}: data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end)
    throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) {
    throw new SafetensorsError(
      `${where}: data_offsets [${begin}, ${end}] lie outside the ${dataBytes}-byte data buffer`,
    );
  }
  // BigInt: a hostile shape like [2^40, 2^40] must not wrap around to a plausible size.
  let count = 1n;
  for (const d of shape as number[]) count *= BigInt(d);
  const expected = count * BigInt(dtypeBytes(dtype));
  if (expected !== BigInt(end - begin)) {
    throw new SafetensorsError(
      `${where}: shape [${shape.join(', ')}] × ${dtype} is ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (!isPlainObject(raw)) throw new SafetensorsError('__metadata__ must be an object of strings');
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string')
      throw new SafetensorsError(`__metadata__['${k}'] must be a string, got ${typeof v}`);
    out[k] = v;
  }
  return out;
}

/** Parses the JSON header and checks it against a data buffer of `dataBytes` bytes. */
export function parseHeader(json: Uint8Array, dataBytes: number): SafetensorsHeader {
  let text: string;
  try {
    text = decoder.decode(json);
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new SafetensorsError("header must be a JSON object starting with '{'");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(raw)) throw new SafetensorsError('header must be a JSON object');
  const dup = firstDuplicateKey(text);
  if (dup) {
    throw new SafetensorsError(
      dup.path === ''
        ? `duplicate tensor name '${dup.key}' in the header (JSON would keep only the last entry)`
        : `duplicate key '${dup.key}' in header entry '${dup.path}'`,
    );
  }
  let metadata: Record<string, string> = Object.create(null);
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name === '__metadata__') metadata = parseMetadata(value);
    else entries.push(parseEntry(name, value, dataBytes));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  // The tensors must tile the buffer: each one starts where the previous ended, and the last ends at its end.
  let cursor = 0;
  let previous: SafetensorsEntry | undefined;
  for (const e of entries) {
    if (e.begin < cursor) {
      throw new SafetensorsError(
        `tensor '${e.name}' [${e.begin}, ${e.end}] overlaps tensor '${previous!.name}' [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (e.begin > cursor) {
      throw new SafetensorsError(
        `gap in the data buffer: bytes [${cursor}, ${e.begin}) before tensor '${e.name}' belong to no tensor`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataBytes) {
    throw new SafetensorsError(
      `data buffer is ${dataBytes} bytes but the tensors cover only ${cursor} (truncated header or trailing bytes)`,
    );
  }
  return { metadata, entries };
}

/** Parses a whole safetensors file held in memory. Tensors are views into `bytes`. */
export function readSafetensors(bytes: Uint8Array, options: ReadOptions = {}): SafetensorsFile {
  const n = readHeaderLength(bytes.subarray(0, 8), bytes.length, options);
  const data = bytes.subarray(8 + n);
  const header = parseHeader(bytes.subarray(8, 8 + n), data.length);
  const tensors = new Map<string, LoadedTensor>();
  for (const e of header.entries) tensors.set(e.name, { ...e, bytes: data.subarray(e.begin, e.end) });
  return { metadata: header.metadata, tensors, headerBytes: n };
}
