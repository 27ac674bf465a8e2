/**
 * What the running engine offers: WebAssembly SIMD, relaxed SIMD (for fused multiply-add), shared memory and
 * threads. Node 20's V8 has relaxed SIMD behind a flag; V8 reads that flag per compilation, so we turn it on at
 * run time (set NORGA_WASM_RELAXED=0 to leave the engine's flags alone and use the mul+add fallback).
 */
import { buildModule, Code, Simd, ValType } from './builder.js';

/** The WebAssembly features the engine offers. */
export interface WasmFeatures {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly sharedMemory: boolean;
}

interface NodeProcess {
  env: Record<string, string | undefined>;
  getBuiltinModule?: (name: string) => unknown;
}

/** Node's `process` when we run in Node, else undefined (browsers). */
export function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p && typeof p.getBuiltinModule === 'function' ? p : undefined;
}

export function envFlag(name: string): string | undefined {
  return nodeProcess()?.env[name];
}

function probe(simdOp: number, ternary: boolean): Uint8Array<ArrayBuffer> {
  const params = ternary ? [ValType.v128, ValType.v128, ValType.v128] : [ValType.v128, ValType.v128];
  const code = new Code(params);
  for (let i = 0; i < params.length; i++) code.get(i);
  code.simd(simdOp);
  return buildModule({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 1, shared: false }, [
    { name: 'f', params, results: [ValType.v128], code },
  ]);
}

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

function sharedMemoryWorks(): boolean {
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return typeof SharedArrayBuffer !== 'undefined' && m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let cached: WasmFeatures | undefined;

export function detectFeatures(): WasmFeatures {
  if (cached) return cached;
  if (typeof WebAssembly === 'undefined') {
    cached = { simd: false, relaxedSimd: false, sharedMemory: false };
    return cached;
  }
  const simd = validates(probe(Simd.f32x4Add, false));
  const relaxedProbe = probe(Simd.f32x4RelaxedMadd, true);
  let relaxedSimd = simd && validates(relaxedProbe);
  const proc = nodeProcess();
  if (simd && !relaxedSimd && proc && proc.env.NORGA_WASM_RELAXED !== '0') {
    try {
      const v8 = proc.getBuiltinModule?.('node:v8') as { setFlagsFromString(flag: string): void } | undefined;
      v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxedSimd = validates(relaxedProbe);
    } catch {
      relaxedSimd = false;
    }
  }
  if (proc?.env.NORGA_WASM_RELAXED === '0') relaxedSimd = false;
  cached = { simd, relaxedSimd, sharedMemory: sharedMemoryWorks() };
  return cached;
}
