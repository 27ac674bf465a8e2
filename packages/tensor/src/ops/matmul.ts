/** matmul with NumPy/PyTorch rules: 1-D operands are promoted and the added axis removed; batch dims broadcast. */
import { record } from '../dispatch.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { assertSameDType, broadcastView, commonBackend, empty } from './util.js';
import { reshape } from './views.js';

/** Matrix product with NumPy/PyTorch rules: 1-D operands are promoted, batch dimensions broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const backend = commonBackend('matmul', a, b);
  assertSameDType('matmul', a, b);
  if (a.dtype === 'bool')
    throw new DTypeError('matmul', `not defined for bool ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(
      'matmul',
      `both operands need at least 1 dim: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
    );
  }
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  try {
    const [m, k] = a2.shape.slice(-2) as [number, number];
    const [k2, n] = b2.shape.slice(-2) as [number, number];
    if (k !== k2)
      throw new ShapeError('matmul', `inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
    const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
    const out = empty(backend, a.dtype, [...batch, m, n]);
    if (out.size > 0) {
      if (k === 0) backend.elementwise({ kind: 'const', value: 0, dtype: a.dtype }, [], out);
      else backend.matmul(broadcastView(a2, [...batch, m, k]), broadcastView(b2, [...batch, k, n]), out);
    }
    record('matmul', [a2, b2], {}, out);
    if (a.rank > 1 && b.rank > 1) return out;
    // Remove the promoted axes again.
    const shape = [...batch, ...(a.rank > 1 ? [m] : []), ...(b.rank > 1 ? [n] : [])];
    const squeezed = reshape(out, shape);
    out.dispose();
    return squeezed;
  } finally {
    if (a2 !== a) a2.dispose();
    if (b2 !== b) b2.dispose();
  }
}
