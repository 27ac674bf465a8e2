import { disposeBackend, initBackend, memory } from '@norga/tensor';
import { afterAll, describe, expect, test } from 'vitest';
import { classIncrementalSplit, compose, DataLoader, T } from '../src/index.js';
import { syntheticSet } from './helpers/synthetic.js';

/** CPU always; WebGPU when an adapter is found (a printed skip otherwise; REQUIRE_WEBGPU=1 makes it fail). */
async function webgpuProblem(): Promise<string | null> {
  try {
    await initBackend('webgpu');
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
const gpuProblem = await webgpuProblem();
if (gpuProblem !== null) {
  if (process.env.REQUIRE_WEBGPU === '1')
    throw new Error(`REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${gpuProblem}`);
  console.warn(`[norga] skipping the WebGPU loader test: ${gpuProblem}`);
}
const BACKENDS = ['cpu', ...(gpuProblem === null ? ['webgpu'] : [])];
afterAll(() => {
  if (gpuProblem === null) disposeBackend('webgpu');
});

const train = syntheticSet([6, 6, 6, 6], [1, 2, 2]);
const data = { train, test: syntheticSet([2, 2, 2, 2], [1, 2, 2]) };

describe.each(BACKENDS)('DataLoader on %s', (backend) => {
  test('batches are float32 [B, C, H, W] and int32 [B], equal to the raw batches', async () => {
    const task = classIncrementalSplit(data, { tasks: 2, seed: 1 }).tasks[1]!;
    const loader = new DataLoader(task.train, { batchSize: 5, seed: 3, backend });
    const raw = [...loader.rawBatches(2)];
    const before = memory().tensors;
    let k = 0;
    for (const b of loader.batches(2)) {
      const r = raw[k++]!;
      expect(b.images.shape).toEqual([...r.shape]);
      expect(b.images.dtype).toBe('float32');
      expect(b.labels.shape).toEqual([r.labels.length]);
      expect(b.labels.dtype).toBe('int32');
      expect(b.images.backend.name).toBe(backend);
      expect([...(await b.images.data())]).toEqual([...r.images]);
      expect([...(await b.labels.data())]).toEqual([...r.labels]);
      expect([...b.indices]).toEqual([...r.indices]);
      for (const l of r.labels) expect(task.classes).toContain(l);
      b.images.dispose();
      b.labels.dispose();
    }
    expect(k).toBe(3); // 12 samples, batches of 5, last of 2
    expect(memory().tensors).toBe(before);
  });
});

describe('DataLoader defaults', () => {
  test('iterating the loader is epoch 0; transforms and dropLast apply', async () => {
    const loader = new DataLoader(train, {
      batchSize: 4,
      dropLast: true,
      seed: 8,
      transform: compose(T.repeatChannels(3), T.normalize([0.5], [0.5])),
    });
    const shapes: number[][] = [];
    for (const b of loader) {
      shapes.push(b.images.shape as number[]);
      const v = await b.images.data();
      for (const x of v) expect(x >= -1 && x <= 1).toBe(true);
      b.images.dispose();
      b.labels.dispose();
    }
    expect(shapes).toEqual(new Array(6).fill([4, 3, 2, 2]));
  });
});
