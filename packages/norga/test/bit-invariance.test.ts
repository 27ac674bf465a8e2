/**
 * Bit-for-bit batch invariance on the CPU: the per-sample logits of the prefixed ViT with NoRGa (each sample with
 * its own task's prefix) are the same float32 bits at batch sizes 1, 7 and 128, on both CPU tiers. This holds
 * because the CPU backend's results do not depend on tensor size (@norga/tensor, test/wasm/size-invariance):
 * both tiers run the same float32 steps, and every float32 matmul runs on one kernel whatever its size.
 * invariance.test.ts checks the weaker property (equal within 1e-5, same predictions) that WebGPU keeps too.
 */
import { noGrad } from '@norga/autograd';
import { cpuTier, setCpuTier, type Tensor, tensor, tidy } from '@norga/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../../scripts/test-timeout.mjs';
import { randomTinyBackbone, threePrefixNorga, tinySplitMnist } from './helpers/tiny.js';

describe('per-sample logits are bit-identical at batch sizes 1, 7 and 128 on the CPU', () => {
  const initial = cpuTier();
  afterAll(() => setCpuTier(initial));
  const backbone = randomTinyBackbone(5);
  const data = tinySplitMnist(2, 10, 13);
  const learner = threePrefixNorga(backbone, 200);
  const indices = Int32Array.from([...data.tasks.flatMap((t) => Array.from(t.test))].slice(0, 128));
  const taskIds = Int32Array.from(indices, (_, k) => (k * 5) % 3);
  const D = backbone.dim;

  /** Features of the first n samples at batch size b, then the head's logits over the same batches of b. */
  async function logits(b: number, n = indices.length): Promise<Float32Array> {
    const feats = await learner.features(data.test, indices.subarray(0, n), taskIds.subarray(0, n), b);
    const out: number[] = [];
    for (let s = 0; s < n; s += b) {
      const e = Math.min(n, s + b);
      const y: Tensor = tidy(() =>
        noGrad(() => learner.head.forward(tensor(feats.subarray(s * D, e * D), { shape: [e - s, D] }))),
      );
      out.push(...((await y.data()) as Float32Array));
      y.dispose();
    }
    return Float32Array.from(out);
  }

  // The JS tier (the reference) is several times slower: there, batch sizes 1 and 7 against one batch of the
  // first 21 samples.
  for (const [tier, n] of [
    ['wasm', 128],
    ['js', 21],
  ] as const) {
    it(
      `on the ${tier} tier (batch sizes 1, 7 and ${n})`,
      async () => {
        setCpuTier(tier);
        const [one, seven, all] = [await logits(1, n), await logits(7, n), await logits(n, n)];
        expect(all.length).toBe(n * 10);
        // the prefixes matter (so the test is not of a trivial computation): logits differ between samples
        expect(new Set(all).size).toBeGreaterThan(n * 8);
        const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
        const differ = (a: Float32Array) => bits(a).reduce((c, v, i) => c + (v === bits(all)[i] ? 0 : 1), 0);
        expect([one.length, seven.length]).toEqual([n * 10, n * 10]);
        expect({ batch1: differ(one), batch7: differ(seven) }).toEqual({ batch1: 0, batch7: 0 });
      },
      calibratedTimeout(300_000),
    ); // a hang detector scaled to the machine's load, not a speed check
  }
});
