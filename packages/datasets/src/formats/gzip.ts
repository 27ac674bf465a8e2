import { DataFormatError } from '../errors.js';

/** gzip streams start with 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip with the web-standard DecompressionStream (browsers, and Node >= 18), so this module has
 * no Node import. The Node readers use zlib directly instead (synchronous and faster).
 */
export async function gunzipWeb(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new DataFormatError(file, undefined, 'gzip input but this runtime has no DecompressionStream');
  }
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataFormatError(file, undefined, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
}
