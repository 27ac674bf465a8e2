/** NORGA_DEBUG=wgsl prints each WGSL shader once, as its pipeline is compiled (test/api/debug.test.ts: CPU). */
import { describe, expect, it } from 'vitest';
import { arg, fused, tensor, tidy } from '../../src/index.js';
import { stderrOf } from '../helpers/stderr.js';
import { HAS_WEBGPU } from './gpu.js';

/** A shader no other test compiles: sin/cos nested `depth` times. */
function run(depth: number): Promise<unknown> {
  let e = arg(0, 'float32');
  for (let i = 0; i < depth; i++) e = e.sin().cos();
  const t = tidy(() => fused(e.expr, [tensor([0.25, 0.5], { backend: 'webgpu' })]));
  return t.data().finally(() => t.dispose());
}

describe.runIf(HAS_WEBGPU)('NORGA_DEBUG on WebGPU', () => {
  it('prints nothing when unset', async () => {
    expect(await stderrOf(undefined, () => run(5))).toBe('');
  });

  it('wgsl prints the shader once, when its pipeline is compiled', async () => {
    const out = await stderrOf('wgsl', async () => {
      await run(6);
      await run(6);
    });
    expect(out.match(/\[norga\] wgsl kernel \S+\n/g)).toHaveLength(1);
    expect(out).toContain('@compute');
    expect(out).toContain('cos(sin(cos(sin(');
  });
});
