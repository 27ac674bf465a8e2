/// <reference types="@webgpu/types" />
/**
 * Finds a GPU and opens a device, the same way everywhere: the `GPU` object is `navigator.gpu` in a browser
 * (or wherever a runtime provides it) and, in Node, the npm package `webgpu` (Dawn), imported lazily so that
 * neither a browser bundle nor a CPU-only user ever loads it. After that one branch the code path is shared.
 */
import { BackendError } from '../../errors.js';

export interface WebGPUOptions {
  /** A `GPU` object to use instead of navigator.gpu / the `webgpu` package (e.g. one you created yourself). */
  readonly gpu?: unknown;
  readonly powerPreference?: 'low-power' | 'high-performance';
}

export interface AcquiredDevice {
  /**
   * The GPU object the device came from. Whoever holds the device must hold this too: Dawn's Node binding
   * destroys its instance when the GPU object is garbage-collected, and the process then crashes in the driver.
   */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  /** Vendor / architecture / description, for messages and benchmark reports. */
  readonly adapterName: string;
}

const NO_ADAPTER_HELP =
  'install a WebGPU driver: on Linux without a GPU, Mesa lavapipe (apt-get install -t bookworm-backports ' +
  'mesa-vulkan-drivers libvulkan1, as scripts/install-system.sh does); on Linux with a GPU, its Vulkan driver; ' +
  'in a browser, one with WebGPU enabled (Chromium: --enable-unsafe-webgpu)';

// Limits worth raising to the adapter's maxima (big tensors, big workgroups); the rest keep their defaults.
const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

async function findGPU(options: WebGPUOptions): Promise<GPU> {
  if (options.gpu) return options.gpu as GPU;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode()) {
    throw new BackendError(
      'webgpu',
      `navigator.gpu is not available in this browser/runtime; ${NO_ADAPTER_HELP}`,
    );
  }
  // A variable specifier keeps bundlers from resolving (and bundling) the native package.
  const specifier = 'webgpu';
  let mod: { create(flags: string[]): GPU };
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as typeof mod;
  } catch (e) {
    throw new BackendError(
      'webgpu',
      `the npm package 'webgpu' (Dawn for Node) is not installed: add it with \`pnpm add webgpu\` (${(e as Error).message})`,
    );
  }
  return mod.create([]);
}

export async function acquireDevice(options: WebGPUOptions = {}): Promise<AcquiredDevice> {
  const gpu = await findGPU(options);
  const adapter = await gpu.requestAdapter(
    options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
  );
  if (!adapter) throw new BackendError('webgpu', `no WebGPU adapter found; ${NO_ADAPTER_HELP}`);
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS) {
    const v = adapter.limits[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, label: 'norga' });
  } catch (e) {
    throw new BackendError('webgpu', `the adapter refused a device: ${(e as Error).message}`);
  }
  const info = adapter.info ?? ({} as Partial<GPUAdapterInfo>);
  const adapterName =
    [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' / ') ||
    'unknown adapter';
  return { gpu, device, adapter, adapterName };
}
