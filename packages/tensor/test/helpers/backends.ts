/**
 * The backends the conformance suite runs over. CPU always; WebGPU when an adapter is found. Without an
 * adapter the WebGPU suites are skipped with a printed reason, unless REQUIRE_WEBGPU=1, where that fails.
 * (Owned by the WebGPU work.)
 *
 * One device per test run: the GPU test files run in one non-isolated worker (vitest.config.ts, project
 * 'gpu'), so this module, and the device it opens, is shared by all of them; the device is destroyed when
 * the worker exits.
 */
import { disposeBackend, initBackend } from '../../src/index.js';

export interface BackendCase {
  readonly name: string;
}

/** NORGA_TEST_BACKENDS=cpu runs the suites on the CPU alone (used for the second pass over the JS tier). */
const cpuOnly = process.env.NORGA_TEST_BACKENDS === 'cpu';

async function probeWebGPU(): Promise<string | null> {
  if (cpuOnly) return 'not requested (NORGA_TEST_BACKENDS=cpu)';
  try {
    await initBackend('webgpu');
    process.once('exit', () => disposeBackend('webgpu'));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const webgpuProblem = await probeWebGPU();
if (webgpuProblem !== null) {
  if (process.env.REQUIRE_WEBGPU === '1' && !cpuOnly) {
    throw new Error(`REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${webgpuProblem}`);
  }
  console.warn(`[norga] skipping WebGPU suites: ${webgpuProblem}`);
}

/** Whether the WebGPU backend is up in this run (for WebGPU-only test files: `describe.runIf(HAS_WEBGPU)`). */
export const HAS_WEBGPU = webgpuProblem === null;
export const WEBGPU_PROBLEM = webgpuProblem;

export const BACKENDS: readonly BackendCase[] = [
  { name: 'cpu' },
  ...(HAS_WEBGPU ? [{ name: 'webgpu' }] : []),
];
