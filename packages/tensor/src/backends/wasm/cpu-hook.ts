/**
 * The CPU backend's door into this tier: `wasmMatmul(a, b, out)` runs a float32 matmul in WebAssembly when the
 * tier is available and the product is big enough to repay the call, and returns false otherwise so the
 * backend runs its JS kernel (the reference). NORGA_CPU_TIER=js, or setCpuTier('js'), keeps everything on JS.
 */
import type { View } from '../../backend.js';
import { getWasmTier } from './tier.js';

/** Below this many multiply-adds the JS kernel's lower call overhead wins. */
export const WASM_MATMUL_MIN_MACS = 4096;

let enabled = true;

/** Chooses the CPU tier at run time: 'wasm' (the default where available) or 'js' (the reference). */
export function setCpuTier(tier: 'js' | 'wasm'): void {
  enabled = tier === 'wasm';
}

/** The CPU tier in use. */
export function cpuTier(): 'js' | 'wasm' {
  return enabled && getWasmTier() ? 'wasm' : 'js';
}

/** Element offsets of every batch entry of a view over `batchShape`, in row-major order. */
function batchOffsets(view: View, batchShape: readonly number[]): number[] {
  const offs = [view.offset];
  for (let d = 0; d < batchShape.length; d++) {
    const n = batchShape[d] as number;
    const s = view.strides[d] as number;
    const next: number[] = [];
    for (const o of offs) for (let i = 0; i < n; i++) next.push(o + i * s);
    offs.splice(0, offs.length, ...next);
  }
  return offs;
}

/** a[..., M, K] @ b[..., K, N] -> out[..., M, N] (out contiguous); true if done here. */
export function wasmMatmul(a: View, b: View, out: View): boolean {
  if (!enabled || a.dtype !== 'float32' || b.dtype !== 'float32' || out.dtype !== 'float32') return false;
  const r = a.shape.length;
  const M = a.shape[r - 2] as number;
  const K = a.shape[r - 1] as number;
  const N = b.shape[r - 1] as number;
  const batchShape = out.shape.slice(0, -2);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  if (M * N * K * batch < WASM_MATMUL_MIN_MACS) return false;
  const tier = getWasmTier();
  if (!tier) return false;
  return tier.matmulF32({
    a: { data: a.storage.handle as Float32Array, offsets: batchOffsets(a, batchShape), rowStride: a.strides[r - 2] as number, colStride: a.strides[r - 1] as number },
    b: { data: b.storage.handle as Float32Array, offsets: batchOffsets(b, batchShape), rowStride: b.strides[r - 2] as number, colStride: b.strides[r - 1] as number },
    out: { data: out.storage.handle as Float32Array, offsets: batchOffsets(out, batchShape), rowStride: out.strides[r - 2] as number, colStride: out.strides[r - 1] as number },
    M,
    N,
    K,
  });
}
