/**
 * The backends the parity suites run over: CPU always; WebGPU when an adapter is found. Without one the
 * WebGPU cases are skipped with a printed reason, unless REQUIRE_WEBGPU=1, where that is a failure.
 */
import { disposeBackend, initBackend } from '@norga/tensor';
import { afterAll } from 'vitest';

async function probeWebGPU(): Promise<string | null> {
  try {
    await initBackend('webgpu');
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const webgpuProblem = await probeWebGPU();
if (webgpuProblem !== null) {
  if (process.env.REQUIRE_WEBGPU === '1')
    throw new Error(`REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${webgpuProblem}`);
  console.warn(`[norga/vit] skipping WebGPU suites: ${webgpuProblem}`);
}

// One device per test file, destroyed when the file's tests are done.
if (webgpuProblem === null) afterAll(() => disposeBackend('webgpu'));

export const BACKENDS: readonly string[] = ['cpu', ...(webgpuProblem === null ? ['webgpu'] : [])];
