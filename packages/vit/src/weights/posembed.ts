/**
 * Position-embedding resampling for images of another size than the checkpoint's, as timm does it
 * (`resample_abs_pos_embed`): the class-token row is kept, the grid rows are treated as a [D, H, W] image and
 * resized with PyTorch's bicubic interpolation (A = -0.75, align_corners=False, no antialiasing, edges clamped).
 * Runs once at load time on plain arrays, so it needs no tensor backend.
 */
import type { NamedArray } from './named.js';

const A = -0.75;

function cubicWeights(t: number): [number, number, number, number] {
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** For each output index: the 4 clamped source indices and their weights. */
function taps(inSize: number, outSize: number): { idx: Int32Array; w: Float64Array } {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize * 4);
  const w = new Float64Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const real = (o + 0.5) * scale - 0.5;
    const base = Math.floor(real);
    const ws = cubicWeights(real - base);
    for (let k = 0; k < 4; k++) {
      idx[o * 4 + k] = Math.min(Math.max(base - 1 + k, 0), inSize - 1);
      w[o * 4 + k] = ws[k]!;
    }
  }
  return { idx, w };
}

/**
 * `pos_embed` of shape [1, 1 + H*W, D] → [1, 1 + outH*outW, D]. The grid is assumed square when `from` is
 * omitted (as in every standard ViT checkpoint).
 */
export function resamplePosEmbed(
  pe: NamedArray,
  to: readonly [number, number],
  from?: readonly [number, number],
): NamedArray {
  const [one, tokens, dim] = pe.shape as [number, number, number];
  if (pe.shape.length !== 3 || one !== 1)
    throw new Error(`pos_embed must be [1, tokens, dim], got [${pe.shape.join(', ')}]`);
  const grid = tokens - 1;
  const [inH, inW] = from ?? [Math.round(Math.sqrt(grid)), Math.round(Math.sqrt(grid))];
  if (inH * inW !== grid) throw new Error(`pos_embed has ${grid} grid rows, not a ${inH}×${inW} grid`);
  const [outH, outW] = to;
  if (outH === inH && outW === inW) return pe;
  const th = taps(inH, outH);
  const tw = taps(inW, outW);
  const out = new Float32Array((1 + outH * outW) * dim);
  out.set(pe.data.subarray(0, dim), 0);
  const src = pe.data;
  const row = new Float64Array(dim);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      row.fill(0);
      for (let ky = 0; ky < 4; ky++) {
        const sy = th.idx[y * 4 + ky]!;
        const wy = th.w[y * 4 + ky]!;
        for (let kx = 0; kx < 4; kx++) {
          const sx = tw.idx[x * 4 + kx]!;
          const wxy = wy * tw.w[x * 4 + kx]!;
          const off = (1 + sy * inW + sx) * dim;
          for (let c = 0; c < dim; c++) row[c]! += wxy * src[off + c]!;
        }
      }
      out.set(row, (1 + y * outW + x) * dim);
    }
  }
  return { shape: [1, 1 + outH * outW, dim], data: out };
}
