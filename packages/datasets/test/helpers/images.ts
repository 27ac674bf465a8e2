import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** RGBA bytes of a w x h image whose pixel (x, y) is rgb(x, y) (alpha 255). */
export function rgba(
  w: number,
  h: number,
  rgb: (x: number, y: number) => [number, number, number],
): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = rgb(x, y);
      data.set([r, g, b, 255], 4 * (y * w + x));
    }
  }
  return data;
}

/** A real PNG file (pngjs encoder); colorType 0 = gray, 2 = RGB, 6 = RGBA. */
export function pngBytes(w: number, h: number, data: Uint8Array, colorType: 0 | 2 | 6 = 6): Uint8Array {
  const png = new PNG({ width: w, height: h });
  png.data = Buffer.from(data);
  return new Uint8Array(PNG.sync.write(png, { colorType }));
}

/** A real baseline JPEG file (jpeg-js encoder). */
export function jpegBytes(w: number, h: number, data: Uint8Array, quality = 95): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, quality).data);
}
