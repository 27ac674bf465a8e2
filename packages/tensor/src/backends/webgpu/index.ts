/**
 * Entry point of the WebGPU backend, loaded lazily by the registry (src/index.ts) so that nothing here runs,
 * and the `webgpu` package is never imported, until someone asks for the backend.
 */
import type { Backend } from '../../backend.js';
import { WebGPUBackend } from './backend.js';
import { acquireDevice, type WebGPUOptions } from './device.js';

export { WebGPUBackend } from './backend.js';
export type { WebGPUOptions } from './device.js';
export { DeviceLostError, WebGPUError } from './errors.js';
export { MATMUL_VERSIONS, type MatmulVersion } from './kernels/matmul.js';

export async function createWebGPUBackend(options: WebGPUOptions = {}): Promise<Backend> {
  return new WebGPUBackend(await acquireDevice(options));
}
