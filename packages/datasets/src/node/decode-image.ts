import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataFormatError } from '../errors.js';

/** An RGB image, 8 bits per channel, rows of pixels with interleaved channels (HWC), as decoders give it. */
export interface RgbImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** height * width * 3 bytes: R, G, B of each pixel, row by row. */
  readonly data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes PNG (pngjs) or JPEG (jpeg-js), chosen by magic bytes rather than by file extension, to 8-bit RGB.
 * Gray is repeated to three channels; alpha is dropped. Any decoder failure names the file.
 */
export function decodeImage(bytes: Uint8Array, file: string): RgbImage {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return decodePng(bytes, file);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpeg(bytes, file);
  throw new DataFormatError(file, 0, 'not a PNG or JPEG image (unknown magic bytes)');
}

function decodePng(bytes: Uint8Array, file: string): RgbImage {
  let png: PNG;
  try {
    // pngjs expands palettes and gray, and rescales 16-bit to 8-bit, always giving RGBA bytes.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new DataFormatError(file, undefined, `undecodable PNG (${(e as Error).message})`);
  }
  return fromRgba(png.data, png.width, png.height, file);
}

function decodeJpeg(bytes: Uint8Array, file: string): RgbImage {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    // tolerantDecoding off: a damaged JPEG must fail, not come back half grey.
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false });
  } catch (e) {
    throw new DataFormatError(file, undefined, `undecodable JPEG (${(e as Error).message})`);
  }
  return fromRgba(img.data, img.width, img.height, file);
}

function fromRgba(rgba: Uint8Array, width: number, height: number, file: string): RgbImage {
  if (!(width > 0 && height > 0) || rgba.length < width * height * 4) {
    throw new DataFormatError(
      file,
      undefined,
      `decoder returned ${rgba.length} bytes for a ${width}x${height} image`,
    );
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    data[3 * p] = rgba[q]!;
    data[3 * p + 1] = rgba[q + 1]!;
    data[3 * p + 2] = rgba[q + 2]!;
  }
  return { width, height, data };
}
