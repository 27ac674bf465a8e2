/**
 * NORGA_DEBUG prints each kernel once, as it is compiled: the CPU's JavaScript loop nests and its WebAssembly
 * tier's function summaries here (test/webgpu/debug.test.ts has the WGSL shaders). Each case compiles an
 * expression no other test uses, so the kernel is new to this process.
 */
import { describe, expect, it } from 'vitest';
import { arg, fused, getWasmTier, tensor, tidy } from '../../src/index.js';
import { stderrOf } from '../helpers/stderr.js';

/** An int32 kernel: the WebAssembly tier compiles float32 only, so this one is JavaScript. */
const intKernel = (k: number) =>
  tidy(() => fused(arg(0, 'int32').mul(k).abs().expr, [tensor([1, -2, 3], { dtype: 'int32' })]).dispose());
/** A float32 kernel over 64x64 elements, which the WebAssembly tier takes. */
const floatKernel = (k: number) =>
  tidy(() =>
    fused(arg(0, 'float32').mul(k).tanh().expr, [
      tensor(new Float32Array(4096).fill(0.5), { shape: [64, 64] }),
    ]).dispose(),
  );

describe('NORGA_DEBUG', () => {
  it('prints nothing when unset', async () => {
    expect(await stderrOf(undefined, () => [intKernel(11), floatKernel(11)])).toBe('');
  });

  it('js prints the JavaScript loop nest, once per kernel', async () => {
    const out = await stderrOf('js', () => [intKernel(12), intKernel(12), floatKernel(12)]);
    expect(out.match(/\[norga\] js kernel abs\(mul\(\$0,int32\(12\)\)\) \[int32\] rank 1\n/g)).toHaveLength(
      1,
    );
    expect(out).toContain('for (let j0 = 0; j0 < n0; j0++) {');
    expect(out).not.toContain('[norga] wasm');
  });

  it('wasm prints the WebAssembly function summary, and kernels prints every language', async () => {
    expect(getWasmTier()).toBeDefined();
    const out = await stderrOf('wasm', () => floatKernel(13));
    expect(out).toMatch(
      /\[norga\] wasm kernel ew\new\(i32(, i32)*\) -> \(\); locals \d+ i32, \d+ v128; \d+ bytes of code\n/,
    );
    expect(out).toContain('tanh(mul($0,float32(13))) over inputs row');
    const all = await stderrOf('kernels', () => [intKernel(14), floatKernel(14)]);
    expect(all).toContain('[norga] js kernel abs(mul($0,int32(14)))');
    expect(all).toContain('tanh(mul($0,float32(14)))');
  });

  it('warns once about a word it does not know', async () => {
    const out = await stderrOf('kernal', () => [intKernel(15), intKernel(16)]);
    expect(out).toBe(
      "[norga] NORGA_DEBUG: unknown 'kernal' ignored (use kernels, or a list of js, wasm, wgsl)\n",
    );
  });
});
