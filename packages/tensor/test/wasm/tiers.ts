/** Helpers of the WebAssembly-tier tests: one computation on the JS tier (the reference), then on the wasm tier. */
import { setCpuTier } from '../../src/backends/wasm/backend.js';
import { getWasmTier, type WasmTier } from '../../src/backends/wasm/tier.js';
import type * as T from '../../src/index.js';

/**
 * Runs f with setCpuTier('js'), then with setCpuTier('wasm'); returns both results and how far `counter` (one
 * of the tier's call counts) moved during each run (0 where the tier is unavailable).
 */
export async function onBothTiers(
  f: () => T.Tensor,
  counter: (tier: WasmTier) => number,
): Promise<{ js: Float32Array; wasm: Float32Array; jsCalls: number; calls: number }> {
  const tier = getWasmTier();
  const count = () => (tier ? counter(tier) : 0);
  const run = async (which: 'js' | 'wasm') => {
    setCpuTier(which);
    const before = count();
    const r = f();
    const data = (await r.data()) as Float32Array;
    r.dispose();
    return { data, calls: count() - before };
  };
  const js = await run('js');
  const wasm = await run('wasm');
  return { js: js.data, wasm: wasm.data, jsCalls: js.calls, calls: wasm.calls };
}
