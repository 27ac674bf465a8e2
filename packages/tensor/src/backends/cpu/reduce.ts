/** CPU reductions over any axes of a strided view. Accumulates in doubles. */
import type { ReduceOp, View } from '../../backend.js';
import type { AnyTypedArray } from '../../dtype.js';
import { coalesce, forEachOffset } from './layout.js';

/**
 * One run of the reduction: `n` elements from `p` with stride `s`, folded into the running state. Kept as
 * plain functions over locals (not closures over mutable variables), so V8 keeps the accumulator in a register.
 */
type Run = (data: AnyTypedArray, p: number, n: number, s: number, state: Float64Array) => void;

const runs: Record<ReduceOp, Run> = {
  sum(data, p, n, s, state) {
    if (s === 1 && n >= 4) {
      // A contiguous run is summed in the WebAssembly tier's order (wasm/reduce.ts, rows): four interleaved
      // partial sums in doubles, (s0 + s1) + (s2 + s3), then the tail. The same order in both tiers makes a row
      // sum the same bits whichever tier runs it, and so at any tensor size (which picks the tier).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const end = p + (n & ~3);
      for (; p < end; p += 4) {
        s0 += data[p]!;
        s1 += data[p + 1]!;
        s2 += data[p + 2]!;
        s3 += data[p + 3]!;
      }
      let run = s0 + s1 + (s2 + s3);
      for (let i = n & 3; i > 0; i--, p++) run += data[p]!;
      state[0] = state[0]! + run;
      return;
    }
    let acc = state[0]!;
    for (let i = 0; i < n; i++, p += s) acc += data[p]!;
    state[0] = acc;
  },
  max(data, p, n, s, state) {
    let acc = state[0]!;
    for (let i = 0; i < n; i++, p += s) {
      const v = data[p]!;
      if (v > acc || v !== v) acc = v;
    }
    state[0] = acc;
  },
  min(data, p, n, s, state) {
    let acc = state[0]!;
    for (let i = 0; i < n; i++, p += s) {
      const v = data[p]!;
      if (v < acc || v !== v) acc = v;
    }
    state[0] = acc;
  },
  // state = [extreme, index of first extreme (-1: none yet), elements seen]. The first NaN wins for good.
  argmax(data, p, n, s, state) {
    let acc = state[0]!;
    let best = state[1]!;
    const seen = state[2]!;
    for (let i = 0; i < n; i++, p += s) {
      const v = data[p]!;
      if (best < 0 || (acc === acc && (v > acc || v !== v))) {
        acc = v;
        best = seen + i;
      }
    }
    state[0] = acc;
    state[1] = best;
    state[2] = seen + n;
  },
  argmin(data, p, n, s, state) {
    let acc = state[0]!;
    let best = state[1]!;
    const seen = state[2]!;
    for (let i = 0; i < n; i++, p += s) {
      const v = data[p]!;
      if (best < 0 || (acc === acc && (v < acc || v !== v))) {
        acc = v;
        best = seen + i;
      }
    }
    state[0] = acc;
    state[1] = best;
    state[2] = seen + n;
  },
};

const INITIAL: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity, argmax: 0, argmin: 0 };

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
  // The reduced sub-space: leading dims by odometer, the last one as a tight loop.
  const rShape = red.shape.length ? red.shape : [1];
  const rStr = red.strides[0]!.length ? red.strides[0]! : [0];
  const innerN = rShape[rShape.length - 1]!;
  const innerS = rStr[rStr.length - 1]!;
  const outerShape = rShape.slice(0, -1);
  const outerStr = [rStr.slice(0, -1)];
  const run = runs[op];
  const isArg = op === 'argmax' || op === 'argmin';
  const state = new Float64Array(3);
  let o = out.offset;
  forEachOffset(kept.shape, kept.strides, [x.offset], ([base]) => {
    state[0] = INITIAL[op];
    state[1] = -1;
    state[2] = 0;
    if (outerShape.length === 0) run(data, base!, innerN, innerS, state);
    else forEachOffset(outerShape, outerStr, [base!], ([start]) => run(data, start!, innerN, innerS, state));
    dst[o++] = isArg ? state[1]! : state[0]!;
  });
}
