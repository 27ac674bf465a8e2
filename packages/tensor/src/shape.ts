import { ArgumentError, describeValue, fmtShape, IndexError, ShapeError } from './errors.js';

/** A tensor's dimensions, outermost first. */
export type Shape = readonly number[];

/** The number of elements of `shape` (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides for a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when (shape, strides) walks memory densely in row-major order. Size-1 dims may have any stride. */
export function isContiguousLayout(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Whether two shapes are the same sizes (the one shape comparison every package uses). */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertValidShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape))
    throw new ArgumentError(op, `shape must be an array of sizes, e.g. [2, 3]; got ${describeValue(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new ShapeError(op, `invalid shape ${fmtShape(shape)}: sizes must be integers >= 0`);
  }
}

/** Resolves a possibly negative axis against a rank, throwing an IndexError naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new IndexError(op, `axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises a list of axes (undefined = all), rejecting duplicates. Returned sorted ascending. */
export function normalizeAxes(
  op: string,
  axes: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new IndexError(op, `repeated axis in [${list.join(',')}]`);
  return out.sort((a, b) => a - b);
}

/** NumPy/PyTorch broadcasting: align trailing dims; each pair must be equal or contain a 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      const cur = out[j]!;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[j] = d;
      else
        throw new ShapeError(op, `shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together`);
    }
  }
  return out;
}

/** Resolves one -1 in a target shape for reshape. */
export function inferReshape(op: string, from: Shape, to: readonly number[]): number[] {
  const size = sizeOf(from);
  const unknown = to.indexOf(-1);
  if (unknown !== to.lastIndexOf(-1)) throw new ShapeError(op, `only one -1 allowed in ${fmtShape(to)}`);
  const known = to.reduce((p, d) => (d === -1 ? p : p * d), 1);
  for (const d of to) {
    if (d !== -1 && (!Number.isInteger(d) || d < 0))
      throw new ShapeError(op, `invalid target shape ${fmtShape(to)}`);
  }
  const out = [...to];
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(op, `cannot reshape ${fmtShape(from)} (size ${size}) into ${fmtShape(to)}`);
    }
    out[unknown] = size / known;
  }
  if (sizeOf(out) !== size)
    throw new ShapeError(op, `cannot reshape ${fmtShape(from)} (size ${size}) into ${fmtShape(to)}`);
  return out;
}

/**
 * Strides that let `to` view the same memory as (from, strides), or undefined when no view exists
 * (then reshape must copy). Follows PyTorch's rule: each run of merged/split dims must be contiguous
 * within itself.
 */
export function viewStrides(from: Shape, strides: readonly number[], to: Shape): number[] | undefined {
  if (sizeOf(from) === 0) return contiguousStrides(to);
  // Drop size-1 dims of the source; they constrain nothing.
  const fs: number[] = [];
  const fst: number[] = [];
  from.forEach((d, i) => {
    if (d !== 1) {
      fs.push(d);
      fst.push(strides[i]!);
    }
  });
  const out = new Array<number>(to.length).fill(0);
  let fi = 0;
  let ti = 0;
  while (ti < to.length || fi < fs.length) {
    // Skip size-1 target dims: any stride works.
    if (ti < to.length && to[ti] === 1) {
      out[ti] = fi < fs.length ? fst[fi]! * fs[fi]! : 1;
      ti++;
      continue;
    }
    if (fi >= fs.length || ti >= to.length) return undefined;
    // Grow a chunk of source dims and a chunk of target dims until their products match.
    let fProd = fs[fi]!;
    let tProd = to[ti]!;
    const fStart = fi;
    const tStart = ti;
    while (fProd !== tProd) {
      if (fProd < tProd) {
        fi++;
        if (fi >= fs.length) return undefined;
        fProd *= fs[fi]!;
      } else {
        ti++;
        if (ti >= to.length) return undefined;
        tProd *= to[ti]!;
      }
    }
    // Source chunk must be contiguous within itself.
    for (let k = fStart; k < fi; k++) if (fst[k] !== fst[k + 1]! * fs[k + 1]!) return undefined;
    // Assign target strides from the innermost stride of the chunk.
    let s = fst[fi]!;
    for (let k = ti; k >= tStart; k--) {
      out[k] = s;
      s *= to[k]!;
    }
    fi++;
    ti++;
  }
  return out;
}

/**
 * Drops size-1 dims and merges neighbours i, i+1 when, for every operand, stride[i] == stride[i+1] * shape[i+1],
 * so that contiguous work becomes one flat loop (a [64, 197, 768] contiguous add is rank 1). Every backend's
 * kernels start from this. Returns the reduced shape and each operand's strides over it (rank 0 for one element).
 */
export function coalesce(
  shape: Shape,
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n)) {
      outShape[last] = outShape[last]! * n;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(n);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  return { shape: outShape, strides: outStrides };
}
