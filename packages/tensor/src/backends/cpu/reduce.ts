/** CPU reductions over any axes of a strided view. Accumulates in doubles. */
import type { ReduceOp, View } from '../../backend.js';
import type { AnyTypedArray } from '../../dtype.js';
import { coalesce, forEachOffset } from './layout.js';

export function reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
  const data = x.storage.handle as AnyTypedArray;
  const dst = out.storage.handle as AnyTypedArray;
  const keptDims = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const kept = coalesce(
    keptDims.map((d) => x.shape[d]!),
    [keptDims.map((d) => x.strides[d]!)],
  );
  const red = coalesce(
    axes.map((d) => x.shape[d]!),
    [axes.map((d) => x.strides[d]!)],
  );
  // The reduced sub-space: outer dims by odometer, the last one as a tight loop.
  const rShape = red.shape.length ? red.shape : [1];
  const rStr = red.strides[0]!.length ? red.strides[0]! : [0];
  const innerN = rShape[rShape.length - 1]!;
  const innerS = rStr[rStr.length - 1]!;
  const outerShape = rShape.slice(0, -1);
  const outerStr = [rStr.slice(0, -1)];
  let o = out.offset;
  forEachOffset(kept.shape, kept.strides, [x.offset], ([base]) => {
    let acc = op === 'sum' ? 0 : op === 'max' || op === 'argmax' ? -Infinity : Infinity;
    let best = -1;
    let count = 0;
    forEachOffset(outerShape, outerStr, [base!], ([start]) => {
      let p = start!;
      switch (op) {
        case 'sum':
          for (let i = 0; i < innerN; i++, p += innerS) acc += data[p]!;
          break;
        case 'max':
          for (let i = 0; i < innerN; i++, p += innerS) {
            const v = data[p]!;
            if (v > acc || v !== v) acc = v;
          }
          break;
        case 'min':
          for (let i = 0; i < innerN; i++, p += innerS) {
            const v = data[p]!;
            if (v < acc || v !== v) acc = v;
          }
          break;
        case 'argmax':
        case 'argmin': {
          const isMax = op === 'argmax';
          for (let i = 0; i < innerN; i++, p += innerS) {
            const v = data[p]!;
            // The first extreme wins; the first NaN beats everything and is never replaced.
            if (best < 0 || (acc === acc && (v !== v || (isMax ? v > acc : v < acc)))) {
              acc = v;
              best = count + i;
            }
          }
          break;
        }
      }
      count += innerN;
    });
    dst[o++] = op === 'argmax' || op === 'argmin' ? best : acc;
  });
}
