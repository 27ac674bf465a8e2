/** float32 sum/max/min in WebAssembly: identical values to the JS tier, NaN and signed zeros included. */
import { afterEach, describe, expect, it } from 'vitest';
import { setCpuTier } from '../../src/backends/wasm/backend.js';
import { getWasmTier } from '../../src/backends/wasm/tier.js';
import * as T from '../../src/index.js';
import { onBothTiers } from './tiers.js';

function values(n: number, seed: number, special = false): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.7123 + seed) * 100 * Math.cos(i * 0.013);
  if (special) {
    for (let i = 0; i < n; i += 97) out[i] = Number.NaN;
    for (let i = 5; i < n; i += 31) out[i] = i % 2 ? 0 : -0;
    for (let i = 11; i < n; i += 53) out[i] = i % 2 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  return out;
}

const wasmOn = getWasmTier() !== undefined && process.env.NORGA_CPU_TIER !== 'js';
afterEach(() => setCpuTier('wasm'));

const both = (f: () => T.Tensor) => onBothTiers(f, (tier) => tier.reduceStats.calls);

/** Element by element with Object.is: signed zeros must match, any NaN equals any NaN (payloads may differ). */
const same = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('wasm reductions: bit-identical to the JS tier', () => {
  const m = (special: boolean) => T.tensor(values(300 * 67, 1, special), { shape: [300, 67] });
  const x3 = () => T.tensor(values(64 * 50 * 64, 2), { shape: [64, 50, 64] });
  const x4 = () => T.tensor(values(16 * 4 * 50 * 50, 3), { shape: [16, 4, 50, 50] });
  const cases: [string, () => T.Tensor, boolean][] = [];
  for (const op of ['sum', 'max', 'min'] as const) {
    for (const special of [false, true]) {
      const tag = special ? ' with NaN, ±0, ±inf' : '';
      cases.push([`${op} over the last axis${tag}`, () => T.tidy(() => m(special)[op](1)), true]);
      cases.push([`${op} over rows (axis 0)${tag}`, () => T.tidy(() => m(special)[op](0, true)), true]);
      cases.push([`${op} of everything${tag}`, () => T.tidy(() => m(special)[op]()), true]);
    }
    cases.push([
      `${op} over axes 0 and 1 of [64, 50, 64] (a bias gradient)`,
      () => T.tidy(() => x3()[op]([0, 1])),
      true,
    ]);
    cases.push([
      `${op} over the last axis of [16, 4, 50, 50] (softmax statistics)`,
      () => T.tidy(() => x4()[op](-1, true)),
      true,
    ]);
    cases.push([`${op} over the middle axis (stays on JS)`, () => T.tidy(() => x3()[op](1)), false]);
    cases.push([
      `${op} over the last axis of a transposed view`,
      () => T.tidy(() => T.transpose(m(false))[op](1)),
      true,
    ]);
  }
  // Rows of 1030: four SIMD lanes, then a tail. A zero extreme whose lanes disagree on its sign (the row's
  // first zero, a -0 at index 1, sits in lane 1; a +0 at index 4 in lane 0), a lone NaN in the tail, all ±inf.
  const edge = () => {
    const rows = [
      (i: number) => (i === 1 ? -0 : i === 4 ? 0 : -1),
      (i: number) => (i === 1 ? 0 : i === 4 ? -0 : 1),
      (i: number) => (i === 1029 ? Number.NaN : i),
      (i: number) => (i % 2 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY),
    ];
    const v = new Float32Array(rows.length * 1030);
    rows.forEach((f, r) => {
      for (let i = 0; i < 1030; i++) v[r * 1030 + i] = f(i);
    });
    return T.tensor(v, { shape: [rows.length, 1030] });
  };
  for (const op of ['sum', 'max', 'min'] as const)
    cases.push([
      `${op} over rows with signed-zero ties, a tail NaN, infinities`,
      () => T.tidy(() => edge()[op](1)),
      true,
    ]);
  for (const [name, f, onWasm] of cases) {
    it(name, async () => {
      const { js, wasm, calls } = await both(f);
      if (wasmOn) expect(calls).toBe(onWasm ? 1 : 0);
      expect(same(wasm, js)).toBe(true);
    });
  }
});
