import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataFormatError, DataNotFoundError, DatasetError } from '../errors.js';
import { isGzip } from '../formats/gzip.js';

/** Reads a whole file; a missing file becomes DataNotFoundError carrying `hint` (how to get the data). */
export function readBytes(path: string, hint: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DataNotFoundError(path, hint);
    throw new DatasetError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Reads a file and gunzips it when it starts with the gzip magic (Node's zlib). */
export function readMaybeGzip(path: string, hint: string): Uint8Array {
  const bytes = readBytes(path, hint);
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new DataFormatError(path, undefined, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

export function requireDir(path: string, hint: string): void {
  if (!isDir(path)) throw new DataNotFoundError(path, hint);
}

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The first of `names` that exists in `dir` (e.g. a file with or without `.gz`). */
export function firstExisting(dir: string, names: readonly string[]): string | undefined {
  for (const n of names) {
    const p = `${dir}/${n}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}
