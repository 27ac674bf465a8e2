/**
 * The accuracy the WebAssembly tier's exp and erf claim (src/backends/wasm/simd-math.ts), in float32 ulp against
 * double-precision references, over dense grids that cross every branch and polynomial boundary.
 */
import { describe, expect, it } from 'vitest';
import { erf } from '../../src/backends/cpu/erf.js';
import { getWasmTier } from '../../src/backends/wasm/tier.js';
import * as T from '../../src/index.js';

const wasmOn = getWasmTier() !== undefined && process.env.NORGA_CPU_TIER !== 'js';

/** Distance in units of the last place of the float32 reference. */
function ulps(got: number, exact: number): number {
  const want = Math.fround(exact);
  if (got === want) return 0;
  const spacing = want === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23);
  return Math.abs(got - exact) / spacing;
}

async function worst(f: (t: T.Tensor) => T.Tensor, ref: (x: number) => number, lo: number, hi: number) {
  const n = 200_003;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + ((hi - lo) * i) / (n - 1);
  const t = T.tensor(x);
  const y = f(t);
  const got = (await y.data()) as Float32Array;
  for (const u of [t, y]) u.dispose();
  let max = 0;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const e = ulps(got[i] as number, ref(x[i] as number));
    if (e > max) [max, at] = [e, x[i] as number];
  }
  return { max, at };
}

describe.skipIf(!wasmOn)('SIMD math accuracy (the WebAssembly tier)', () => {
  it('erf: within 3 ulp from -5 to 5 (both polynomials, the switch at 1 and the saturation at 3.93)', async () => {
    const { max, at } = await worst((t) => T.erf(t), erf, -5, 5);
    expect(max, `worst at x = ${at}`).toBeLessThanOrEqual(3);
  });

  it('erf: within 3 ulp near 0, where erf(x) ≈ 1.128·x', async () => {
    const { max, at } = await worst((t) => T.erf(t), erf, -1e-3, 1e-3);
    expect(max, `worst at x = ${at}`).toBeLessThanOrEqual(3);
  });

  it('exp: within 2 ulp from -87 to 88 (normal results)', async () => {
    const { max, at } = await worst((t) => T.exp(t), Math.exp, -87, 88);
    expect(max, `worst at x = ${at}`).toBeLessThanOrEqual(2);
  });
});
