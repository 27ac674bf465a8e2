/**
 * unbroadcast: the adjoint of broadcasting. An input of shape [3,1] broadcast to [2,3,4] was read 2·4 times
 * per element, so its gradient is g summed over the added leading axes and over the axes where it had size 1.
 */
import { reshape, sameShape, sum, type Tensor } from '@norga/tensor';

export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return reshape(g, shape);
  const s = sum(g, axes, true);
  return sameShape(s.shape, shape) ? s : reshape(s, shape);
}
