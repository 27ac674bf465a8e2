/**
 * Deterministic "formula" weights, bit-identical to scripts/make_fixtures.py (`formula_values`,
 * `formula_init`): an integer hash of (parameter index, element index) mapped to [-1, 1). Lets large models
 * (ViT-B/16) be checked against PyTorch without committing their weights.
 */
import type { ViTConfig } from '../config.js';
import type { NamedArrays } from './named.js';
import { timmParameterShapes } from './timm.js';

/** u_i in [-1, 1) for i < count; exact integer arithmetic (Math.imul) so JS and NumPy agree to the bit. */
export function formulaValues(index: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const c = Math.imul(index + 1, 2246822519 | 0) >>> 0;
  for (let i = 0; i < count; i++) {
    let h = ((Math.imul(i, 2654435761 | 0) >>> 0) + c) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
    h = Math.imul(h, 2246822507 | 0) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 3266489909 | 0) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    out[i] = (h / 4294967296) * 2 - 1;
  }
  return out;
}

const isNormWeight = (name: string) => /^(blocks\.\d+\.norm[12]|norm)\.weight$/.test(name);

/** The state dict of `formula_init` (parameter k in state-dict order). */
export function formulaWeights(config: ViTConfig): NamedArrays {
  const out: NamedArrays = new Map();
  let k = 0;
  for (const [name, shape] of timmParameterShapes(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    const u = formulaValues(k, count);
    const data = new Float32Array(count);
    if (isNormWeight(name)) for (let i = 0; i < count; i++) data[i] = 1 + 0.1 * u[i]!;
    else if (shape.length >= 2 && name !== 'cls_token' && name !== 'pos_embed') {
      const s = Math.sqrt(3 / shape.slice(1).reduce((a, b) => a * b, 1));
      for (let i = 0; i < count; i++) data[i] = u[i]! * s;
    } else for (let i = 0; i < count; i++) data[i] = 0.02 * u[i]!;
    out.set(name, { shape, data });
    k++;
  }
  return out;
}

/** The formula input of the fixture script: `formula_values(1000003, count)`. */
export function formulaInput(count: number): Float32Array {
  return Float32Array.from(formulaValues(1000003, count));
}
