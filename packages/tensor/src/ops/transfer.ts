import { getBackend } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { assertLive } from './util.js';
import { contiguousCopy } from './views.js';

/** A copy of x on another backend, through the host. */
export async function toBackend(x: Tensor, name: string): Promise<Tensor> {
  assertLive('to', x, 'x');
  const target = getBackend(name);
  if (target === x.backend) return contiguousCopy(x);
  return tensor(await x.data(), { shape: x.shape, dtype: x.dtype, backend: target.name });
}
