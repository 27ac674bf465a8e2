import { gunzipWeb, isGzip } from './gzip.js';
import { type IdxArray, parseIdx } from './idx.js';

/**
 * IDX bytes as fetched in a browser (raw or gzipped): gunzip with DecompressionStream when the gzip magic is
 * there, then parse. `file` names the input (e.g. the URL) in errors.
 */
export async function decodeIdx(bytes: Uint8Array, file: string): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzipWeb(bytes, file) : bytes, file);
}
