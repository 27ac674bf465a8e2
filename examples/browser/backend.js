// Which backend the page's tensors use: WebGPU when navigator.gpu gives an adapter (in the page or in a worker),
// else the CPU tier (JavaScript and WebAssembly). Shared by the continual-learning page, its worker and the
// gate explorer.

/**
 * The backend for `choice` ('auto', 'webgpu' or 'cpu') and, on WebGPU, its adapter.
 * @param {string} choice
 * @returns {Promise<{ name: 'cpu' | 'webgpu', adapter: any }>}
 */
export async function pickBackend(choice) {
  if (choice === 'cpu') return { name: 'cpu', adapter: null };
  const adapter = await globalThis.navigator?.gpu?.requestAdapter().catch(() => null);
  if (adapter) return { name: 'webgpu', adapter };
  if (choice === 'webgpu') throw new Error('WebGPU was asked for, but navigator.gpu gives no adapter here');
  return { name: 'cpu', adapter: null };
}

/** An adapter's vendor / architecture / description, as the page shows it. */
export function adapterName(adapter) {
  const info = adapter?.info ?? {};
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';
}
