/**
 * The checksum inside every safetensors file this package writes (Node's writeSafetensorsFile):
 * `__metadata__["norga.sha256"]` holds the sha256 (hex) of the whole file as it would be with those 64
 * characters written as zeros. It covers every byte — header, metadata, tensor data — and travels with the file
 * (a sidecar would be left behind by a copy). readSafetensorsFile checks it, before parsing, when present; files written elsewhere
 * have none and load as they are.
 */
import { createHash } from 'node:crypto';
import { SafetensorsError } from './errors.js';

/** The metadata key of the checksum. */
export const CHECKSUM_KEY = 'norga.sha256';
/** What the checksum's place holds while the digest is computed (and before it is filled in). */
export const CHECKSUM_PLACEHOLDER = '0'.repeat(64);

const MARK = new TextEncoder().encode(`"${CHECKSUM_KEY}":"`);

/** Where the 64 hex digits of the checksum start in `bytes` (searched in the JSON header only), or -1. */
function checksumOffset(bytes: Uint8Array): number {
  if (bytes.length < 8) return -1;
  const end = Math.min(
    bytes.length,
    8 + Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)),
  );
  search: for (let i = 8; i + MARK.length + 64 <= end; i++) {
    for (let k = 0; k < MARK.length; k++) if (bytes[i + k] !== MARK[k]) continue search;
    return i + MARK.length;
  }
  return -1;
}

function digest(bytes: Uint8Array, at: number): string {
  return createHash('sha256')
    .update(bytes.subarray(0, at))
    .update(CHECKSUM_PLACEHOLDER)
    .update(bytes.subarray(at + 64))
    .digest('hex');
}

/** Fills in the checksum of serialized bytes whose metadata holds CHECKSUM_PLACEHOLDER under CHECKSUM_KEY. */
export function sealSafetensors(bytes: Uint8Array): Uint8Array {
  const at = checksumOffset(bytes);
  if (at < 0) throw new SafetensorsError(`no '${CHECKSUM_KEY}' placeholder in the header to fill in`);
  bytes.set(new TextEncoder().encode(digest(bytes, at)), at);
  return bytes;
}

/**
 * Checks the checksum of a file's bytes if its header holds one (before the header is parsed, so any damage reads
 * as a mismatch); `path` names the file in the error.
 */
export function checkSafetensorsChecksum(bytes: Uint8Array, path: string): void {
  const at = checksumOffset(bytes);
  if (at < 0) return;
  const want = new TextDecoder().decode(bytes.subarray(at, at + 64));
  if (digest(bytes, at) !== want)
    throw new SafetensorsError(
      `${path}: checksum mismatch (metadata '${CHECKSUM_KEY}'): the file was damaged or changed after it was written`,
    );
}
