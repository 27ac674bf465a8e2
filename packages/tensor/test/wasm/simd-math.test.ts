/**
 * The accuracy the WebAssembly tier's exp and erf claim (src/backends/wasm/simd-math.ts), in float32 ulp against
 * double-precision references, over dense grids that cross every branch and polynomial boundary.
 */
import { describe, expect, it } from 'vitest';
import { erf } from '../../src/backends/cpu/erf.js';
import { erf32, exp32, tanh32 } from '../../src/backends/f32-math.js';
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

describe.skipIf(!wasmOn)('the JS tier runs the same float32 algorithms (src/backends/f32-math.ts)', () => {
  /** Float32 inputs from a dense grid, plus every power of two and its neighbours, denormals included. */
  function inputs(): Float32Array {
    const xs: number[] = [];
    for (let i = 0; i <= 400_000; i++) xs.push(-110 + (220 * i) / 400_000);
    for (let e = -149; e <= 127; e++) for (const s of [1, -1]) xs.push(s * 2 ** e, s * 2 ** e * 1.0000001);
    xs.push(0, -0, Infinity, -Infinity, Number.NaN, 3.4028234663852886e38, -3.4028234663852886e38);
    return Float32Array.from(xs);
  }

  it.each([
    ['exp', T.exp, exp32],
    ['tanh', T.tanh, tanh32],
    ['erf', T.erf, erf32],
  ] as const)(
    '%s: every input gives the same bits in the WebAssembly kernel and the scalar JS function',
    async (_n, op, ref) => {
      const x = inputs();
      const t = T.tensor(x);
      const y = op(t);
      const got = (await y.data()) as Float32Array;
      for (const u of [t, y]) u.dispose();
      const bad: string[] = [];
      for (let i = 0; i < x.length && bad.length < 5; i++) {
        const want = ref(x[i] as number);
        if (!Object.is(got[i], want) && !(Number.isNaN(want) && Number.isNaN(got[i])))
          bad.push(`x=${x[i]}: ${got[i]} vs ${want}`);
      }
      expect(bad).toEqual([]);
    },
  );
});
