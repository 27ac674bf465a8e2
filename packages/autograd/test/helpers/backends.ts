/**
 * The backends the gradient suites run over, in @norga/tensor's test/helpers/backends.ts style: CPU always;
 * WebGPU when an adapter is found. Without one the WebGPU suites are skipped with a printed reason, unless
 * REQUIRE_WEBGPU=1, where that fails.
 *
 * One device per test run: the files that use this run in one non-isolated worker (vitest.config.ts, project
 * 'gpu'), so the device opened here is shared by them and destroyed when the worker exits.
 */
import { disposeBackend, initBackend } from '@norga/tensor';

export interface BackendCase {
  readonly name: string;
}

async function probe(name: string): Promise<string | null> {
  try {
    await initBackend(name);
    process.once('exit', () => disposeBackend(name));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const webgpuProblem = await probe('webgpu');
if (webgpuProblem !== null) {
  if (process.env.REQUIRE_WEBGPU === '1')
    throw new Error(`REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${webgpuProblem}`);
  console.warn(`[norga/autograd] skipping WebGPU suites: ${webgpuProblem}`);
}

export const BACKENDS: readonly BackendCase[] = [
  { name: 'cpu' },
  ...(webgpuProblem === null ? [{ name: 'webgpu' }] : []),
];
