/**
 * Runs a fused elementwise kernel on [rows, cols] blocks of JS arrays: stages each input's span into scratch
 * with one memcpy, runs the kernel, copies the result out (per row only when rows are padded). Copies are the
 * operands' sizes, counted in the stats.
 */
import type { Expr } from '../../ops/expr.js';
import { SCRATCH_BASE } from './control.js';
import type { ElementwiseCache, InputMode } from './elementwise.js';
import type { WasmRuntime } from './runtime.js';

export interface EwInput {
  readonly data: Float32Array;
  readonly offset: number;
  /** Elements between rows (any, 0 included). */
  readonly rowStride: number;
  /** 'row': contiguous along the row; 'splat': one value per row. */
  readonly mode: InputMode;
}

export interface EwOutput {
  readonly data: Float32Array;
  readonly offset: number;
  readonly rowStride: number;
}

export interface ElementwiseStats {
  calls: number;
  elements: number;
  bytesIn: number;
  bytesOut: number;
  kernelsCompiled: number;
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** False (nothing written) when an input is too sparse to stage or scratch would pass the ceiling. */
export function elementwiseF32(
  rt: WasmRuntime,
  cache: ElementwiseCache,
  key: string,
  expr: Expr,
  inputs: readonly EwInput[],
  out: EwOutput,
  rows: number,
  cols: number,
  stats: ElementwiseStats,
): boolean {
  if (rows === 0 || cols === 0) return true;
  const spans: [number, number][] = [];
  let floats = 0;
  for (const x of inputs) {
    if (x.rowStride < 0) return false;
    const lo = x.offset;
    const hi = Math.min(x.data.length, x.offset + (rows - 1) * x.rowStride + (x.mode === 'row' ? cols : 1));
    if (hi - lo > 2 * rows * cols + 4096) return false;
    spans.push([lo, hi]);
    // +4: reads run up to three floats past a row
    floats += align4(hi - lo) + 4;
  }
  const ld = align4(cols);
  if (!rt.reserve((floats + rows * ld) * 4)) return false;
  const mem = rt.f32;
  let at = SCRATCH_BASE / 4;
  const args: number[] = [];
  let bytesIn = 0;
  inputs.forEach((x, i) => {
    const [lo, hi] = spans[i] as [number, number];
    mem.set(x.data.subarray(lo, hi), at);
    bytesIn += (hi - lo) * 4;
    args.push(at * 4, x.rowStride * 4);
    at += align4(hi - lo) + 4;
  });
  const outAt = at;
  const fn = cache.get(key, expr, inputs.map((x) => x.mode));
  fn(outAt * 4, rows, ld / 4, ld * 4, ...args);
  if (rows === 1 || (ld === cols && out.rowStride === cols)) {
    out.data.set(mem.subarray(outAt, outAt + (rows - 1) * ld + cols), out.offset);
  } else {
    for (let r = 0; r < rows; r++) out.data.set(mem.subarray(outAt + r * ld, outAt + r * ld + cols), out.offset + r * out.rowStride);
  }
  stats.calls++;
  stats.elements += rows * cols;
  stats.bytesIn += bytesIn;
  stats.bytesOut += rows * cols * 4;
  stats.kernelsCompiled = cache.size;
  return true;
}
